"""The wall's queries on the hand-made database of tests/wall_fixture.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from dashboard.db import reader_engine
from dashboard.scope import Scope
from queries import wall
from tests import wall_fixture as fx

ALL = Scope(None)
ONLY_JINYUAN = Scope((fx.JINYUAN,))
NOBODY = Scope(())
IN_FLIGHT = ("placed", "drafted", "dispatched", "redispatched", "accepted")


@pytest.fixture
def conn(empty_db):
    fx.fill(empty_db)
    engine = reader_engine(empty_db)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def test_steps_reached_today(conn):
    assert wall.steps_today(conn, ALL, fx.NOW) == fx.STEPS_TODAY
    assert wall.steps_today(conn, ONLY_JINYUAN, fx.NOW) == fx.STEPS_TODAY_JINYUAN
    assert set(wall.steps_today(conn, NOBODY, fx.NOW).values()) == {0}


def test_today_rolls_over_at_midnight(conn):
    just_before = fx.at("20 23:59")
    assert wall.steps_today(conn, ALL, just_before) == fx.STEPS_TODAY  # nothing else happened before midnight
    after = wall.steps_today(conn, ALL, fx.TOMORROW)
    assert after == {"placed": 1, "drafted": 0, "dispatched": 0, "accepted": 0, "completed": 0, "rated": 0}
    assert wall.orders_today(conn, ALL, fx.TOMORROW)["id"].tolist() == [11]
    assert set(wall.step_medians(conn, ALL, fx.TOMORROW).values()) == {None}


def test_median_time_of_each_step_today(conn):
    assert wall.step_medians(conn, ALL, fx.NOW) == fx.MEDIANS
    assert wall.step_medians(conn, ONLY_JINYUAN, fx.NOW) == fx.MEDIANS_JINYUAN


def test_orders_in_flight_and_overdue(conn):
    df = wall.open_orders(conn, ALL, fx.NOW, IN_FLIGHT)
    assert {r.status: (r.orders, r.overdue) for r in df.itertuples()} == fx.OPEN
    df = wall.open_orders(conn, ONLY_JINYUAN, fx.NOW, IN_FLIGHT)
    assert {r.status: (r.orders, r.overdue) for r in df.itertuples()} == fx.OPEN_JINYUAN


def test_latest_orders_newest_first_never_from_the_future(conn):
    latest = wall.latest_orders(conn, ALL, fx.NOW, 3)
    assert latest["code"].tolist() == fx.LATEST
    assert latest["station_name"].tolist() == ["晋源区一村新时代文明实践站"] * 3
    assert wall.latest_orders(conn, Scope((fx.QINGXU,)), fx.NOW, 1)["code"].tolist() == ["O0008"]


def test_orders_placed_today_for_the_map(conn):
    today = wall.orders_today(conn, ALL, fx.NOW)
    assert today["id"].tolist() == fx.PLACED_TODAY
    assert today.loc[today["out_of_sequence"], "id"].tolist() == [9]
    first = today.set_index("id").loc[1]
    assert (first["dispatcher_name"], first["dispatcher_lon"]) == ("晋源区新时代文明实践中心", 112.48)
    assert wall.orders_today(conn, ONLY_JINYUAN, fx.NOW)["id"].tolist() == [1, 2, 3, 4, 9]
