"""Timing the recorded calls of a page: cold (straight to the database) and warm (through the cache).

Cold: the page's calls run one after the other as ``query_fn(conn, *args)`` on one fresh
connection (the pool is emptied first), as after a cache expiry; the page's time is their sum.
Warm: the same calls through ``dashboard.data``'s shared cache once it holds them (hashing the
arguments and copying the result out of the cache), summed. Each is the median of ``runs``.
While timing cold the statements are captured: the tables and columns they read (for the naive
pandas reference) and, on PostgreSQL, the literal SQL (for the DuckDB reference).
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine, Table, event
from sqlalchemy.sql import visitors

from bench.recorder import Call
from dashboard import data


@dataclass
class Captured:
    """What the statements of a page read: table → columns, and the literal SQL (PostgreSQL only)."""

    columns: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    sql: list[str] = field(default_factory=list)


@dataclass
class PageTimes:
    """Median cold and warm seconds of a page's calls, and each call's median cold and warm seconds."""

    cold: float
    warm: float
    per_call: dict[str, float]
    warm_per_call: dict[str, float]


def _tables_and_columns(statement, captured: Captured) -> None:
    for element in visitors.iterate(statement):
        for col in getattr(element, "base_columns", ()) or ():
            table = getattr(col, "table", None)
            if isinstance(table, Table):
                captured.columns[table.name].add(col.name)
        if isinstance(element, Table):
            captured.columns[element.name]


def _listen(engine: Engine, captured: Captured):
    def before_execute(_conn, clauseelement, _multiparams, _params, _options):
        _tables_and_columns(clauseelement, captured)

    def before_cursor_execute(_conn, cursor, statement, parameters, _context, executemany):
        if engine.dialect.name == "postgresql" and not executemany:
            captured.sql.append(cursor.mogrify(statement, parameters).decode())

    event.listen(engine, "before_execute", before_execute)
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    return lambda: (
        event.remove(engine, "before_execute", before_execute),
        event.remove(engine, "before_cursor_execute", before_cursor_execute),
    )


def cold_once(engine: Engine, calls: list[Call]) -> dict[str, float]:
    """Seconds of each call, run one after the other on one fresh connection of ``engine`` (no cache)."""
    engine.dispose()
    times: dict[str, float] = {}
    with engine.connect() as conn:
        for call in calls:
            start = time.perf_counter()
            call.query_fn(conn, *call.args)
            times[call.name] = times.get(call.name, 0.0) + time.perf_counter() - start
            conn.rollback()
    return times


def _warm_once(url: str, calls: list[Call]) -> dict[str, float]:
    times: dict[str, float] = {}
    for call in calls:
        start = time.perf_counter()
        data.cached_query(call.query_fn.__module__, call.query_fn.__qualname__, url, call.args)
        times[call.name] = times.get(call.name, 0.0) + time.perf_counter() - start
    return times


def time_page(url: str, calls: list[Call], runs: int) -> tuple[PageTimes, Captured]:
    """Median cold and warm time of ``calls`` on the database at ``url``, and what they read."""
    engine = data.engine(url)
    captured = Captured()
    stop = _listen(engine, captured)
    try:
        first = cold_once(engine, calls)
    finally:
        stop()
    cold_runs = [first] + [cold_once(engine, calls) for _ in range(runs - 1)]
    _warm_once(url, calls)  # fill the cache
    warm_runs = [_warm_once(url, calls) for _ in range(runs)]
    per_call = {name: statistics.median(run[name] for run in cold_runs) for name in first}
    warm_per_call = {name: statistics.median(run[name] for run in warm_runs) for name in first}
    cold = statistics.median(sum(run.values()) for run in cold_runs)
    warm = statistics.median(sum(run.values()) for run in warm_runs)
    return PageTimes(cold, warm, per_call, warm_per_call), captured
