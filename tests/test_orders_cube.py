"""The orders page's one read (``queries.orders.order_cube``) and the figures derived from it, against pandas.

For several global and page filters, on SQLite and PostgreSQL, the status summary, the overdue counts and
the step, team and rated filters' option counts derived from the cube (``cube_summary``, ``cube_overdue``,
``facet_counts``) equal those computed here in pandas: the fixture's orders (tests/orders_fixture.py) and
volunteers read with plain SELECTs, filtered and counted without the queries' own code. The definitions
come from the assets (the flow's steps, waits and limits, the board's columns); the rating range (1–5) and
the satisfied rating (4) are written out. tests/test_orders_queries.py checks the figures by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Connection, select, update

from dashboard.db import reader_engine, writer_engine
from dashboard.filters import Filters
from dashboard.order_flow import order_flow
from dashboard.orders_config import orders_config
from dashboard.orders_filters import OrderFilters
from dashboard.scope import Scope
from dashboard.summaries.refresh import refresh
from queries import orders
from queries.common import ORDER_STATUSES, service_order, volunteer
from tests.conftest import require_pg
from tests.fixtures import database
from tests.orders_fixture import JINYUAN, MARCH, NOW, QINGXU, T2, fill

ALL = Scope(None)
SATISFIED = 4  # the satisfied rating the cube is read with
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


@pytest.fixture(scope="module")
def rows(conn) -> pd.DataFrame:
    """Every order of the fixture, its times as timestamps, with ``team``: the team that took it, else the
    team of the volunteer who took it (None when neither)."""
    result = conn.execute(select(service_order))
    df = pd.DataFrame([tuple(r) for r in result], columns=list(result.keys()))
    for column in [c for c in df.columns if c.endswith("_at")]:
        df[column] = pd.to_datetime(df[column])
    member_team = {v: t for v, t in conn.execute(select(volunteer.c.id, volunteer.c.team_id)) if t is not None}
    df["team"] = [
        int(t) if pd.notna(t) else member_team.get(int(v)) if pd.notna(v) else None
        for t, v in zip(df["team_id"], df["volunteer_id"], strict=True)
    ]
    return df


def _rated(df: pd.DataFrame) -> pd.Series:
    return df["rating"].between(1, 5)


def _selected(rows: pd.DataFrame, scope: Scope, filters: Filters, page: OrderFilters) -> pd.DataFrame:
    """The orders of the global and page filters, chosen in pandas."""
    placed = rows["placed_at"]
    keep = (placed >= pd.Timestamp(filters.start)) & (placed < pd.Timestamp(filters.end + dt.timedelta(days=1)))
    if scope.counties is not None:
        keep &= rows["county_code"].isin(scope.counties)
    for column, value in (("county_code", filters.county), ("township_code", filters.township)):
        if value:
            keep &= rows[column] == value
    if filters.category:
        keep &= rows["category"] == filters.category
    if page.station is not None:
        keep &= rows["station_id"] == page.station
    if page.team is not None:
        keep &= rows["team"] == page.team
    if page.step == orders.STEP_UNKNOWN:
        keep &= ~rows["status"].isin(ORDER_STATUSES)
    elif page.step is not None:
        keep &= rows["status"].isin(orders_config().column(page.step).statuses)
    if page.rated is not None:
        keep &= _rated(rows) == (page.rated == "yes")
    return rows[keep]


def _summary(selected: pd.DataFrame) -> dict:
    """Per status: orders, steps reached, rated, satisfied and reversed step times."""
    flow = order_flow()
    sums = {"orders": pd.Series(True, index=selected.index)}
    sums |= {f"reached_{step.code}": selected[step.at].notna() for step in flow.steps}
    sums |= {"rated": _rated(selected), "satisfied": selected["rating"].between(SATISFIED, 5)}
    sums |= {f"reversed_{key}": selected[d.end] < selected[d.start] for key, d in flow.durations.items()}
    table = pd.DataFrame(sums).astype("int64").assign(status=selected["status"])
    return {
        status: {column: int(n) for column, n in group.drop(columns="status").sum().items()}
        for status, group in table.groupby("status", dropna=False)
    }


def _overdue(selected: pd.DataFrame) -> dict[str, int]:
    """Per status, orders waiting there longer than its limit as of ``NOW`` (statuses without any absent)."""
    counts = {}
    for wait in order_flow().waits.values():
        late = (selected["status"] == wait.status) & (
            selected[wait.since] < NOW - dt.timedelta(minutes=wait.overdue_minutes)
        )
        if late.any():
            counts[wait.status] = int(late.sum())
    return counts


def _facets(rows: pd.DataFrame, scope: Scope, filters: Filters, page: OrderFilters) -> dict[str, dict]:
    """The option counts of the step, team and rated filters, each with the other page filters applied."""
    by_step = _selected(rows, scope, filters, page.without("step"))["status"]
    steps = {column.key: int(by_step.isin(column.statuses).sum()) for column in orders_config().board}
    steps[orders.STEP_UNKNOWN] = int((~by_step.isin(ORDER_STATUSES)).sum())
    teams = _selected(rows, scope, filters, page.without("team"))["team"].dropna().value_counts()
    rated = _rated(_selected(rows, scope, filters, page.without("rated")))
    return {
        "step": steps,
        "team": {int(team): int(n) for team, n in teams.items()},
        "rated": {"yes": int(rated.sum()), "no": int((~rated).sum())},
    }


@pytest.mark.parametrize("page", PAGES, ids=repr)
@pytest.mark.parametrize("view", range(len(VIEWS)))
def test_derived_figures_equal_pandas_over_the_rows(conn, rows, view, page):
    scope, filters = VIEWS[view]
    cube = orders.order_cube(conn, scope, filters, page.station, SATISFIED, NOW)
    selected = _selected(rows, scope, filters, page)
    summary = orders.cube_summary(cube, page)
    expected = _summary(selected)
    assert summary["status"].tolist() == list(expected)
    assert summary.drop(columns="status").to_dict("records") == list(expected.values())
    assert orders.cube_overdue(cube, page) == _overdue(selected)
    assert orders.facet_counts(cube, page) == _facets(rows, scope, filters, page)


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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def own_url(request, tmp_path) -> str:
    """A fixture database of this test's own, which it may write to."""
    if request.param == "postgresql":
        require_pg()
    with database(request.param, tmp_path) as url:
        fill(url)
        yield url


def _team_counts(url: str, station: int | None) -> tuple[dict, set[int]]:
    """Team 2's orders in March: the option counts of the area's (or a station's) cube, and the ids the order
    list gives for the team filter (queries.orders.team_clause)."""
    engine = reader_engine(url)
    with engine.connect() as c:
        cube = orders.order_cube(c, ALL, MARCH, station, SATISFIED, NOW)
        listed = orders.order_list(c, ALL, MARCH, OrderFilters(station=station, team=2), 100)
    engine.dispose()
    return orders.facet_counts(cube, OrderFilters(station=station))["team"], set(listed["id"])


@pytest.mark.parametrize("station", [None, 12])
def test_a_volunteer_who_joins_a_team_brings_their_orders_at_the_next_refresh(own_url, station):
    """Volunteer 2 (no team; orders 3, 4 and 12, all at station 12) joins team 2: every read of the orders page
    (the cube, live or summarised, and the order list's team filter) keeps the teams of the last refresh
    (DEFINITIONS["team"]) until the next one, then counts their orders for team 2 alike."""
    before = _team_counts(own_url, station)
    assert before == (({1: 3, 2: 1}, {7}) if station is None else ({}, set()))
    engine = writer_engine(own_url)
    with engine.begin() as c:
        c.execute(update(volunteer).where(volunteer.c.id == 2).values(team_id=2))
    engine.dispose()
    assert _team_counts(own_url, station) == before
    refresh(own_url)
    assert _team_counts(own_url, station) == (
        ({1: 3, 2: 4}, {3, 4, 7, 12}) if station is None else ({2: 3}, {3, 4, 12})
    )
