"""A small hand-made database for the volunteer, project, activity and publicity pages' queries.

Two counties: A = 140110 (population 1000, 10 in-service party members) with townships A1 (no
population of its own; villages V1 = 300 and V2 = 200) and A2 (population 400, no villages), and
B = 140121 (population 2000, 20 party members) with township B1 (villages V3 = 500).

Units: 1 centre A · 2 institute A1 · 3 station S1 (V1) · 4 station S2 (V2) · 5 platform A ·
6 centre B · 7 institute B1 · 8 station S3 (V3) · 9 institute A2.

The period is 2026-01-01 … 2026-03-31 (three months; the year of its end runs over the same dates);
"today" for stuck projects is 2026-04-30. Every expected figure in the tests is worked out by hand
from the rows below; the comments next to the rows say what each row is there to test.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, insert

from dashboard.db import reader_engine, writer_engine
from dashboard.filters import Filters
from dashboard.models import Base
from queries.common import TABLES
from tests.fixtures import REQUIRE_PG, database, pg_available, summarise

A, B = "140110", "140121"
A1, A2, B1 = "140110001", "140110002", "140121001"
V1, V2, V3 = "140110001001", "140110001002", "140121001001"
PERIOD = Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31), period_key="custom")
TODAY = dt.date(2026, 4, 30)
D = dt.date.fromisoformat


def _regions() -> list[dict]:
    def region(code, name, level, parent, population=None, party=None):
        return {
            "code": code,
            "name": name,
            "level": level,
            "parent_code": parent,
            "population": population,
            "party_members_in_service": party,
        }

    return [
        region("140100", "太原市", "city", None),
        region(A, "甲区", "county", "140100", 1000, 10),
        region(B, "乙县", "county", "140100", 2000, 20),
        region(A1, "甲一街道", "township", A),
        region(A2, "甲二镇", "township", A, 400),
        region(B1, "乙一镇", "township", B),
        region(V1, "一村", "village", A1, 300),
        region(V2, "二村", "village", A1, 200),
        region(V3, "三村", "village", B1, 500),
    ]


def _units() -> list[dict]:
    def unit(uid, name, tier, region_code, county, township):
        return {
            "id": uid,
            "name": name,
            "tier": tier,
            "region_code": region_code,
            "county_code": county,
            "township_code": township,
            "parent_id": None,
            "is_model": False,
            "is_key": False,
            "lon": 112.5,
            "lat": 37.7,
        }

    return [
        unit(1, "甲区中心", "centre", A, A, None),
        unit(2, "甲一所", "institute", A1, A, A1),
        unit(3, "一村站", "station", V1, A, A1),
        unit(4, "二村站", "station", V2, A, A1),
        unit(5, "甲区理论平台", "platform", A, A, None),
        unit(6, "乙县中心", "centre", B, B, None),
        unit(7, "乙一所", "institute", B1, B, B1),
        unit(8, "三村站", "station", V3, B, B1),
        unit(9, "甲二所", "institute", A2, A, A2),
    ]


def _teams() -> list[dict]:
    def team(tid, name, category, standing, level, unit_id, county, founded="2024-01-01"):
        return {
            "id": tid,
            "name": name,
            "category": category,
            "is_standing": standing,
            "level": level,
            "unit_id": unit_id,
            "county_code": county,
            "founded_on": D(founded),
        }

    return [
        team(1, "甲区宣讲队", "理论政策宣讲", True, "county", 1, A),
        team(2, "甲区文艺队", "文化文艺服务", True, "county", 1, A),  # the seeds' other spelling of 文化艺术服务
        team(3, "乙县法律队", "法律服务", True, "county", 6, B, "2026-05-01"),  # founded after the period
        team(4, "甲区巾帼队", "巾帼志愿服务队", False, "county", 1, A),  # a featured team (N)
        team(5, "甲一中队", "综合", False, "township", 2, A),  # not the corps: outside the 8+N matrix
        team(6, "甲区怪队", "未知类", True, "county", 1, A),  # standing but no such category: a bad row
    ]


def _volunteers() -> list[dict]:
    def person(vid, name, county, township, unit_id, team_id, registered, party, in_service, star, points):
        return {
            "id": vid,
            "name": name,
            "phone": None,
            "county_code": county,
            "township_code": township,
            "unit_id": unit_id,
            "team_id": team_id,
            "registered_on": D(registered),
            "is_party_member": party,
            "is_in_service_party_member": in_service,
            "star_level": star,
            "points": points,
        }

    return [
        person(1, "张三丰", A, A1, 3, 1, "2025-06-01", True, True, 2, 150),
        person(2, "李四", A, A1, 3, 1, "2026-02-10", False, False, 0, 50),
        person(3, "王五", A, A1, 4, None, "2026-04-01", True, True, 5, 4000),  # registered after the period
        person(4, "赵六", A, None, 1, 2, "2025-01-01", True, True, 3, 600),
        person(5, "钱七", B, B1, 8, 3, "2025-03-03", False, False, 1, 1000),
        person(6, "孙八", A, A2, 9, None, "2026-03-31", True, False, 4, 3000),  # party member, not in service
    ]


def _hours() -> list[dict]:
    rows = [(1, 1, A, "2026-01-05", 3.0), (2, 1, A, "2026-02-05", 2.0), (3, 2, A, "2026-03-01", 4.0)]
    rows += [(4, 4, A, "2026-01-20", 5.0), (5, 4, A, "2025-12-31", 7.0), (6, 5, B, "2026-02-02", 1.5)]
    return [
        {"id": i, "volunteer_id": v, "county_code": c, "served_on": D(d), "hours": h, "activity_id": None}
        for i, v, c, d, h in rows
    ]


def _projects() -> list[dict]:
    def project(pid, unit_id, county, kind, mode, brand, stage, demand, satisfaction, **dates):
        row = {
            "id": pid,
            "name": f"项目{pid}",
            "unit_id": unit_id,
            "county_code": county,
            "kind": kind,
            "service_mode": mode,
            "is_brand": brand,
            "stage": stage,
            "demand_score": demand,
            "satisfaction_rate": satisfaction,
        }
        for column in ("established", "recruiting", "implementing", "evaluating", "optimising", "closed"):
            value = dates.get(column)
            row[f"{column}_on"] = D(value) if value else None
        return row

    return [
        project(1, 2, A, "普惠", "站点服务", True, "implementing", 80, 0.9,
                established="2026-01-10", recruiting="2026-01-20", implementing="2026-02-01"),
        project(2, 2, A, "特惠", "结对服务", False, "recruiting", 50, None,
                established="2025-10-01", recruiting="2025-10-05"),  # stuck: 207 days recruiting
        project(3, 2, A, "互惠", "集中服务", False, "closed", 90, 0.95,
                established="2025-05-01", recruiting="2025-05-05", implementing="2025-06-01",
                closed="2025-12-01"),  # closed before the period: not running
        project(4, 5, A, "普惠", "点单配送", True, "established", 70, 0.8,
                established="2026-03-01"),  # stuck: 60 days after establishment (limit 45)
        project(5, 7, B, "普惠", "站点服务", False, "paused", 60, 0.7,
                established="2026-02-01"),  # unknown stage: a bad row
        project(6, 9, A, "特惠", "站点服务", False, "evaluating", 90, 1.0,
                established="2026-01-05", recruiting="2026-01-03", implementing="2026-01-10",
                evaluating="2026-02-01"),  # recruiting before established: a bad row
        project(7, 2, A, "普惠", "站点服务", False, "implementing", None, None,
                established="2026-02-15", recruiting="2026-02-20",
                implementing="2026-04-10"),  # carried out only after the year's end
        project(8, 2, A, "互惠", "集中服务", False, "closed", 65, 0.85,
                established="2025-11-01", recruiting="2025-11-05", implementing="2025-11-10",
                closed="2026-02-01"),  # closed within the period: running
    ]  # fmt: skip


def _activities() -> list[dict]:
    def act(aid, unit_id, county, township, held, area, kind, participants, uploaded=True, photos=True):
        return {
            "id": aid,
            "unit_id": unit_id,
            "county_code": county,
            "township_code": township,
            "held_on": D(held),
            "title": f"活动{aid}",
            "content_area": area,
            "kind": kind,
            "participants": participants,
            "volunteer_hours": 1.0,
            "has_plan": True,
            "has_record": True,
            "has_photos": photos,
            "has_results": True,
            "uploaded_at": dt.datetime.fromisoformat(f"{held}T20:00:00") if uploaded else None,
        }

    return [
        act(1, 3, A, A1, "2026-01-10", "learn_theory", "theory_lecture", 10),
        act(2, 3, A, A1, "2026-02-10", "enrich_culture", "general", 5, photos=False),  # materials incomplete
        act(3, 3, A, A1, "2026-03-05", "reform_customs", "general", 8, uploaded=False),  # complete, not uploaded
        act(4, 4, A, A1, "2026-01-20", "cultivate_values", "general", 7),
        act(5, 2, A, A1, "2026-01-15", "learn_theory", "theory_lecture", 20),
        act(6, 2, A, A1, "2026-02-15", "publicise_policy", "theory_lecture", 12),
        act(7, 2, A, A1, "2026-03-15", "learn_theory", "general", 9),
        act(8, 8, B, B1, "2026-02-01", "learn_theory", "chaxiang_lecture", 30),
        act(9, 1, A, None, "2026-01-01", "enrich_culture", "campaign", 100),
        act(10, 3, A, A1, "2025-12-31", "learn_theory", "general", 50),  # before the period
    ]


def _meetings() -> list[dict]:
    rows = [(1, 3, A, "2026-01-20"), (2, 3, A, "2026-02-20"), (3, 4, A, "2026-04-02"), (4, 8, B, "2026-03-30")]
    return [
        {"id": i, "unit_id": u, "county_code": c, "held_on": D(d), "topic": "评议", "participants": 5}
        for i, u, c, d in rows
    ]


def _reports() -> list[dict]:
    rows = [
        (1, 2, A, "county", "2026-01-05", "s1"),
        (2, 2, A, "city", "2026-01-06", "s1"),  # the same news item, higher level
        (3, 2, A, "province", "2026-02-01", "s2"),
        (4, 2, A, "county", "2026-02-10", None),  # no story key: an item of its own
        (5, 3, A, "county", "2026-03-01", "s3"),
        (6, 3, A, "national", "2026-03-02", "s3"),
        (7, 5, A, "city", "2026-01-10", "s4"),
        (8, 5, A, "city", "2026-02-10", "s5"),
        (9, 5, A, "county", "2026-03-10", "s6"),
        (10, 5, A, "county", "2026-03-11", "s7"),
        (11, 5, A, "county", "2026-03-12", "s8"),
        (12, 5, A, "province", "2026-03-13", "s9"),
        (13, 1, A, "county", "2026-01-01", "s10"),
        (14, 7, B, "national", "2026-02-02", "s11"),
        (15, 2, A, "county", "2025-12-20", "s12"),  # before the period
    ]
    return [
        {
            "id": i,
            "unit_id": u,
            "county_code": c,
            "level": level,
            "published_on": D(day),
            "outlet": "媒体",
            "title": f"报道{i}",
            "story_key": story,
        }
        for i, u, c, level, day, story in rows
    ]


def fill(url: str) -> None:
    """Create the schema at ``url`` and write the rows above."""
    engine = writer_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        for table, rows in (
            ("region", _regions()),
            ("unit", _units()),
            ("team", _teams()),
            ("volunteer", _volunteers()),
            ("service_hours", _hours()),
            ("project", _projects()),
            ("activity", _activities()),
            ("evaluation_meeting", _meetings()),
            ("media_report", _reports()),
        ):
            conn.execute(insert(TABLES[table]), rows)
    engine.dispose()
    summarise(url)


@contextlib.contextmanager
def filled(backend: str, tmp_dir) -> Iterator[str]:
    """The URL of the filled database on ``backend`` (skipped when PostgreSQL is away, unless required)."""
    if backend == "postgresql":
        reason = pg_available()
        if reason and not REQUIRE_PG:
            pytest.skip(reason)
    with database(backend, tmp_dir) as url:
        fill(url)
        yield url


@contextlib.contextmanager
def connected(backend: str, tmp_dir) -> Iterator[Connection]:
    """A read-only connection to the filled database on ``backend``."""
    with filled(backend, tmp_dir) as url:
        engine = reader_engine(url)
        with engine.connect() as connection:
            yield connection
        engine.dispose()


# The period of the fixture as URL parameters of the global filter bar.
PERIOD_PARAMS = {"period": "custom", "start": "2026-01-01", "end": "2026-03-31"}

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]
