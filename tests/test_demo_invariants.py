"""The demo on SQLite and PostgreSQL: Taiyuan's real structure, and invariants every row must keep."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from dashboard import geo
from dashboard.demo.config import load_structure
from tests.fixtures import FIXED_NOW, build_small_demo, database

STRUCTURE = load_structure()


def rows(url: str, sql: str, **params) -> list[tuple]:
    engine = create_engine(url)
    with engine.connect() as conn:
        out = [tuple(r) for r in conn.execute(text(sql), params)]
    engine.dispose()
    return out


def scalar(url: str, sql: str, **params):
    return rows(url, sql, **params)[0][0]


def test_taiyuan_totals(small_demo):
    url, _ = small_demo
    tiers = dict(rows(url, "SELECT tier, COUNT(*) FROM unit GROUP BY tier"))
    assert (tiers["centre"], tiers["institute"], tiers["station"]) == (10, 101, 1394)
    assert tiers["platform"] == 50  # five service platforms per centre
    assert scalar(url, "SELECT COUNT(*) FROM region WHERE level = 'county'") == 10


def test_named_centres_and_pilot_levels(small_demo):
    url, _ = small_demo
    got = dict(rows(url, "SELECT name, pilot_level FROM unit WHERE tier = 'centre'"))
    assert got["晋源区新时代文明实践中心"] == "central"
    assert got["清徐县新时代文明实践中心"] == "provincial"
    city_pilots = {n for n, level in got.items() if level == "city"}
    assert len(city_pilots) == 8
    for d in STRUCTURE.districts:
        assert f"{d.name}新时代文明实践中心" in got


def test_named_pilot_townships_and_villages(small_demo):
    url, _ = small_demo
    found = set(
        rows(
            url,
            "SELECT c.name, r.name FROM unit u JOIN region r ON r.code = u.region_code "
            "JOIN region c ON c.code = u.county_code WHERE u.tier IN ('institute', 'station')",
        )
    )
    for d in STRUCTURE.districts:
        for township in d.pilot_townships:
            assert (d.name, township) in found, township
        for _, village in d.pilot_villages:
            assert (d.name, village) in found, village
    # the village sits in the township the seed names
    assert rows(
        url,
        "SELECT t.name FROM region v JOIN region t ON t.code = v.parent_code "
        "WHERE v.name = '南环社区' AND v.code LIKE '140105%'",
    ) == [("平阳路街道",)]


def test_leaders_and_their_districts(small_demo):
    url, _ = small_demo
    pairs = rows(
        url,
        "SELECT l.name, r.name FROM leader l JOIN leader_assignment a ON a.leader_id = l.id "
        "JOIN region r ON r.code = a.county_code ORDER BY l.id",
    )
    assert len(pairs) == 11
    assert ("李新春", "晋源区") in pairs
    assert sorted(n for n, d in pairs if d == "清徐县") == ["杨继承", "胡建林"]
    assert {d for _, d in pairs} == {d.name for d in STRUCTURE.districts}


def test_every_station_belongs_to_an_institute_of_a_centre(small_demo):
    url, _ = small_demo
    broken = scalar(
        url,
        "SELECT COUNT(*) FROM unit s LEFT JOIN unit i ON i.id = s.parent_id AND i.tier = 'institute' "
        "LEFT JOIN unit c ON c.id = i.parent_id AND c.tier = 'centre' "
        "WHERE s.tier = 'station' AND (c.id IS NULL OR c.county_code <> s.county_code "
        "OR i.township_code <> s.township_code)",
    )
    assert broken == 0


STEPS = ["placed_at", "drafted_at", "dispatched_at", "accepted_at", "completed_at", "rated_at"]


def test_no_order_step_is_earlier_than_the_step_before(small_demo):
    url, _ = small_demo
    assert scalar(url, "SELECT COUNT(*) FROM service_order") > 5000
    for i, later in enumerate(STEPS[1:], start=1):
        for earlier in STEPS[:i]:
            bad = scalar(url, f"SELECT COUNT(*) FROM service_order WHERE {later} < {earlier}")
            assert bad == 0, f"{later} before {earlier} in {bad} orders"
    assert scalar(url, "SELECT COUNT(*) FROM service_order WHERE closed_at < placed_at") == 0
    latest = scalar(url, "SELECT MAX(updated_at) FROM service_order")
    assert str(latest)[:19].replace("T", " ") <= FIXED_NOW.isoformat(sep=" ")
    today = scalar(url, "SELECT COUNT(*) FROM service_order WHERE placed_at >= :d", d=FIXED_NOW.date().isoformat())
    assert today > 0  # the day the data ends has orders in flight


def test_status_matches_the_steps_reached(small_demo):
    url, _ = small_demo
    statuses = dict(rows(url, "SELECT status, COUNT(*) FROM service_order GROUP BY status"))
    assert set(statuses) <= {
        "placed",
        "drafted",
        "dispatched",
        "redispatched",
        "accepted",
        "completed",
        "rated",
        "refused",
        "cancelled",
    }
    assert statuses["rated"] > statuses["completed"] > 0
    assert statuses["refused"] > 0 and statuses["cancelled"] > 0
    assert scalar(url, "SELECT COUNT(*) FROM service_order WHERE status = 'rated' AND rating IS NULL") == 0
    assert scalar(url, "SELECT COUNT(*) FROM service_order WHERE status = 'accepted' AND accepted_at IS NULL") == 0
    assert scalar(url, "SELECT COUNT(*) FROM service_order WHERE rating < 1 OR rating > 5") == 0


def test_every_point_is_inside_its_district(small_demo):
    url, _ = small_demo
    for table in ("unit", "service_order"):
        data = rows(url, f"SELECT county_code, lon, lat FROM {table}")
        assert all(lon is not None for _, lon, _ in data)
        by_county: dict[str, list] = {}
        for code, lon, lat in data:
            by_county.setdefault(code, []).append((lon, lat))
        for code, points in by_county.items():
            arr = np.array(points)
            inside = geo.contains(code, arr[:, 0], arr[:, 1])
            assert inside.all(), f"{(~inside).sum()} points of {table} outside {code}"


def test_districts_differ(small_demo):
    url, _ = small_demo
    share = dict(
        rows(
            url,
            "SELECT r.name, 1.0 * COUNT(v.id) / r.population FROM region r JOIN volunteer v ON v.county_code = r.code "
            "WHERE r.level = 'county' GROUP BY r.name, r.population",
        )
    )
    # at 2% volume the shares are 2% of the configured ones: compare relative to each other
    assert share["晋源区"] > 3 * share["娄烦县"]
    months = rows(
        url,
        "SELECT u.county_code, COUNT(DISTINCT a.unit_id) FROM activity a JOIN unit u ON u.id = a.unit_id "
        "WHERE u.tier = 'station' GROUP BY u.county_code",
    )
    assert len(months) == 10


def test_inspector_scores_for_two_half_years(small_demo):
    url, _ = small_demo
    periods = [r[0] for r in rows(url, "SELECT DISTINCT period_id FROM rubric_score ORDER BY period_id")]
    assert periods == ["2025H2", "2026H1"]
    centres = scalar(
        url,
        "SELECT COUNT(DISTINCT unit_id) FROM rubric_score WHERE rubric_id = :r AND period_id = :p",
        r="shanxi_centre",
        p="2026H1",
    )
    assert centres == 10
    levels = {r[0] for r in rows(url, "SELECT DISTINCT level FROM media_report")}
    assert levels == {"county", "city", "province", "national"}


@pytest.mark.parametrize("backend_name", ["sqlite"])
def test_same_seed_same_data(backend_name, tmp_path):
    digests = []
    for _ in range(2):
        with database(backend_name, tmp_path) as url:
            build_small_demo(url, scale="county", volume=0.05)
            digests.append(
                rows(
                    url,
                    "SELECT COUNT(*), SUM(station_id), SUM(COALESCE(rating, 0)), MAX(placed_at), MIN(requester_name) "
                    "FROM service_order",
                )
                + rows(url, "SELECT COUNT(*), SUM(lon), SUM(lat) FROM unit")
                + rows(url, "SELECT COUNT(*), SUM(participants) FROM activity")
            )
    assert digests[0] == digests[1]
    with database(backend_name, tmp_path) as url:
        build_small_demo(url, scale="county", volume=0.05, seed=8)
        other = rows(url, "SELECT COUNT(*), SUM(station_id), SUM(COALESCE(rating, 0)) FROM service_order")
    assert other[0] != digests[0][0][:3]


def test_bad_rows_are_injected_as_asked(empty_db):
    report = build_small_demo(empty_db, scale="county", volume=0.05, bad_rows=3)
    assert {k: len(v) for k, v in report.spoiled.items()} == {
        "units_without_coordinates": 3,
        "unknown_status": 3,
        "steps_out_of_order": 3,
    }
    assert scalar(empty_db, "SELECT COUNT(*) FROM unit WHERE lon IS NULL") == 3
    assert scalar(empty_db, "SELECT COUNT(*) FROM service_order WHERE accepted_at < dispatched_at") == 3
