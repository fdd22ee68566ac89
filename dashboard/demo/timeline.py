"""The demo's clock: the span the data covers, months in it, and fast time-to-text conversion."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

EPOCH = dt.datetime(1970, 1, 1)


@dataclass(frozen=True)
class Timeline:
    """Data runs from ``start`` (a month's first day) up to ``now`` (local time, the anchor)."""

    start: dt.date
    now: dt.datetime

    @classmethod
    def ending(cls, now: dt.datetime, years: int) -> Timeline:
        """A timeline of ``years`` whole years of months ending at ``now``."""
        first = now.date().replace(day=1)
        return cls(start=first.replace(year=first.year - years), now=now.replace(microsecond=0))

    @property
    def now_s(self) -> int:
        """``now`` as seconds since the epoch (naive local time)."""
        return seconds(self.now)

    def months(self) -> list[tuple[dt.date, dt.date]]:
        """(first day, first day of next month) of every month from ``start`` through ``now``'s month."""
        out = []
        m = self.start
        while m <= self.now.date():
            nxt = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            out.append((m, nxt))
            m = nxt
        return out

    def half_years(self) -> list[tuple[str, dt.date, dt.date]]:
        """(id like 2026H1, first day, last day) of every half-year the data touches."""
        out = []
        for year in range(self.start.year, self.now.year + 1):
            for half, (a, b) in enumerate(
                ((dt.date(year, 1, 1), dt.date(year, 6, 30)), (dt.date(year, 7, 1), dt.date(year, 12, 31)))
            ):
                if b >= self.start and a <= self.now.date():
                    out.append((f"{year}H{half + 1}", a, b))
        return out


def seconds(moment: dt.datetime | dt.date) -> int:
    """Seconds since the epoch of a naive datetime or a date (at midnight)."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    return int((moment - EPOCH).total_seconds())


def times_text(values: np.ndarray, reached: np.ndarray | None = None) -> list[str | None]:
    """Seconds since the epoch -> 'YYYY-MM-DDTHH:MM:SS' (the schema's timestamp text); None where not reached."""
    text = np.datetime_as_string(np.asarray(values).astype("datetime64[s]"), unit="s")
    if reached is None:
        return text.tolist()
    return np.where(reached, text.astype(object), None).tolist()


def dates_text(values: np.ndarray) -> list[str]:
    """Seconds since the epoch (or datetime64) -> 'YYYY-MM-DD'."""
    return np.datetime_as_string(np.asarray(values).astype("datetime64[s]").astype("datetime64[D]"), unit="D").tolist()
