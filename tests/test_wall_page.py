"""The wall page in AppTest, on SQLite and PostgreSQL: map, counters and ticker equal independent counts.

The page's clock (``dashboard.clock.local_now``) is set to the fixture's moment, so "today" is the
fixture's day. Counters are found by their ``data-counter`` names in the page's HTML.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import create_engine, event, text

from dashboard import clock, data
from dashboard.db import reader_engine
from dashboard.scope import Scope
from queries import summaries
from tests import wall_fixture as fx
from tests.fixtures import FIXED_NOW
from tests.support.apptest import run_page, texts
from tests.wall_fixture import counter, page_html

WALL_ENV = {"DASHBOARD_REFRESH_SECONDS": "30"}


def decks(at) -> list[dict]:
    """The pydeck specs on the page."""
    return [json.loads(e.proto.json) for e in at.get("deck_gl_json_chart")]


def _summarised(url: str) -> dt.datetime:
    engine = reader_engine(url)
    with engine.connect() as conn:
        when = summaries.refreshed_at(conn, Scope(None))
    engine.dispose()
    return when


@pytest.fixture
def wall_db(empty_db, monkeypatch):
    fx.fill(empty_db)
    monkeypatch.setattr(clock, "local_now", lambda: fx.NOW + dt.timedelta(seconds=10))
    return empty_db


def test_wall_shows_the_fixtures_figures(wall_db):
    at = run_page("wall", wall_db, user="wall", env=WALL_ENV)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "新时代文明实践指挥调度大屏"
    shown = texts(at)
    assert "数据更新于" in shown and "连接中断" not in shown
    assert "2026年11月20日 星期五" in shown

    for step, expected in fx.STEPS_TODAY.items():
        if step != "drafted":  # 制单 is not on the wall (assets/wall.yaml flow_steps)
            assert counter(at, f"step-{step}") == str(expected), step
    assert counter(at, "median-dispatched") == "派单用时 20分钟"
    assert counter(at, "median-completed") == "服务用时 3.7小时"  # 13,200 s
    assert counter(at, "in-flight") == "8单"  # placed 4 + dispatched 2 + accepted 2
    assert [counter(at, f"waiting-{i}") for i in range(3)] == ["4", "2", "2"]
    assert [counter(at, f"overdue-{i}") for i in range(3)] == ["2", "2", "1"]
    assert counter(at, "units-centre") == "2" and counter(at, "units-station") == "2"
    assert counter(at, "units-platform") == "0"
    assert counter(at, "volunteers") == "5人"
    assert counter(at, "activities") == "3场"  # November's, not October's
    assert f"汇总于 {_summarised(wall_db):%H:%M}" in page_html(at)  # the summaries behind those two
    assert counter(at, "satisfaction") == "50.0%"  # orders 1 (5 points) and 12 (3 points) rated this month
    assert "本月已评价订单尚不足以排名" in page_html(at)  # nobody has 20 rated orders
    assert counter(at, "left-off") == "3"  # unknown status, no coordinates, out of sequence
    assert counter(at, "units-no-coordinates") == "1"

    ticker = page_html(at).split('data-counter="ticker"')[1]
    assert ticker.count('class="wall-tick"') == 8
    assert "张**" in ticker and "张三丰" not in ticker  # residents masked (the wall role sees no personal data)

    (deck,) = decks(at)
    layers = {layer["id"]: layer for layer in deck["layers"]}
    assert {"districts", "units-centre", "units-institute", "units-station", "orders-today"} <= set(layers)
    assert len(layers["orders-today"]["data"]) == len(fx.PLACED_TODAY) - 3  # the three bad rows left off
    assert len(layers["units-station"]["data"]) == 1  # 清徐县's station has no coordinates
    assert {a["title"] for a in layers["orders-in-flight"]["data"]} == {"政策咨询 · 服务中", "政策咨询 · 待接单"}


def test_a_listed_leader_sees_only_their_district(wall_db):
    at = run_page("wall", wall_db, user="leader", env=WALL_ENV)  # 李新春, leader 1: 晋源区
    assert not at.exception, [e.value for e in at.exception]
    assert counter(at, "step-placed") == str(fx.STEPS_TODAY_JINYUAN["placed"])
    assert counter(at, "in-flight") == f"{sum(n for n, _ in fx.OPEN_JINYUAN.values())}单"
    assert counter(at, "units-centre") == "1"
    (deck,) = decks(at)
    districts = next(layer for layer in deck["layers"] if layer["id"] == "districts")
    assert [f["properties"]["title"] for f in districts["data"]["features"]] == ["晋源区"]


def test_kiosk_hides_streamlits_chrome(wall_db):
    # as publicity, whose first page is another one: AppTest keeps URL parameters only when a run opens a
    # page by its URL path, and run_page opens the wall role's first page without one
    plain = run_page("wall", wall_db, user="publicity", env=WALL_ENV)
    kiosk = run_page("wall", wall_db, {"kiosk": "1"}, user="publicity", env=WALL_ENV)
    assert kiosk.query_params["kiosk"] == "1"
    hidden = re.compile(r"([^{}]*)\{ display: none !important; \}")
    assert not hidden.findall(page_html(plain).split("</style>")[0])
    (rule,) = hidden.findall(page_html(kiosk).split("</style>")[0])
    for part in ("stHeader", "stSidebar", "stToolbar", "stDecoration", "stStatusWidget", "footer"):
        assert part in rule, part


def count(url: str, sql: str, **params) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(sql), params).scalar()
    engine.dispose()
    return int(value)


def test_wall_on_the_small_demo_equals_independent_counts(small_demo, monkeypatch):
    url, _ = small_demo
    monkeypatch.setattr(clock, "local_now", lambda: FIXED_NOW)
    at = run_page("wall", url, user="wall", env=WALL_ENV)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    day = FIXED_NOW.date().isoformat()
    bounds = {"start": f"{day}T00:00:00", "now": FIXED_NOW.isoformat(timespec="seconds")}
    if url.startswith("postgresql"):
        bounds = {"start": dt.datetime.fromisoformat(bounds["start"]), "now": FIXED_NOW}
    for step, column in (("placed", "placed_at"), ("dispatched", "dispatched_at"), ("rated", "rated_at")):
        expected = count(
            url, f"SELECT COUNT(*) FROM service_order WHERE {column} >= :start AND {column} <= :now", **bounds
        )
        assert counter(at, f"step-{step}") == f"{expected:,}", step
    statuses = "'placed', 'drafted', 'dispatched', 'redispatched', 'accepted'"
    in_flight = count(url, f"SELECT COUNT(*) FROM service_order WHERE status IN ({statuses})")
    assert counter(at, "in-flight") == f"{in_flight:,}单"
    assert counter(at, "units-station") == "1,394"
    assert counter(at, "volunteers") == f"{count(url, 'SELECT COUNT(*) FROM volunteer'):,}人"
    (deck,) = decks(at)
    placed_today = count(
        url,
        "SELECT COUNT(*) FROM service_order WHERE placed_at >= :start AND placed_at <= :now AND lon IS NOT NULL",
        **bounds,
    )
    layers = {layer["id"]: layer for layer in deck["layers"]}
    assert len(layers["orders-today"]["data"]) == placed_today  # no bad rows in the small demo


def test_every_screen_shares_one_query_per_refresh(wall_db):
    statements: list[str] = []
    engine = data.engine(wall_db)
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    first = run_page("wall", wall_db, user="wall", env=WALL_ENV)
    assert counter(first, "step-placed") == "9" and statements  # the first screen reads the database
    statements.clear()
    second = run_page("wall", wall_db, user="wall", env=WALL_ENV)  # another screen, same refresh interval
    assert counter(second, "step-placed") == "9"
    assert statements == []
