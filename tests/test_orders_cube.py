"""The orders page's one read (``queries.orders.order_cube``) gives the figures of the separate queries.

For several global and page filters, on SQLite and PostgreSQL, the status summary, the overdue counts and
the step, team and rated filters' option counts derived from the cube equal those of ``status_summary``,
``overdue_by_status`` and ``team_counts``, whose own figures tests/test_orders_queries.py
checks by hand on the fixture of tests/orders_fixture.py.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from sqlalchemy import Connection

from dashboard.db import reader_engine
from dashboard.orders_filters import OrderFilters
from dashboard.scope import Scope
from queries import orders
from tests.conftest import require_pg
from tests.fixtures import database
from tests.orders_fixture import JINYUAN, MARCH, NOW, QINGXU, T2, fill

ALL = Scope(None)
PAGES = [
    OrderFilters(),
    OrderFilters(step="in_service"),
    OrderFilters(step=orders.STEP_UNKNOWN),
    OrderFilters(team=1),
    OrderFilters(team=2, rated="yes"),
    OrderFilters(rated="no"),
    OrderFilters(step="done", rated="yes"),
    OrderFilters(station=11),
    OrderFilters(station=12, team=1),
    OrderFilters(station=21, step="waiting_accept", rated="no"),
]
VIEWS = [
    (ALL, MARCH),
    (ALL, dataclasses.replace(MARCH, county=JINYUAN)),
    (ALL, dataclasses.replace(MARCH, county=JINYUAN, township=T2)),
    (ALL, dataclasses.replace(MARCH, category="助老助残")),
    (Scope((QINGXU,)), MARCH),
]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def conn(request, tmp_path_factory) -> Connection:
    """The fixture database on each backend."""
    if request.param == "postgresql":
        require_pg()
    with database(request.param, tmp_path_factory.mktemp("cube")) as url:
        fill(url)
        engine = reader_engine(url)
        with engine.connect() as connection:
            yield connection
        engine.dispose()


@pytest.mark.parametrize("page", PAGES, ids=repr)
@pytest.mark.parametrize("view", range(len(VIEWS)))
def test_derived_figures_equal_the_separate_queries(conn, view, page):
    scope, filters = VIEWS[view]
    cube = orders.order_cube(conn, scope, filters, page.station, 4, NOW)
    pd.testing.assert_frame_equal(
        orders.cube_summary(cube, page), orders.status_summary(conn, scope, filters, page, 4), check_dtype=False
    )
    assert orders.cube_overdue(cube, page) == orders.overdue_by_status(conn, scope, filters, page, NOW)
    facets = orders.facet_counts(cube, page)
    assert facets["step"] == orders.step_counts(orders.status_summary(conn, scope, filters, page.without("step"), 4))
    assert facets["rated"] == orders.rated_split(orders.status_summary(conn, scope, filters, page.without("rated"), 4))
    teams = orders.team_counts(conn, scope, filters, page.without("team"))
    assert {t: facets["team"].get(t, 0) for t in teams["team_id"]} == dict(
        zip(teams["team_id"], teams["orders"], strict=True)
    )


def test_cube_figures_by_hand(conn):
    """The fixture's March: 11 orders, 4 of them at station 12; teams 1 (orders 1, 2, 5) and 2
    (order 7); 4 rated 1–5 (1, 2, 3, 7); on 04-02 12:00 overdue: 5 and 12 (服务中 > 48 h), 9 (待接单 > 2 h),
    6 (待派单 > 30 min) and 4 (unrated > 7 days)."""
    cube = orders.order_cube(conn, ALL, MARCH, None, 4, NOW)
    assert int(cube["orders"].sum()) == 11
    facets = orders.facet_counts(cube, OrderFilters())
    assert facets["team"] == {1: 3, 2: 1}
    assert facets["rated"] == {"yes": 4, "no": 7}
    assert orders.facet_counts(cube, OrderFilters(rated="yes"))["team"] == {1: 2, 2: 1}
    assert orders.cube_overdue(cube, OrderFilters()) == {"accepted": 2, "completed": 1, "dispatched": 1, "placed": 1}
    station = orders.order_cube(conn, ALL, MARCH, 12, 4, NOW)
    assert orders.cube_overdue(station, OrderFilters(station=12)) == {"accepted": 1, "completed": 1}
    summary = orders.cube_summary(cube, OrderFilters(team=1))
    assert dict(zip(summary["status"], summary["orders"], strict=True)) == {"accepted": 1, "rated": 2}
