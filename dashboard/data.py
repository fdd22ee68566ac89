"""The one way pages get data: ``run(query_fn, *args)``, cached and shared between all users.

``run`` calls a single ``st.cache_data`` function keyed by the query's module and name, the
database URL and the arguments (scope and filters included, never session state), so ten screens
showing the same view cost one query per refresh period. The query opens a connection from the
read-only engine (one per URL, ``st.cache_resource``). Failures are logged in one line and
raised as :class:`~dashboard.errors.DashboardError` carrying the Chinese message to show.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy import Engine

from dashboard import settings
from dashboard.clock import local_now
from dashboard.db import reader_engine
from dashboard.errors import ConnectError, DashboardError, classify, summary
from queries.common import REFERENCE_MARK

log = logging.getLogger(__name__)
T = TypeVar("T")
_FETCHED_KEY = "_data_oldest_fetch"


@st.cache_resource(show_spinner=False)
def engine(url: str) -> Engine:
    """The read-only engine of a database URL, created once per process."""
    return reader_engine(url)


def _resolve(module: str, name: str) -> Callable[..., Any]:
    return getattr(importlib.import_module(module), name)


def _execute(module: str, name: str, url: str, args: tuple) -> tuple[dt.datetime, Any]:
    """Run ``module.name(conn, *args)`` on the database at ``url``; returns (fetch time, result)."""
    query_fn = _resolve(module, name)
    try:
        conn = engine(url).connect()
    except Exception as exc:  # noqa: BLE001 - every way of failing to connect is the same to the user
        raise ConnectError(str(exc)) from exc
    with conn:
        result = query_fn(conn, *args)
    return local_now(), result


# The shared cache of every query but the reference lists: what run() calls (bench.timing times it warm).
cached_query = st.cache_data(ttl=settings.refresh_seconds(), show_spinner=False, max_entries=2000)(_execute)
# Reference lists (marked by queries.common.reference) change rarely: a longer life spares every page
# a scan of the orders for the filter bar's categories (bench/results.md).
_cached_reference = st.cache_data(ttl=settings.reference_seconds(), show_spinner=False, max_entries=500)(_execute)


def run(query_fn: Callable[..., T], *args: Any) -> T:
    """Call ``query_fn(conn, *args)`` through the shared cache; raise DashboardError on failure."""
    module, name = query_fn.__module__, query_fn.__qualname__
    url = settings.database_url()
    is_reference = getattr(query_fn, REFERENCE_MARK, False)
    try:
        fetched_at, result = (_cached_reference if is_reference else cached_query)(module, name, url, args)
    except Exception as exc:
        message = classify(exc)
        log.error("query %s.%s failed: %s -> %s", module, name, summary(exc), message)
        raise DashboardError(message) from exc
    if not is_reference:  # "数据更新于" tells the age of the figures, not of the option lists
        _note_fetch(fetched_at)
    return result


def _note_fetch(fetched_at: dt.datetime) -> None:
    oldest = st.session_state.get(_FETCHED_KEY)
    if oldest is None or fetched_at < oldest:
        st.session_state[_FETCHED_KEY] = fetched_at


def start_page() -> None:
    """Forget the fetch times of the previous run (call at the top of every page run)."""
    st.session_state.pop(_FETCHED_KEY, None)


def oldest_fetch() -> dt.datetime | None:
    """When the oldest result shown in this run was read from the database (None if nothing was read)."""
    return st.session_state.get(_FETCHED_KEY)
