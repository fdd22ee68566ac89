"""Every page of the running app in real headless Chromium: no exception, no error, nothing leaves the machine."""

from __future__ import annotations

import pytest

from dashboard.navigation import PAGES
from tests.support.browser import chromium_page, exceptions_on_page, external_requests, screenshot, wait_for_app
from tests.support.server import streamlit_server

pytestmark = pytest.mark.browser

QUERY = "?period=custom&start=2026-01-01&end=2026-11-20"


def _env(url: str) -> dict[str, str]:
    return {"DASHBOARD_DB_URL": url, "DASHBOARD_REFRESH_SECONDS": "3600"}


def _shows_app_navigation(page) -> bool:
    """app.py's navigation (Chinese titles), not Streamlit's file-name listing of pages/."""
    nav = page.locator("[data-testid=stSidebarNav]")
    names = nav.inner_text() if nav.count() else ""
    return all(spec.title in names for spec in PAGES[:2]) and "app" not in names.split()


@pytest.fixture(scope="module")
def server(small_demo):
    url, _ = small_demo
    with streamlit_server("app.py", _env(url)) as base:
        yield base


def test_every_page_opens_cleanly_in_chromium(server, backend):
    with chromium_page() as (page, recorded):
        for spec in PAGES:
            page.goto(f"{server}/{spec.url_path}{QUERY}")
            wait_for_app(page)
            assert exceptions_on_page(page) == [], spec.url_path
            assert page.get_by_text(spec.title).first.is_visible(), spec.url_path
            assert _shows_app_navigation(page), spec.url_path
            screenshot(page, f"page-{spec.url_path}-{backend}")
        assert external_requests(recorded) == []
        assert recorded.page_errors == []


def test_a_deep_link_as_first_request_still_runs_through_app_py(small_demo):
    url, _ = small_demo
    spec = PAGES[1]
    with streamlit_server("app.py", _env(url)) as base, chromium_page() as (page, _):
        page.goto(f"{base}/{spec.url_path}{QUERY}")
        wait_for_app(page)
        assert _shows_app_navigation(page)
        # app.py's wide layout: the main block spans most of the 1920 px window
        width = page.locator("[data-testid=stMainBlockContainer]").bounding_box()["width"]
        assert width > 1200
