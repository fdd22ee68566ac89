"""The reader engine's PostgreSQL session settings against PostgreSQL's defaults, side by side in one run.

    .venv/bin/python -m bench.reader_settings --url postgresql+psycopg2://postgres@127.0.0.1:5432/bench_city [--runs 5]

Times the orders page's step-time section (``bench.orders_page.plan``, part ``time``: percentiles and
histograms over every order of the whole area in the year to date, the statements JIT used to
compile) cold, on a fresh connection per run, with (a) the reader's read-only transaction and
statement timeout only, everything else at the server's defaults (JIT on, work_mem 4MB), and (b)
all of ``dashboard.db.READER_SETTINGS``. The two alternate, so both see the same load; each figure
is the median of ``--runs``. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from sqlalchemy import create_engine, func, select

from bench.orders_page import plan
from dashboard.db import READER_SETTINGS
from dashboard.filters import Filters
from queries.common import service_order

KEPT = ("default_transaction_read_only", "statement_timeout")
VARIANTS = {
    "server defaults": {name: value for name, value in READER_SETTINGS.items() if name in KEPT},
    "READER_SETTINGS": READER_SETTINGS,
}


def _options(settings: dict[str, str]) -> str:
    return " ".join(f"-c {name}={value}" for name, value in settings.items())


def measure(url: str, runs: int) -> tuple[dict[str, dict[str, list[float]]], str]:
    """Seconds per variant and call, and a line describing the view and the load."""
    with create_engine(url).connect() as conn:
        now = conn.execute(select(func.max(service_order.c.updated_at))).scalar_one()
    filters = Filters(now.date().replace(month=1, day=1), now.date(), period_key="year")
    calls = plan(filters, now)["time"]
    times: dict[str, dict[str, list[float]]] = {variant: {} for variant in VARIANTS}
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    for run in range(runs):
        order = list(VARIANTS)[run % 2 :] + list(VARIANTS)[: run % 2]
        for variant in order:
            engine = create_engine(url, connect_args={"options": _options(VARIANTS[variant])})
            with engine.connect() as conn:
                for label, query_fn, args in calls:
                    start = time.perf_counter()
                    query_fn(conn, *args)
                    times[variant].setdefault(label, []).append(time.perf_counter() - start)
            engine.dispose()
    end_load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    view = f"全区域，{filters.start} 至 {filters.end}；{runs} 次交替冷运行的中位数；负载开始 {load}，结束 {end_load}"
    return times, view


def report(times: dict[str, dict[str, list[float]]], view: str, database: str) -> str:
    """The markdown table: each call's median under both variants and their ratio."""
    first, second = VARIANTS
    lines = [
        f"数据库 `{database}`，订单页“环节用时”部分：{view}。",
        "",
        f"| 调用 | {first} ms | {second} ms | {second} ÷ {first} |",
        "|---|---:|---:|---:|",
    ]
    for label in times[first]:
        a, b = statistics.median(times[first][label]), statistics.median(times[second][label])
        lines.append(f"| {label} | {a * 1000:,.0f} | {b * 1000:,.0f} | {b / a:.2f} |")
    a = sum(statistics.median(v) for v in times[first].values())
    b = sum(statistics.median(v) for v in times[second].values())
    lines.append(f"| **合计** | {a * 1000:,.0f} | {b * 1000:,.0f} | {b / a:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, measure, print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.reader_settings", description="读者会话设置的前后对照")
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    times, view = measure(args.url, args.runs)
    print(report(times, view, args.url.rsplit("/", 1)[-1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
