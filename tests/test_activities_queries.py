"""queries.activities on the hand-made database (tests/targets_fixture.py), on SQLite and PostgreSQL.

Stations of 甲区: S1 (unit 3) met the monthly rule in January and March (February's activity lacks
photos), S2 (unit 4) in January only; 乙县's S3 (unit 8) in February. Institute 甲一所 (unit 2) met it
every month, 甲二所 (unit 9) never.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Connection

from dashboard.scope import Scope
from queries import activities
from tests.support.apptest import metric, run_page, texts
from tests.targets_fixture import A1, BACKENDS, PERIOD, PERIOD_PARAMS, A, B, connected, filled

ALL = Scope(None)


@pytest.fixture(scope="module", params=BACKENDS)
def conn(request, tmp_path_factory) -> Connection:
    with connected(request.param, tmp_path_factory.mktemp("activities")) as connection:
        yield connection


def _cells(df, *columns):
    return {(r.code, r.month): tuple(getattr(r, c) for c in columns) for r in df.itertuples()}


def test_period_months() -> None:
    assert activities.period_months(PERIOD) == ["2026-01", "2026-02", "2026-03"]


def test_station_coverage_per_county(conn: Connection) -> None:
    df = activities.coverage_of(activities.monthly_rule(conn, ALL, PERIOD, "county", ("station",)), "station")
    assert set(df.groupby("code")["units"].first().items()) == {(A, 2), (B, 1)}
    assert _cells(df, "active", "met", "uploaded", "theory") == {
        (A, "2026-01"): (2, 2, 2, 1),
        (A, "2026-02"): (1, 0, 1, 0),  # S1's activity lacks photos; it was uploaded with its record
        (A, "2026-03"): (1, 1, 0, 0),  # complete but never uploaded
        (B, "2026-01"): (0, 0, 0, 0),
        (B, "2026-02"): (1, 1, 1, 0),  # a 茶乡微讲堂 is not a theory lecture
        (B, "2026-03"): (0, 0, 0, 0),
    }


def test_institute_coverage_per_township(conn: Connection) -> None:
    df = activities.coverage_of(
        activities.monthly_rule(conn, ALL, replace(PERIOD, county=A), "township", ("institute",)), "institute"
    )
    assert _cells(df, "units", "met", "theory") == {
        (A1, "2026-01"): (1, 1, 1),
        (A1, "2026-02"): (1, 1, 1),
        (A1, "2026-03"): (1, 1, 0),
        ("140110002", "2026-01"): (1, 0, 0),
        ("140110002", "2026-02"): (1, 0, 0),
        ("140110002", "2026-03"): (1, 0, 0),
    }


def test_rule_summary(conn: Connection) -> None:
    df = activities.summary_of(
        activities.monthly_rule(conn, ALL, PERIOD, "county", ("station",)),
        "station",
        len(activities.period_months(PERIOD)),
    ).set_index("code")
    assert df.loc[A, ["units", "months", "met_months", "every_month"]].tolist() == [2, 3, 3, 0]
    assert df.loc[A, "month_share"] == pytest.approx(0.5)
    assert df.loc[B, "month_share"] == pytest.approx(1 / 3)
    assert df.loc[B, "every_share"] == 0


def test_by_area_month(conn: Connection) -> None:
    got = {(r.month, r.content_area): r.activities for r in activities.by_area_month(conn, ALL, PERIOD).itertuples()}
    assert got == {
        ("2026-01", "learn_theory"): 2,
        ("2026-01", "cultivate_values"): 1,
        ("2026-01", "enrich_culture"): 1,
        ("2026-02", "enrich_culture"): 1,
        ("2026-02", "publicise_policy"): 1,
        ("2026-02", "learn_theory"): 1,
        ("2026-03", "reform_customs"): 1,
        ("2026-03", "learn_theory"): 1,
    }


def test_by_unit_levels(conn: Connection) -> None:
    counties = activities.by_unit(conn, ALL, PERIOD, "county")
    assert counties[["code", "activities", "complete", "theory", "participants"]].values.tolist() == [
        [A, 8, 7, 3, 171],
        [B, 1, 1, 0, 30],
    ]
    townships = activities.by_unit(conn, ALL, replace(PERIOD, county=A), "township")
    # the centre's campaign has no township: its row comes first, with an empty code
    assert townships[["code", "activities", "participants"]].values.tolist() == [["", 1, 100], [A1, 7, 71]]
    units = activities.by_unit(conn, ALL, replace(PERIOD, county=A, township=A1), "unit")
    assert units[["code", "tier", "activities"]].values.tolist() == [
        ["2", "institute", 3],
        ["3", "station", 3],
        ["4", "station", 1],
    ]


def test_meeting_coverage(conn: Connection) -> None:
    df = activities.meeting_coverage(conn, ALL, PERIOD, "county")
    # S1 met twice in the quarter (counted once); S2's meeting is in April; S3 met in March
    assert df[["code", "units", "quarter", "met"]].values.tolist() == [[A, 2, "2026-Q1", 1], [B, 1, "2026-Q1", 1]]


def test_chaxiang_coverage(conn: Connection) -> None:
    df = activities.chaxiang_coverage(conn, ALL, PERIOD)
    # only 乙县 ran 茶乡微讲堂: its one village of 乙一镇 is covered; 甲区 is left out
    assert df[["code", "villages", "covered"]].values.tolist() == [[B, 1, 1]]
    assert df.loc[0, "share"] == pytest.approx(1.0)
    assert activities.chaxiang_coverage(conn, Scope((A,)), PERIOD).empty


def test_scope_is_applied(conn: Connection) -> None:
    only_b = activities.coverage_of(
        activities.monthly_rule(conn, Scope((B,)), PERIOD, "county", ("station",)), "station"
    )
    assert set(only_b["code"]) == {B}
    assert activities.by_unit(conn, Scope((B,)), PERIOD, "county")["code"].tolist() == [B]


@pytest.fixture(scope="module", params=BACKENDS)
def url(request, tmp_path_factory) -> str:
    with filled(request.param, tmp_path_factory.mktemp("activities_page")) as db_url:
        yield db_url


def test_page_shows_the_hand_computed_figures(url: str) -> None:
    at = run_page("activities", url, PERIOD_PARAMS)
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert metric(at, "本期活动") == "9"
    assert metric(at, "材料齐全率") == "88.9%"  # 8 of 9
    assert metric(at, "参与群众（人次）") == "201"
    assert metric(at, "站点月度达标率") == "44.4%"  # (3 + 1) station-months of 3 stations × 3 months
    assert metric(at, "每月都达标的站") == "0.0%"
    assert at.dataframe[0].value["活动场次"].tolist() == [8, 1]
    assert "茶乡微讲堂" in texts(at)


def test_page_at_a_township_shows_units(url: str) -> None:
    at = run_page("activities", url, {**PERIOD_PARAMS, "county": A, "township": A1})
    assert not at.exception and not at.error
    assert at.dataframe[0].value["阵地"].tolist() == ["甲一所", "一村站", "二村站"]
