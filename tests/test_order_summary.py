"""The orders summary ``dash.order_months`` and the filter bar's counts read through it (``queries.facets``).

On a small demo of its own (one year up to tests.fixtures.FIXED_NOW, 20 November 2026), on SQLite and
PostgreSQL, every count of :func:`queries.facets.order_facets` and :func:`queries.facets.earlier_orders`
is compared with a plain count of the orders read into pandas: for periods of whole months, of partial
months at either end, within one month, across the new year, for a leader's districts and with the
district, township and category filters; then again with a stale summary (orders added after the
refresh: with an old date, in a category the summary has never seen, with a date still to come), and
after the incremental refresh that follows. The periods cover every way queries.summaries._plan counts a
partial month: added day by day, or a whole month less its other days.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, insert, select

from dashboard.db import reader_engine, writer_engine
from dashboard.filters import Filters
from dashboard.scope import Scope
from dashboard.summaries.refresh import refresh
from dashboard.summaries.tables import order_months
from queries import facets, overview, summaries
from queries.common import TABLES, service_order

D = dt.date
YEAR_PRESETS = (D(2026, 1, 1), D(2026, 7, 1), D(2026, 11, 1), D(2026, 11, 16), D(2026, 11, 20))
PERIODS = [  # (starts, end): the filter bar's shapes of periods
    (YEAR_PRESETS, D(2026, 11, 20)),  # the default view: year to "today", with the presets inside it
    (YEAR_PRESETS[:-1], D(2026, 11, 19)),  # its closed days (closed_order_facets)
    ((D(2026, 3, 15),), D(2026, 8, 10)),  # a custom range: partial months at both ends
    ((D(2026, 2, 1),), D(2026, 4, 30)),  # whole months only
    ((D(2026, 5, 3),), D(2026, 5, 27)),  # within one month
    ((D(2025, 12, 10),), D(2026, 2, 5)),  # across the new year
    ((D(2026, 3, 25),), D(2026, 6, 8)),  # a late start and an early end: both partial months added
    ((D(2026, 4, 28),), D(2026, 10, 25)),  # a late start added, a late end taken off a whole month
    ((D(2026, 11, 20),), D(2026, 11, 20)),  # today alone
    ((D(2026, 11, 8),), D(2026, 11, 20)),  # most of this month: the whole month less its first days
]
EARLIER = [  # (starts, stop, district, township, category)
    ((D(2026, 1, 1), D(2026, 7, 1)), D(2026, 11, 1), None, None, None),
    ((D(2026, 1, 1),), D(2026, 9, 17), None, None, None),
    ((D(2025, 12, 20), D(2026, 6, 1)), D(2026, 10, 1), "county", None, "category"),
    ((D(2026, 1, 1),), D(2026, 11, 20), "county", "township", None),
]


def _orders(conn) -> pd.DataFrame:
    o = service_order.c
    rows = conn.execute(select(o.county_code, o.township_code, o.category, o.placed_at)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["county_code", "township_code", "category", "placed_at"])


def _expected(orders: pd.DataFrame, scope: Scope, starts, end: dt.date) -> pd.DataFrame:
    """The rows :func:`facets.order_facets` should give, counted in pandas (groups without orders left out)."""
    stop = pd.Timestamp(end + dt.timedelta(days=1))
    if scope.counties is not None:
        orders = orders[orders["county_code"].isin(scope.counties)]
    parts = []
    for day in sorted(set(starts)):
        chosen = orders[(orders["placed_at"] >= pd.Timestamp(day)) & (orders["placed_at"] < stop)]
        counted = chosen.groupby(["county_code", "township_code", "category"], dropna=False).size()
        parts.append(counted.rename("orders").reset_index().assign(since=day))
    return _normal(pd.concat(parts, ignore_index=True))


def _normal(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows[rows["orders"] > 0][facets.COLUMNS].astype({"orders": "int64"})
    rows = rows.assign(township_code=rows["township_code"].fillna(""))
    return rows.sort_values(facets.COLUMNS[:4]).reset_index(drop=True)


def _check(url: str) -> int:
    """Compare every period and filter with pandas; returns how many counts were compared."""
    engine = reader_engine(url)
    compared = 0
    try:
        with engine.connect() as conn:
            orders = _orders(conn)
            busiest = orders.groupby(["county_code", "township_code"]).size().idxmax()
            category = orders[orders["county_code"] == busiest[0]]["category"].mode()[0]
            values = {"county": busiest[0], "township": busiest[1], "category": category}
            for scope in (Scope(None), Scope(frozenset({busiest[0]}))):
                for starts, end in PERIODS:
                    got = _normal(facets.order_facets(conn, scope, starts, end))
                    expected = _expected(orders, scope, starts, end)
                    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
                    compared += len(expected)
            for starts, stop, *names in EARLIER:
                county, township, category = (values[n] if n else None for n in names)
                got = facets.earlier_orders(conn, Scope(None), county, township, category, starts, stop)
                chosen = orders
                for column, value in (("county_code", county), ("township_code", township), ("category", category)):
                    if value is not None:
                        chosen = chosen[chosen[column] == value]
                before = chosen[chosen["placed_at"] < pd.Timestamp(stop)]
                assert got == {day: int((before["placed_at"] >= pd.Timestamp(day)).sum()) for day in starts}
                assert all(got.values())  # each start counts some orders: the comparison is not of zeros
                compared += len(got)
    finally:
        engine.dispose()
    return compared


def _add_orders(url: str, changes: list[dict]) -> None:
    """Copies of the newest order with the given changes and new ids, written as the platform would."""
    engine = writer_engine(url)
    with engine.begin() as conn:
        newest = conn.execute(select(service_order).order_by(service_order.c.id.desc()).limit(1)).mappings().one()
        top = newest["id"]
        rows = [{**newest, "id": top + i + 1, "code": f"NEW{i}", **change} for i, change in enumerate(changes)]
        conn.execute(insert(TABLES["service_order"]), rows)
    engine.dispose()


def _summarised(url: str) -> int:
    engine = reader_engine(url)
    with engine.connect() as conn:
        total = conn.execute(select(func.coalesce(func.sum(order_months.c.orders), 0))).scalar_one()
    engine.dispose()
    return int(total)


def test_the_summary_path_gives_the_counts_of_the_orders_fresh_stale_and_refreshed(demo):
    refreshed = _summarised(demo)
    assert refreshed > 1000
    assert _check(demo) > 500

    _add_orders(
        demo,
        [
            {"placed_at": dt.datetime(2026, 11, 20, 15, 10)},  # today, after the refresh
            {"placed_at": dt.datetime(2026, 3, 10, 9, 0)},  # an old date, in a summarised month
            {"placed_at": dt.datetime(2026, 3, 31, 23, 59, 59), "category": "新类别"},  # never summarised
            {"placed_at": dt.datetime(2026, 4, 1, 0, 0)},  # the first second of a month
            {"placed_at": dt.datetime(2026, 11, 28, 8, 0)},  # a date still to come, in this month
        ],
    )
    assert _summarised(demo) == refreshed  # the summary is stale ...
    assert _check(demo) > 500  # ... and every count still equals the orders'

    outcome = {o.name: o for o in refresh(demo)}["orders"]
    assert (outcome.how, outcome.since) == ("incremental", D(2026, 3, 1))
    assert _summarised(demo) == refreshed + 5
    assert _check(demo) > 500


def test_the_filter_bar_and_the_overview_count_the_same_orders(demo):
    """The count of the chosen view in the filter bar (``facets.total``, through the summary) and the overview's
    本期订单 (``overview.district_summary``, from the orders) are one figure on screen: they must agree."""
    engine = reader_engine(demo)
    try:
        with engine.connect() as conn:
            orders = _orders(conn)
            county, township = orders.groupby(["county_code", "township_code"]).size().idxmax()
            category = orders["category"].mode()[0]
            views = [
                Filters(D(2026, 1, 1), D(2026, 11, 20)),
                Filters(D(2026, 3, 15), D(2026, 8, 10), period_key="custom"),
                Filters(D(2026, 7, 1), D(2026, 11, 20), county=county, period_key="half"),
                Filters(D(2026, 1, 1), D(2026, 11, 20), county=county, township=township, category=category),
            ]
            for scope in (Scope(None), Scope(frozenset({county}))):
                for view in views:
                    rows = facets.order_facets(conn, scope, (view.start,), view.end)
                    shown = int(overview.district_summary(conn, scope, view, 4)["orders"].sum())
                    assert facets.total(rows, view) == shown > 0
    finally:
        engine.dispose()


def test_the_days_after_the_refresh_cost_nothing_in_the_plan():
    """Days 8–20 of a month refreshed on the 20th: 13 days read one by one, or the summary's month less its first
    7 days and the 10 days after the refresh, which hold only what was written since: the month is read."""
    plan = summaries._plan(D(2026, 11, 8), D(2026, 11, 21))
    assert plan == summaries._Plan(None, ((D(2026, 11, 8), D(2026, 11, 21)),), ())
    plan = summaries._plan(D(2026, 11, 8), D(2026, 11, 21), empty_from=D(2026, 11, 21))
    assert plan == summaries._Plan(
        (D(2026, 11, 1), D(2026, 12, 1)), (), ((D(2026, 11, 1), D(2026, 11, 8)), (D(2026, 11, 21), D(2026, 12, 1)))
    )
