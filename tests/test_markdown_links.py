"""Markdown links in database text: ``ui.escape`` keeps a unit named ``[点此](http://evil)`` from becoming a
link (or an image) wherever its output is shown as markdown, and the name still reads exactly as stored.

In AppTest the 评估考核 page (its subheader and a metric's delta are markdown) is rendered on the hand-made
database with such a unit on SQLite and PostgreSQL; in real Chromium the same page shows the name as
typed, with no backslash and no link behind "点此". (GFM still turns the bare URL into a link, one that shows
its own address: what remains is no disguised link.)
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import update

from dashboard import ui
from dashboard.db import writer_engine
from dashboard.models import Base
from tests import scorecard_fixture as fx
from tests.fixtures import database
from tests.support.apptest import run_page
from tests.support.browser import chromium_page, exceptions_on_page, wait_for_app
from tests.support.server import streamlit_server

LINK_NAME = "[点此](http://evil.example)"
IMAGE_NAME = "![图](http://evil.example/x.png)站"
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(")  # what markdown reads as the start of a link or an image
REVIEW = {"review_period": "2026年上半年", "review_tier": "站", "county": fx.COUNTY}


def _shown(markdown: str) -> str:
    """The text a reader sees of an escaped markdown body: character references read as their characters."""
    return html.unescape(markdown)


def test_escape_neutralises_links_and_images_and_reads_as_typed() -> None:
    for name in (LINK_NAME, IMAGE_NAME, "<b>甲</b> & [x][1]\n\n[1]: http://evil.example"):
        escaped = ui.escape(name)
        assert not MARKDOWN_LINK.search(escaped) and not set("[]<>") & set(escaped), escaped
        assert "\\" not in escaped and _shown(escaped) == name


def _with_unit_named(url: str, name: str) -> None:
    fx.build(url)
    unit = Base.metadata.tables["unit"]
    with writer_engine(url).begin() as conn:
        conn.execute(update(unit).where(unit.c.id == fx.STATION_A).values(name=name))


@pytest.fixture(scope="module")
def url(backend, tmp_path_factory):
    with database(backend, tmp_path_factory.mktemp(f"markdown-links-{backend}")) as db_url:
        _with_unit_named(db_url, LINK_NAME)
        yield db_url


def test_a_unit_named_as_a_link_shows_as_text_on_the_review_page(url) -> None:
    at = run_page("scorecards", url, {**REVIEW, "review_tab": "单位评分", "unit": str(fx.STATION_A)})
    assert not at.exception and not at.error
    heading = at.subheader[0].value
    assert not MARKDOWN_LINK.search(heading) and "\\" not in heading
    assert _shown(heading) == LINK_NAME

    at = run_page("scorecards", url, REVIEW)
    assert not at.exception and not at.error
    best = next(m for m in at.metric if m.label == "最高分")
    assert not MARKDOWN_LINK.search(best.proto.delta) and _shown(best.proto.delta) == LINK_NAME
    assert list(at.dataframe[0].value["单位"])[0] == LINK_NAME  # tables show text as it is


@pytest.mark.browser
def test_a_unit_named_as_a_link_is_no_link_in_the_browser(tmp_path) -> None:
    with database("sqlite", tmp_path) as db_url:
        _with_unit_named(db_url, LINK_NAME)
        with (
            streamlit_server("app.py", {"DASHBOARD_DB_URL": db_url, "DASHBOARD_REFRESH_SECONDS": "3600"}) as base,
            chromium_page() as (page, _),
        ):
            _check_heading(page, base)


def _check_heading(page, base: str) -> None:
    """Open the unit's scorecard: its heading reads as the name typed, and nothing links to the name's URL."""
    query = "&".join(f"{k}={v}" for k, v in {**REVIEW, "review_tab": "单位评分"}.items())
    page.goto(f"{base}/scorecards?{query}&unit={fx.STATION_A}")
    wait_for_app(page)
    heading = page.locator("[data-testid=stMain] [data-testid=stHeading] h3").first
    heading.wait_for(timeout=60_000)
    assert heading.inner_text().strip() == LINK_NAME
    assert page.get_by_role("link", name="点此").count() == 0
    # GFM still links a bare URL, but such a link shows where it goes: no text can disguise its target.
    for link in page.locator("[data-testid=stMain] a[href^='http'][href*='evil']").all():
        assert link.inner_text() == link.get_attribute("href")
    assert exceptions_on_page(page) == []
