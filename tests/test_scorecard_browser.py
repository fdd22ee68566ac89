"""What only a browser shows of the 评估考核 page: the traffic-light colours of the centres' targets and the
PDF and Excel files the download buttons build on click, on the hand-made database (SQLite)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from tests import scorecard_fixture as fx
from tests.fixtures import database
from tests.support.browser import chromium_page, exceptions_on_page, screenshot, wait_for_app
from tests.support.server import streamlit_server

pytestmark = pytest.mark.browser

REVIEW = f"review_period=2026年上半年&review_tier=站&county={fx.COUNTY}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with database("sqlite", tmp_path_factory.mktemp("review-browser")) as url:
        fx.build(url)
        with streamlit_server("app.py", {"DASHBOARD_DB_URL": url, "DASHBOARD_REFRESH_SECONDS": "3600"}) as base:
            yield base


def _pixels_near(image: Image.Image, colour: str, tolerance: int = 12) -> int:
    want = np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)])
    pixels = np.asarray(image.convert("RGB"), dtype=int)
    return int((np.abs(pixels - want) <= tolerance).all(axis=2).sum())


def test_target_lights_are_coloured(server):
    with chromium_page() as (page, _):
        page.goto(f"{server}/scorecards?{REVIEW}&review_tab=目标达成")
        wait_for_app(page)
        assert exceptions_on_page(page) == []
        table = page.locator("[data-testid=stDataFrame]").first
        image = Image.open(io.BytesIO(table.screenshot()))
        screenshot(page, "review-targets")
    # the centre: 5 staff of 6 is amber (≥ 80%); its volunteer share, party members and media are red
    assert _pixels_near(image, "#E0A100") > 200
    assert _pixels_near(image, "#C8102E") > 1000
    assert _pixels_near(image, "#2E8B57") == 0


def test_download_buttons_build_the_files(server):
    with chromium_page() as (page, _):
        page.goto(f"{server}/scorecards?{REVIEW}&review_tab=导出")
        wait_for_app(page)
        with page.expect_download(timeout=120000) as pdf_download:
            page.get_by_role("button", name="下载 PDF").click()
        pdf_bytes = pdf_download.value.path().read_bytes()
        with page.expect_download(timeout=120000) as excel_download:
            page.get_by_role("button", name="下载 Excel").click()
        book = load_workbook(io.BytesIO(excel_download.value.path().read_bytes()))
    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) == 5
    assert fx.NAME_A in reader.pages[1].extract_text()
    assert book.sheetnames == ["排行", f"001 {fx.NAME_A}", f"002 {fx.NAME_B}"]
