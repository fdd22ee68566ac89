"""queries.volunteers on the hand-made database (tests/targets_fixture.py), on SQLite and PostgreSQL.

Expected figures are worked out by hand from the fixture's rows (period 2026-01-01 … 2026-03-31).
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import yaml
from sqlalchemy import Connection

from dashboard.drilldown import drill
from dashboard.errors import AssetError
from dashboard.scope import Scope
from dashboard.volunteering import VOLUNTEERS_FILE, load, volunteering
from queries import overview, volunteers
from tests.support.apptest import metric, run_page, texts
from tests.targets_fixture import A1, A2, BACKENDS, PERIOD, PERIOD_PARAMS, A, B, connected, filled

ALL = Scope(None)


@pytest.fixture(scope="module", params=BACKENDS)
def conn(request, tmp_path_factory) -> Connection:
    with connected(request.param, tmp_path_factory.mktemp("volunteers")) as connection:
        yield connection


def _row(df, code):
    return df.set_index("code").loc[code]


def test_county_participation(conn: Connection) -> None:
    df = volunteers.participation(conn, ALL, PERIOD, "county")
    assert df["code"].tolist() == [A, B]
    a = _row(df, A)
    # registered by 31 March: volunteers 1, 2, 4, 6 (3 registered in April)
    assert (a["volunteers"], a["population"], a["party_members"]) == (4, 1000, 10)
    # hours in the period: 1 → 3 + 2, 2 → 4, 4 → 5 (its December row is outside)
    assert (a["hours"], a["active"]) == (14.0, 3)
    # in-service party members who served: 1 (5 h) and 4 (5 h); 6 is a party member not in service
    assert (a["party_hours"], a["party_participants"]) == (10.0, 2)
    assert a["volunteer_share"] == pytest.approx(0.004)
    assert a["party_participation"] == pytest.approx(0.2)
    assert a["hours_per_party_member"] == pytest.approx(1.0)
    b = _row(df, B)
    assert (b["volunteers"], b["hours"], b["active"], b["party_participants"]) == (1, 1.5, 1, 0)
    assert b["volunteer_share"] == pytest.approx(0.0005)


def test_county_counts_equal_the_overview(conn: Connection) -> None:
    mine = volunteers.participation(conn, ALL, PERIOD, "county")
    theirs = overview.district_summary(conn, ALL, PERIOD, 4)
    assert mine["volunteers"].tolist() == theirs["volunteers"].tolist()


def test_township_population_falls_back_to_villages(conn: Connection) -> None:
    df = volunteers.participation(conn, ALL, replace(PERIOD, county=A), "township")
    assert df["code"].tolist() == [A1, A2]
    a1, a2 = _row(df, A1), _row(df, A2)
    assert (a1["volunteers"], a1["population"], a1["hours"], a1["party_hours"]) == (2, 500.0, 9.0, 5.0)
    assert a1["volunteer_share"] == pytest.approx(0.004)
    assert math.isnan(a1["party_participation"])  # party members are known per county only
    assert (a2["volunteers"], a2["population"], a2["hours"]) == (1, 400.0, 0.0)


def test_station_level(conn: Connection) -> None:
    df = volunteers.participation(conn, ALL, replace(PERIOD, county=A, township=A1), "station")
    assert df["code"].tolist() == ["3", "4"]
    assert _row(df, "3")[["volunteers", "population", "hours"]].tolist() == [2, 300.0, 9.0]
    assert _row(df, "3")["volunteer_share"] == pytest.approx(2 / 300)
    assert _row(df, "4")[["volunteers", "population"]].tolist() == [0, 200.0]


def test_scope_is_applied(conn: Connection) -> None:
    assert volunteers.participation(conn, Scope((B,)), PERIOD, "county")["code"].tolist() == [B]
    assert volunteers.participation(conn, Scope((B,)), replace(PERIOD, county=A), "township").empty
    assert volunteers.participation(conn, Scope(()), PERIOD, "county").empty


def test_registrations_and_hours_by_month(conn: Connection) -> None:
    months = volunteers.registrations_by_month(conn, ALL, PERIOD)
    got = {(r.county_code, r.month): r.registered for r in months.itertuples()}
    assert got == {(A, "2025-01"): 1, (A, "2025-06"): 1, (A, "2026-02"): 1, (A, "2026-03"): 1, (B, "2025-03"): 1}
    hours = volunteers.hours_by_month(conn, ALL, PERIOD)
    assert hours.to_dict("list") == {
        "month": ["2026-01", "2026-02", "2026-03"],
        "hours": [8.0, 3.5, 4.0],
        "party_hours": [8.0, 2.0, 0.0],
    }


def test_stars_and_points(conn: Connection) -> None:
    graded = volunteers.grades(conn, ALL, PERIOD, (100, 500, 1000, 3000))
    stars = volunteers.star_levels(graded)
    assert {(r.county_code, r.star_level): r.volunteers for r in stars.itertuples()} == {
        (A, 0): 1,
        (A, 2): 1,
        (A, 3): 1,
        (A, 4): 1,
        (B, 1): 1,
    }
    bands = volunteers.points_bands(graded)
    # 150 → 1, 50 → 0, 600 → 2, 3000 → 4 (a bound starts its band), 1000 → 3
    assert {(r.county_code, r.band): r.volunteers for r in bands.itertuples()} == {
        (A, 0): 1,
        (A, 1): 1,
        (A, 2): 1,
        (A, 4): 1,
        (B, 3): 1,
    }
    # bounds other than the summary's (volunteers.yaml's): every volunteer counted from the platform's rows
    other = volunteers.points_bands(volunteers.grades(conn, ALL, PERIOD, (200, 1000)))
    assert {(r.county_code, r.band): r.volunteers for r in other.itertuples()} == {
        (A, 0): 2,
        (A, 1): 1,
        (A, 2): 1,
        (B, 2): 1,
    }


def test_top_lists(conn: Connection) -> None:
    people = volunteers.top_volunteers(conn, ALL, PERIOD, 3)
    assert people["id"].tolist() == [1, 4, 2]  # 5 h, 5 h (tie broken by id), 4 h
    assert people["hours"].tolist() == [5.0, 5.0, 4.0]
    assert people.loc[0, "unit_name"] == "一村站"
    teams = volunteers.top_teams(conn, ALL, PERIOD, 10)
    assert teams[["id", "members", "hours"]].values.tolist() == [[1, 2, 9.0], [2, 1, 5.0], [3, 1, 1.5]]
    assert volunteers.top_volunteers(conn, Scope((B,)), PERIOD, 3)["id"].tolist() == [5]


def test_eight_plus_n_matrix(conn: Connection) -> None:
    counts = volunteers.team_counts(conn, ALL, PERIOD)
    matrix, unknown, others = volunteers.team_matrix(counts, volunteering())
    a, b = matrix.iloc[0], matrix.iloc[1]
    assert (a["区县"], b["区县"]) == ("甲区", "乙县")
    assert (a["理论政策宣讲"], a["文化艺术服务"], a["法律服务"]) == (1, 1, 0)  # 文化文艺服务 is an alias
    assert (a["特色队伍（N）"], a["常备类别缺项"]) == (1, 6)
    # 乙县's only team was founded after the period: every category is a gap
    assert (b["法律服务"], b["特色队伍（N）"], b["常备类别缺项"]) == (0, 0, 8)
    assert unknown == 1
    assert others == {"township": 1}


@pytest.fixture(scope="module", params=BACKENDS)
def url(request, tmp_path_factory) -> str:
    with filled(request.param, tmp_path_factory.mktemp("volunteers_page")) as db_url:
        yield db_url


def test_page_shows_the_hand_computed_figures(url: str) -> None:
    at = run_page("volunteers", url, PERIOD_PARAMS)
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert metric(at, "注册志愿者") == "5"  # 4 in 甲区 + 1 in 乙县
    assert metric(at, "志愿者占常住人口") == "0.2%"  # 5 ÷ 3000
    assert metric(at, "在职党员参与率") == "6.7%"  # 2 ÷ 30
    assert metric(at, "在职党员人均服务时长") == "0.3 小时"  # 10 h ÷ 30
    assert metric(at, "本期参与服务的志愿者") == "4"
    table = at.dataframe[0].value
    assert table["区县"].tolist() == ["甲区", "乙县"] and table["注册志愿者"].tolist() == [4, 1]
    people = at.dataframe[1].value
    assert people["姓名"].tolist()[:2] == ["张**", "赵*"]  # masked for the publicity role
    assert "共 14 个常备类别缺队伍" in texts(at)  # 6 in 甲区, 8 in 乙县


def test_page_drills_down_to_townships(url: str) -> None:
    at = run_page("volunteers", url, {**PERIOD_PARAMS, "county": A})
    assert not at.exception and not at.error
    assert metric(at, "注册志愿者") == "4"
    assert at.dataframe[0].value["乡镇（街道）"].tolist() == ["甲一街道", "甲二镇"]


def test_traffic_light_boundaries() -> None:
    rules = volunteering()
    assert rules.amber_from == 0.8
    assert [rules.light(v, 0.13) for v in (0.13, 0.2, 0.105, 0.103, None, float("nan"))] == [
        "green",
        "green",
        "amber",
        "red",
        "unknown",
        "unknown",
    ]
    assert rules.light(5, None) == "unknown"
    assert rules.points_band_labels() == ("100 分以下", "100–499 分", "500–999 分", "1000–2999 分", "3000 分及以上")


def test_broken_volunteers_file_is_refused(tmp_path) -> None:
    raw = yaml.safe_load(VOLUNTEERS_FILE.read_text(encoding="utf-8"))
    raw["standing_team_categories"][2]["aliases"] = ["理论政策宣讲"]  # a name used twice
    broken = tmp_path / "volunteers.yaml"
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(AssetError, match="volunteers.yaml.*理论政策宣讲"):
        load(broken)
    raw = yaml.safe_load(VOLUNTEERS_FILE.read_text(encoding="utf-8"))
    raw["points_band_bounds"] = [500, 100]
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(AssetError, match="points_band_bounds"):
        load(broken)


def test_drill_levels() -> None:
    assert drill(PERIOD).level == "county"
    assert drill(replace(PERIOD, county=A)).level == "township"
    assert (drill(replace(PERIOD, county=A, township=A1)).level, drill(replace(PERIOD, township=A1)).can_descend) == (
        "unit",
        False,
    )
