"""Scorecards, ranks, stars and evidence on the hand-made database of tests/scorecard_fixture.py,
on SQLite and PostgreSQL: every expected figure is worked out by hand in that module's docstring."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from dashboard.db import reader_engine
from dashboard.filters import Filters
from dashboard.review_config import rubric_catalog, star_scale
from dashboard.scope import Scope
from dashboard.scoring import Period
from queries import centre_targets, evidence, rankings, scorecard
from tests import scorecard_fixture as fx
from tests.fixtures import database

H1 = Period("2026H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30), "2026年上半年")
H2 = Period("2025H2", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "2025年下半年")
AREA = Filters(H1.start, H1.end, period_key="custom")
YEAR = Filters(dt.date(2025, 7, 1), dt.date(2026, 6, 30), period_key="custom")
ALL = Scope(None)
STATION = "xixiang_station"


@pytest.fixture(scope="module")
def conn(backend, tmp_path_factory):
    with database(backend, tmp_path_factory.mktemp(f"scorecard-{backend}")) as url:
        fx.build(url)
        engine = reader_engine(url)
        with engine.connect() as connection:
            yield connection
        engine.dispose()


def _points(cards, unit_id: int, standard_id: str) -> float:
    row = cards[(cards["unit_id"] == unit_id) & (cards["standard_id"] == standard_id)]
    assert len(row) == 1
    return float(row.iloc[0]["points"])


def test_station_standards_scored_by_hand(conn):
    cards = scorecard.scorecards(conn, ALL, AREA, STATION, H1)
    assert len(cards) == 2 * 22
    a, b = fx.STATION_A, fx.STATION_B
    expected_a = {
        "S5-3-1": 9,
        "S5-3-2": 8,
        "S3-2-2": 2,
        "S5-2-1": 9,
        "S5-4-1": 13,
        "S3-1-3": 2,
        "S1-1-1": 1,
        "S6-1-2": 14,
    }
    expected_b = {"S5-3-1": 12, "S5-3-2": 12, "S3-2-2": 0, "S5-2-1": 12, "S5-4-1": 4, "S3-1-3": 0, "S7-1-1": 0}
    assert {sid: _points(cards, a, sid) for sid in expected_a} == expected_a
    assert {sid: _points(cards, b, sid) for sid in expected_b} == expected_b
    totals = cards.groupby("unit_id")["points"].sum()
    assert totals[a] == pytest.approx(98)
    assert totals[b] == pytest.approx(78)


def test_ranking_ranks_stars_and_change(conn):
    rubric = rubric_catalog()[STATION]
    cards = scorecard.scorecards(conn, ALL, AREA, STATION, H1)
    previous = scorecard.scorecards(conn, ALL, AREA, STATION, H2)
    ranked = scorecard.ranking(cards, previous, rubric, star_scale())
    rows = ranked.set_index("unit_id")
    assert list(ranked["unit_name"]) == [fx.NAME_A, fx.NAME_B]
    assert rows.loc[fx.STATION_A, "total"] == 98 and rows.loc[fx.STATION_B, "total"] == 78
    assert rows.loc[fx.STATION_A, "rank"] == 1 and rows.loc[fx.STATION_B, "rank"] == 2
    assert rows.loc[fx.STATION_A, "stars"] == 5 and rows.loc[fx.STATION_B, "stars"] == 3
    assert rows.loc[fx.STATION_A, "prev_total"] == 22.5 and rows.loc[fx.STATION_B, "prev_total"] == 64
    assert rows.loc[fx.STATION_A, "change"] == 1 and rows.loc[fx.STATION_B, "change"] == -1
    assert [scorecard.change_text(c) for c in ranked["change"]] == ["↑1", "↓1"]
    # category S5 活动开展 (51): 甲 5 (S5-1 entered in full) + 9 (meetings) + 9 + 8 (activities, uploads) + 13 (media)
    assert rows.loc[fx.STATION_A, "S5"] == 44
    # lost: lectures 4, meetings 3, activities 3, uploads 4, S1-1-1 1 (media and S6-1-2 are above their points)
    assert rows.loc[fx.STATION_A, "lost"] == 15


def test_lost_points_say_what_is_missing(conn):
    rubric = rubric_catalog()[STATION]
    cards = scorecard.scorecards(conn, ALL, AREA, STATION, H1)
    lost = scorecard.lost_points(cards, rubric, fx.STATION_A).set_index("standard_id")
    # 甲 lost: S3-2-2 4, S5-3-2 4, S5-2-1 3, S5-3-1 3, S1-1-1 1 (media and S6-1-2 exceed their points)
    assert lost["lost"].to_dict() == {"S3-2-2": 4, "S5-3-2": 4, "S5-2-1": 3, "S5-3-1": 3, "S1-1-1": 1}
    assert list(lost.index[:2]) == ["S3-2-2", "S5-3-2"]  # most recoverable first, then rubric order
    assert lost.loc["S5-3-1", "missing"] == (
        "2 个月没有活动记录：2025年10月、2026年2月；1 个月的活动材料不全（方案、记录、图片、成效）：2025年11月"
    )
    assert lost.loc["S5-2-1", "missing"] == "1 个季度没有召开文明实践评议会：2026年第1季度"
    assert lost.loc["S3-2-2", "missing"].startswith("8 个月没有理论宣讲：2025年7月、2025年9月")
    assert lost.loc["S1-1-1", "missing"].startswith("督查扣 1 分")
    b_lost = scorecard.lost_points(cards, rubric, fx.STATION_B).set_index("standard_id")
    assert b_lost.loc["S7-1-1", "missing"].startswith("督查组尚未录入分数")
    assert b_lost.loc["S3-1-3", "missing"] == "注册志愿者占常住人口 5.0%，目标 13%，还差 160 人"


def test_evidence_rows_behind_points(conn):
    detail, table = scorecard.standard_evidence(conn, ALL, AREA, STATION, H1, fx.STATION_A, "S5-4-1")
    assert detail == "3 条新闻（县级 0 条、市级 1 条、省级 1 条、国家级 1 条），合计 13 分"
    assert list(table["最高级别"]) == ["市级", "省级", "国家级"]
    assert list(table["报道次数"]) == [2, 1, 1]
    detail, table = scorecard.standard_evidence(conn, ALL, AREA, STATION, H1, fx.STATION_A, "S5-3-1")
    assert len(table) == 12 and list(table["计分"]).count("是") == 9
    assert table.iloc[4].tolist() == ["2025年11月", 1, 0, "否", "0"]
    detail, table = scorecard.standard_evidence(conn, ALL, AREA, STATION, H1, fx.STATION_A, "S1-1-1")
    assert detail == "市文明办督查组于 2026-07-20 10:00 录入 1 分"
    assert table.iloc[0]["录入条数"] == 2


def test_entered_scores_take_the_latest_entry(conn):
    scores = scorecard.entered_scores(conn, ALL, AREA, STATION, "2026H1", "station", fx.STATION_A)
    row = scores[scores["standard_id"] == "S1-1-1"].iloc[0]
    assert row["points"] == 1.0 and row["entries"] == 2
    assert len(scores) == 16


def test_centre_counts_the_county_records(conn):
    cards = scorecard.scorecards(conn, ALL, AREA, "shanxi_centre", H1)
    assert _points(cards, fx.CENTRE, "II-17-2") == 1.0
    assert _points(cards, fx.CENTRE, "II-14-4") == 0.0
    ranked = scorecard.ranking(cards, None, rubric_catalog()["shanxi_centre"], star_scale())
    assert ranked.iloc[0]["total"] == 1.0 and ranked.iloc[0]["stars"] == 1
    assert scorecard.change_text(ranked.iloc[0]["change"]) == "新"


def test_institute_projects_and_chaxiang(conn):
    cards = scorecard.scorecards(conn, ALL, AREA, "xixiang_institute", H1)
    assert _points(cards, fx.INSTITUTE, "I6-2-2") == pytest.approx(0.6)  # 1 of 10 projects carried out
    assert _points(cards, fx.INSTITUTE, "I2-2-2") == 4.0  # 1 of 2 villages (50% ≥ 30%)
    assert _points(cards, fx.INSTITUTE, "I3-1-2") == 0.0  # 240 of 3,000 (villages' sum) = 8%


def test_scope_and_area_restrict_the_units(conn):
    assert scorecard.scorecards(conn, Scope(("140121",)), AREA, STATION, H1).empty
    other_township = dataclasses.replace(AREA, county=fx.COUNTY, township="140110002")
    assert scorecard.scorecards(conn, ALL, other_township, STATION, H1).empty
    one = scorecard.scorecards(conn, ALL, AREA, STATION, H1, fx.STATION_B)
    assert set(one["unit_id"]) == {fx.STATION_B}


def test_evidence_queries(conn):
    months = evidence.activity_months(conn, ALL, YEAR, "station", fx.STATION_A)
    assert len(months) == 10
    nov = months[months["month"] == "2025-11"].iloc[0]
    assert (nov["activities"], nov["complete"], nov["uploaded"], nov["theory_lectures"]) == (1, 0, 1, 0)
    stories = evidence.media_stories(conn, ALL, YEAR, "station", fx.STATION_A)
    assert sorted(stories["level"]) == ["city", "national", "province"]
    assert evidence.media_unknown_levels(conn, ALL, YEAR) == 1
    shares = evidence.volunteer_shares(conn, ALL, YEAR, "station").set_index("unit_id")
    assert shares.loc[fx.STATION_A, "volunteers"] == 140 and shares.loc[fx.STATION_A, "population"] == 1000
    villages = evidence.chaxiang_villages(conn, ALL, YEAR)
    assert villages.set_index("village_code")["lectures"].to_dict() == {fx.VILLAGE_A: 0, fx.VILLAGE_B: 1}
    projects = evidence.projects_started(conn, ALL, YEAR, "institute")
    assert list(projects["name"]) == ["项目一", "项目二"]
    meetings = evidence.meeting_months(conn, ALL, YEAR, "station", fx.STATION_A)
    assert list(meetings["month"]) == ["2025-08", "2025-11", "2026-05"]


def test_compare_and_benchmark(conn):
    rubric = rubric_catalog()[STATION]
    now = scorecard.ranking(scorecard.scorecards(conn, ALL, AREA, STATION, H1), None, rubric, star_scale())
    before = scorecard.ranking(scorecard.scorecards(conn, ALL, AREA, STATION, H2), None, rubric, star_scale())
    compared = scorecard.compare_periods(before, now).set_index("unit_id")
    assert compared.loc[fx.STATION_A, "delta"] == 75.5 and compared.loc[fx.STATION_A, "rank_change"] == 1
    cards = scorecard.scorecards(conn, ALL, AREA, STATION, H1)
    bench = scorecard.benchmark(cards, now, rubric, fx.STATION_B).set_index("category_id")
    assert bench.loc["S5", "unit"] == 5 + 12 + 24 + 4  # 乙: entered 5, meetings 12, activities and uploads 24, media 4
    assert bench.loc["S5", "best"] == 44 and bench.loc["S5", "average"] == (44 + 45) / 2  # the best unit is 甲


def test_practice_rankings(conn):
    top = rankings.ranking(conn, ALL, YEAR, "station", "activities", "top", 5, 4, 5)
    assert list(top["name"]) == [fx.NAME_B, fx.NAME_A] and list(top["value"]) == [13, 10]
    bottom = rankings.ranking(conn, ALL, YEAR, "station", "activities", "bottom", 1, 4, 5)
    assert list(bottom["name"]) == [fx.NAME_A]
    projects = rankings.ranking(conn, ALL, YEAR, "project", "activities", "top", 5, 4, 5)
    assert list(projects["value"]) == [0, 0]
    with pytest.raises(ValueError):
        rankings.ranking(conn, ALL, YEAR, "project", "completed_orders", "top", 5, 4, 5)


def test_centre_targets(conn):
    centres = centre_targets.centres(conn, ALL, YEAR)
    assert centres[["unit_id", "staff", "media_province", "media_city", "media_county"]].values.tolist() == [
        [fx.CENTRE, 5, 0, 0, 0]
    ]
