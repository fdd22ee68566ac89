"""The typical views the benchmark opens on every page, as URL parameters of the global filter bar.

- ``city·year``: the default view every page opens with, no URL parameters (the whole city or
  province, ``dashboard.filters.DEFAULT_PERIOD``: this year);
- ``city·month``: the whole city (province), this month;
- ``city·30d``: the whole city (province), the 30 days up to today (a custom period): a month's worth of
  data whatever day the benchmark runs on (early in a month "this month" is a few days). It crosses a
  month boundary, so its first days are a partial month, which the summary-based pages read from the
  platform's tables; "this month" on a month's last day is a whole month instead, which the next view is;
- ``city·last-month``: the whole city (province), last month from its first to its last day (a custom
  period): what "this month" reads on a month's last day. The pages read it as they read the current
  month: the orders and activities of the refresh's month and the one before live, the hours and
  registrations as the summary's whole month;
- ``district·half``: the busiest district (most orders), this half-year;
- ``station·half``: the busiest station of that district, this half-year (``station`` is a URL
  parameter only pages with a station filter read; on the others the view is skipped).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from dashboard.models import ServiceOrder

MONTH_DAYS = 30  # the days of the city·30d view


@dataclass(frozen=True)
class View:
    """A named view: the URL parameters a browser would carry."""

    name: str
    params: dict[str, str]
    needs_station_filter: bool = False


def busiest(conn: Connection) -> tuple[str, int]:
    """The county code with the most orders and, in it, the station id with the most orders."""
    o = ServiceOrder.__table__
    county = conn.execute(
        select(o.c.county_code).group_by(o.c.county_code).order_by(func.count().desc()).limit(1)
    ).scalar_one()
    station = conn.execute(
        select(o.c.station_id)
        .where(o.c.county_code == county, o.c.station_id.is_not(None))
        .group_by(o.c.station_id)
        .order_by(func.count().desc())
        .limit(1)
    ).scalar_one()
    return county, int(station)


def typical_views(county: str, station: int, today: dt.date) -> list[View]:
    """The six views, the default first, for the given busiest district and station, on ``today``."""
    month_ago = today - dt.timedelta(days=MONTH_DAYS - 1)
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    last_month = month_end.replace(day=1)
    return [
        View("city·year", {}),
        View("city·month", {"period": "month"}),
        View("city·30d", {"period": "custom", "start": month_ago.isoformat(), "end": today.isoformat()}),
        View("city·last-month", {"period": "custom", "start": last_month.isoformat(), "end": month_end.isoformat()}),
        View("district·half", {"period": "half", "county": county}),
        View("station·half", {"period": "half", "county": county, "station": str(station)}, needs_station_filter=True),
    ]
