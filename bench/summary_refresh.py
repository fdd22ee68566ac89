"""What a refresh of the dashboard's summaries (schema ``dash``) costs, per summary: full, incremental, unchanged.

    .venv/bin/python -m bench.summary_refresh --url postgresql+psycopg2://postgres@127.0.0.1:5432/bench_city \\
        [--rows 2000] [--runs 3] [--summaries hours,order_status]

Incremental: the summary's recorded state is first moved back by ``--rows`` source rows (its
``through_id`` and ``source_rows`` in ``dash.refresh_state``), as if those rows had been added since
the last refresh, and the refresh then recomputes from the earliest month (or day) among them, as it
would after the platform wrote them. It writes only the dashboard's own schema; every run leaves the
summaries exact. Each figure is the median of ``--runs``, every summary in a transaction of its own.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from sqlalchemy import Connection, func, select, update

from dashboard.clock import local_now
from dashboard.db import writer_engine
from dashboard.summaries import storage
from dashboard.summaries import tables as t
from dashboard.summaries.refresh import SUMMARIES, Summary, _refresh


def _move_back(conn: Connection, summary: Summary, rows: int) -> None:
    """Make the summary's state say its newest ``rows`` source rows came after the last refresh."""
    ids = select(summary.source.c.id).order_by(summary.source.c.id.desc()).limit(rows).subquery()
    lowest = conn.execute(select(func.min(ids.c.id))).scalar_one()
    below = conn.execute(select(func.count()).where(summary.source.c.id < lowest)).scalar_one()
    state = t.refresh_state
    conn.execute(update(state).where(state.c.name == summary.name).values(through_id=lowest - 1, source_rows=below))


def _timed(engine, summary: Summary, full: bool, back: int) -> tuple[float, str]:
    with engine.begin() as conn:
        if back:
            _move_back(conn, summary, back)
        start = time.perf_counter()
        outcome = _refresh(conn, summary, full, local_now().replace(microsecond=0))
        seconds = time.perf_counter() - start
    since = f" from {outcome.since:%Y-%m-%d}" if outcome.since else ""
    return seconds, f"{outcome.how}{since}"


def main(argv: list[str] | None = None) -> int:
    """Time every summary's refresh three ways and print a markdown table."""
    parser = argparse.ArgumentParser(prog="python -m bench.summary_refresh", description="汇总表更新耗时")
    parser.add_argument("--url", required=True)
    parser.add_argument("--rows", type=int, default=2000, help="增量更新时视为新增的行数")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--summaries", help="逗号分隔的汇总名（默认全部）")
    args = parser.parse_args(argv)
    chosen = [s for s in SUMMARIES if not args.summaries or s.name in args.summaries.split(",")]
    engine = writer_engine(args.url)
    storage.attach_for_writer(engine, args.url)
    with engine.begin() as conn:
        storage.create(conn)
    print(f"| summary | full s | incremental ({args.rows:,} newest rows) s | unchanged s |")
    print("|---|---:|---:|---:|")
    for summary in chosen:
        cells = []
        for full, back in ((True, 0), (False, args.rows), (False, 0)):
            runs = [_timed(engine, summary, full, back) for _ in range(args.runs)]
            cells.append(f"{statistics.median(s for s, _ in runs):.3f} ({runs[-1][1]})")
        print(f"| {summary.name} | " + " | ".join(cells) + " |", flush=True)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
