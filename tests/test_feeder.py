"""The demo feeder: its pace, the consistency of every order it moves, and its writes on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import statistics
import threading

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from dashboard.db import reader_engine, writer_engine
from dashboard.demo import __main__ as demo_cli
from dashboard.demo import feeder, feeder_run
from dashboard.demo.feeder import PACE, County, Feeder, Station, World
from dashboard.scope import Scope
from queries import wall
from queries.common import service_order
from tests import wall_fixture as fx

MIDNIGHT = dt.datetime(2026, 11, 20)
STEP_COLUMNS = ("placed_at", "drafted_at", "dispatched_at", "accepted_at", "completed_at", "rated_at")
STATUS_STEP = {
    "placed": "placed_at",
    "drafted": "drafted_at",
    "dispatched": "dispatched_at",
    "redispatched": "dispatched_at",
    "accepted": "accepted_at",
    "completed": "completed_at",
    "rated": "rated_at",
}


def _world(per_day: float = 2000) -> World:
    def county(code, profile, first, lon, lat):
        stations = tuple(
            Station(first + i, code, f"{code}001", lon + i * 0.01, lat, first - 1, f"村{i}") for i in range(3)
        )
        return County(code, profile, 1.0, first - 2, (first * 10, first * 10 + 99), (first,), stations)

    return World(
        (county("140110", 0.9, 10, 112.45, 37.72), county("140123", 0.3, 20, 111.80, 38.05)),
        ("助老助残", "政策咨询"),
        (3.0, 1.0),
        per_day,
    )


def _run_day(seed: int, steps: list[dt.datetime], per_day: float = 2000) -> tuple[Feeder, dict[int, dict], list]:
    """Advance a fresh feeder through ``steps``; the final state of every order it wrote, and the batches."""
    f = Feeder(_world(per_day), MIDNIGHT, np.random.default_rng(seed), next_order_id=1, next_hours_id=1)
    rows: dict[int, dict] = {}
    batches = []
    for moment in steps:
        batch = f.advance(moment)
        batches.append(batch)
        for row in batch.inserts:
            rows[row["id"]] = dict(row)
        for row in batch.updates:
            rows[row["id"]].update(row)
    return f, rows, batches


EVERY_5_MINUTES = [MIDNIGHT + dt.timedelta(minutes=5 * i) for i in range(1, 12 * 24 + 1)]


@pytest.fixture(scope="module")
def day():
    return _run_day(7, EVERY_5_MINUTES)


def test_same_seed_and_moments_give_the_same_world():
    steps = EVERY_5_MINUTES[:36]
    _, a, batches_a = _run_day(3, steps)
    _, b, batches_b = _run_day(3, steps)
    assert a == b and [x.hours for x in batches_a] == [x.hours for x in batches_b]
    _, c, _ = _run_day(4, steps)
    assert a != c


def test_orders_arrive_at_the_demos_pace_over_the_day(day):
    _, rows, _ = day
    placed = [r["placed_at"] for r in rows.values()]
    assert 2000 - 5 * 45 < len(placed) < 2000 + 5 * 45  # Poisson(2000): five standard deviations
    by_hour = np.bincount([t.hour for t in placed], minlength=24)
    assert by_hour[9] > 5 * by_hour[3]  # morning peak, quiet night (HOUR_WEIGHTS 18 against 1)
    assert min(placed) >= MIDNIGHT and max(placed) <= EVERY_5_MINUTES[-1]
    assert sorted(rows) == list(range(1, len(rows) + 1))  # ids given in order, none twice


def test_every_order_is_consistent(day):
    f, rows, _ = day
    for row in rows.values():
        reached = [row[c] for c in STEP_COLUMNS if row[c] is not None]
        assert reached == sorted(reached), row  # steps in order: nothing for the data-quality page
        last_step = max([*reached, *([row["closed_at"]] if row["closed_at"] else [])])
        if row["redispatch_count"]:  # re-dispatching changes the order, not its dispatch time
            assert row["updated_at"] >= last_step
        else:
            assert row["updated_at"] == last_step
        assert row["updated_at"] <= f.clock
        if row["status"] in ("refused", "cancelled"):
            assert row["closed_at"] and row["close_reason"] and row["accepted_at"] is None
        else:
            assert row[STATUS_STEP[row["status"]]] == max(reached), row
        if row["status"] == "rated":
            assert 1 <= row["rating"] <= 5
        if row["dispatched_at"]:
            assert row["dispatch_unit_id"] in (8, 9, 18, 19)  # the county's centre or the station's institute
        if row["accepted_at"]:
            assert (row["volunteer_id"] is None) != (row["team_id"] is None)


def test_steps_take_the_paces_time(day):
    _, rows, _ = day
    for code, profile in (("140110", 0.9), ("140123", 0.3)):
        minutes = [
            (r["dispatched_at"] - r["placed_at"]).total_seconds() / 60
            for r in rows.values()
            if r["county_code"] == code and r["dispatched_at"]
        ]
        # the median of a log-normal is its median parameter; 30 % leeway for a sample of hundreds
        assert statistics.median(minutes) == pytest.approx(PACE.dispatch_minutes(profile), rel=0.3)
    statuses = {r["status"] for r in rows.values()}
    assert {"placed", "dispatched", "accepted", "completed", "rated", "refused", "cancelled"} <= statuses


def test_service_hours_for_orders_served_by_a_volunteer(day):
    _, rows, batches = day
    hours = [h for b in batches for h in b.hours]
    served = [r for r in rows.values() if r["completed_at"] and r["volunteer_id"]]
    assert sorted(h["order_id"] for h in hours) == sorted(r["id"] for r in served)
    assert all(0.5 <= h["hours"] <= 4 and h["hours"] * 2 == int(h["hours"] * 2) for h in hours)


def test_open_orders_go_on_after_the_time_they_already_waited():
    clock = dt.datetime(2026, 11, 20, 12, 0)
    waiting = {
        "id": 5,
        "county_code": "140110",
        "station_id": 10,
        "status": "dispatched",
        "placed_at": clock - dt.timedelta(hours=6),
        "dispatched_at": clock - dt.timedelta(hours=5),
        "redispatch_count": 0,
        **{c: None for c in feeder.MUTABLE if c not in ("status", "dispatched_at", "redispatch_count")},
    }
    bad = {**waiting, "id": 6, "dispatched_at": None}  # a status without its time: left alone
    f = Feeder(_world(0), clock, np.random.default_rng(1), 7, 1, open_orders=[waiting, bad])
    assert set(f.orders) == {5}
    first_event = f._queue[0][0]
    assert first_event > clock  # never a step in the past of the clock
    batch = f.advance(clock + dt.timedelta(days=5))
    assert [u["id"] for u in batch.updates] == [5] and batch.inserts == []
    assert batch.updates[0]["accepted_at"] > clock and batch.updates[0]["status"] in ("completed", "rated")


@pytest.fixture
def fed_db(empty_db):
    fx.fill(empty_db)
    yield empty_db


def test_feeder_writes_what_it_plays_and_the_wall_sees_it(fed_db):
    engine = writer_engine(fed_db)
    start = fx.NOW
    f = feeder_run.start(engine, start, np.random.default_rng(5), dt.timedelta(days=7), per_day=3000)
    assert f.clock == fx.NOW  # the data's last update is after NOW: the clock starts at NOW, never in the future
    # open and touched in the last three days: carried on (7 'processing' and 10, untouched since the 17th, are
    # not; 5, waiting for a rating, only if the resident will rate it)
    assert {2, 3, 4, 6, 8, 9, 11} <= set(f.orders) <= {2, 3, 4, 5, 6, 8, 9, 11}
    assert [c.code for c in f.world.counties] == [fx.JINYUAN]  # 清徐县's only station has no coordinates
    inserted = updated = 0
    for minutes in (10, 20, 30):
        batch = f.advance(start + dt.timedelta(minutes=minutes))
        with engine.begin() as conn:
            feeder_run.write(conn, batch)
        inserted += len(batch.inserts)
        updated += len(batch.updates)
    assert inserted > 0 and updated > 0
    reader = reader_engine(fed_db)
    with reader.connect() as conn:
        total = conn.execute(select(func.count()).select_from(service_order)).scalar_one()
        assert total == len(fx.ORDERS) + inserted
        placed_today = wall.steps_today(conn, Scope(None), f.clock)["placed"]
        assert placed_today == fx.STEPS_TODAY["placed"] + inserted
        new = conn.execute(select(service_order).where(service_order.c.id > len(fx.ORDERS))).mappings().all()
        assert {r["id"] for r in new} == set(range(len(fx.ORDERS) + 1, len(fx.ORDERS) + inserted + 1))
        assert all(r["county_code"] == fx.JINYUAN and r["station_id"] == 3 for r in new)
    reader.dispose()
    engine.dispose()


def test_one_feeder_per_database(fed_db):
    engine = writer_engine(fed_db)
    held, busy = feeder_run.exclusive(fed_db, engine), pytest.raises(feeder_run.FeederError)
    with held, busy, feeder_run.exclusive(fed_db, engine):
        pass
    with feeder_run.exclusive(fed_db, engine):  # released: can be taken again
        pass
    engine.dispose()


def test_command_line_catches_up_to_now(fed_db, monkeypatch):
    moment = dt.datetime(2026, 11, 21, 12, 0)  # the data ends at 00:05 on the 21st (order 11)
    monkeypatch.setattr(feeder_run, "local_now", lambda: moment)
    assert demo_cli.main(["feed", "--url", fed_db, "--once", "--seed", "1", "--per-day", "1000"]) == 0
    reader = reader_engine(fed_db)
    with reader.connect() as conn:
        last = conn.execute(select(func.max(service_order.c.placed_at))).scalar_one()
        total = conn.execute(select(func.count()).select_from(service_order)).scalar_one()
    reader.dispose()
    assert fx.TOMORROW < last <= moment
    assert total > len(fx.ORDERS) + 300  # ~1000/day: 82/177 of a day's orders come before noon


def test_missing_sqlite_file_is_not_created(tmp_path):
    url = f"sqlite:///{tmp_path / 'nothing.sqlite'}"
    assert demo_cli.main(["feed", "--url", url, "--once"]) == 1
    assert not (tmp_path / "nothing.sqlite").exists()


def test_a_failed_write_is_tried_again_with_its_rows(fed_db, monkeypatch):
    engine = writer_engine(fed_db)
    f = feeder_run.start(engine, fx.NOW, np.random.default_rng(2), dt.timedelta(days=7), per_day=5000)
    moment = {"now": fx.NOW + dt.timedelta(minutes=10)}
    monkeypatch.setattr(feeder_run, "local_now", lambda: moment["now"])
    real_write, failures = feeder_run.write, []

    def flaky(conn, batch):
        if not failures:  # the first step's write fails: the database is busy
            failures.append(batch)
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        real_write(conn, batch)

    monkeypatch.setattr(feeder_run, "write", flaky)
    stop = threading.Event()

    def wait(_interval):  # a second step ten minutes later, then stop
        if moment["now"] > fx.NOW + dt.timedelta(minutes=10):
            stop.set()
        moment["now"] += dt.timedelta(minutes=10)

    monkeypatch.setattr(stop, "wait", wait)
    feeder_run.feed_until_stopped(engine, f, stop, 0, once=False)
    with engine.connect() as conn:
        ids = conn.execute(select(service_order.c.id).order_by(service_order.c.id)).scalars().all()
    engine.dispose()
    assert failures and failures[0].inserts  # the failed step had new orders ...
    assert ids == list(range(1, f.next_order_id))  # ... and they were written at the next one, none lost
