"""The orders page in AppTest on the hand-made database of tests/orders_fixture.py, on SQLite and PostgreSQL:
its figures, its filters in the URL, the drill-down path, masking, bad URL values, the Excel export, and that
bench/orders_page.py times the queries the page runs."""

from __future__ import annotations

import dataclasses
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from bench import orders_page, recorder
from dashboard.ui import excel_bytes
from tests.fixtures import database
from tests.orders_fixture import JINYUAN, NOW, fill
from tests.orders_fixture import MARCH as MARCH_FILTERS
from tests.support import users
from tests.support.apptest import metric, run_page, texts

MARCH = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture(scope="module")
def url(backend, tmp_path_factory):
    """The fixture database on this backend."""
    with database(backend, tmp_path_factory.mktemp("orders-page")) as db_url:
        fill(db_url)
        yield db_url


@pytest.fixture
def clicks(url, monkeypatch):
    """The environment of run_page kept for the reruns that widget interactions cause."""
    for key, value in {"DASHBOARD_DB_URL": url, **users.env()}.items():
        monkeypatch.setenv(key, value)
    return url


def _open(url, **params):
    at = run_page("orders", url, {**MARCH, **params})
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _table(at, index=0) -> pd.DataFrame:
    return at.dataframe[index].value


def test_kpis_and_board(url):
    at = _open(url)
    assert metric(at, "订单数") == "11"
    assert metric(at, "进行中") == "5"  # placed 6, dispatched 9, accepted 5 and 12, completed 4
    assert metric(at, "超时") == "4"  # as of today 6, 9, 5 and 12 wait far beyond their limits
    assert metric(at, "超期未评价") == "1"  # 4 waits for its rating: not work the centre can act on
    assert metric(at, "服务完成") == "5"
    assert metric(at, "评价率") == "80.0%"
    assert metric(at, "满意率") == "50.0%"
    board = {label: metric(at, label) for label in ("待派单", "待接单", "服务中", "待评价", "已完成", "已拒绝/取消")}
    assert board == {"待派单": "1", "待接单": "1", "服务中": "2", "待评价": "1", "已完成": "4", "已拒绝/取消": "1"}
    assert metric(at, "未知状态") == "1"
    assert _table(at)["订单编号"].tolist() == ["T012", "T005", "T009", "T006"]  # 超时, longest wait first
    assert _table(at, 1)["订单编号"].tolist() == ["T004"]  # 超期未评价, in the second tab
    assert [m.delta for m in at.metric if m.label == "待评价"] == ["超期未评价 1"]
    assert [m.delta for m in at.metric if m.label == "服务中"] == ["超时 2"]


def test_step_times_section(url):
    at = _open(url, view="time")
    assert metric(at, "派单用时（中位数）") == "30分"
    assert metric(at, "接单用时（中位数）") == "45分"
    assert metric(at, "服务用时（中位数）") == "2小时00分"
    assert metric(at, "评价用时（中位数）") == "1小时30分"
    deltas = {m.label: m.delta for m in at.metric if m.label.endswith("（中位数）")}
    assert deltas["派单用时（中位数）"] == "第90百分位 54分"
    assert deltas["评价用时（中位数）"] == "第90百分位 4小时06分"  # 14760 s


@pytest.mark.parametrize("view", ["flow", "time", "rating", "demand", "drill", "list"])
def test_every_section_runs(url, view):
    at = _open(url, view=view)
    assert at.segmented_control(key="_orders_section").value == view


@pytest.mark.parametrize(
    ("view", "county"), [(v, None) for v in ("flow", "time", "rating", "demand", "drill", "list")] + [("flow", JINYUAN)]
)
def test_the_bench_times_the_queries_the_page_runs(url, view, county):
    """bench/orders_page.py's plan of a view names the page's own queries (of its orders and areas) and no others;
    the filter bar's counts depend on the day the page runs, so they are left out."""
    params = {**MARCH, "view": view, **({"county": county} if county else {})}
    rec = recorder.record("orders", view, url, params)
    assert rec.error is None
    plan = orders_page.plan(dataclasses.replace(MARCH_FILTERS, county=county), NOW)
    timed = {f"{fn.__module__}.{fn.__qualname__}" for _, fn, _ in plan["common"] + plan[view]}
    run = {f"{c.query_fn.__module__}.{c.query_fn.__qualname__}" for c in rec.calls}
    ours = ("queries.orders.", "queries.regions.")
    assert {n for n in timed if n.startswith(ours)} == {n for n in run if n.startswith(ours)}


def test_page_filters_narrow_every_figure_and_stay_in_the_url(url):
    at = _open(url, station="11")
    assert metric(at, "订单数") == "4"
    assert at.query_params["county"] == ["140110"] or at.query_params["county"] == "140110"
    assert "赤桥村新时代文明实践站" in texts(at)  # the breadcrumb's last step
    at = _open(url, team="1", rated="yes")
    assert metric(at, "订单数") == "2"  # 1 and 2
    at = _open(url, step="in_service")
    assert metric(at, "订单数") == "2"


def test_options_show_their_counts_and_choosing_one_updates_the_url(clicks):
    at = _open(clicks)
    station = at.selectbox(key="_orders_station")
    assert station.options == ["全部"] and station.disabled  # the picker waits for a district
    at = _open(clicks, county="140110")
    station = at.selectbox(key="_orders_station")
    assert station.options == ["全部", "赤桥村新时代文明实践站（4）", "罗城社区新时代文明实践站（4）"]
    at = _open(clicks)
    rated = at.selectbox(key="_orders_rated")
    assert rated.options == ["全部", "已评价（4）", "未评价（7）"]
    rated.set_value("yes").run()
    assert metric(at, "订单数") == "4"
    assert at.query_params["rated"] in ("yes", ["yes"])


def test_drill_down_table_and_breadcrumb_back(url, clicks):
    at = _open(url, view="drill")
    areas = _table(at)
    assert dict(zip(areas["区县"], areas["订单数"], strict=True)) == {"晋源区": 8, "清徐县": 3}
    assert areas.set_index("区县").loc["晋源区", "派单用时中位数"] == "30分"
    at = _open(url, view="drill", county="140110", township="140110001")
    assert _table(at)["站点"].tolist() == ["赤桥村新时代文明实践站"]
    at.button(key="crumb_1").click().run()  # back to 晋源区
    assert "township" not in at.query_params
    townships = _table(at)
    assert dict(zip(townships["乡镇（街道）"], townships["订单数"], strict=True)) == {"晋祠镇": 4, "罗城街道": 4}


def test_order_list_masks_residents(url):
    at = _open(url, view="drill", station="11")
    rows = _table(at)
    assert rows["订单编号"].tolist() == ["T006", "T005", "T002", "T001"]
    assert rows["群众"].tolist()[0] == "张**"
    assert rows["电话"].tolist()[0] == "139****0006"
    assert "张三6" not in rows.to_string()


def test_bad_url_values_are_dropped_with_notices(url):
    # (a bad district or date is the filter bar's: tests/test_browser_orders.py opens such a link directly)
    at = _open(url, station="abc", step="stuck", team="x", rated="1", view="nope", grain="year")
    shown = texts(at)
    for value in ("abc", "stuck", "「x」", "「1」", "nope", "year"):
        assert value in shown
    assert metric(at, "订单数") == "11"
    for param in ("station", "step", "team", "rated", "view", "grain"):
        assert param not in at.query_params  # the URL keeps only what it applies


def test_excel_export_has_the_filters_in_its_first_row():
    df = pd.DataFrame({"名称": ["=HYPERLINK(1)", None], "订单数": [3, 4]})
    book = load_workbook(io.BytesIO(excel_bytes(df, "筛选条件：时间：自定义；站点：赤桥村")))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "筛选条件：时间：自定义；站点：赤桥村"
    assert rows[1] == ("名称", "订单数")
    assert rows[2] == ("=HYPERLINK(1)", 3)  # kept as text, not a formula
    assert book.active.cell(row=3, column=1).data_type == "s"
    assert rows[3] == (None, 4)
