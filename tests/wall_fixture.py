"""A small hand-made database for the wall screen's tests, with every expected figure worked out by hand.

Two counties (晋源区 140110, 清徐县 140121), three units each (清徐县's station has no coordinates),
listed leader 1 assigned to 晋源区, five volunteers, three activities this month and thirteen orders
around ``NOW`` = 2026-11-20 15:30 (a Friday): steps reached today, yesterday, three days ago and just
after midnight tomorrow, orders waiting past their limits, one with an unknown status, one without
coordinates, one whose dispatch comes before its placing. The comments on each order say what it
counts for. At the end, how tests read the page: its HTML, a counter, the outage banner.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import insert

from dashboard.db import writer_engine
from dashboard.models import Base
from queries.common import TABLES
from tests.fixtures import summarise

NOW = dt.datetime(2026, 11, 20, 15, 30, 0)
TOMORROW = dt.datetime(2026, 11, 21, 0, 10, 0)
JINYUAN, QINGXU = "140110", "140121"
STEPS = ("drafted_at", "dispatched_at", "accepted_at", "completed_at", "rated_at", "closed_at")


def at(text: str) -> dt.datetime:
    """``'20 09:10'`` → 2026-11-20 09:10 (the day of November, then the time)."""
    day, time = text.split()
    return dt.datetime.fromisoformat(f"2026-11-{day}T{time}")


def _order(oid: int, county: str, status: str, placed: str, station: int, *, lon=112.5, lat=37.7, rating=None, **steps):
    times = {name: at(steps[name]) if name in steps else None for name in STEPS}
    reached = [t for t in (at(placed), *times.values()) if t is not None]
    return {
        "id": oid,
        "code": f"O{oid:04d}",
        "category": "助老助残" if oid % 2 else "政策咨询",
        "status": status,
        "requester_name": f"张{'三丰' if oid % 2 else '伟'}",
        "requester_phone": "13912345678",
        "station_id": station,
        "county_code": county,
        "township_code": f"{county}001",
        "lon": lon,
        "lat": lat,
        "dispatch_unit_id": 1 if county == JINYUAN else 4,
        "placed_at": at(placed),
        "rating": rating,
        "redispatch_count": 0,
        "updated_at": max(reached),
        **times,
    }


ORDERS = [
    # today: placed, dispatched (10 min), accepted (30 min), completed (2 h 20), rated (2 h)
    _order(1, JINYUAN, "rated", "20 09:00", 3, dispatched_at="20 09:10", accepted_at="20 09:40",
           completed_at="20 12:00", rated_at="20 14:00", rating=5),
    # today: placed, dispatched (20 min), accepted (40 min); in service 4.5 h: not overdue
    _order(2, JINYUAN, "accepted", "20 10:00", 3, dispatched_at="20 10:20", accepted_at="20 11:00"),
    # placed 20 minutes ago: waiting, not overdue (limit 30 min)
    _order(3, JINYUAN, "placed", "20 15:10", 3),
    # placed 90 minutes ago: overdue
    _order(4, JINYUAN, "placed", "20 14:00", 3),
    # placed and dispatched yesterday; accepted (11.5 h) and completed (5 h) today; waits for a rating
    _order(5, QINGXU, "completed", "19 20:00", 6, dispatched_at="19 20:30", accepted_at="20 08:00",
           completed_at="20 13:00"),
    # today: placed, dispatched (30 min); waiting 4 h for a volunteer: overdue (limit 2 h)
    _order(6, QINGXU, "dispatched", "20 11:00", 6, dispatched_at="20 11:30"),
    # today, a status the platform does not know: left off the map
    _order(7, QINGXU, "processing", "20 12:00", 6),
    # today, no coordinates: left off the map; waiting 2.5 h: overdue
    _order(8, QINGXU, "placed", "20 13:00", 6, lon=None, lat=None),
    # today, dispatched before it was placed: out of sequence, no duration; waiting 8.5 h: overdue
    _order(9, JINYUAN, "dispatched", "20 08:00", 3, dispatched_at="20 07:00"),
    # three days in service: overdue (limit 48 h); nothing today
    _order(10, JINYUAN, "accepted", "17 09:00", 3, dispatched_at="17 09:30", accepted_at="17 10:00"),
    # placed just after midnight tomorrow: not today yet, waiting (not overdue) now
    _order(11, QINGXU, "placed", "21 00:05", 6),
    # yesterday from start to end
    _order(12, JINYUAN, "rated", "19 09:00", 3, dispatched_at="19 09:05", accepted_at="19 09:30",
           completed_at="19 11:00", rated_at="19 12:00", rating=3),
    # today, cancelled before dispatch: placed today, not in flight
    _order(13, QINGXU, "cancelled", "20 09:30", 6, closed_at="20 09:50"),
]  # fmt: skip

# Expected figures, worked out from the comments above.
STEPS_TODAY = {"placed": 9, "drafted": 0, "dispatched": 4, "accepted": 3, "completed": 2, "rated": 1}
STEPS_TODAY_JINYUAN = {"placed": 5, "drafted": 0, "dispatched": 3, "accepted": 2, "completed": 1, "rated": 1}
MEDIANS = {"to_dispatch": 1200.0, "to_accept": 2400.0, "to_complete": 13200.0, "to_rate": 7200.0}
MEDIANS_JINYUAN = {"to_dispatch": 900.0, "to_accept": 2100.0, "to_complete": 8400.0, "to_rate": 7200.0}
OPEN = {"placed": (4, 2), "dispatched": (2, 2), "accepted": (2, 1)}  # status: (orders, overdue)
OPEN_JINYUAN = {"placed": (2, 1), "dispatched": (1, 1), "accepted": (2, 1)}
LATEST = ["O0003", "O0004", "O0001"]  # updated 15:10, 14:00 (id 4), 14:00 (id 1)
PLACED_TODAY = [1, 2, 3, 4, 6, 7, 8, 9, 13]


def _units() -> list[dict]:
    base = {"parent_id": None, "is_model": False, "is_key": False, "pilot_level": None}
    rows = []
    for first, county, name, lon, lat in ((1, JINYUAN, "晋源区", 112.48, 37.72), (4, QINGXU, "清徐县", 112.36, 37.60)):
        township = f"{county}001"
        rows += [
            {**base, "id": first, "name": f"{name}新时代文明实践中心", "tier": "centre", "region_code": county,
             "county_code": county, "township_code": None, "lon": lon, "lat": lat},
            {**base, "id": first + 1, "name": f"{name}一镇新时代文明实践所", "tier": "institute",
             "region_code": township, "county_code": county, "township_code": township, "lon": lon - 0.03,
             "lat": lat - 0.02, "parent_id": first},
            {**base, "id": first + 2, "name": f"{name}一村新时代文明实践站", "tier": "station",
             "region_code": township, "county_code": county, "township_code": township,
             "lon": None if county == QINGXU else lon + 0.02, "lat": None if county == QINGXU else lat + 0.01,
             "parent_id": first + 1},
        ]  # fmt: skip
    return rows


def fill(url: str) -> None:
    """Create the schema at ``url`` and insert the rows above."""
    engine = writer_engine(url)
    Base.metadata.create_all(engine)
    regions = [
        {"code": "140100", "name": "太原市", "level": "city", "parent_code": None, "population": None},
        {"code": JINYUAN, "name": "晋源区", "level": "county", "parent_code": "140100", "population": 250_000},
        {"code": QINGXU, "name": "清徐县", "level": "county", "parent_code": "140100", "population": 350_000},
        {"code": f"{JINYUAN}001", "name": "晋祠镇", "level": "township", "parent_code": JINYUAN, "population": None},
        {"code": f"{QINGXU}001", "name": "清源镇", "level": "township", "parent_code": QINGXU, "population": None},
    ]
    volunteers = [
        {"id": i, "name": f"志愿者{i}", "unit_id": 3 if i <= 3 else 6, "county_code": JINYUAN if i <= 3 else QINGXU,
         "registered_on": dt.date(2025, 3, i), "is_party_member": False, "is_in_service_party_member": False,
         "star_level": 0, "points": 0}
        for i in range(1, 6)
    ]  # fmt: skip
    activities = [
        {"id": i, "unit_id": unit_id, "county_code": county, "held_on": held_on, "title": "理论宣讲",
         "content_area": "learn_theory", "kind": "general", "participants": 10, "volunteer_hours": 5}
        for i, (unit_id, county, held_on) in enumerate(
            [(3, JINYUAN, dt.date(2026, 11, 2)), (3, JINYUAN, dt.date(2026, 11, 19)),
             (6, QINGXU, dt.date(2026, 11, 20)), (6, QINGXU, dt.date(2026, 10, 30))],
            start=1,
        )
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(TABLES["region"]), regions)
        conn.execute(insert(TABLES["unit"]), _units())
        conn.execute(insert(TABLES["volunteer"]), volunteers)
        conn.execute(insert(TABLES["activity"]), activities)
        conn.execute(insert(TABLES["service_order"]), ORDERS)
        conn.execute(insert(TABLES["leader"]), [{"id": 1, "name": "李新春", "title": "市委常委"}])
        conn.execute(insert(TABLES["leader_assignment"]), [{"leader_id": 1, "county_code": JINYUAN}])
    engine.dispose()
    summarise(url)


def page_html(at) -> str:
    """Every markdown body of an AppTest page, joined."""
    return "\n".join(str(m.value) for m in at.markdown)


def counter(at, name: str) -> str:
    """The text of the element carrying ``data-counter="name"`` (tags inside it dropped)."""
    match = re.search(rf'<(\w+)[^>]*data-counter="{re.escape(name)}"[^>]*>(.*?)</\1>', page_html(at), re.S)
    assert match, f"no counter {name!r}"
    return re.sub(r"<[^>]+>", "", match.group(2)).strip()


def banner(at) -> str:
    """The outage banner's text, empty when there is none."""
    match = re.search(r'class="wall-banner"[^>]*>(.*?)</div>', page_html(at), re.S)
    return match.group(1) if match else ""
