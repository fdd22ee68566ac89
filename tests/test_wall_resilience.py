"""The wall when the database goes away and comes back, on a real PostgreSQL connection.

The shared server keeps running (other engineers and CI use it): only this test's own database is
made unreachable — ``ALTER DATABASE … ALLOW_CONNECTIONS false`` and its sessions terminated — then
reachable again. The page's clock moves on one refresh interval between runs, as on a wall.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from dashboard import clock, wall_live
from dashboard.db import writer_engine
from queries.common import service_order
from tests import wall_fixture as fx
from tests.conftest import require_pg
from tests.fixtures import PG_ADMIN_URL, database
from tests.support import users
from tests.support.apptest import run_page
from tests.wall_fixture import banner, counter, page_html

pytestmark = pytest.mark.pg
REFRESH = 30


def _allow_connections(name: str, allowed: bool) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allowed else "false"}'))
        if not allowed:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
    admin.dispose()


@pytest.fixture
def pg_wall(tmp_path, monkeypatch):
    """(url, database name, the page's clock) of a filled PostgreSQL database; connections allowed again at the end."""
    require_pg()
    with database("postgresql", tmp_path) as url:
        fx.fill(url)
        name = make_url(url).database
        for key, value in {**users.env(), "DASHBOARD_DB_URL": url, "DASHBOARD_REFRESH_SECONDS": str(REFRESH)}.items():
            monkeypatch.setenv(key, value)
        moment = {"now": fx.NOW + dt.timedelta(seconds=5)}
        monkeypatch.setattr(clock, "local_now", lambda: moment["now"])
        try:
            yield url, name, moment
        finally:
            _allow_connections(name, True)


def test_last_good_data_stays_under_a_banner_and_the_page_recovers_within_one_refresh(pg_wall):
    url, name, moment = pg_wall
    at = run_page("wall", url, user="wall")
    assert counter(at, "step-placed") == "9" and banner(at) == ""

    _allow_connections(name, False)  # the database goes away
    moment["now"] += dt.timedelta(seconds=REFRESH)
    at.run()
    assert not at.exception and not at.error
    assert re.fullmatch(r"⚠ 数据更新于 \d\d:\d\d:\d\d · 连接中断，正在重试", banner(at))
    assert counter(at, "step-placed") == "9"  # the last good data, still on screen
    assert counter(at, "in-flight") == "8单"
    assert 'class="wall-status stale"' in page_html(at)  # the header's dot turns red

    moment["now"] += dt.timedelta(seconds=REFRESH)  # still down on the next refresh: still the banner
    at.run()
    assert "连接中断" in banner(at) and counter(at, "step-placed") == "9"

    _allow_connections(name, True)  # back, and a resident has placed an order meanwhile
    engine = writer_engine(url)
    with engine.begin() as conn:
        row = {**fx.ORDERS[2], "id": 99, "code": "O0099", "placed_at": fx.NOW, "updated_at": fx.NOW}
        conn.execute(insert(service_order), [row])
    engine.dispose()
    moment["now"] += dt.timedelta(seconds=REFRESH)
    at.run()  # one refresh later
    assert banner(at) == "" and not at.error
    assert counter(at, "step-placed") == "10"


def test_no_data_yet_and_no_database_shows_a_waiting_screen_not_an_error(pg_wall):
    url, name, _ = pg_wall
    wall_live.shared_store.clear()  # a wall switched on while the database is away
    _allow_connections(name, False)
    at = run_page("wall", url, user="wall")
    assert not at.exception and not at.error
    page = page_html(at)
    assert "无法连接数据库" in page and f"每 {REFRESH} 秒自动重试" in page
    assert at.title[0].value == "新时代文明实践指挥调度大屏"
