"""The orders page in real headless Chromium on the hand-made database: drill-down by clicking a bar (Altair
selection), a table row (st.dataframe selection) and a map dot (pydeck selection), back by the breadcrumb;
a link with bad values shows notices, never an exception."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.orders_fixture import fill
from tests.support.browser import chromium_page, exceptions_on_page, screenshot, wait_for_app
from tests.support.server import streamlit_server

pytestmark = pytest.mark.browser

MARCH = "period=custom&start=2026-03-01&end=2026-03-31"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on the fixture database (SQLite)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('orders-browser') / 'orders.sqlite'}"
    fill(url)
    with streamlit_server("app.py", {"DASHBOARD_DB_URL": url, "DASHBOARD_REFRESH_SECONDS": "3600"}) as base:
        yield base


def _settle(page) -> None:
    time.sleep(0.5)  # let the click's rerun start
    wait_for_app(page)


def _params(page) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(page.url).query).items()}


def test_drill_down_by_bar_row_and_map_then_back(server):
    with chromium_page() as (page, recorded):
        page.goto(f"{server}/orders?{MARCH}&view=drill")
        wait_for_app(page)
        bars = page.locator('[data-testid="stVegaLiteChart"] path[role="graphics-symbol"]')
        bars.nth(1).wait_for(state="attached", timeout=30_000)  # vega-embed draws after the run has ended
        labels = [bars.nth(i).get_attribute("aria-label") or "" for i in range(bars.count())]
        assert len(labels) == 2 and "晋源区" in labels[0]
        bars.first.click()  # the Altair point selection
        _settle(page)
        assert _params(page).get("county") == "140110"

        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's checkbox: 晋祠镇
        _settle(page)
        assert _params(page).get("township") == "140110001"

        deck = page.locator('[data-testid="stDeckGlJsonChart"]').first
        deck.scroll_into_view_if_needed()
        box = deck.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the township's one station
        _settle(page)
        assert _params(page).get("station") == "11"
        assert page.get_by_text("订单明细（4 单）").is_visible()
        screenshot(page, "orders-drilled-to-station")

        page.get_by_role("button", name="全市").click()
        _settle(page)
        assert not {"county", "township", "station"} & set(_params(page))
        assert exceptions_on_page(page) == []
        assert recorded.page_errors == []


def test_a_link_with_bad_values_shows_notices_that_last(server):
    with chromium_page() as (page, _recorded):
        page.goto(f"{server}/orders?{MARCH}&station=x&step=stuck&view=y")
        wait_for_app(page)
        _settle(page)  # the log-in cookie reruns the page once: the notices must survive it
        shown = "\n".join(page.locator('[data-testid="stAlert"]').all_inner_texts())
        for value in ("「x」", "「stuck」", "「y」"):
            assert value in shown
        assert not {"station", "step", "view"} & set(_params(page))
        assert exceptions_on_page(page) == []
        assert page.get_by_text("订单数").first.is_visible()
