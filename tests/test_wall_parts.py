"""The wall's parts without a database: refresh tick, last-good-data fallback, figures, formats, settings file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard import settings, wall_config, wall_live
from dashboard.errors import CONNECT_MESSAGE, QUERY_MESSAGE, AssetError, DashboardError
from dashboard.labels import labels
from dashboard.order_flow import order_flow
from dashboard.scope import Scope
from dashboard.wall_figures import drawable, headline, orders_per_residents, quality, ranking, waiting
from dashboard.wall_map import wall_deck
from dashboard.wall_panels import fmt_ago, fmt_duration, fmt_limit, short_name, ticker_card

T = dt.datetime(2026, 11, 20, 15, 30, 47)


def test_tick_floors_to_the_interval_and_rolls_over_at_midnight():
    assert wall_live.tick(T, 30) == dt.datetime(2026, 11, 20, 15, 30, 30)
    assert wall_live.tick(T, 3600) == dt.datetime(2026, 11, 20, 15, 0, 0)
    # an interval that does not divide the day still starts again at midnight
    assert wall_live.tick(dt.datetime(2026, 11, 21, 0, 0, 5), 7) == dt.datetime(2026, 11, 21, 0, 0, 0)
    assert wall_live.tick(dt.datetime(2026, 11, 20, 23, 59, 59), 7).date() == dt.date(2026, 11, 20)


class FakeData:
    """Stands in for dashboard.data: answers or fails on demand, counts the calls."""

    def __init__(self):
        self.fail_with: str | None = None
        self.calls = 0
        self.fetched = T

    def run(self, query_fn, *args):
        self.calls += 1
        if self.fail_with:
            raise DashboardError(self.fail_with)
        return (query_fn.__name__, args)

    def start_page(self):
        pass

    def oldest_fetch(self):
        return self.fetched


def one(conn, scope, n):
    """A query."""


def two(conn, scope):
    """Another query."""


@pytest.fixture
def fake(monkeypatch):
    data = FakeData()
    monkeypatch.setattr(wall_live, "data", data)
    return data


def test_refresh_serves_fresh_results_and_keeps_them(fake):
    store: dict = {}
    refresh = wall_live.Refresh(store)
    assert refresh.get(one, Scope(None), 1) == ("one", (Scope(None), 1))
    assert not refresh.stale
    assert refresh.status() == "数据更新于 15:30:47"
    key = (settings.database_url(), one.__module__, "one", Scope(None))
    assert store[key] == wall_live.Kept(T, ("one", (Scope(None), 1)))


def test_after_a_failure_the_last_good_data_stays_and_the_database_is_not_asked_again(fake):
    store: dict = {}
    wall_live.Refresh(store).get(one, Scope(None), 1)
    wall_live.Refresh(store).get(two, Scope(None))
    fake.fail_with, fake.fetched = CONNECT_MESSAGE, T + dt.timedelta(minutes=5)
    calls = fake.calls
    refresh = wall_live.Refresh(store)
    assert refresh.get(one, Scope(None), 2) == ("one", (Scope(None), 1))  # the earlier result
    assert refresh.get(two, Scope(None)) == ("two", (Scope(None),))
    assert fake.calls == calls + 1  # one attempt per refresh, not one per query
    assert refresh.stale
    assert refresh.status() == "数据更新于 15:30:47 · 连接中断，正在重试"
    # the database is back: the next refresh is fresh again
    fake.fail_with = None
    refresh = wall_live.Refresh(store)
    assert refresh.get(one, Scope(None), 3) == ("one", (Scope(None), 3))
    assert not refresh.stale
    assert refresh.status() == "数据更新于 15:35:47"


def test_a_failing_query_is_named_as_such_and_other_scopes_never_see_this_scopes_data(fake):
    store: dict = {}
    wall_live.Refresh(store).get(one, Scope(("140110",)), 1)
    fake.fail_with = QUERY_MESSAGE
    refresh = wall_live.Refresh(store)
    assert refresh.get(one, Scope(("140110",)), 1) == ("one", (Scope(("140110",)), 1))
    assert refresh.status().endswith("数据查询失败，正在重试")
    with pytest.raises(wall_live.NoDataYet) as failed:
        refresh.get(one, Scope(None), 1)
    assert failed.value.message == QUERY_MESSAGE


SUMMARY = pd.DataFrame(
    {
        "county_code": ["140105", "140110", "140121", "140122"],
        "county_name": ["小店区", "晋源区", "清徐县", "阳曲县"],
        "centre_name": ["小店区新时代文明实践中心", "晋源区新时代文明实践中心", None, "阳曲县新时代文明实践中心"],
        "volunteers": [100, 200, 300, 50],
        "population": [1000, 2000, None, 1000],
        "orders": [10, 30, 5, 0],
        "rated": [40, 25, 19, 30],
        "satisfied": [30, 25, 19, 24],
    }
)


def test_headline_totals():
    tiers = pd.DataFrame({"tier": ["centre", "station", "station", "centre"], "units": [1, 5, 7, 1]})
    head = headline(SUMMARY, tiers, 0.13)
    assert head.units == {"centre": 2, "station": 12}
    assert (head.volunteers, head.population, head.wanted) == (650, 4000, 520)
    assert head.share == pytest.approx(650 / 4000)
    assert (head.rated, head.satisfied) == (114, 98)
    assert head.satisfaction == pytest.approx(98 / 114)


def test_ranking_by_satisfaction_leaves_out_thin_samples():
    top, bottom = ranking(SUMMARY, 1, 20)  # 清徐县 (19 rated) is not ranked
    assert [(r.county_name, r.rate) for r in top] == [("晋源区", 1.0)]
    assert [(r.county_name, r.rate) for r in bottom] == [("小店区", 0.75)]
    top, bottom = ranking(SUMMARY, 2, 20)  # 3 ranked < 2 × 2: one list, nobody twice
    assert [r.county_name for r in top] == ["晋源区", "阳曲县", "小店区"] and bottom == []
    top, _ = ranking(SUMMARY, 2, 1)  # 晋源区 and 清徐县 both 100 %: more rated orders first
    assert [(r.county_name, r.centre_name) for r in top] == [
        ("晋源区", "晋源区新时代文明实践中心"),
        ("清徐县", "清徐县"),
    ]


def test_orders_per_ten_thousand_residents():
    rates = orders_per_residents(SUMMARY).tolist()
    assert rates[:2] == [100.0, 150.0] and pd.isna(rates[2]) and rates[3] == 0.0


def test_waiting_groups_statuses_by_the_step_they_wait_for():
    open_orders = pd.DataFrame(
        {"status": ["placed", "drafted", "dispatched", "accepted"], "orders": [4, 1, 2, 9], "overdue": [2, 1, 0, 3]}
    )
    groups = waiting(open_orders, order_flow(), ("placed", "drafted", "dispatched", "redispatched", "accepted"))
    assert [(g.statuses, g.waiting_for, g.minutes, g.orders, g.overdue) for g in groups] == [
        (("placed", "drafted"), "派单", 30, 5, 3),
        (("dispatched", "redispatched"), "接单", 120, 2, 0),
        (("accepted",), "完成", 2880, 9, 3),
    ]


def test_bad_orders_are_left_off_the_map_and_counted():
    orders = pd.DataFrame(
        {
            "status": ["placed", "processing", "placed", "accepted", "rated"],
            "lon": [112.5, 112.5, None, 112.5, 112.5],
            "lat": [37.7, 37.7, None, 37.7, None],
            "out_of_sequence": [False, False, False, True, False],
        }
    )
    assert drawable(orders).tolist() == [True, False, False, False, False]
    q = quality(orders, 12)
    assert (q.no_coordinates, q.unknown_status, q.out_of_sequence, q.left_off, q.units_without_coordinates) == (
        2,
        1,
        1,
        4,
        12,
    )


def test_formats():
    assert [fmt_duration(s) for s in (None, 30, 600, 5400, 2 * 86400 + 43200)] == [
        "—",
        "不到1分钟",
        "10分钟",
        "1.5小时",
        "2.5天",
    ]
    assert [fmt_limit(m) for m in (30, 120, 2880, 10080, 90)] == ["30分钟", "2小时", "48小时", "7天", "90分钟"]
    assert [fmt_ago(T - dt.timedelta(seconds=s), T) for s in (10, 610, 7300, 200000, -5)] == [
        "刚刚",
        "10分钟前",
        "2小时前",
        "2天前",
        "刚刚",
    ]
    assert short_name("王家村新时代文明实践站") == "王家村站" and short_name(None) == ""


def test_ticker_masks_residents_and_escapes_database_text():
    latest = pd.DataFrame(
        {
            "code": ["D1"],
            "category": ["<b>助老</b>"],
            "status": ["accepted"],
            "requester_name": ["张三丰"],
            "station_name": ["王家村新时代文明实践站"],
            "county_name": ["晋源区"],
            "updated_at": [T - dt.timedelta(minutes=3)],
        }
    )
    html = ticker_card(latest, T, False, labels(), wall_config.wall_config(), "定义")
    assert "张**" in html and "张三丰" not in html
    assert "&lt;b&gt;助老&lt;/b&gt;" in html and "<b>助老" not in html
    assert "3分钟前" in html and "王家村站" in html and "服务中" in html
    assert "张三丰" in ticker_card(latest, T, True, labels(), wall_config.wall_config(), "定义")


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "wall.yaml"
    text = wall_config.WALL_FILE.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "flow_steps: [placed,",
            "flow_steps: [ordered,",
            "flow_steps 含 order_flow.yaml 的步骤中没有的代码 ['ordered']",
        ),
        ("in_flight: [placed,", "in_flight: [rated,", "in_flight 含 order_flow.yaml 的等待状态中没有的代码 ['rated']"),
        ("ticker_rows: 8", "ticker_rows: 0", "ticker_rows 应为正整数"),
        ("  min_rated: 20", "  min_rated: many", "ranking.min_rated 应为正整数"),
        ('  gold: "#FFC53D"', '  gold: "gold"', "palette.gold 应为 #RRGGBB"),
        ('  base: "#2FD4B0"\n', "", "tiers 缺少 ['base']"),
        ('  cancelled: "#7D8A9C"', '  cancelled: "#7D8A9C"\n  lost: "#000000"', "statuses 缺少 []，多出 ['lost']"),
    ],
)
def test_a_broken_wall_file_is_refused_in_chinese(tmp_path, old, new, message):
    with pytest.raises(AssetError) as refused:
        wall_config.load(_broken(tmp_path, old, new))
    assert message in str(refused.value)


def test_the_shipped_wall_file_is_valid():
    config = wall_config.load()
    assert config.flow_steps == ("placed", "dispatched", "accepted", "completed", "rated")
    assert "completed" not in config.in_flight


def test_kept_results_belong_to_their_database(fake, monkeypatch):
    store: dict = {}
    monkeypatch.setattr(wall_live.clock, "local_now", lambda: T)
    monkeypatch.setenv(settings.DB_URL_ENV, "sqlite:////tmp/a.sqlite")
    assert wall_live.Refresh(store).get(one, Scope(None), 1) == ("one", (Scope(None), 1))
    fake.fail_with = CONNECT_MESSAGE
    monkeypatch.setenv(settings.DB_URL_ENV, "sqlite:////tmp/b.sqlite")
    with pytest.raises(wall_live.NoDataYet):  # another database failing: never the first one's figures
        wall_live.Refresh(store).get(one, Scope(None), 1)
    monkeypatch.setenv(settings.DB_URL_ENV, "sqlite:////tmp/a.sqlite")
    assert wall_live.Refresh(store).get(one, Scope(None), 2) == ("one", (Scope(None), 1))  # its own, kept


def test_the_map_is_offline_with_a_layer_per_tier_and_plain_text_tooltips():
    units = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "name": ["晋源区<b>中心</b>", "晋祠镇所", "王家村站"],
            "tier": ["centre", "institute", "station"],
            "county_code": ["140110"] * 3,
            "county_name": ["晋源区"] * 3,
            "township_code": [None, "140110001", "140110001"],
            "township_name": [None, "晋祠镇", "晋祠镇"],
            "pilot_level": ["central", None, None],
            "lon": [112.48, 112.44, 112.46],
            "lat": [37.72, 37.70, 37.71],
        }
    )
    orders = pd.DataFrame(
        {
            "id": [1, 2],
            "status": ["accepted", "processing"],
            "category": ["助老助残", "政策咨询"],
            "lon": [112.47, 112.45],
            "lat": [37.71, 37.70],
            "station_name": ["王家村站"] * 2,
            "dispatcher_name": ["晋源区中心"] * 2,
            "dispatcher_lon": [112.48] * 2,
            "dispatcher_lat": [37.72] * 2,
            "out_of_sequence": [False, False],
        }
    )
    summary = SUMMARY.assign(satisfaction_rate=[0.75, 1.0, 1.0, 0.8])
    deck = wall_deck(summary, orders_per_residents(summary), units, orders, True, wall_config.wall_config(), labels())
    assert deck.map_provider is None and deck._tooltip["text"] == "{title}\n{line1}\n{line2}"
    spec = json.loads(deck.to_json())
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert {"units-centre", "units-institute", "units-station", "districts", "city", "district-names"} <= set(layers)
    assert layers["units-centre"]["data"][0]["title"] == "晋源区<b>中心</b>"  # plain text: shown as typed
    assert [o["title"] for o in layers["orders-today"]["data"]] == ["助老助残 · 服务中"]  # unknown status left off
    assert len(layers["orders-in-flight"]["data"]) == 1
    districts = [f["properties"]["title"] for f in layers["districts"]["data"]["features"]]
    assert districts == ["小店区", "晋源区", "清徐县", "阳曲县"]
