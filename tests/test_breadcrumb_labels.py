"""The orders page's breadcrumb in AppTest, on SQLite and PostgreSQL, with a township and a station named with
markdown's ``[``, ``*`` and ``_``: each step's label is the name made literal (``ui.markdown_literal``), so
markdown shows the name as typed, no emphasis and no link."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from dashboard.db import writer_engine
from dashboard.models import Base
from tests.fixtures import database
from tests.orders_fixture import T1, fill
from tests.support.apptest import run_page

TOWNSHIP = "晋祠镇_[东]*区*_"
STATION = "赤桥村[点此](http://evil.example)*站*_1_"
MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}


def _as_typed(markdown: str) -> str:
    """What markdown shows of a label whose every punctuation character is backslash-escaped."""
    assert not re.search(r"(?<!\\)[*_\[\]]", markdown), markdown
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.fixture(scope="module")
def url(backend, tmp_path_factory):
    """The orders fixture with the township 140110001 and the station 11 renamed."""
    with database(backend, tmp_path_factory.mktemp("breadcrumb")) as db_url:
        fill(db_url)
        tables = Base.metadata.tables
        with writer_engine(db_url).begin() as conn:
            conn.execute(update(tables["region"]).where(tables["region"].c.code == T1).values(name=TOWNSHIP))
            conn.execute(update(tables["unit"]).where(tables["unit"].c.id == 11).values(name=STATION))
        yield db_url


def test_breadcrumb_labels_show_markdown_characters_as_typed(url):
    at = run_page("orders", url, {**MARCH, "view": "drill", "station": "11"})
    assert not at.exception and not at.error, [e.value for e in (*at.exception, *at.error)]
    township = at.button(key="crumb_2").label
    assert township.startswith("› ") and _as_typed(township[2:]) == TOWNSHIP
    current = next(m.value for m in at.markdown if m.value.startswith("**› "))
    assert current.endswith("**") and _as_typed(current[4:-2]) == STATION
