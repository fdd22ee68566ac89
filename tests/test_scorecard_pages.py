"""The 评估考核 and 实践排行 pages in AppTest on the hand-made database (tests/scorecard_fixture.py), on
SQLite and PostgreSQL: the figures on screen are the hand-computed ones; a broken rubric stops the page
with a message naming the file and line."""

from __future__ import annotations

import shutil

import pytest

from dashboard import review_config, rubrics
from tests import scorecard_fixture as fx
from tests.fixtures import database
from tests.support.apptest import metric, run_page, texts

REVIEW = {"review_period": "2026年上半年", "review_tier": "站", "county": fx.COUNTY}
YEAR = {"period": "custom", "start": "2025-07-01", "end": "2026-06-30"}


@pytest.fixture(scope="module")
def url(backend, tmp_path_factory):
    with database(backend, tmp_path_factory.mktemp(f"review-pages-{backend}")) as db_url:
        fx.build(db_url)
        yield db_url


def _clean(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_ranking_tab(url):
    at = run_page("scorecards", url, REVIEW)
    _clean(at)
    assert metric(at, "参评单位") == "2"
    assert metric(at, "最高分") == "98"
    assert metric(at, "平均分") == "88.0"
    table = at.dataframe[0].value
    assert list(table["单位"]) == [fx.NAME_A, fx.NAME_B]
    assert list(table["变化"]) == ["↑1", "↓1"]
    assert list(table["平台评定星级"]) == ["四星", "—"]
    assert "五星 1 个" in texts(at) and "三星 1 个" in texts(at)


def test_unit_tab_down_to_the_evidence(url):
    params = {**REVIEW, "review_tab": "单位评分", "unit": str(fx.STATION_A), "standard": "S5-4-1 媒体上稿"}
    at = run_page("scorecards", url, params)
    _clean(at)
    assert metric(at, "总分") == "98 / 100"
    assert metric(at, "名次") == "1 / 2"
    assert metric(at, "星级").startswith("五星")
    shown = texts(at)
    assert "3 条新闻（县级 0 条、市级 1 条、省级 1 条、国家级 1 条），合计 13 分" in shown
    evidence = at.dataframe[-1].value
    assert list(evidence["最高级别"]) == ["市级", "省级", "国家级"]


def test_lost_points_tab(url):
    at = run_page("scorecards", url, {**REVIEW, "review_tab": "对标补短", "unit": str(fx.STATION_A)})
    _clean(at)
    assert metric(at, "可挽回分合计") == "15"
    assert metric(at, "其中平台数据可补") == "14"
    assert metric(at, "其中督查扣分") == "1"
    table = at.dataframe[0].value
    assert list(table["可挽回分"]) == [4, 4, 3, 3, 1]
    assert table.iloc[3]["缺什么"].startswith("2 个月没有活动记录：2025年10月、2026年2月")


def test_compare_targets_and_export_tabs(url):
    at = run_page("scorecards", url, {**REVIEW, "review_tab": "对比", "unit": str(fx.STATION_B)})
    _clean(at)
    compared = at.dataframe[0].value
    assert list(compared["2025年下半年总分"]) == [22.5, 64] and list(compared["总分变化"]) == [75.5, 14]
    at = run_page("scorecards", url, {**REVIEW, "review_tab": "目标达成"})
    _clean(at)
    lights = at.dataframe[0].value
    assert list(lights["文明实践中心"]) == ["晋源区新时代文明实践中心"]
    assert list(lights["专职人员（目标 6）"]) == ["5"]
    at = run_page("scorecards", url, {**REVIEW, "review_tab": "导出"})
    _clean(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:2] == ["下载 Excel", "下载 PDF"] and len(labels) == 5


def test_broken_rubric_stops_the_page_with_its_line(url, tmp_path, monkeypatch):
    broken = tmp_path / "rubrics"
    shutil.copytree(rubrics.RUBRICS_DIR, broken)
    path = broken / "xixiang_station.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("points: 6\n", "points: 7\n", 1), encoding="utf-8")
    monkeypatch.setattr(rubrics, "RUBRICS_DIR", broken)
    review_config.rubric_catalog.cache_clear()
    try:
        at = run_page("scorecards", url, REVIEW)
    finally:
        review_config.rubric_catalog.cache_clear()
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "评分细则文件 xixiang_station.yaml 第" in message and "行" in message


def test_rankings_page(url):
    params = {**YEAR, "rank_entity": "站", "rank_measure": "活动场次", "county": fx.COUNTY}
    at = run_page("rankings", url, params)
    _clean(at)
    table = at.dataframe[0].value
    assert list(table["名称"]) == [fx.NAME_B, fx.NAME_A] and list(table["活动场次"]) == [13, 10]
    at = run_page("rankings", url, {**params, "rank_entity": "志愿者", "rank_measure": "志愿服务时长（小时）"})
    _clean(at)
    assert "没有可排名的记录" in texts(at)
