"""Query time of the orders page (pages/orders.py) at city scale: every query each view runs, cold.

    .venv/bin/python -m bench.orders_page --url sqlite:////work/main/data/demo.sqlite \
        --start 2026-01-01 --end 2026-11-22 [--county 140105] [--repeat 3]

Runs the queries of the page in the order the page does (filters and KPI row first, then each section)
on a fresh read-only connection, without the Streamlit cache, ``--repeat`` times, and prints the
median seconds per query and per view. A view's time is what a user waits for on a cold cache: the
common part (filter options; the page's one read of its orders, ``order_cube``, whence pandas derives
the KPI row, the board and the step, team and rated filters' counts; the stations' counts once a
district is chosen) plus that section. Results and the machine go to bench/orders_page.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from dashboard.db import reader_engine
from dashboard.filters import Filters, preset_starts
from dashboard.order_flow import order_flow
from dashboard.orders_config import orders_config
from dashboard.orders_filters import OrderFilters
from dashboard.scope import Scope
from queries import facets, orders, regions


def plan(filters: Filters, now: dt.datetime) -> dict[str, list[tuple]]:
    """(label, query, args) per part of the page, as pages/orders.py calls them."""
    scope, page, cfg = Scope(None), OrderFilters(), orders_config()
    level = "township" if filters.county else "county"
    first = next(iter(order_flow().durations))
    grain = cfg.grain_for((filters.end - filters.start).days + 1)  # the trend's default grain for the period
    period, today, presets = (filters.start, filters.end), filters.end, preset_starts(filters.end)
    # The filter bar's counts (dashboard.filters.period_facets), the period ending "today": its closed days,
    # today's orders apart, and the preset periods starting before it.
    marks, yesterday = facets.marks(*period, presets, today), today - dt.timedelta(days=1)
    earlier = facets.outside(*period, presets, today)
    area = (filters.county, filters.township, filters.category)
    return {
        "common": [
            ("regions.counties", regions.counties, (scope,)),
            ("regions.townships", regions.townships, (scope,)),
            *(
                [("facets.closed_order_facets", facets.closed_order_facets, (scope, marks, yesterday))]
                if filters.start <= yesterday
                else []
            ),
            ("facets.order_facets(today)", facets.order_facets, (scope, (today,), today)),
            *(
                [("facets.earlier_orders", facets.earlier_orders, (scope, *area, earlier, filters.start))]
                if earlier
                else []
            ),
            *([("stations", orders.stations, (scope, filters.county, filters.township))] if filters.county else []),
            ("teams", orders.teams, (scope,)),
            ("order_cube", orders.order_cube, (scope, filters, page.station, 4, now)),
            *([("station_counts", orders.station_counts, (scope, filters, page))] if filters.county else []),
        ],
        "flow": [
            ("overdue_orders", orders.overdue_orders, (scope, filters, page, now, cfg.list_rows)),
            ("overdue_orders(超期未评价)", orders.overdue_orders, (scope, filters, page, now, cfg.list_rows, False)),
        ],
        "time": [
            ("duration_stats", orders.duration_stats, (scope, filters, page)),
            ("duration_histogram", orders.duration_histogram, (scope, filters, page, cfg.duration_bins_minutes)),
            ("duration_trend", orders.duration_trend, (scope, filters, page, first, grain)),
        ],
        "rating": [
            ("rating_counts", orders.rating_counts, (scope, filters, page)),
            ("satisfaction_by(category)", orders.satisfaction_by, (scope, filters, page, "category", 4)),
        ],
        "demand": [
            ("areas", orders.areas, (scope, filters, level)),
            ("demand_matrix", orders.demand_matrix, (scope, filters, page, level)),
            ("demand_clock", orders.demand_clock, (scope, filters, page)),
            ("demand_grid", orders.demand_grid, (scope, filters, page, cfg.demand_map.cell_degrees)),
        ],
        "drill": [
            ("areas", orders.areas, (scope, filters, level)),
            ("breakdown", orders.breakdown, (scope, filters, page, level, 4, now, first)),
            ("demand_grid", orders.demand_grid, (scope, filters, page, cfg.demand_map.cell_degrees)),
        ],
        "list": [
            ("order_list", orders.order_list, (scope, filters, page, cfg.list_rows)),
        ],
    }


def measure(url: str, filters: Filters, now: dt.datetime, repeat: int) -> dict[str, list[tuple[str, float]]]:
    """Median seconds of each query of each part, every run on a fresh connection."""
    engine = reader_engine(url)
    results = {}
    for part, calls in plan(filters, now).items():
        timings = []
        for label, query, args in calls:
            runs = []
            for _ in range(repeat):
                with engine.connect() as conn:
                    start = time.perf_counter()
                    query(conn, *args)
                    runs.append(time.perf_counter() - start)
            timings.append((label, statistics.median(runs)))
        results[part] = timings
    engine.dispose()
    return results


def report(results: dict[str, list[tuple[str, float]]]) -> str:
    """A markdown table per query, then the cold time of each view (common part + section)."""
    lines = ["| part | query | seconds |", "|---|---|---:|"]
    for part, timings in results.items():
        lines += [f"| {part} | {label} | {seconds:.2f} |" for label, seconds in timings]
    common = sum(s for _, s in results["common"])
    lines += ["", "| view | cold seconds (common + section) |", "|---|---:|"]
    for part, timings in results.items():
        if part != "common":
            lines.append(f"| {part} | {common + sum(s for _, s in timings):.1f} |")
    return "\n".join(lines)


def main() -> None:
    """Parse the command line, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--start", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--end", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--county", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    filters = Filters(args.start, args.end, county=args.county, period_key="custom")
    now = dt.datetime.combine(args.end, dt.time(20, 0))
    print(report(measure(args.url, filters, now, args.repeat)))


if __name__ == "__main__":
    main()
