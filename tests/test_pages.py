"""Every page runs in AppTest on SQLite and PostgreSQL, and its figures equal independent counts."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from dashboard.db import writer_engine
from dashboard.navigation import PAGES
from queries.common import ORDER_STATUSES, ORDER_STEPS, RATING_RANGE
from tests.fixtures import FIXED_NOW, build_small_demo
from tests.support.apptest import metric, run_page, texts

WHOLE_YEAR = {"period": "custom", "start": "2026-01-01", "end": FIXED_NOW.date().isoformat()}


def count(url: str, sql: str, **params) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(sql), params).scalar()
    engine.dispose()
    return int(value)


def fmt(n: int) -> str:
    return f"{n:,}"


@pytest.mark.parametrize("page", [p.url_path for p in PAGES])
def test_every_page_runs_without_exception(small_demo, page):
    url, _ = small_demo
    at = run_page(page, url, WHOLE_YEAR)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title or at.header or at.subheader


def test_overview_figures_equal_independent_counts(small_demo):
    url, _ = small_demo
    at = run_page("overview", url, WHOLE_YEAR)
    assert metric(at, "中心") == "10"
    assert metric(at, "所") == "101"
    assert metric(at, "站") == fmt(1394)
    assert metric(at, "注册志愿者") == fmt(count(url, "SELECT COUNT(*) FROM volunteer"))
    orders = count(url, "SELECT COUNT(*) FROM service_order WHERE placed_at >= :s", s="2026-01-01")
    assert metric(at, "本期订单") == fmt(orders)


def test_overview_for_one_district(small_demo):
    url, _ = small_demo
    at = run_page("overview", url, {**WHOLE_YEAR, "county": "140110"})
    assert metric(at, "中心") == "1"
    stations = count(url, "SELECT COUNT(*) FROM unit WHERE tier = 'station' AND county_code = '140110'")
    assert metric(at, "站") == fmt(stations)
    orders = count(
        url, "SELECT COUNT(*) FROM service_order WHERE county_code = '140110' AND placed_at >= :s", s="2026-01-01"
    )
    assert metric(at, "本期订单") == fmt(orders)


def _bad_orders(url: str, since: str) -> dict[str, int]:
    """The quality page's order checks counted in pandas over the period's orders, independently of its SQL."""
    engine = create_engine(url)
    with engine.connect() as conn:
        orders = pd.read_sql(
            text(f"SELECT status, rating, {', '.join(ORDER_STEPS)} FROM service_order WHERE placed_at >= :s"),
            conn,
            params={"s": since},
        )
    engine.dispose()
    steps = orders[list(ORDER_STEPS)].apply(pd.to_datetime)
    reached = steps.ffill(axis=1)  # each step against the nearest earlier step that was reached
    reversed_steps = (steps.iloc[:, 1:] < reached.iloc[:, :-1].to_numpy()).any(axis=1)
    rating = orders["rating"]
    return {
        "状态未知的订单": int((~orders["status"].isin(ORDER_STATUSES)).sum()),
        "流程时间倒置的订单": int(reversed_steps.sum()),
        "评分超出 1–5 分的订单": int((rating.notna() & ~rating.between(*RATING_RANGE)).sum()),
    }


def test_quality_figures_equal_independent_counts(empty_db):
    url, report = empty_db, build_small_demo(empty_db, scale="county", volume=0.05, bad_rows=3)
    at = run_page("quality", url, WHOLE_YEAR)
    expected = _bad_orders(url, "2026-01-01")
    assert expected["状态未知的订单"] >= len(report.spoiled["unknown_status"]) > 0  # the demo's spoiled rows count
    assert expected["流程时间倒置的订单"] >= len(report.spoiled["steps_out_of_order"]) > 0
    for label, n in expected.items():
        assert metric(at, label) == fmt(n), label
    stations = count(url, "SELECT COUNT(*) FROM unit WHERE lon IS NULL OR lat IS NULL")
    assert metric(at, "缺少坐标的阵地") == fmt(stations)


def test_bad_filter_values_are_dropped_with_a_notice(small_demo):
    url, _ = small_demo
    at = run_page("overview", url, {"county": "999999", "period": "custom", "start": "2026-13-45", "end": "x"})
    assert not at.exception
    shown = texts(at)
    assert "999999" in shown  # the notice names the value it dropped
    assert metric(at, "中心") == "10"  # the view falls back to every district


@pytest.mark.parametrize(
    ("db_url", "expected"),
    [
        ("postgresql+psycopg2://nobody@127.0.0.1:1/nowhere", "无法连接数据库"),
        ("mysql+nosuchdriver://x@127.0.0.1/y", "无法连接数据库"),
    ],
)
def test_a_wrong_database_url_gives_one_plain_message(db_url, expected):
    for spec in PAGES:
        at = run_page(spec.url_path, db_url)
        assert not at.exception, spec.url_path
        errors = [e.value for e in at.error]
        if spec.url_path == "wall":  # the wall screen never shows an error page: it waits and retries
            assert not errors and "连接中断，正在重试" in texts(at), (spec.url_path, errors)
        else:
            assert errors and all(expected in e for e in errors), (spec.url_path, errors)
        assert "Traceback" not in texts(at)


def test_a_database_without_the_tables_names_the_missing_table(empty_db):
    writer_engine(empty_db).connect().close()  # the database exists (an SQLite file is created), without tables
    at = run_page(PAGES[0].url_path, empty_db)
    assert not at.exception
    assert any("数据库缺少数据表" in e.value for e in at.error), [e.value for e in at.error]
