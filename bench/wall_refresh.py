"""What one refresh of the wall screen costs: statements sent and database time, median of several runs.

    .venv/bin/python bench/wall_refresh.py --url postgresql+psycopg2://postgres@127.0.0.1:5432/wall_bench
    .venv/bin/python bench/wall_refresh.py --url ... --now 2026-11-22T23:59:59 --runs 5 --explain

Runs exactly the page's queries (``dashboard.wall_data.load``) straight on a read-only connection,
without the Streamlit cache (which answers every screen after the first from memory). Two kinds of
refresh: the *steady* one reads today's flow only (the month's figures are reused, see
``month_refresh_minutes`` in assets/wall.yaml), the *full* one, once per that many minutes, also
reads the month's figures. The moment of the refresh defaults to the last update in the data.
Database time is the time from sending each statement to having its rows, as psycopg2 fetches the
whole result on execute (measure on PostgreSQL: sqlite3 hands rows over lazily, after the timer);
"total" adds fetching and building the DataFrames. Figures recorded: bench/wall_refresh.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The repository instead of bench/ on the path: modules there must not shadow the standard library.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from sqlalchemy import event, func, select, text  # noqa: E402

from dashboard.db import reader_engine  # noqa: E402
from dashboard.scope import Scope  # noqa: E402
from dashboard.targets import targets  # noqa: E402
from dashboard.wall_config import wall_config  # noqa: E402
from dashboard.wall_data import MONTH_QUERIES, load  # noqa: E402
from queries.common import service_order  # noqa: E402


class Recorder:
    """Times every statement of an engine and remembers which query function sent it."""

    def __init__(self, engine) -> None:
        self.rows: list[tuple[str, str, float]] = []  # (query function, statement, seconds)
        self.current = ""
        self._started: dict[int, float] = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.rows.append((self.current, statement, time.perf_counter() - self._started.pop(id(cursor))))

    def getter(self, conn):
        """A ``get`` for :func:`dashboard.wall_data.load` that runs every query straight on ``conn``."""

        def get(query_fn, scope, *args, reuse_for=None):
            self.current = query_fn.__qualname__
            return query_fn(conn, scope, *args)

        return get


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print one line per run, the medians and (``--explain``) each statement's time."""
    parser = argparse.ArgumentParser(description="一次大屏刷新的查询数与数据库耗时")
    parser.add_argument("--url", required=True, help="数据库 URL")
    parser.add_argument("--now", help="刷新时刻（ISO），默认数据中最后一次更新的时刻")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="列出每条语句的耗时（最后一次运行）")
    args = parser.parse_args(argv)

    engine = reader_engine(args.url)
    recorder = Recorder(engine)
    with engine.connect() as conn:
        last = conn.execute(select(func.max(service_order.c.updated_at))).scalar_one()
        now = dt.datetime.fromisoformat(args.now) if args.now else last
        orders = conn.execute(select(func.count()).select_from(service_order)).scalar_one()
        conn.execute(text("SELECT 1"))
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{engine.dialect.name}, {orders:,} orders, refresh at {now:%Y-%m-%d %H:%M:%S}, load average {load_avg}")

    config, rating = wall_config(), int(targets()["satisfied_rating"].value)
    month = {fn.__qualname__ for fn in MONTH_QUERIES}
    results: dict[str, list[tuple[int, float]]] = {"steady": [], "full": []}
    totals = []
    for run in range(1, args.runs + 1):
        recorder.rows.clear()
        with engine.connect() as conn:
            begin = time.perf_counter()
            load(recorder.getter(conn), Scope(None), now, config, rating)
            totals.append(1000 * (time.perf_counter() - begin))
        steady = [seconds for name, _, seconds in recorder.rows if name not in month]
        full = [seconds for _, _, seconds in recorder.rows]
        results["steady"].append((len(steady), 1000 * sum(steady)))
        results["full"].append((len(full), 1000 * sum(full)))
        print(
            f"run {run}: steady {len(steady)} statements {1000 * sum(steady):.1f} ms; "
            f"full {len(full)} statements {1000 * sum(full):.1f} ms; total {totals[-1]:.1f} ms"
        )
    for kind, figures in results.items():
        count, database = statistics.median(n for n, _ in figures), statistics.median(ms for _, ms in figures)
        print(f"median of {args.runs}, {kind} refresh: {count:.0f} statements, database {database:.1f} ms")
    print(f"median of {args.runs}, full refresh with DataFrames: {statistics.median(totals):.1f} ms")
    if args.explain:
        for name, statement, seconds in sorted(recorder.rows, key=lambda row: -row[2]):
            print(f"{1000 * seconds:8.1f} ms  {name:<28} {' '.join(statement.split())[:90]}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
