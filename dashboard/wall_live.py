"""Live data for the wall screen: the refresh tick, and the last good result of every query for outages.

Every screen showing the wall asks for the data of the current *tick*: the moment of the refresh
floored to the refresh interval (``DASHBOARD_REFRESH_SECONDS``) and counted from midnight, so all
screens share one cached query per interval and the date rolls over exactly at midnight.

:class:`Refresh` runs one refresh's queries through :func:`dashboard.data.run`. Each good result is
kept, per database, query and scope, in a store shared by the process. When the database cannot be
reached or a query fails, the rest of that refresh
is served from the store (no further connection attempts, so a dead server costs one timeout, not
one per query) and the page shows a banner with the time of the data it still shows. The next
refresh tries the database again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import streamlit as st

from dashboard import clock, data, settings
from dashboard.errors import CONNECT_MESSAGE, DashboardError
from dashboard.scope import Scope

T = TypeVar("T")
CONNECTION_LOST = "连接中断，正在重试"
QUERY_FAILED = "数据查询失败，正在重试"


def tick(now: dt.datetime, seconds: int) -> dt.datetime:
    """``now`` floored to a whole number of ``seconds`` since its midnight (never before that midnight)."""
    midnight = dt.datetime.combine(now.date(), dt.time.min)
    elapsed = int((now - midnight).total_seconds())
    return midnight + dt.timedelta(seconds=elapsed - elapsed % max(seconds, 1))


def current_tick() -> dt.datetime:
    """The tick of the current moment (local time) for the configured refresh interval."""
    return tick(clock.local_now(), settings.refresh_seconds())


class NoDataYet(DashboardError):
    """A query failed and no earlier result is there to show instead."""


@dataclass(frozen=True)
class Kept:
    """The last good result of a query for a scope, and when it was read."""

    fetched: dt.datetime
    result: Any


@st.cache_resource(show_spinner=False)
def shared_store() -> dict[tuple, Kept]:
    """(database URL, query, scope) → its last good result, shared by every session of the process."""
    return {}


class Refresh:
    """One refresh of the wall: fresh results while the database answers, the last good ones after a failure."""

    def __init__(self, store: dict[tuple, Kept] | None = None) -> None:
        self.store = shared_store() if store is None else store
        self.failure: str | None = None  # the Chinese message of the first failure of this refresh
        self.oldest: dt.datetime | None = None  # when the oldest result read (or kept) for this refresh was read

    def get(self, query_fn: Callable[..., T], scope: Scope, *args: Any) -> T:
        """``data.run(query_fn, scope, *args)``, or, when the database fails, the last good result of
        ``query_fn`` for ``scope``."""
        key = (settings.database_url(), query_fn.__module__, query_fn.__qualname__, scope)
        kept = self.store.get(key)
        if self.failure is None:
            try:
                data.start_page()  # so that oldest_fetch() is this query's fetch time
                result = data.run(query_fn, scope, *args)
            except DashboardError as exc:
                self.failure = exc.message
            else:
                fetched = data.oldest_fetch() or clock.local_now()
                self.store[key] = Kept(fetched, result)
                self._shown(fetched)
                return result
        if kept is None:
            raise NoDataYet(self.failure)
        self._shown(kept.fetched)
        return kept.result

    def _shown(self, fetched: dt.datetime) -> None:
        if self.oldest is None or fetched < self.oldest:
            self.oldest = fetched

    @property
    def stale(self) -> bool:
        """True when something failed in this refresh (what is shown is the last good data)."""
        return self.failure is not None

    def updated(self) -> str:
        """``数据更新于 HH:MM:SS``: when the oldest data on screen was read."""
        return f"数据更新于 {self.oldest or clock.local_now():%H:%M:%S}"

    def status(self) -> str:
        """The banner's line: :meth:`updated`, then why the page is retrying when the data is stale."""
        if self.failure is None:
            return self.updated()
        return f"{self.updated()} · {CONNECTION_LOST if self.failure == CONNECT_MESSAGE else QUERY_FAILED}"
