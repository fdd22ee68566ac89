"""Exact results of the query functions on a small hand-made SQLite database, with and without a scope.

The database: two counties (晋源区 140110, 清徐县 140121) with three units each, a few volunteers,
activities and orders; one order has an unknown status, one has its steps out of order, one has a
rating outside 1–5, one unit lacks coordinates. The period is 2026-01-01 … 2026-06-30.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from sqlalchemy import Connection, insert

from dashboard.db import reader_engine, writer_engine
from dashboard.filters import Filters
from dashboard.models import Base
from dashboard.scope import Scope
from queries import overview, quality, regions, units
from queries.common import TABLES
from tests.fixtures import REQUIRE_PG, database, pg_available, summarise

JINYUAN, QINGXU = "140110", "140121"
PERIOD = Filters(dt.date(2026, 1, 1), dt.date(2026, 6, 30), period_key="custom")
ALL = Scope(None)
ONLY_JINYUAN = Scope((JINYUAN,))


def T(day: str, time: str = "10:00") -> dt.datetime:  # noqa: N802 - reads like a literal
    return dt.datetime.fromisoformat(f"2026-{day}T{time}")


def _order(oid: int, county: str, township: str, category: str, status: str, placed: dt.datetime, **steps) -> dict:
    row = {
        "id": oid,
        "code": f"O{oid:04d}",
        "category": category,
        "status": status,
        "county_code": county,
        "township_code": township,
        "placed_at": placed,
        "updated_at": placed,
        "redispatch_count": 0,
        **dict.fromkeys(("drafted_at", "dispatched_at", "accepted_at", "completed_at", "rated_at", "rating")),
    }
    row.update(steps)
    return row


def _fill(url: str) -> None:
    engine = writer_engine(url)
    Base.metadata.create_all(engine)
    region, unit, volunteer = TABLES["region"], TABLES["unit"], TABLES["volunteer"]
    activity, order = TABLES["activity"], TABLES["service_order"]
    with engine.begin() as conn:
        conn.execute(
            insert(region),
            [
                {"code": "140100", "name": "太原市", "level": "city", "parent_code": None, "population": None},
                {"code": JINYUAN, "name": "晋源区", "level": "county", "parent_code": "140100", "population": 250000},
                {"code": QINGXU, "name": "清徐县", "level": "county", "parent_code": "140100", "population": 340000},
                {
                    "code": "140110001",
                    "name": "晋祠镇",
                    "level": "township",
                    "parent_code": JINYUAN,
                    "population": 50000,
                },
                {
                    "code": "140110002",
                    "name": "罗城街道",
                    "level": "township",
                    "parent_code": JINYUAN,
                    "population": None,
                },
                {
                    "code": "140121001",
                    "name": "清源镇",
                    "level": "township",
                    "parent_code": QINGXU,
                    "population": 90000,
                },
                {
                    "code": "140121002",
                    "name": "徐沟镇",
                    "level": "township",
                    "parent_code": QINGXU,
                    "population": 60000,
                },
            ],
        )
        base = {"parent_id": None, "is_model": False, "is_key": False}
        conn.execute(
            insert(unit),
            [
                {
                    **base,
                    "id": 1,
                    "name": "晋源区新时代文明实践中心",
                    "tier": "centre",
                    "region_code": JINYUAN,
                    "county_code": JINYUAN,
                    "township_code": None,
                    "lon": 112.48,
                    "lat": 37.72,
                    "pilot_level": "central",
                },
                {
                    **base,
                    "id": 2,
                    "name": "晋祠镇新时代文明实践所",
                    "tier": "institute",
                    "region_code": "140110001",
                    "county_code": JINYUAN,
                    "township_code": "140110001",
                    "lon": 112.44,
                    "lat": 37.70,
                    "pilot_level": "city",
                },
                {
                    **base,
                    "id": 3,
                    "name": "赤桥村新时代文明实践站",
                    "tier": "station",
                    "region_code": "140110001",
                    "county_code": JINYUAN,
                    "township_code": "140110001",
                    "lon": None,
                    "lat": None,
                    "pilot_level": None,
                    "is_key": True,
                },
                {
                    **base,
                    "id": 4,
                    "name": "清徐县新时代文明实践中心",
                    "tier": "centre",
                    "region_code": QINGXU,
                    "county_code": QINGXU,
                    "township_code": None,
                    "lon": 112.36,
                    "lat": 37.61,
                    "pilot_level": "provincial",
                },
                {
                    **base,
                    "id": 5,
                    "name": "清源镇新时代文明实践所",
                    "tier": "institute",
                    "region_code": "140121001",
                    "county_code": QINGXU,
                    "township_code": "140121001",
                    "lon": 112.35,
                    "lat": 37.60,
                    "pilot_level": None,
                },
                {
                    **base,
                    "id": 6,
                    "name": "徐沟镇100%_站",
                    "tier": "station",
                    "region_code": "140121002",
                    "county_code": QINGXU,
                    "township_code": "140121002",
                    "lon": 112.40,
                    "lat": 37.55,
                    "pilot_level": None,
                    "is_model": True,
                },
            ],
        )
        vol = {"is_party_member": False, "is_in_service_party_member": False, "star_level": 0, "points": 0}
        conn.execute(
            insert(volunteer),
            [
                {
                    **vol,
                    "id": 1,
                    "name": "甲",
                    "unit_id": 2,
                    "county_code": JINYUAN,
                    "township_code": "140110001",
                    "registered_on": dt.date(2025, 5, 1),
                },
                {
                    **vol,
                    "id": 2,
                    "name": "乙",
                    "unit_id": 3,
                    "county_code": JINYUAN,
                    "township_code": "140110001",
                    "registered_on": dt.date(2026, 6, 30),
                },
                {
                    **vol,
                    "id": 3,
                    "name": "丙",
                    "unit_id": 1,
                    "county_code": JINYUAN,
                    "township_code": None,
                    "registered_on": dt.date(2026, 7, 1),
                },  # after the period: not counted
                {
                    **vol,
                    "id": 4,
                    "name": "丁",
                    "unit_id": 5,
                    "county_code": QINGXU,
                    "township_code": "140121001",
                    "registered_on": dt.date(2026, 2, 1),
                },
                {
                    **vol,
                    "id": 5,
                    "name": "戊",
                    "unit_id": 6,
                    "county_code": QINGXU,
                    "township_code": "140121002",
                    "registered_on": dt.date(2026, 3, 1),
                },
            ],
        )
        act = {
            "title": "宣讲",
            "content_area": "learn_theory",
            "kind": "general",
            "participants": 10,
            "volunteer_hours": 2.0,
            "has_plan": True,
            "has_record": True,
            "has_photos": True,
            "has_results": True,
        }
        conn.execute(
            insert(activity),
            [
                {
                    **act,
                    "id": 1,
                    "unit_id": 2,
                    "county_code": JINYUAN,
                    "township_code": "140110001",
                    "held_on": dt.date(2026, 1, 1),
                },
                {
                    **act,
                    "id": 2,
                    "unit_id": 3,
                    "county_code": JINYUAN,
                    "township_code": "140110001",
                    "held_on": dt.date(2026, 6, 30),
                },
                {
                    **act,
                    "id": 3,
                    "unit_id": 1,
                    "county_code": JINYUAN,
                    "township_code": None,
                    "held_on": dt.date(2026, 7, 1),
                },  # after the period
                {
                    **act,
                    "id": 4,
                    "unit_id": 5,
                    "county_code": QINGXU,
                    "township_code": "140121001",
                    "held_on": dt.date(2026, 4, 15),
                },
            ],
        )
        theory, culture, health = "理论政策宣讲", "文化文艺服务", "医疗健身"
        full = {
            "dispatched_at": T("03-01", "11:00"),
            "accepted_at": T("03-01", "12:00"),
            "completed_at": T("03-02"),
            "rated_at": T("03-03"),
        }
        conn.execute(
            insert(order),
            [
                _order(1, JINYUAN, "140110001", theory, "rated", T("03-01"), **full, rating=5),
                _order(2, JINYUAN, "140110002", culture, "rated", T("03-01"), **full, rating=3),
                _order(3, JINYUAN, "140110001", theory, "lost", T("03-05")),  # unknown status
                # dispatched before it was placed: steps out of order
                _order(
                    4,
                    JINYUAN,
                    "140110001",
                    theory,
                    "accepted",
                    T("04-01", "10:00"),
                    dispatched_at=T("04-01", "09:00"),
                    accepted_at=T("04-01", "12:00"),
                ),
                _order(
                    5,
                    QINGXU,
                    "140121001",
                    health,
                    "completed",
                    T("05-01"),
                    drafted_at=T("05-01", "10:30"),
                    dispatched_at=T("05-01", "11:00"),
                    accepted_at=T("05-01", "12:00"),
                    completed_at=T("05-02"),
                ),
                _order(
                    6,
                    QINGXU,
                    "140121001",
                    health,
                    "rated",
                    T("05-03"),
                    **{
                        "dispatched_at": T("05-03", "11:00"),
                        "accepted_at": T("05-03", "12:00"),
                        "completed_at": T("05-04"),
                        "rated_at": T("05-05"),
                    },
                    rating=7,
                ),  # rating out of range
                _order(7, QINGXU, "140121002", health, "placed", dt.datetime(2025, 12, 31, 23, 59)),  # before
                _order(8, JINYUAN, "140110002", culture, "placed", T("06-30", "23:00")),  # last evening: inside
            ],
        )
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def conn(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Connection:
    """The small database on SQLite and, when its server answers, on PostgreSQL."""
    if request.param == "postgresql":
        reason = pg_available()
        if reason and not REQUIRE_PG:
            pytest.skip(reason)
    with database(request.param, tmp_path_factory.mktemp("db")) as url:
        _fill(url)
        summarise(url)
        engine = reader_engine(url)
        with engine.connect() as connection:
            yield connection
        engine.dispose()


def _where(**changes) -> Filters:
    values = {f: getattr(PERIOD, f) for f in ("start", "end", "county", "township", "category", "period_key")}
    values.update(changes)
    return Filters(**values)


# --- regions -------------------------------------------------------------------------------------


def test_counties_and_townships_follow_the_scope(conn: Connection) -> None:
    assert regions.counties(conn, ALL).to_dict("records") == [
        {"code": JINYUAN, "name": "晋源区"},
        {"code": QINGXU, "name": "清徐县"},
    ]
    assert regions.counties(conn, ONLY_JINYUAN)["code"].tolist() == [JINYUAN]
    assert regions.townships(conn, ALL)["code"].tolist() == ["140110001", "140110002", "140121001", "140121002"]
    assert regions.townships(conn, ONLY_JINYUAN).to_dict("records") == [
        {"code": "140110001", "name": "晋祠镇", "county_code": JINYUAN},
        {"code": "140110002", "name": "罗城街道", "county_code": JINYUAN},
    ]
    assert regions.counties(conn, Scope(())).empty


# --- overview ------------------------------------------------------------------------------------


def test_district_summary_all_counties(conn: Connection) -> None:
    df = overview.district_summary(conn, ALL, PERIOD, 4)
    rows = {row["county_code"]: row for row in df.to_dict("records")}
    assert list(rows) == [JINYUAN, QINGXU]
    jy, qx = rows[JINYUAN], rows[QINGXU]
    assert (jy["county_name"], jy["centre_name"], jy["pilot_level"]) == (
        "晋源区",
        "晋源区新时代文明实践中心",
        "central",
    )
    assert (jy["institutes"], jy["stations"], jy["volunteers"], jy["population"]) == (1, 1, 2, 250000)
    assert jy["volunteer_share"] == pytest.approx(2 / 250000)
    # orders 1, 2, 3, 4, 8 placed in the period; 1 and 2 completed and rated (5 and 3)
    assert (jy["orders"], jy["completed"], jy["rated"], jy["satisfied"]) == (5, 2, 2, 1)
    assert jy["satisfaction_rate"] == pytest.approx(0.5)
    assert (qx["centre_name"], qx["pilot_level"], qx["institutes"], qx["stations"]) == (
        "清徐县新时代文明实践中心",
        "provincial",
        1,
        1,
    )
    # orders 5 and 6 (7 is before the period); order 6's rating 7 is not a valid rating
    assert (qx["volunteers"], qx["orders"], qx["completed"], qx["rated"], qx["satisfied"]) == (2, 2, 2, 0, 0)
    assert math.isnan(qx["satisfaction_rate"])


def test_district_summary_scoped_and_filtered(conn: Connection) -> None:
    scoped = overview.district_summary(conn, ONLY_JINYUAN, PERIOD, 4)
    assert scoped["county_code"].tolist() == [JINYUAN]
    assert scoped.loc[0, "orders"] == 5
    # a district filter outside the scope gives nothing: the scope always applies
    assert overview.district_summary(conn, ONLY_JINYUAN, _where(county=QINGXU), 4).empty
    # township filter: orders 1, 3, 4; volunteers 1, 2; the township's population
    town = overview.district_summary(conn, ALL, _where(county=JINYUAN, township="140110001"), 4)
    assert town[["orders", "completed", "rated", "satisfied", "volunteers", "institutes", "stations"]].iloc[
        0
    ].tolist() == [3, 1, 1, 1, 2, 1, 1]
    assert town.loc[0, "population"] == 50000
    assert town.loc[0, "centre_name"] == "晋源区新时代文明实践中心"
    # category filter
    theory = overview.district_summary(conn, ALL, _where(category="理论政策宣讲"), 4)
    assert theory["orders"].tolist() == [3, 0]
    # a stricter satisfaction threshold
    assert overview.district_summary(conn, ALL, PERIOD, 5)["satisfied"].tolist() == [1, 0]
    assert overview.district_summary(conn, ALL, PERIOD, 3)["satisfied"].tolist() == [2, 0]


def test_orders_by_status(conn: Connection) -> None:
    assert dict(overview.status_totals(overview.order_counts(conn, ALL, PERIOD)).itertuples(index=False)) == {
        "rated": 3,
        "accepted": 1,
        "completed": 1,
        "lost": 1,
        "placed": 1,
    }
    assert dict(overview.status_totals(overview.order_counts(conn, ONLY_JINYUAN, PERIOD)).itertuples(index=False)) == {
        "rated": 2,
        "accepted": 1,
        "lost": 1,
        "placed": 1,
    }
    one_day = _where(start=dt.date(2026, 6, 30), end=dt.date(2026, 6, 30))
    assert dict(overview.status_totals(overview.order_counts(conn, ALL, one_day)).itertuples(index=False)) == {
        "placed": 1
    }


def test_overview_reads_the_orders_once(conn: Connection) -> None:
    """The page's one read of the orders gives both the district table's order columns and the status chart."""
    counts = overview.order_counts(conn, ALL, PERIOD)
    # per district, status and rating: 晋源区 rated 5 and 3, accepted, lost, placed; 清徐县 completed, rated 7
    assert int(counts["orders"].sum()) == 7 and len(counts) == 7
    statuses = overview.status_totals(counts)
    assert statuses.values.tolist() == [["rated", 3], ["accepted", 1], ["completed", 1], ["lost", 1], ["placed", 1]]
    for scope, filters in ((ALL, PERIOD), (ONLY_JINYUAN, PERIOD), (ALL, _where(category="理论政策宣讲"))):
        counts = overview.order_counts(conn, scope, filters)
        table = overview.district_table(overview.district_areas(conn, scope, filters), counts, 4)
        assert table.equals(overview.district_summary(conn, scope, filters, 4))
        assert int(table["orders"].sum()) == int(overview.status_totals(counts)["orders"].sum())


def test_activity_count(conn: Connection) -> None:
    assert overview.activity_count(conn, ALL, PERIOD) == 3
    assert overview.activity_count(conn, ONLY_JINYUAN, PERIOD) == 2
    assert overview.activity_count(conn, ALL, _where(county=QINGXU)) == 1
    assert overview.activity_count(conn, ALL, _where(county=JINYUAN, township="140110002")) == 0


def test_bad_filter_values_are_bound_not_executed(conn: Connection) -> None:
    sneaky = _where(county="140110' OR '1'='1", category="x' OR 1=1 --")
    assert overview.activity_count(conn, ALL, sneaky) == 0
    assert overview.status_totals(overview.order_counts(conn, ALL, sneaky)).empty


# --- units ---------------------------------------------------------------------------------------


def test_map_units_have_coordinates(conn: Connection) -> None:
    df = units.map_units(conn, ALL, PERIOD)
    assert df["id"].tolist() == [1, 2, 4, 5, 6]
    first = df.iloc[0]
    assert (first["name"], first["tier"], first["county_name"], first["pilot_level"]) == (
        "晋源区新时代文明实践中心",
        "centre",
        "晋源区",
        "central",
    )
    assert df.loc[df["id"] == 2, "township_name"].item() == "晋祠镇"
    assert units.map_units(conn, ONLY_JINYUAN, PERIOD)["id"].tolist() == [1, 2]


def test_unit_list_search_and_filters(conn: Connection) -> None:
    assert len(units.unit_list(conn, ALL, PERIOD)) == 6
    assert units.unit_list(conn, ONLY_JINYUAN, PERIOD)["id"].tolist() == [1, 2, 3]
    assert sorted(units.unit_list(conn, ALL, PERIOD, "中心")["id"]) == [1, 4]
    assert units.unit_list(conn, ALL, PERIOD, "100%_")["id"].tolist() == [6]  # wildcards are literal
    assert units.unit_list(conn, ALL, PERIOD, "0%1").empty
    assert sorted(units.unit_list(conn, ALL, PERIOD, None, ("station",))["id"]) == [3, 6]
    assert units.unit_list(conn, ALL, PERIOD, None, None, ("central", "provincial"))["id"].tolist() == [1, 4]
    station = units.unit_list(conn, ALL, PERIOD, "赤桥").iloc[0]
    assert (bool(station["is_key"]), bool(station["is_model"])) == (True, False)


def test_tier_counts(conn: Connection) -> None:
    counts = {(r.county_code, r.tier): r.units for r in units.tier_counts(conn, ALL, PERIOD).itertuples()}
    assert counts == {
        (JINYUAN, "centre"): 1,
        (JINYUAN, "institute"): 1,
        (JINYUAN, "station"): 1,
        (QINGXU, "centre"): 1,
        (QINGXU, "institute"): 1,
        (QINGXU, "station"): 1,
    }
    scoped = units.tier_counts(conn, ONLY_JINYUAN, PERIOD)
    assert set(scoped["county_name"]) == {"晋源区"} and scoped["units"].sum() == 3


# --- quality -------------------------------------------------------------------------------------


def test_quality_checks_all_counties(conn: Connection) -> None:
    assert quality.units_without_coordinates(conn, ALL, PERIOD) == {"count": 1, "sample": [3]}
    assert quality.order_checks(conn, ALL, PERIOD) == {
        "orders_unknown_status": {"count": 1, "sample": [3]},
        "orders_out_of_sequence": {"count": 1, "sample": [4]},
        "ratings_out_of_range": {"count": 1, "sample": [6]},
    }


def test_quality_checks_scoped(conn: Connection) -> None:
    assert quality.units_without_coordinates(conn, ONLY_JINYUAN, PERIOD) == {"count": 1, "sample": [3]}
    assert quality.order_checks(conn, ONLY_JINYUAN, PERIOD) == {
        "orders_unknown_status": {"count": 1, "sample": [3]},
        "orders_out_of_sequence": {"count": 1, "sample": [4]},
        "ratings_out_of_range": {"count": 0, "sample": []},
    }
    assert quality.units_without_coordinates(conn, Scope((QINGXU,)), PERIOD) == {"count": 0, "sample": []}
