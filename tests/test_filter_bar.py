"""The global filter bar on the hand-made orders of tests/orders_fixture.py, on SQLite and PostgreSQL:
the order counts beside every option (computed by hand), scope, and notices that outlast the log-in rerun.

Orders placed in March 2026 (the fixture's table): 晋源区 8 (晋祠镇 1, 2, 5, 6; 罗城街道 3, 4, 11, 12),
清徐县 3 (7, 8, 9); 助老助残 1, 2, 5, 6, 7; 文艺演出 3, 4, 11, 12; 法律咨询 8, 9. Order 10 is of 20 February.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import insert

from dashboard import data, settings
from dashboard.db import writer_engine
from dashboard.filters import period_facets, period_option_counts, preset_starts
from dashboard.scope import Scope
from queries import facets
from queries.common import TABLES
from tests.fixtures import database
from tests.orders_fixture import JINYUAN, MARCH, QINGXU, T1, T2, fill
from tests.support.apptest import run_page

MARCH_PARAMS = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
TUESDAY = dt.date(2026, 3, 31)  # week from Monday 30 March; month from 1 March; half-year and year from 1 January
STARTS = preset_starts(TUESDAY)


@pytest.fixture(scope="module")
def url(backend, tmp_path_factory):
    """The fixture database on this backend."""
    with database(backend, tmp_path_factory.mktemp("filter-bar")) as db_url:
        fill(db_url)
        engine = writer_engine(db_url)
        with engine.begin() as conn:  # 李新春, the test account "leader", sees 晋源区 only
            conn.execute(insert(TABLES["leader"]), [{"id": 1, "name": "李新春", "title": "市委常委"}])
            conn.execute(insert(TABLES["leader_assignment"]), [{"leader_id": 1, "county_code": JINYUAN}])
        engine.dispose()
        yield db_url


def _options(at, name: str) -> list[str]:
    return at.selectbox(key=f"_filter_{name}").options


def test_every_option_shows_its_order_count(url):
    at = run_page("orders", url, MARCH_PARAMS)
    assert not at.exception
    assert _options(at, "county") == ["全部区县（11 单）", "晋源区（8 单）", "清徐县（3 单）"]
    assert _options(at, "category") == ["全部类别（11 单）", "助老助残（5 单）", "文艺演出（4 单）", "法律咨询（2 单）"]
    assert "自定义（11 单）" in _options(at, "period")


def test_counts_respect_the_other_filters_and_not_their_own(url):
    at = run_page("orders", url, {**MARCH_PARAMS, "county": JINYUAN, "category": "文艺演出"})
    assert _options(at, "county") == ["全部区县（4 单）", "晋源区（4 单）", "清徐县（0 单）"]  # category applied
    assert _options(at, "township") == ["全部乡镇（街道）（4 单）", "晋祠镇（0 单）", "罗城街道（4 单）"]
    # the chosen district applies, the chosen category does not: 法律咨询 has no orders in 晋源区, still listed
    assert _options(at, "category") == ["全部类别（8 单）", "助老助残（4 单）", "文艺演出（4 单）", "法律咨询（0 单）"]
    assert "自定义（4 单）" in _options(at, "period")


def test_a_leader_sees_counts_of_his_district_only(url):
    at = run_page("orders", url, MARCH_PARAMS, user="leader")  # 李新春: 晋源区
    assert _options(at, "county") == ["全部区县（8 单）", "晋源区（8 单）"]
    # 法律咨询 is 清徐县's
    assert _options(at, "category") == ["全部类别（8 单）", "助老助残（4 单）", "文艺演出（4 单）"]


def test_on_a_page_about_volunteers_the_counts_say_they_are_orders(url):
    at = run_page("volunteers", url, MARCH_PARAMS)
    assert not at.exception
    assert _options(at, "county") == ["全部区县（11 单）", "晋源区（8 单）", "清徐县（3 单）"]


@pytest.mark.parametrize(
    ("params", "shown", "dropped"),
    [
        ({**MARCH_PARAMS, "county": "999999"}, "区县「999999」不存在", {"county"}),
        (
            {"period": "custom", "start": "2026-13-01", "end": "2026-03-31"},
            "日期「2026-13-01」格式有误",
            {"start", "end"},
        ),
    ],
)
def test_notices_of_bad_values_outlast_the_rerun_after_log_in(url, params, shown, dropped):
    # run_page logs in, runs the app once (the user's first page) and again for the orders page, as the
    # log-in cookie does in a browser: the second run sees the cleaned URL, the notice must still be there
    at = run_page("orders", url, params)
    assert not at.exception
    assert shown in "\n".join(str(w.value) for w in at.warning)
    assert not dropped & set(at.query_params)  # the URL keeps only what it applies


def _period_counts(scope: Scope, filters) -> dict[str, int]:
    """The period options' counts as the filter bar computes them, with TUESDAY as today."""
    rows = period_facets(scope, filters.start, filters.end, TUESDAY)  # closed days and today's, apart
    return period_option_counts(scope, filters, rows, TUESDAY)


def test_period_counts_from_the_chosen_period_and_the_orders_before_it(url, monkeypatch):
    monkeypatch.setenv(settings.DB_URL_ENV, url)
    today = dataclasses.replace(MARCH, period_key="today", start=TUESDAY)
    # today: 6 and 9 (31 March); week: 5 (30 March) too; month: the 11 of March; half-year and year: 10 too
    every = {"today": 2, "week": 3, "month": 11, "half": 12, "year": 12}
    assert _period_counts(Scope(None), today) == every
    # a custom range ending before today: 1–15 March holds 1, 2, 3, 4, 7, 8, 11 and 12
    assert _period_counts(Scope(None), dataclasses.replace(MARCH, end=dt.date(2026, 3, 15))) == {**every, "custom": 8}
    month = dataclasses.replace(MARCH, period_key="month", county=JINYUAN, township=T1, category="助老助残")
    assert _period_counts(Scope(None), month) == {"today": 1, "week": 2, "month": 4, "half": 5, "year": 5}
    for narrower in ({"county": QINGXU}, {"category": "文艺演出"}):  # order 10 (February) is neither
        before_march = _period_counts(Scope(None), dataclasses.replace(MARCH, period_key="month", **narrower))
        assert before_march["year"] == before_march["month"] == (3 if "county" in narrower else 4)
    year = dataclasses.replace(MARCH, period_key="year", start=dt.date(2026, 1, 1))
    assert _period_counts(Scope((JINYUAN,)), year) == {"today": 1, "week": 2, "month": 8, "half": 9, "year": 9}


def test_option_counts_and_categories_of_a_period(url, monkeypatch):
    monkeypatch.setenv(settings.DB_URL_ENV, url)
    rows = data.run(facets.order_facets, Scope(None), (MARCH.start,), MARCH.end)
    counts = facets.count_facets(rows, dataclasses.replace(MARCH, township=T2))
    assert counts.counties == {"": 11, JINYUAN: 8, QINGXU: 3}  # the township hangs on the district: lifted too
    assert counts.categories == {"": 4, "文艺演出": 4}
    assert facets.total(rows, dataclasses.replace(MARCH, county=QINGXU, category="法律咨询")) == 2
    assert data.run(facets.category_exists, Scope(None), "法律咨询")
    assert not data.run(facets.category_exists, Scope((JINYUAN,)), "法律咨询")  # 清徐县's only
    assert not data.run(facets.category_exists, Scope(None), "不存在的类别")
    after_today = period_facets(Scope(None), dt.date(2026, 4, 5), dt.date(2026, 4, 9), TUESDAY)
    assert facets.count_facets(after_today, dataclasses.replace(MARCH, start=dt.date(2026, 4, 5))).counties == {"": 0}
