"""A hand-made database of twelve orders whose figures are computed by hand in tests/test_orders_queries.py.

Two districts: 晋源区 (140110; townships 140110001 with station 11 and 140110002 with station 12) and
清徐县 (140121; township 140121001 with station 21). Teams 1 (晋源区) and 2 (清徐县); volunteer 1 is
in team 1, volunteer 2 in no team. The period is March 2026; order 10 lies before it. Times of each
order, in minutes after the previous step (``+m:s``), are in the table below; ``NOW`` is 2026-04-02 12:00.

| id | district/station | category | status | placed | 派单 | 接单 | 完成 | 评单 | rating | taken by |
|----|-----|---|---|---|---|---|---|---|---|---|
| 1  | 晋源 11 | 助老 | rated      | 03-02 09:00 | +10 | +30 | +120 | +60  | 5 | team 1 |
| 2  | 晋源 11 | 助老 | rated      | 03-03 10:00 | +20 | +60 | +180 | +300 | 4 | volunteer 1 (team 1) |
| 3  | 晋源 12 | 文艺 | rated      | 03-04 14:00 | +30 | +90 | +240 | +120 | 2 | volunteer 2 |
| 4  | 晋源 12 | 文艺 | completed  | 03-05 15:00 | +40 | +15 | +60  |      |   | volunteer 2 |
| 5  | 晋源 11 | 助老 | accepted   | 03-30 08:00 | +50 | +45 |      |      |   | team 1 |
| 6  | 晋源 11 | 助老 | placed     | 03-31 23:00 |     |     |      |      |   | |
| 7  | 清徐 21 | 助老 | rated      | 03-06 09:00 | +5:13 | +20 | +120 | +29:59 | 3 | team 2 |
| 8  | 清徐 21 | 法律 | cancelled  | 03-07 09:00 | closed 10:00 | | | | | |
| 9  | 清徐 21 | 法律 | dispatched | 03-31 10:00 | +60 |     |      |      |   | |
| 10 | 晋源 11 | 助老 | rated      | 02-20 09:00 | +10 | +10 | +10  | +10  | 5 | team 1 (before the period) |
| 11 | 晋源 12 | 文艺 | lost (unknown status) | 03-08 09:00 | | | | | | (no coordinates) |
| 12 | 晋源 12 | 文艺 | accepted   | 03-09 10:00 | 09:00 (before placing) | 11:00 | | | 7 (out of range) | volunteer 2 |
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from dashboard.db import writer_engine
from dashboard.filters import Filters
from dashboard.models import Base
from queries.common import TABLES
from tests.fixtures import summarise

JINYUAN, QINGXU = "140110", "140121"
T1, T2, T3 = "140110001", "140110002", "140121001"
MARCH = Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31), period_key="custom")
NOW = dt.datetime(2026, 4, 2, 12, 0)
MINUTE = dt.timedelta(minutes=1)


def _t(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"2026-{day}T{time}")


def _order(oid, county, township, station, category, status, placed, steps=(), **extra) -> dict:
    """An order whose reached steps follow each other by the given timedeltas (dispatch, accept, complete, rate)."""
    row = {
        "id": oid,
        "code": f"T{oid:03d}",
        "category": category,
        "status": status,
        "requester_name": f"张三{oid}",
        "requester_phone": f"1390000{oid:04d}",
        "station_id": station,
        "county_code": county,
        "township_code": township,
        "address": f"测试路{oid}号",
        "lon": 112.50 + oid * 0.002,
        "lat": 37.70,
        "placed_at": placed,
        "updated_at": placed,
        "redispatch_count": 0,
        **dict.fromkeys(("drafted_at", "dispatched_at", "accepted_at", "completed_at", "rated_at", "closed_at")),
        **dict.fromkeys(("rating", "team_id", "volunteer_id", "close_reason")),
    }
    at = placed
    for column, delta in zip(("dispatched_at", "accepted_at", "completed_at", "rated_at"), steps, strict=False):
        at = at + delta
        row[column] = at
    row.update(extra)
    return row


def m(minutes: float) -> dt.timedelta:
    """Minutes as a timedelta."""
    return dt.timedelta(minutes=minutes)


ORDERS = [
    _order(
        1,
        JINYUAN,
        T1,
        11,
        "助老助残",
        "rated",
        _t("03-02", "09:00"),
        (m(10), m(30), m(120), m(60)),
        rating=5,
        team_id=1,
    ),
    _order(
        2,
        JINYUAN,
        T1,
        11,
        "助老助残",
        "rated",
        _t("03-03", "10:00"),
        (m(20), m(60), m(180), m(300)),
        rating=4,
        volunteer_id=1,
    ),
    _order(
        3,
        JINYUAN,
        T2,
        12,
        "文艺演出",
        "rated",
        _t("03-04", "14:00"),
        (m(30), m(90), m(240), m(120)),
        rating=2,
        volunteer_id=2,
    ),
    _order(4, JINYUAN, T2, 12, "文艺演出", "completed", _t("03-05", "15:00"), (m(40), m(15), m(60)), volunteer_id=2),
    _order(5, JINYUAN, T1, 11, "助老助残", "accepted", _t("03-30", "08:00"), (m(50), m(45)), team_id=1),
    _order(6, JINYUAN, T1, 11, "助老助残", "placed", _t("03-31", "23:00")),
    _order(
        7,
        QINGXU,
        T3,
        21,
        "助老助残",
        "rated",
        _t("03-06", "09:00"),
        (m(5) + dt.timedelta(seconds=13), m(20), m(120), m(30) - dt.timedelta(seconds=1)),
        rating=3,
        team_id=2,
    ),
    _order(
        8,
        QINGXU,
        T3,
        21,
        "法律咨询",
        "cancelled",
        _t("03-07", "09:00"),
        closed_at=_t("03-07", "10:00"),
        close_reason="群众取消",
    ),
    _order(9, QINGXU, T3, 21, "法律咨询", "dispatched", _t("03-31", "10:00"), (m(60),)),
    _order(10, JINYUAN, T1, 11, "助老助残", "rated", dt.datetime(2026, 2, 20, 9), (m(10),) * 4, rating=5, team_id=1),
    _order(11, JINYUAN, T2, 12, "文艺演出", "lost", _t("03-08", "09:00"), lon=None, lat=None),
    _order(
        12,
        JINYUAN,
        T2,
        12,
        "文艺演出",
        "accepted",
        _t("03-09", "10:00"),
        dispatched_at=_t("03-09", "09:00"),
        accepted_at=_t("03-09", "11:00"),
        rating=7,
        volunteer_id=2,
    ),
]


def fill(url: str) -> None:
    """Create the schema at ``url``, write the regions, units, teams, volunteers and :data:`ORDERS`, and
    refresh the dashboard's summaries."""
    engine = writer_engine(url)
    Base.metadata.create_all(engine)
    t = TABLES
    regions = [
        ("140100", "太原市", "city", None),
        (JINYUAN, "晋源区", "county", "140100"),
        (QINGXU, "清徐县", "county", "140100"),
        (T1, "晋祠镇", "township", JINYUAN),
        (T2, "罗城街道", "township", JINYUAN),
        (T3, "清源镇", "township", QINGXU),
    ]
    units = [  # id, name, tier, county, township, lon, lat
        (1, "晋源区新时代文明实践中心", "centre", JINYUAN, None, 112.48, 37.72),
        (2, "清徐县新时代文明实践中心", "centre", QINGXU, None, 112.36, 37.61),
        (3, "晋祠镇新时代文明实践所", "institute", JINYUAN, T1, 112.44, 37.70),
        (4, "罗城街道新时代文明实践所", "institute", JINYUAN, T2, 112.47, 37.68),
        (5, "清源镇新时代文明实践所", "institute", QINGXU, T3, 112.35, 37.60),
        (11, "赤桥村新时代文明实践站", "station", JINYUAN, T1, 112.43, 37.71),
        (12, "罗城社区新时代文明实践站", "station", JINYUAN, T2, None, None),
        (21, "东湖社区新时代文明实践站", "station", QINGXU, T3, 112.34, 37.59),
    ]
    with engine.begin() as conn:
        conn.execute(
            insert(t["region"]),
            [{"code": c, "name": n, "level": lv, "parent_code": p, "population": 1000} for c, n, lv, p in regions],
        )
        conn.execute(
            insert(t["unit"]),
            [
                {
                    "id": i,
                    "name": n,
                    "tier": tier,
                    "region_code": town or county,
                    "county_code": county,
                    "township_code": town,
                    "lon": lon,
                    "lat": lat,
                    "is_model": False,
                    "is_key": False,
                }
                for i, n, tier, county, town, lon, lat in units
            ],
        )
        conn.execute(
            insert(t["team"]),
            [
                {
                    "id": 1,
                    "name": "晋源区理论宣讲志愿服务队",
                    "category": "理论政策宣讲",
                    "is_standing": True,
                    "level": "county",
                    "unit_id": 1,
                    "county_code": JINYUAN,
                },
                {
                    "id": 2,
                    "name": "清徐县医疗健身志愿服务队",
                    "category": "医疗健身",
                    "is_standing": True,
                    "level": "county",
                    "unit_id": 2,
                    "county_code": QINGXU,
                },
            ],
        )
        conn.execute(
            insert(t["volunteer"]),
            [
                {
                    "id": 1,
                    "name": "李四",
                    "unit_id": 11,
                    "county_code": JINYUAN,
                    "team_id": 1,
                    "registered_on": dt.date(2025, 1, 1),
                },
                {
                    "id": 2,
                    "name": "王五",
                    "unit_id": 12,
                    "county_code": JINYUAN,
                    "team_id": None,
                    "registered_on": dt.date(2025, 1, 1),
                },
            ],
        )
        conn.execute(insert(t["service_order"]), ORDERS)
    engine.dispose()
    summarise(url)
