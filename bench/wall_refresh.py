"""What one refresh of the wall screen costs: statements sent and database time, median of several runs.

    .venv/bin/python bench/wall_refresh.py --url postgresql+psycopg2://postgres@127.0.0.1:5432/wall_bench
    .venv/bin/python bench/wall_refresh.py --url ... --now 2026-11-22T23:59:59 --runs 5 --explain

Runs exactly the page's queries (``dashboard.wall_data.load``) straight on a read-only connection,
without the Streamlit cache (which answers every screen after the first from memory). Every refresh
reads everything, the month's figures included. In the same run, side by side, it times the two
figures the dashboard's summaries feed (registered volunteers per county, this month's activities)
both ways: as the page reads them (``queries.summaries``: summary tables topped up with the newest
platform rows) and as they were read before the summaries, by counting the platform's tables; and
checks that both ways give the same numbers. The summaries must have been refreshed
(``python -m dashboard.summaries refresh --url ...``). The moment of the refresh defaults to the last
update in the data. Database time is the time from sending each statement to having its rows, as
psycopg2 fetches the whole result on execute (measure on PostgreSQL: sqlite3 hands rows over lazily,
after the timer); "total" adds fetching and building the DataFrames. Figures: bench/wall_refresh.md.
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
from dashboard.wall_data import load, this_month  # noqa: E402
from queries import overview, summaries  # noqa: E402
from queries.common import activity, period_clause, region, service_order, volunteer  # noqa: E402


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

        def get(query_fn, scope, *args):
            self.current = query_fn.__qualname__
            return query_fn(conn, scope, *args)

        return get


def from_summaries(conn, month) -> tuple[dict, int]:
    """Registered volunteers per county and the month's activities, as the page reads them."""
    registered = summaries.registered(conn, Scope(None), month, ["county_code"])
    counts = dict(conn.execute(select(registered.c.county_code, registered.c.volunteers)).all())
    return {code: int(n) for code, n in counts.items()}, overview.activity_count(conn, Scope(None), month)


def from_platform(conn, month) -> tuple[dict, int]:
    """The same two figures counted from the platform's tables, as the page did before the summaries."""
    counties = select(region.c.code).where(region.c.level == "county")
    counted = (
        select(volunteer.c.county_code, func.count())
        .where(volunteer.c.county_code.in_(counties), volunteer.c.registered_on <= month.end)
        .group_by(volunteer.c.county_code)
    )
    held = select(func.count()).where(activity.c.county_code.in_(counties), period_clause(activity.c.held_on, month))
    return {code: int(n) for code, n in conn.execute(counted).all()}, int(conn.execute(held).scalar_one())


WAYS = {"summaries": from_summaries, "platform": from_platform}


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
    refreshes, figures = [], {way: [] for way in WAYS}
    for run in range(1, args.runs + 1):
        recorder.rows.clear()
        with engine.connect() as conn:
            begin = time.perf_counter()
            load(recorder.getter(conn), Scope(None), now, config, rating)
            total = 1000 * (time.perf_counter() - begin)
            statements, database = len(recorder.rows), 1000 * sum(seconds for _, _, seconds in recorder.rows)
            refreshes.append((statements, database, total))
            line = f"run {run}: refresh {statements} statements, database {database:.1f} ms, total {total:.1f} ms"
            for way, read in WAYS.items():  # after the refresh, so its statements are not counted in it
                first, recorder.current = len(recorder.rows), f"[{way}]"
                values = read(conn, this_month(now))
                figures[way].append((1000 * sum(seconds for _, _, seconds in recorder.rows[first:]), values))
                line += f"; two figures from {way} {figures[way][-1][0]:.1f} ms"
        print(line)
    (registered, held), same = figures["platform"][-1][1], figures["summaries"][-1][1] == figures["platform"][-1][1]
    print(f"same figures both ways: {same} ({sum(registered.values()):,} volunteers, {held:,} activities)")
    print(
        f"median of {args.runs}: refresh {statistics.median(n for n, _, _ in refreshes):.0f} statements, "
        f"database {statistics.median(ms for _, ms, _ in refreshes):.1f} ms, "
        f"with DataFrames {statistics.median(ms for _, _, ms in refreshes):.1f} ms"
    )
    for way, timed in figures.items():
        median = statistics.median(ms for ms, _ in timed)
        print(f"median of {args.runs}: volunteers and activities from {way}: database {median:.1f} ms")
    if args.explain:
        for name, statement, seconds in sorted(recorder.rows, key=lambda row: -row[2]):
            print(f"{1000 * seconds:8.1f} ms  {name:<28} {' '.join(statement.split())[:90]}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
