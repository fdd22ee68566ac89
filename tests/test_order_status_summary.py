"""The order status summaries ``dash.order_status_months`` / ``dash.order_status_county_months`` and the orders
page's cube read through them (:func:`queries.summaries.order_cube`, what ``queries.orders.order_cube`` reads
without a station, and per county, status and rating ``queries.overview.order_counts``).

On a small demo of its own (one year up to tests.fixtures.FIXED_NOW, 20 November 2026, refreshed then: October
on is recent), on SQLite and PostgreSQL, the cube read through the summaries is compared with the cube read
from ``service_order`` alone (:func:`queries.summaries.order_cube_live` over ``queries.common.order_clause``,
the page's read before the summaries; tests/test_orders_cube.py checks that one against pandas): every
status, team and rating group with its sums and overdue orders, for the default view, whole months, partial
months at either end, periods across the recent months' start and across the new year, for a leader's
district, with the district, township and category filters, as of the refresh, a week later and a moment
before it (3 September: August's waits are not all overdue yet). Then again
with a stale summary (orders added after the refresh: today, with an old date, in a waiting status whose
wait began in a later month, so that it becomes overdue between the two moments compared; a recent open
order rated in place), after the incremental refresh that follows, for a final order reopened in place (which
the platform does not do: counted as it was until the next refresh), after the first refresh of the next month
(October rebuilt), and for an older order changed in place, which the full refresh brings in. After each
refresh, every order of the recent months is in a summary row of a final status or listed open, never both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest
from sqlalchemy import and_, func, insert, select, update

from dashboard.db import reader_engine, writer_engine
from dashboard.filters import Filters
from dashboard.scope import Scope
from dashboard.summaries import refresh as refresh_module
from dashboard.summaries.refresh import refresh
from dashboard.summaries.tables import order_open, order_status_county_months, order_status_months, refresh_state
from queries import orders, overview, summaries
from queries.common import frame, order_clause, service_order
from tests.fixtures import FIXED_NOW

D = dt.date
SATISFIED = 4
COUNT_KEYS = overview.ORDER_COUNT_KEYS
PERIODS = [  # (start, end)
    (D(2026, 1, 1), D(2026, 11, 20)),  # the default view: this year to "today"
    (D(2026, 3, 15), D(2026, 8, 10)),  # partial months at both ends
    (D(2026, 2, 1), D(2026, 4, 30)),  # whole months only, all summarised
    (D(2026, 8, 1), D(2026, 10, 31)),  # whole months across the recent months' start
    (D(2025, 12, 10), D(2026, 2, 5)),  # across the new year
    (D(2026, 11, 1), D(2026, 11, 20)),  # this month: recent months alone are read whole
    (D(2026, 10, 1), D(2026, 10, 31)),  # last month whole: what "this month" is on its last day
    (D(2026, 10, 22), D(2026, 11, 20)),  # the 30 days to "today"
    (D(2026, 10, 10), D(2026, 11, 5)),  # recent months partial at both ends
    (D(2026, 11, 18), D(2026, 11, 19)),  # two recent days: read whole
    (D(2026, 9, 1), D(2026, 10, 25)),  # older and recent months: October whole less its last 6 days
]
# as of the refresh, a week later, and a moment before it (as a test's fixed clock may be) just after a month
NOWS = (FIXED_NOW, FIXED_NOW + dt.timedelta(days=6), dt.datetime(2026, 9, 3, 12, 0))


def _sorted(cube: pd.DataFrame, keys: tuple[str, ...] = summaries.ORDER_CUBE_KEYS) -> pd.DataFrame:
    counts = [c for c in cube.columns if c not in keys]
    cube = cube.astype({c: "int64" for c in counts})
    return cube.sort_values(list(keys), na_position="last").reset_index(drop=True)


def _views(conn) -> list[tuple[Scope, Filters]]:
    o = service_order.c
    busiest = select(o.county_code, o.township_code).group_by(o.county_code, o.township_code)
    county, township = conn.execute(busiest.order_by(func.count().desc(), o.county_code).limit(1)).one()
    category = conn.execute(
        select(o.category).group_by(o.category).order_by(func.count().desc(), o.category).limit(1)
    ).scalar_one()
    views = []
    for start, end in PERIODS:
        view = Filters(start, end, period_key="custom")
        views += [
            (Scope(None), view),
            (Scope(None), replace(view, county=county)),
            (Scope(None), replace(view, county=county, township=township)),
            (Scope(None), replace(view, category=category)),
            (Scope(frozenset({county})), replace(view, county=county, category=category)),
        ]
    return views


def _check(url: str) -> int:
    """Compare the cube of every view, as of each of :data:`NOWS`, with the live one; returns the orders compared."""
    engine = reader_engine(url)
    compared = 0
    try:
        with engine.connect() as conn:
            for scope, filters in _views(conn):
                for now in NOWS:
                    got = _sorted(orders.order_cube(conn, scope, filters, None, SATISFIED, now))
                    live = summaries.order_cube_live(order_clause(scope, filters), SATISFIED, now)
                    pd.testing.assert_frame_equal(got, _sorted(frame(conn, live)), check_dtype=False)
                    compared += int(got["orders"].sum())
                counts = overview.order_counts(conn, scope, filters)  # per county, status and rating
                live = summaries.order_cube_live(order_clause(scope, filters), None, None, COUNT_KEYS, counts_only=True)
                expected = _sorted(frame(conn, live), COUNT_KEYS)
                pd.testing.assert_frame_equal(_sorted(counts, COUNT_KEYS), expected, check_dtype=False)
            default = orders.order_cube(conn, Scope(None), Filters(D(2026, 1, 1), D(2026, 11, 20)), None, 4, FIXED_NOW)
            assert int(default["overdue"].sum()) > 100  # the overdue counts compared are not of zeros
    finally:
        engine.dispose()
    return compared


def _write(url: str, new: list[dict], changed: dict[int, dict]) -> None:
    """Copies of the newest order with the ``new`` changes and new ids, and the ``changed`` orders (id:
    columns) changed in place, as the platform would."""
    engine = writer_engine(url)
    with engine.begin() as conn:
        newest = conn.execute(select(service_order).order_by(service_order.c.id.desc()).limit(1)).mappings().one()
        rows = [{**newest, "id": newest["id"] + i + 1, "code": f"NEW{i}", **c} for i, c in enumerate(new)]
        if rows:
            conn.execute(insert(service_order), rows)
        for order_id, values in changed.items():
            conn.execute(update(service_order).where(service_order.c.id == order_id).values(**values))
    engine.dispose()


def _order(url: str, start: D, end: D, status: str = "rated") -> int:
    """An order of ``status`` placed between ``start`` and ``end`` (the first by id)."""
    engine = reader_engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            select(service_order.c.id)
            .where(service_order.c.placed_at.between(start, end), service_order.c.status == status)
            .order_by(service_order.c.id)
            .limit(1)
        ).scalar_one()
    engine.dispose()
    return found


def _partitioned(url: str) -> int:
    """Check that each order of the recent months (October on) the summary has seen is either in a row of a final
    status or in ``dash.order_open``, not both; returns the open orders."""
    engine = reader_engine(url)
    with engine.connect() as conn:
        through = conn.execute(
            select(refresh_state.c.through_id).where(refresh_state.c.name == "order_status")
        ).scalar_one()
        o, s = service_order.c, order_status_months.c
        recent = and_(o.placed_at >= dt.datetime(2026, 10, 1), o.id <= through)
        seen = conn.execute(select(func.count()).where(recent)).scalar_one()
        final = conn.execute(
            select(func.sum(s.orders)).where(s.month >= "2026-10", s.status.in_(("rated", "refused", "cancelled")))
        ).scalar_one()
        listed = conn.execute(select(func.count()).select_from(order_open)).scalar_one()
        in_both = conn.execute(
            select(func.count())
            .select_from(order_open.join(service_order, o.id == order_open.c.id))
            .where(o.status.in_(("rated", "refused", "cancelled")), o.placed_at >= dt.datetime(2026, 10, 1))
        ).scalar_one()
        oldest = conn.execute(select(func.min(order_open.c.month))).scalar_one()
    engine.dispose()
    assert (oldest, in_both) == ("2026-10", 0)
    assert final + listed == seen
    return listed


def _summarised(url: str) -> tuple[int, int]:
    """(orders, waiting orders) of the finer summary, which its roll-up must equal."""
    engine = reader_engine(url)
    with engine.connect() as conn:
        sums = [
            conn.execute(select(func.sum(t.c.orders), func.sum(t.c.waiting))).one()
            for t in (order_status_months, order_status_county_months)
        ]
    engine.dispose()
    assert sums[0] == sums[1]
    return int(sums[0][0]), int(sums[0][1])


def _unrated(when: dt.datetime) -> dict:
    """An order served at ``when`` and not rated (yet): waiting for its rating."""
    return {"status": "completed", "completed_at": when, "rated_at": None, "rating": None, "updated_at": when}


def test_the_summary_path_gives_the_live_cube_fresh_stale_and_refreshed(demo, monkeypatch):
    monkeypatch.setattr(refresh_module, "local_now", lambda: FIXED_NOW)
    assert {o.name: o.how for o in refresh(demo, full=True)}["order_status"] == "full"
    total, waiting = _summarised(demo)
    assert total > 1000 and waiting > 50
    assert _partitioned(demo) > 100
    assert _check(demo) > 10_000
    in_flight = _order(demo, D(2026, 10, 5), D(2026, 10, 25), "completed")

    october, june = (
        _order(demo, D(2026, 10, 5), D(2026, 10, 25)),
        _order(demo, D(2026, 6, 5), D(2026, 6, 25)),
    )
    served = FIXED_NOW - dt.timedelta(days=2)  # overdue for its rating 7 days later: between the two NOWS
    _write(
        demo,
        [
            {"placed_at": FIXED_NOW.replace(hour=15, minute=10), "status": "placed"},  # today, after the refresh
            {"placed_at": dt.datetime(2026, 3, 10, 9, 0)},  # an old date, in a summarised month
            {"placed_at": dt.datetime(2026, 8, 31, 23, 0), **_unrated(served)},  # its wait began months later
            {"placed_at": dt.datetime(2026, 8, 20, 9, 0), **_unrated(dt.datetime(2026, 8, 21, 9, 0))},
        ],
        {in_flight: {"status": "rated", "rating": 2, "rated_at": served}},  # a recent open order rated in place
    )
    assert _check(demo) > 10_000  # stale: every new order and the recent months' changes still count

    outcome = {o.name: o for o in refresh(demo)}["order_status"]
    assert (outcome.how, outcome.since) == ("incremental", D(2026, 3, 1))
    assert _summarised(demo)[0] == total + 4
    assert _partitioned(demo) > 100
    assert _check(demo) > 10_000

    _write(demo, [], {october: _unrated(served)})  # a final order reopened in place (its rating withdrawn) ...
    with pytest.raises(AssertionError):
        _check(demo)  # ... which the platform does not do (order_flow.yaml: final) counts as it was ...
    outcome = {o.name: o for o in refresh(demo)}["order_status"]
    assert (outcome.how, outcome.since) == ("incremental", D(2026, 10, 1))  # ... until the next refresh rebuilds
    assert _check(demo) > 10_000  # the recent months, with nothing new

    monkeypatch.setattr(refresh_module, "local_now", lambda: dt.datetime(2026, 12, 2, 8, 0))
    _write(demo, [], {october: {"status": "rated", "rating": 5, "rated_at": FIXED_NOW}})  # still recent
    outcome = {o.name: o for o in refresh(demo)}["order_status"]
    assert (outcome.how, outcome.since) == ("incremental", D(2026, 10, 1))  # October rebuilt a last time
    assert _check(demo) > 10_000

    _write(demo, [], {june: _unrated(dt.datetime(2026, 6, 26, 9, 0))})  # an older month changed in place ...
    refresh(demo)
    with pytest.raises(AssertionError):
        _check(demo)  # ... waits for the full refresh ...
    refresh(demo, full=True)
    assert _check(demo) > 10_000  # ... which counts it
