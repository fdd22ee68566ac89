"""queries.publicity on the hand-made database (tests/targets_fixture.py), on SQLite and PostgreSQL.

Points per news item at its highest level: institutes and platforms 1/2/3/5, stations 2/3/4/6.
甲一所 (unit 2): s1 at city 2 + s2 province 3 + a keyless county item 1 = 6; 一村站 (unit 3): s3
national 6; the platform (unit 5): 2 + 2 + 1 + 1 + 1 + 3 = 10; 乙一所 (unit 7): national 5.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Connection

from dashboard.scope import Scope
from dashboard.targets import targets
from queries import publicity
from tests.support.apptest import metric, run_page
from tests.targets_fixture import A1, BACKENDS, PERIOD, PERIOD_PARAMS, A, B, connected, filled

ALL = Scope(None)


@pytest.fixture(scope="module", params=BACKENDS)
def conn(request, tmp_path_factory) -> Connection:
    with connected(request.param, tmp_path_factory.mktemp("publicity")) as connection:
        yield connection


def test_reports_by_county(conn: Connection) -> None:
    df = publicity.by_group(conn, ALL, PERIOD, "county")
    columns = ["code", "reports", "stories", "county", "city", "province", "national"]
    assert df[columns].values.tolist() == [[A, 13, 11, 7, 3, 2, 1], [B, 1, 1, 0, 0, 0, 1]]


def test_reports_by_township_and_unit(conn: Connection) -> None:
    townships = publicity.by_group(conn, ALL, replace(PERIOD, county=A), "township")
    assert townships[["code", "reports"]].values.tolist() == [["", 7], [A1, 6]]  # centre and platform first
    units = publicity.by_group(conn, ALL, replace(PERIOD, county=A, township=A1), "unit")
    assert units[["code", "tier", "reports", "stories"]].values.tolist() == [
        ["2", "institute", 4, 3],
        ["3", "station", 2, 1],
    ]


def test_points(conn: Connection) -> None:
    points = publicity.points_by_unit(conn, ALL, PERIOD)
    got = {r.unit_id: (r.tier, r.stories, r.points) for r in points.itertuples()}
    assert got == {2: ("institute", 3, 6.0), 3: ("station", 1, 6.0), 5: ("platform", 6, 10.0), 7: ("institute", 1, 5.0)}
    assert points["unit_id"].tolist() == [5, 2, 7, 3]  # by tier (platform, institute, station), then unit id
    by_county = publicity.points_by_group(conn, ALL, PERIOD, "county")
    assert dict(zip(by_county["code"], by_county["points"], strict=True)) == {A: 22.0, B: 5.0}
    by_unit = publicity.points_by_group(conn, Scope((B,)), PERIOD, "unit")
    assert by_unit.values.tolist() == [["7", 5.0]]


def test_yearly_minimums(conn: Connection) -> None:
    df = publicity.yearly_minimums(conn, ALL, PERIOD)
    got = {r.unit_id: (r.province, r.city, r.county) for r in df.itertuples()}
    # a national report counts towards the provincial minimum; December's report is outside the year
    assert got == {5: (1, 2, 3), 2: (1, 1, 2), 9: (0, 0, 0), 7: (1, 0, 0)}
    assert df["unit_id"].tolist()[0] == 5  # the county's platform before its townships' institutes
    goals = targets()
    wanted = {name: goals[f"media_min_{name}"].value for name in publicity.MINIMUM_LEVELS}
    assert wanted == {"province": 1, "city": 2, "county": 3}
    met = [all(getattr(r, name) >= value for name, value in wanted.items()) for r in df.itertuples()]
    assert dict(zip(df["unit_id"], met, strict=True)) == {5: True, 2: False, 9: False, 7: False}


def test_latest_reports(conn: Connection) -> None:
    latest = publicity.latest_reports(conn, ALL, PERIOD, 3)
    assert latest["title"].tolist() == ["报道12", "报道11", "报道10"]
    assert publicity.latest_reports(conn, Scope((B,)), PERIOD, 3)["title"].tolist() == ["报道14"]


@pytest.fixture(scope="module", params=BACKENDS)
def url(request, tmp_path_factory) -> str:
    with filled(request.param, tmp_path_factory.mktemp("publicity_page")) as db_url:
        yield db_url


def test_page_shows_the_hand_computed_figures(url: str) -> None:
    at = run_page("publicity", url, PERIOD_PARAMS)
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert metric(at, "报道篇数") == "14"
    assert metric(at, "新闻事项") == "12"
    assert metric(at, "省级及以上报道") == "4"
    assert metric(at, "媒体上稿得分") == "27"  # 6 + 6 + 10 + 5
    assert metric(at, "年度最低要求达标") == "1 / 4"  # only the platform
    table = at.dataframe[0].value
    assert table["得分"].tolist() == [22.0, 5.0]
