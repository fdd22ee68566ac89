"""Every figure of the orders page on the hand-made database of tests/orders_fixture.py, on SQLite and PostgreSQL.

Step times in the period (seconds; order 12's dispatch precedes its placing, so it has no 派单用时):
- 派单 313 (7), 600 (1), 1200 (2), 1800 (3), 2400 (4), 3000 (5), 3600 (9): n = 7, median = x₄ = 1800,
  p90: h = 6 × 0.9 = 5.4 → 3000 + 0.4 × 600 = 3240.
- 接单 15, 20, 30, 45, 60, 90, 120 minutes (4, 7, 1, 5, 2, 3, 12): median 45 min = 2700; p90: h = 5.4 →
  90 + 0.4 × 30 = 102 min = 6120.
- 完成 60, 120, 120, 180, 240 minutes: median 120 min = 7200; p90: h = 3.6 → 180 + 0.6 × 60 = 216 min = 12960.
- 评单 1799 s, 60, 120, 300 minutes: median: h = 1.5 → 3600 + 0.5 × 3600 = 5400; p90: h = 2.7 → 7200 + 0.7 ×
  10800 = 14760.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
from sqlalchemy import Connection

from dashboard.db import reader_engine
from dashboard.orders_filters import OrderFilters
from dashboard.scope import Scope
from queries import orders
from tests.conftest import require_pg
from tests.fixtures import database
from tests.orders_fixture import JINYUAN, MARCH, NOW, QINGXU, T1, T2, fill

ALL = Scope(None)
NONE = OrderFilters()
BOUNDS = (5, 15, 30, 60, 120, 240, 480, 1440, 2880, 10080)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def conn(request, tmp_path_factory) -> Connection:
    """The fixture database on each backend."""
    if request.param == "postgresql":
        require_pg()
    with database(request.param, tmp_path_factory.mktemp("orders")) as url:
        fill(url)
        engine = reader_engine(url)
        with engine.connect() as connection:
            yield connection
        engine.dispose()


def _where(**changes):
    return dataclasses.replace(MARCH, **changes)


def _cube(conn, filters=MARCH, page=NONE, scope=ALL):
    """The page's one read of its orders (satisfied from 4 stars, overdue as of ``NOW``)."""
    return orders.order_cube(conn, scope, filters, page.station, 4, NOW)


def _summary(conn, filters=MARCH, page=NONE, scope=ALL):
    return orders.cube_summary(_cube(conn, filters, page, scope), page)


def _total(conn, filters=MARCH, page=NONE, scope=ALL) -> int:
    return int(_summary(conn, filters, page, scope)["orders"].sum())


# --- the flow ------------------------------------------------------------------------------------


def test_summary_board_and_funnel(conn):
    summary = _summary(conn)
    by_status = dict(zip(summary["status"], summary["orders"], strict=True))
    assert by_status == {
        "accepted": 2,
        "cancelled": 1,
        "completed": 1,
        "dispatched": 1,
        "lost": 1,
        "placed": 1,
        "rated": 4,
    }
    assert orders.step_counts(summary) == {
        "waiting_dispatch": 1,
        "waiting_accept": 1,
        "redispatched": 0,
        "in_service": 2,
        "waiting_rating": 1,
        "done": 4,
        "closed": 1,
        "unknown": 1,
    }
    reached = {code: int(summary[f"reached_{code}"].sum()) for code in ("placed", "dispatched", "accepted")}
    assert reached == {"placed": 11, "dispatched": 8, "accepted": 7}
    assert (int(summary["reached_completed"].sum()), int(summary["reached_rated"].sum())) == (5, 4)
    assert (int(summary["rated"].sum()), int(summary["satisfied"].sum())) == (4, 2)  # ratings 5, 4, 2, 3; 7 is bad
    assert int(summary["reversed_to_dispatch"].sum()) == 1  # order 12
    assert int(summary[[c for c in summary if c.startswith("reversed_")]].sum().sum()) == 1


def test_overdue_as_of_now(conn):
    by_status = orders.cube_overdue(_cube(conn), NONE)
    assert by_status == {
        "accepted": 2,  # 5 (accepted 03-30 09:35, > 48 h) and 12
        "completed": 1,  # 4 (unrated for more than 7 days)
        "dispatched": 1,  # 9 (dispatched 03-31 11:00, > 2 h)
        "placed": 1,  # 6 (placed 03-31 23:00, > 30 min)
    }
    # 超时: the waits the centre can act on (5, 12, 9, 6); 超期未评价: waiting for the resident's rating (4)
    assert (orders.overdue_totals(by_status), orders.overdue_totals(by_status, actionable=False)) == (4, 1)
    rows = orders.overdue_orders(conn, ALL, MARCH, NONE, NOW, 10)
    assert rows["code"].tolist() == ["T012", "T005", "T009", "T006"]  # longest wait first
    assert rows["station_name"].tolist()[0] == "罗城社区新时代文明实践站"
    six = rows.set_index("code").loc["T006"]
    assert six["waited_seconds"] == pytest.approx(37 * 3600, abs=1e-6)  # 03-31 23:00 → 04-02 12:00
    assert orders.overdue_orders(conn, ALL, MARCH, NONE, NOW, 2)["code"].tolist() == ["T012", "T005"]
    unrated = orders.overdue_orders(conn, ALL, MARCH, NONE, NOW, 10, actionable=False).set_index("code")
    assert list(unrated.index) == ["T004"]
    # completed 03-05 16:55 (15:00 + 40 + 15 + 60 min) → 04-02 12:00: 27 days 19 h 5 min
    assert unrated.loc["T004", "waited_seconds"] == pytest.approx((27 * 24 + 19) * 3600 + 5 * 60, abs=1e-6)


# --- step times ----------------------------------------------------------------------------------


def test_medians_and_90th_percentiles_to_the_second(conn):
    stats = orders.duration_stats(conn, ALL, MARCH, NONE).set_index("duration")
    assert list(stats.index) == ["to_dispatch", "to_accept", "to_complete", "to_rate"]
    assert stats["n"].tolist() == [7, 7, 5, 4]
    assert stats["p50"].tolist() == pytest.approx([1800, 2700, 7200, 5400], abs=1e-6)
    assert stats["p90"].tolist() == pytest.approx([3240, 6120, 12960, 14760], abs=1e-6)


def test_step_times_of_an_empty_selection(conn):
    stats = orders.duration_stats(conn, ALL, _where(county=QINGXU), OrderFilters(step="closed"))
    assert stats["n"].tolist() == [0, 0, 0, 0]
    assert stats["p50"].isna().all()


def test_percentiles_per_area_and_per_week(conn):
    rows = orders.breakdown(conn, ALL, MARCH, NONE, "county", 4, NOW, "to_dispatch").set_index("key")
    # 晋源区: 600, 1200, 1800, 2400, 3000 → median 1800, p90 h = 3.6 → 2400 + 0.6 × 600 = 2760
    # 清徐县: 313, 3600 → median 313 + 0.5 × 3287 = 1956.5, p90 313 + 0.9 × 3287 = 3271.3
    assert rows.loc[JINYUAN, ["p50", "p90"]].tolist() == pytest.approx([1800, 2760], abs=1e-6)
    assert rows.loc[QINGXU, ["p50", "p90"]].tolist() == pytest.approx([1956.5, 3271.3], abs=1e-6)
    # 晋源区 超时: 5, 6 and 12 (4 waits for its rating: 超期未评价, not 超时)
    assert rows.loc[JINYUAN, ["orders", "open", "overdue", "completed", "rated", "satisfied"]].tolist() == [
        8,
        4,
        3,
        4,
        3,
        2,
    ]
    assert rows.loc[QINGXU, ["orders", "open", "overdue", "completed", "rated", "satisfied"]].tolist() == [
        3,
        1,
        1,
        1,
        1,
        0,
    ]
    assert rows.loc[JINYUAN, "rated_share"] == pytest.approx(0.75)
    assert rows.loc[JINYUAN, "satisfaction_rate"] == pytest.approx(2 / 3)

    weekly = orders.duration_trend(conn, ALL, MARCH, NONE, "to_dispatch", "week")
    assert weekly["bucket"].tolist() == ["2026-03-02", "2026-03-30"]
    assert weekly["n"].tolist() == [5, 2]
    assert weekly["p50"].tolist() == pytest.approx([1200, 3300], abs=1e-6)
    assert weekly["p90"].tolist() == pytest.approx([2160, 3540], abs=1e-6)
    monthly = orders.duration_trend(conn, ALL, MARCH, NONE, "to_rate", "month")
    assert monthly.to_dict("records") == [{"bucket": "2026-03-01", "n": 4, "p50": 5400.0, "p90": pytest.approx(14760)}]
    daily = orders.duration_trend(conn, ALL, MARCH, NONE, "to_complete", "day")
    assert daily["bucket"].tolist() == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"]


def test_duration_histogram(conn):
    hist = orders.duration_histogram(conn, ALL, MARCH, NONE, BOUNDS)
    dispatch = hist[hist["duration"] == "to_dispatch"].set_index("bin")["orders"].to_dict()
    # 313 s and 10 min: 5–15; 20 min: 15–30; 30, 40, 50 min: 30–60; 60 min: 1–2 h
    assert dispatch == {1: 2, 2: 1, 3: 3, 4: 1}
    rate = hist[hist["duration"] == "to_rate"].set_index("bin")["orders"].to_dict()
    assert rate == {2: 1, 4: 1, 5: 1, 6: 1}  # 29:59 (below 30 min), 60, 120 and 300 min


# --- satisfaction --------------------------------------------------------------------------------


def test_ratings_and_satisfaction_by_dimension(conn):
    counts = orders.rating_counts(conn, ALL, MARCH, NONE)
    assert dict(zip(counts["rating"], counts["orders"], strict=True)) == {2: 1, 3: 1, 4: 1, 5: 1, 7: 1}

    def table(dimension):
        df = orders.satisfaction_by(conn, ALL, MARCH, NONE, dimension, 4)
        return {
            row["name"]: (row["orders"], row["completed"], row["rated"], row["satisfied"]) for _, row in df.iterrows()
        }

    assert table("county") == {"晋源区": (8, 4, 3, 2), "清徐县": (3, 1, 1, 0)}
    assert table("category") == {"助老助残": (5, 3, 3, 2), "文艺演出": (4, 2, 1, 0), "法律咨询": (2, 0, 0, 0)}
    assert table("township") == {"晋祠镇": (4, 2, 2, 2), "罗城街道": (4, 2, 1, 0), "清源镇": (3, 1, 1, 0)}
    assert table("station")["赤桥村新时代文明实践站"] == (4, 2, 2, 2)
    # accepted orders only: team 1 took 1 and 5, its volunteer 1 took 2; volunteer 2 (no team) 3, 4, 12
    assert table("team") == {
        "晋源区理论宣讲志愿服务队": (3, 2, 2, 2),
        "个人接单（未加入队伍）": (3, 2, 1, 0),
        "清徐县医疗健身志愿服务队": (1, 1, 1, 0),
    }
    rates = orders.satisfaction_by(conn, ALL, MARCH, NONE, "county", 4).set_index("key")
    assert rates.loc[QINGXU, "satisfaction_rate"] == 0.0
    assert rates.loc[QINGXU, "rated_share"] == 1.0
    assert orders.satisfaction_by(conn, ALL, MARCH, NONE, "county", 5).set_index("key").loc[JINYUAN, "satisfied"] == 1


# --- filters and their counts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (OrderFilters(station=11), 4),  # 1, 2, 5, 6 (10 is before the period)
        (OrderFilters(step="in_service"), 2),  # 5, 12
        (OrderFilters(step="closed"), 1),
        (OrderFilters(step="unknown"), 1),  # 11
        (OrderFilters(team=1), 3),  # 1 and 5 by the team, 2 by its member
        (OrderFilters(team=2), 1),
        (OrderFilters(rated="yes"), 4),
        (OrderFilters(rated="no"), 7),  # including 12, whose rating 7 is no rating
        (OrderFilters(station=12, rated="no"), 3),  # 4, 11, 12
        (OrderFilters(team=1, rated="yes", step="done"), 2),
    ],
)
def test_each_page_filter(conn, page, expected):
    assert _total(conn, page=page) == expected


def test_global_filters_and_scope(conn):
    assert _total(conn) == 11
    assert _total(conn, _where(county=QINGXU)) == 3
    assert _total(conn, _where(county=JINYUAN, township=T2)) == 4
    assert _total(conn, _where(category="法律咨询")) == 2
    assert _total(conn, scope=Scope((QINGXU,))) == 3
    assert _total(conn, scope=Scope(())) == 0
    # the scope holds whatever the page filters say: station 11 lies outside 清徐县
    assert _total(conn, page=OrderFilters(station=11), scope=Scope((QINGXU,))) == 0


def test_option_counts(conn):
    """The stations' counts by a query of their own; the step, team and rated counts from the cube."""
    assert orders.station_counts(conn, ALL, MARCH, NONE) == {11: 4, 12: 4, 21: 3}
    assert orders.station_counts(conn, ALL, _where(township=T1), OrderFilters(rated="yes")) == {11: 2}
    facets = orders.facet_counts(_cube(conn), NONE)
    assert facets["team"] == {1: 3, 2: 1}  # teams without orders are absent
    assert orders.facet_counts(_cube(conn, scope=Scope((QINGXU,))), NONE)["team"] == {2: 1}
    assert orders.facet_counts(_cube(conn, _where(county=JINYUAN)), NONE)["team"] == {1: 3}
    assert orders.teams(conn, Scope((QINGXU,)))["name"].tolist() == ["清徐县医疗健身志愿服务队"]
    assert facets["rated"] == {"yes": 4, "no": 7}
    station = OrderFilters(station=21)
    assert orders.facet_counts(_cube(conn, page=station), station)["rated"] == {"yes": 1, "no": 2}
    empty = orders.facet_counts(_cube(conn, scope=Scope(())), NONE)  # no orders: an empty cube
    assert empty == {"step": dict.fromkeys(facets["step"], 0), "team": {}, "rated": {"yes": 0, "no": 0}}


# --- demand and drill-down -----------------------------------------------------------------------


def test_demand(conn):
    matrix = orders.demand_matrix(conn, ALL, MARCH, NONE, "county")
    cells = {(r["category"], r["key"]): r["orders"] for _, r in matrix.iterrows()}
    assert cells == {
        ("助老助残", JINYUAN): 4,
        ("文艺演出", JINYUAN): 4,
        ("助老助残", QINGXU): 1,
        ("法律咨询", QINGXU): 2,
    }
    by_station = orders.demand_matrix(conn, ALL, _where(county=JINYUAN), NONE, "station")
    assert sorted(by_station["key"].unique().tolist()) == [11, 12]
    clock = orders.demand_clock(conn, ALL, MARCH, NONE)
    cells = {(r["weekday"], r["hour"]): r["orders"] for _, r in clock.iterrows()}
    assert cells[(1, 9)] == 1  # order 1: Monday 2 March, 09:00
    assert cells[(2, 23)] == 1  # order 6: Tuesday 31 March, 23:00
    assert cells[(5, 9)] == 1  # order 7: Friday 6 March
    assert sum(cells.values()) == 11
    grid, missing = orders.demand_grid(conn, ALL, MARCH, NONE, 0.01)
    assert missing == 1  # order 11
    assert int(grid["orders"].sum()) == 10
    cells = dict(zip(grid["lon"].round(2), grid["orders"], strict=True))
    # longitudes 112.502 … 112.518 (orders 1 … 9) and 112.524 (12), counted in cells of 0.01°
    assert cells == {112.50: 2, 112.51: 5, 112.52: 3}
    assert set(grid["lat"].round(2)) == {37.70}


def test_areas_and_breakdown_levels(conn):
    counties = orders.areas(conn, ALL, MARCH, "county")
    assert counties.to_dict("records") == [
        {"key": JINYUAN, "name": "晋源区", "lon": 112.48, "lat": 37.72},
        {"key": QINGXU, "name": "清徐县", "lon": 112.36, "lat": 37.61},
    ]
    townships = orders.areas(conn, ALL, _where(county=JINYUAN), "township")
    assert townships["key"].tolist() == [T1, T2]
    assert townships["lon"].tolist() == [112.44, 112.47]
    stations = orders.areas(conn, ALL, _where(county=JINYUAN, township=T2), "station")
    assert stations["key"].tolist() == [12]
    assert math.isnan(stations["lon"].iloc[0])
    rows = orders.breakdown(conn, ALL, _where(county=JINYUAN), NONE, "township", 4, NOW, "to_accept")
    # 晋祠镇: 接单 30, 60, 45 min (1, 2, 5) → median 45 min; 罗城街道: 90, 15, 120 min (3, 4, 12) → 90 min
    assert rows.set_index("key")["p50"].to_dict() == {T1: 2700.0, T2: 5400.0}
    assert orders.areas(conn, Scope((QINGXU,)), MARCH, "county")["key"].tolist() == [QINGXU]


def test_stations_of_a_district_or_one_station(conn):
    assert orders.stations(conn, ALL, JINYUAN)["id"].tolist() == [11, 12]
    assert orders.stations(conn, ALL, JINYUAN, T2)["name"].tolist() == ["罗城社区新时代文明实践站"]
    assert orders.stations(conn, ALL, None, None, 21)[["county_code", "township_code"]].values.tolist() == [
        [QINGXU, "140121001"]
    ]
    assert orders.stations(conn, Scope((JINYUAN,)), None, None, 21).empty  # outside the scope
    assert orders.stations(conn, ALL, None)["id"].tolist() == [11, 12, 21]


def test_order_list_newest_first_with_names_for_masking(conn):
    rows = orders.order_list(conn, ALL, _where(county=JINYUAN, township=T1), OrderFilters(station=11), 10)
    assert rows["code"].tolist() == ["T006", "T005", "T002", "T001"]
    assert rows.set_index("code").loc["T002", "team_name"] == "晋源区理论宣讲志愿服务队"
    assert rows.set_index("code").loc["T001", "requester_name"] == "张三1"  # masked by the page, not here
    assert orders.order_list(conn, ALL, MARCH, NONE, 3)["code"].tolist() == ["T006", "T009", "T005"]
