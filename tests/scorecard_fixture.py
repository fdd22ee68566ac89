"""A hand-made database for the review's tests, with every expected score worked out by hand below.

One county (晋源区 140110, 10,000 residents, 100 in-service party members) with its centre (id 1),
one institute (id 2, 晋祠镇 140110001) and two stations: 甲村站 (id 10, village 140110001001, 1,000
residents) and 乙村站 (id 11, village 140110001002, 2,000 residents). Periods 2025H2 and 2026H1;
the station rubric (xixiang_station, period ``year``) looks at the 12 months ending with the period:
2026H1 → 2025-07 … 2026-06, 2025H2 → 2025-01 … 2025-12.

Station 甲 in 2026H1 (computed, 54 nominal):
- S5-3-1 activities, 1 a month: complete materials in 2025-07, 08, 09, 12, 2026-01, 03, 04, 05, 06
  = 9 months → 9 (2025-10 and 2026-02 none, 2025-11 without results);
- S5-3-2 uploads, 1 a month: 2025-07, 08, 09, 11, 2026-01, 03, 04, 06 = 8 → 8;
- S3-2-2 theory lectures, 0.5 a month: 2025-08, 2026-01, 03, 05 = 4 → 2;
- S5-2-1 评议会, 3 a quarter: 2025Q3, 2025Q4, 2026Q2 (none in 2026Q1) → 9;
- S5-4-1 media 2/3/4/6, may exceed: story K1 county+city → 3, a report without story_key at
  province → 4, story K2 national → 6 (story K3 is before the window, K4's level is bad) = 13;
- S3-1-3 volunteers 13%: 140 of 1,000 registered by 2026-06-30 (5 more later) = 14% → 2.
  Computed 43. Entered (46 nominal): all at full points, except S1-1-1 whose later entry is 1 (an
  earlier one said 2) and S6-1-2 entered 20, clipped to its 4 + 10 bonus = 14 → 46 − 1 − 4 + 14 = 55.
  Total 98 → 五星 (≥ 90%), rank 1.

Station 乙 in 2026H1: complete and uploaded activities every month → 12 + 12; no lectures → 0; a
meeting every quarter → 12; two county stories → 2 × 2 = 4; 100 of 2,000 volunteers = 5% → 0.
Computed 40. Entered: all at full points but S7-1-1 (8) not entered → 38. Total 78 → 三星, rank 2.

2025H2 (window 2025-01 … 2025-12): 甲 computed 5 (activities 2025-06, 07, 08, 09, 12) + 4 (uploads 07,
08, 09, 11) + 0.5 (lecture 08) + 6 (Q3, Q4) + 5 (K1 city 3, K3 county 2) + 2 (140 ≥ 13%) = 22.5,
nothing entered → 22.5, rank 2. 乙: 6 + 6 + 0 + 6 (Q3, Q4) + 0 (its stories are in 2026) + 0 = 18,
entered 46 → 64, rank 1. So 甲 moves up one (↑1) and 乙 down one (↓1).

The centre in 2026H1 (Shanxi rubric, half-year, the county's records): II-17-2 theory lectures in
3 of 6 months (2026-01, 03, 05, all at 甲) → 2 × 3/6 = 1; II-14-4 240 of 10,000 registered = 2.4%
→ 0; nothing entered → total 1 → 一星.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from dashboard import rubrics
from dashboard.db import writer_engine
from dashboard.models import Base
from queries.common import TABLES
from tests.fixtures import summarise

COUNTY, TOWNSHIP = "140110", "140110001"
VILLAGE_A, VILLAGE_B = "140110001001", "140110001002"
CENTRE, INSTITUTE, STATION_A, STATION_B = 1, 2, 10, 11
NAME_A, NAME_B = "甲村新时代文明实践站", "乙村新时代文明实践站"
ALL_MATERIALS = {"has_plan": True, "has_record": True, "has_photos": True, "has_results": True}


def _activity(aid: int, unit_id: int, held: str, *, complete=True, uploaded=True, kind="general") -> dict:
    flags = dict(ALL_MATERIALS) if complete else {**ALL_MATERIALS, "has_results": False}
    day = dt.date.fromisoformat(held)
    return {
        "id": aid,
        "unit_id": unit_id,
        "county_code": COUNTY,
        "township_code": TOWNSHIP,
        "held_on": day,
        "title": f"活动{aid}",
        "content_area": "learn_theory" if kind == "theory_lecture" else "enrich_culture",
        "kind": kind,
        "participants": 20,
        "volunteer_hours": 4.0,
        "uploaded_at": dt.datetime.combine(day, dt.time(18, 0)) if uploaded else None,
        **flags,
    }


def _activities() -> list[dict]:
    a = STATION_A
    rows = [
        _activity(1, a, "2025-06-15", uploaded=False),  # before the 2026H1 window, inside 2025H2's
        _activity(2, a, "2025-07-03"),
        _activity(3, a, "2025-08-05", kind="theory_lecture"),
        _activity(4, a, "2025-09-09"),
        _activity(5, a, "2025-11-11", complete=False),
        _activity(6, a, "2025-12-12", uploaded=False),
        _activity(7, a, "2026-01-08", kind="theory_lecture"),
        _activity(8, a, "2026-03-03", kind="theory_lecture"),
        _activity(9, a, "2026-04-04"),
        _activity(10, a, "2026-05-05", uploaded=False, kind="theory_lecture"),
        _activity(11, a, "2026-06-06"),
        _activity(12, a, "2026-07-07"),  # after the window
    ]
    months = [f"{y}-{m:02d}" for y, m in [(2025, m) for m in range(7, 13)] + [(2026, m) for m in range(1, 7)]]
    rows += [_activity(100 + i, STATION_B, f"{month}-15") for i, month in enumerate(months)]
    rows.append(_activity(200, STATION_B, "2026-02-20", kind="chaxiang_lecture"))
    return rows


def _media(rid: int, level: str, published: str, story: str | None) -> dict:
    unit_id = STATION_B if rid >= 10 else STATION_A
    return {
        "id": rid,
        "unit_id": unit_id,
        "county_code": COUNTY,
        "level": level,
        "published_on": dt.date.fromisoformat(published),
        "outlet": "晋源融媒",
        "title": f"报道{rid}",
        "story_key": story,
    }


MEDIA = [
    _media(1, "county", "2025-09-01", "K1"),
    _media(2, "city", "2025-09-02", "K1"),
    _media(3, "province", "2026-02-01", None),
    _media(4, "national", "2026-03-01", "K2"),
    _media(5, "county", "2025-06-30", "K3"),
    _media(6, "weird", "2026-03-05", "K4"),
    _media(10, "county", "2026-01-10", "B1"),
    _media(11, "county", "2026-04-10", "B2"),
]


def _meeting(mid: int, unit_id: int, held: str) -> dict:
    return {
        "id": mid,
        "unit_id": unit_id,
        "county_code": COUNTY,
        "held_on": dt.date.fromisoformat(held),
        "topic": "评议",
        "participants": 12,
    }


MEETINGS = [
    _meeting(1, STATION_A, "2025-08-10"),
    _meeting(2, STATION_A, "2025-11-05"),
    _meeting(3, STATION_A, "2026-05-01"),
    _meeting(4, STATION_A, "2026-07-02"),
    *(
        _meeting(10 + i, STATION_B, day)
        for i, day in enumerate(["2025-07-20", "2025-10-20", "2026-01-20", "2026-04-20"])
    ),
]


def _volunteers() -> list[dict]:
    rows = []
    for i in range(145):
        registered = dt.date(2026, 7, 15) if i >= 140 else dt.date(2024, 1, 1)
        rows.append((STATION_A, registered))
    rows += [(STATION_B, dt.date(2024, 1, 1))] * 100
    return [
        {
            "id": n + 1,
            "name": f"志愿者{n + 1}",
            "phone": None,
            "unit_id": unit_id,
            "county_code": COUNTY,
            "township_code": TOWNSHIP,
            "registered_on": registered,
            "is_party_member": False,
            "is_in_service_party_member": n % 2 == 0,
            "star_level": 0,
            "points": 0,
        }
        for n, (unit_id, registered) in enumerate(rows)
    ]


def _scores() -> list[dict]:
    station = rubrics.load_all(rubrics.RUBRICS_DIR)["xixiang_station"]
    entered = [s for s in rubrics.standards(station) if not s.computed]
    late = dt.datetime(2026, 7, 20, 10, 0)
    rows = []

    def add(period: str, unit_id: int, standard: str, points: float, at: dt.datetime = late) -> None:
        rows.append(
            {
                "period_id": period,
                "unit_id": unit_id,
                "county_code": COUNTY,
                "rubric_id": station.id,
                "standard_id": standard,
                "points": points,
                "entered_by": "市文明办督查组",
                "entered_at": at,
                "note": None,
            }
        )

    for s in entered:
        if s.id == "S1-1-1":
            add("2026H1", STATION_A, s.id, 2.0, dt.datetime(2026, 7, 10, 9, 0))
            add("2026H1", STATION_A, s.id, 1.0)
        elif s.id == "S6-1-2":
            add("2026H1", STATION_A, s.id, 20.0)
        else:
            add("2026H1", STATION_A, s.id, s.points)
        if s.id != "S7-1-1":
            add("2026H1", STATION_B, s.id, s.points)
        add("2025H2", STATION_B, s.id, s.points, dt.datetime(2026, 1, 20, 10, 0))
    return [{"id": n + 1, **row} for n, row in enumerate(rows)]


def build(url: str) -> None:
    """Create the schema at ``url`` and fill it with the rows above."""
    engine = writer_engine(url)
    Base.metadata.create_all(engine)
    t = TABLES
    with engine.begin() as conn:
        regions = [
            ("140100", "太原市", "city", None, None, None),
            (COUNTY, "晋源区", "county", "140100", 10000, 100),
            (TOWNSHIP, "晋祠镇", "township", COUNTY, None, None),
            (VILLAGE_A, "甲村", "village", TOWNSHIP, 1000, None),
            (VILLAGE_B, "乙村", "village", TOWNSHIP, 2000, None),
        ]
        keys = ("code", "name", "level", "parent_code", "population", "party_members_in_service")
        conn.execute(insert(t["region"]), [dict(zip(keys, row, strict=True)) for row in regions])
        base = {
            "is_model": False,
            "is_key": False,
            "county_code": COUNTY,
            "lon": 112.5,
            "lat": 37.7,
            "host": None,
            "full_time_staff": None,
        }
        conn.execute(
            insert(t["unit"]),
            [
                {**base, "id": CENTRE, "name": "晋源区新时代文明实践中心", "tier": "centre", "parent_id": None,
                 "region_code": COUNTY, "township_code": None, "full_time_staff": 5},
                {**base, "id": INSTITUTE, "name": "晋祠镇新时代文明实践所", "tier": "institute", "parent_id": CENTRE,
                 "region_code": TOWNSHIP, "township_code": TOWNSHIP},
                {**base, "id": STATION_A, "name": NAME_A, "tier": "station", "parent_id": INSTITUTE,
                 "region_code": VILLAGE_A, "township_code": TOWNSHIP, "host": "village"},
                {**base, "id": STATION_B, "name": NAME_B, "tier": "station", "parent_id": INSTITUTE,
                 "region_code": VILLAGE_B, "township_code": TOWNSHIP, "host": "village"},
            ],
        )  # fmt: skip
        conn.execute(insert(t["volunteer"]), _volunteers())
        conn.execute(
            insert(t["project"]),
            [
                {"id": 1, "name": "项目一", "unit_id": INSTITUTE, "county_code": COUNTY, "kind": "普惠",
                 "service_mode": "站点服务", "is_brand": False, "stage": "implementing",
                 "established_on": dt.date(2025, 9, 1), "implementing_on": dt.date(2025, 10, 1)},
                {"id": 2, "name": "项目二", "unit_id": INSTITUTE, "county_code": COUNTY, "kind": "特惠",
                 "service_mode": "结对服务", "is_brand": False, "stage": "recruiting",
                 "established_on": dt.date(2026, 3, 1), "implementing_on": None},
            ],
        )  # fmt: skip
        conn.execute(insert(t["activity"]), _activities())
        conn.execute(insert(t["media_report"]), MEDIA)
        conn.execute(insert(t["evaluation_meeting"]), MEETINGS)
        periods = [
            ("2025H2", (2025, 7, 1), (2025, 12, 31), "2025年下半年"),
            ("2026H1", (2026, 1, 1), (2026, 6, 30), "2026年上半年"),
        ]
        conn.execute(
            insert(t["evaluation_period"]),
            [{"id": i, "starts_on": dt.date(*a), "ends_on": dt.date(*b), "label": label} for i, a, b, label in periods],
        )
        conn.execute(insert(t["rubric_score"]), _scores())
        stars = {"period_id": "2026H1", "unit_id": STATION_A, "county_code": COUNTY, "stars": 4}
        conn.execute(insert(t["star_rating"]), [{**stars, "rated_on": dt.date(2026, 7, 30)}])
    engine.dispose()
    summarise(url)
