"""Drill-down by row selection in real headless Chromium (only a browser can click a table row).

On the hand-made database (tests/targets_fixture.py, SQLite): choosing 甲区's row on the volunteers
page opens its townships, and the URL keeps the district like the filter bar does.
"""

from __future__ import annotations

import pytest

from tests.support.browser import chromium_page, exceptions_on_page, screenshot, wait_for_app
from tests.support.server import streamlit_server
from tests.targets_fixture import PERIOD_PARAMS, A, filled

pytestmark = pytest.mark.browser

ROW_HEIGHT = 35  # Streamlit's data grid: header and rows
WAIT_MS = 60_000  # the machine is shared: give a slow first run time (not a timed assertion)


def test_choosing_a_county_row_opens_its_townships(tmp_path) -> None:
    query = "&".join(f"{key}={value}" for key, value in PERIOD_PARAMS.items())
    with (
        filled("sqlite", tmp_path) as url,
        streamlit_server("app.py", {"DASHBOARD_DB_URL": url}) as base,
        chromium_page() as (page, recorded),
    ):
        page.goto(f"{base}/volunteers?{query}")
        wait_for_app(page)
        page.get_by_text("各区县达标情况").wait_for(timeout=WAIT_MS)
        page.locator("[data-testid=stDataFrame]").first.wait_for(timeout=WAIT_MS)
        grid = page.locator("[data-testid=stDataFrame]").first.bounding_box()
        page.mouse.click(grid["x"] + 18, grid["y"] + ROW_HEIGHT + ROW_HEIGHT / 2)  # 甲区's selection box
        page.wait_for_url(f"**county={A}**")
        wait_for_app(page)
        page.get_by_text("各乡镇（街道）达标情况").wait_for(timeout=WAIT_MS)
        assert page.get_by_text("各区县达标情况").count() == 0
        assert page.get_by_text("甲一街道").count() >= 1
        assert exceptions_on_page(page) == []
        assert recorded.page_errors == []
        screenshot(page, "volunteers-drilled-to-townships")
