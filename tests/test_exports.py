"""Exports of the review: the Excel workbook, the PDF review pack (opened and its text extracted) and chart PNGs,
built from the scorecards of the hand-made database (tests/scorecard_fixture.py)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from dashboard.db import reader_engine
from dashboard.exports import charts, excel, pdf
from dashboard.filters import Filters
from dashboard.review_config import review_config, rubric_catalog, star_scale
from dashboard.scope import Scope
from dashboard.scoring import Period
from queries import scorecard
from tests import scorecard_fixture as fx
from tests.fixtures import database

H1 = Period("2026H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30), "2026年上半年")
H2 = Period("2025H2", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "2025年下半年")
AREA = Filters(H1.start, H1.end, period_key="custom")
HEADING = ["全市站2026年上半年评估", "评分细则：西乡县村（社区）新时代文明实践站建设工作考核细则（试行）", "范围：全市"]
RUBRIC = rubric_catalog()["xixiang_station"]


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    """(cards, ranked) of the stations in 2026H1, ranked against 2025H2."""
    with database("sqlite", tmp_path_factory.mktemp("exports")) as url:
        fx.build(url)
        engine = reader_engine(url)
        with engine.connect() as conn:
            cards = scorecard.scorecards(conn, Scope(None), AREA, RUBRIC.id, H1)
            previous = scorecard.scorecards(conn, Scope(None), AREA, RUBRIC.id, H2)
        engine.dispose()
    return cards, scorecard.ranking(cards, previous, RUBRIC, star_scale())


def test_excel_has_the_ranking_and_one_sheet_per_unit(review):
    cards, ranked = review
    book = load_workbook(io.BytesIO(excel.workbook(ranked, cards, RUBRIC, HEADING, star_scale(), 10)))
    assert book.sheetnames == ["排行", f"001 {fx.NAME_A}", f"002 {fx.NAME_B}"]
    sheet = book["排行"]
    assert [sheet.cell(row=i, column=1).value for i in (1, 2, 3)] == HEADING
    header = [c.value for c in sheet[5]]
    assert header[:9] == ["名次", "单位", "区县", "乡镇（街道）", "总分", "星级", "上期名次", "名次变化", "可挽回分"]
    assert [c.value for c in sheet[6]][:9] == [1, fx.NAME_A, "晋源区", "晋祠镇", 98, "五星", 2, "↑1", 15]
    assert [c.value for c in sheet[7]][:8] == [2, fx.NAME_B, "晋源区", "晋祠镇", 78, "三星", 1, "↓1"]
    unit = book[f"001 {fx.NAME_A}"]
    assert unit.cell(row=4, column=1).value == f"{fx.NAME_A}：总分 98，第 1 名，五星，可挽回 15 分"
    rows = [[c.value for c in row] for row in unit.iter_rows(min_row=7)]
    assert len(rows) == 22
    s531 = next(r for r in rows if r[2] == "S5-3-1")
    assert s531[4:8] == ["计算", 12, 9, 3]
    s111 = next(r for r in rows if r[2] == "S1-1-1")
    assert s111[10:12] == ["市文明办督查组", "2026-07-20 10:00"]


def test_excel_keeps_text_as_text_and_skips_unit_sheets_above_the_limit(review):
    cards, ranked = review
    hostile = ranked.assign(unit_name=['=HYPERLINK("http://x")', "@SUM(1)"])
    book = load_workbook(io.BytesIO(excel.workbook(hostile, cards, RUBRIC, HEADING, star_scale(), 1)))
    assert book.sheetnames == ["排行"]
    sheet = book["排行"]
    assert "超过 1 个" in sheet.cell(row=4, column=1).value
    cell = sheet.cell(row=7, column=2)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_sheet_names_are_valid_and_unique():
    taken = {"排行"}
    first = excel.sheet_name(1, "A/B:C*很长很长很长很长很长很长很长很长很长很长很长很长", taken)
    second = excel.sheet_name(1, "A/B:C*很长很长很长很长很长很长很长很长很长很长很长很长", taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert not set("/:*?[]\\") & set(first + second)


def test_pdf_pack_opens_with_expected_pages_and_text(review):
    cards, ranked = review
    chart = charts.png(charts.category_chart(ranked, RUBRIC))
    data = pdf.review_pack(ranked, cards, RUBRIC, "全市站2026年上半年评估材料", HEADING[1:], star_scale(), chart, 10)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 5  # cover, ranking, category chart, one page per unit
    texts = [page.extract_text() for page in reader.pages]
    assert "全市站2026年上半年评估材料" in texts[0]
    assert "一、排行" in texts[1] and fx.NAME_A in texts[1] and fx.NAME_B in texts[1]
    assert "二、各类别得分率" in texts[2]
    assert fx.NAME_A in texts[3] and "S5-3-1" in texts[3] and "2 个月没有活动记录" in texts[3]
    assert fx.NAME_B in texts[4] and "督查组尚未录入分数" in texts[4]
    font = reader.pages[1]["/Resources"]["/Font"]
    descriptors = [f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"] for f in font.values()]
    assert all("/FontFile2" in d.get_object() for d in descriptors)  # the CJK TrueType font is embedded


def test_pdf_pack_without_unit_pages_above_the_limit(review):
    cards, ranked = review
    chart = charts.png(charts.ranking_chart(ranked))
    data = pdf.review_pack(ranked, cards, RUBRIC, "材料", [], star_scale(), chart, 1)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 4
    assert "超过 1 个" in reader.pages[3].extract_text()


def test_chart_pngs_render_without_a_browser(review):
    cards, ranked = review
    bench = scorecard.benchmark(cards, ranked, RUBRIC, fx.STATION_B)
    compared = scorecard.compare_periods(ranked, ranked)
    for chart in (
        charts.ranking_chart(ranked, "总分排行"),
        charts.category_chart(ranked, RUBRIC),
        charts.benchmark_chart(bench, fx.NAME_B),
        charts.compare_chart(compared, "前", "后"),
    ):
        png = charts.png(chart)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(png)) as image:
            assert image.width > 300 and image.height > 100


def test_pdf_font_is_configured_and_installed():
    assert review_config().fonts.pdf_file.is_file(), "apt-get install fonts-wqy-microhei (scripts/lib.sh ensure_fonts)"
