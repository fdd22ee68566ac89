"""The dashboard's summary schema (``dash``): refresh, incremental refresh, live top-up, and a missing summary.

Runs on the hand-made database of tests/targets_fixture.py (every figure below worked out by hand from
its rows), on SQLite and PostgreSQL. Rows added in a test are added to a database of the test's own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Connection, delete, insert, select, text
from sqlalchemy.exc import SQLAlchemyError

from dashboard.clock import local_now
from dashboard.db import reader_engine, writer_engine
from dashboard.demo.build import build_demo_file
from dashboard.errors import SUMMARY_MESSAGE, DashboardError, classify
from dashboard.filters import Filters
from dashboard.models import Base
from dashboard.scope import Scope
from dashboard.summaries import storage
from dashboard.summaries.__main__ import main
from dashboard.summaries.definitions import order_recent_from
from dashboard.summaries.refresh import refresh
from dashboard.summaries.storage import summary_file
from queries import overview, summaries
from queries.common import TABLES
from tests import targets_fixture as fx
from tests.fixtures import SMALL, database, hows_with_nothing_new

A, B, A1 = fx.A, fx.B, fx.A1
ALL = Scope(None)


def _period(start: str, end: str, **changes) -> Filters:
    return Filters(dt.date.fromisoformat(start), dt.date.fromisoformat(end), period_key="custom", **changes)


def _registered(conn: Connection, end: str, keys=("county_code",), scope: Scope = ALL, **changes) -> dict:
    sub = summaries.registered(conn, scope, _period("2026-01-01", end, **changes), list(keys))
    rows = conn.execute(select(*(sub.c[k] for k in keys), sub.c.volunteers)).all()
    return {row[0] if len(keys) == 1 else tuple(row[:-1]): int(row[-1]) for row in rows}


def _held(conn: Connection, start: str, end: str, township: str | None = None) -> int:
    return overview.activity_count(conn, ALL, _period(start, end, township=township))


@pytest.fixture
def own_db(backend, tmp_path):
    """A fresh copy of the targets fixture (summaries refreshed by its fill), writable by the test."""
    with fx.filled(backend, tmp_path) as url:
        yield url


def _read(url: str, fn, *args):
    engine = reader_engine(url)
    try:
        with engine.connect() as conn:
            return fn(conn, *args)
    finally:
        engine.dispose()


def _write(url: str, table: str, rows: list[dict]) -> None:
    engine = writer_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(TABLES[table]), rows)
    engine.dispose()


def _volunteer(vid: int, registered: dt.date, county: str = A, township: str | None = A1, unit_id: int = 3) -> dict:
    return {
        "id": vid,
        "name": f"新人{vid}",
        "county_code": county,
        "township_code": township,
        "unit_id": unit_id,
        "registered_on": registered,
        "is_party_member": False,
        "is_in_service_party_member": False,
        "star_level": 0,
        "points": 0,
    }


def _activity(aid: int, held: dt.date, county: str = A, township: str | None = A1, unit_id: int = 3) -> dict:
    return {
        "id": aid,
        "unit_id": unit_id,
        "county_code": county,
        "township_code": township,
        "held_on": held,
        "title": "新活动",
        "content_area": "learn_theory",
        "kind": "general",
        "participants": 1,
        "volunteer_hours": 1,
    }


def test_registered_volunteers_by_any_end_date_in_scope_and_area(own_db):
    def figures(conn):
        return {
            "month_end": _registered(conn, "2026-03-31"),
            "mid_month": _registered(conn, "2026-03-30"),  # 孙八 registered on 03-31: not yet
            "after": _registered(conn, "2026-04-01"),  # 王五 registered on 04-01
            "township": _registered(conn, "2026-03-31", township=A1),
            "units": _registered(conn, "2026-03-31", keys=("unit_id",)),
            "monthly": _registered(conn, "2026-03-31", keys=("county_code", "month")),
            "leader_of_b": _registered(conn, "2026-03-31", scope=Scope(frozenset({B}))),
        }

    got = _read(own_db, figures)
    assert got["month_end"] == {A: 4, B: 1}
    assert got["mid_month"] == {A: 3, B: 1}
    assert got["after"] == {A: 5, B: 1}
    assert got["township"] == {A: 2}
    assert got["units"] == {3: 2, 1: 1, 9: 1, 8: 1}
    assert got["monthly"] == {
        (A, "2025-01"): 1,
        (A, "2025-06"): 1,
        (A, "2026-02"): 1,
        (A, "2026-03"): 1,
        (B, "2025-03"): 1,
    }
    assert got["leader_of_b"] == {B: 1}


def test_activities_held_in_any_period_by_day(own_db):
    assert _read(own_db, _held, "2026-01-01", "2026-03-31") == 9
    assert _read(own_db, _held, "2026-01-10", "2026-01-20") == 3  # 01-10, 01-15, 01-20
    assert _read(own_db, _held, "2026-01-01", "2026-03-31", A1) == 7  # township A1: all but 区中心's and B's
    assert _read(own_db, _held, "2025-12-31", "2026-01-01") == 2  # the year's last and first day


def test_activities_of_a_leaders_districts_only(own_db):
    def held_in_b(conn):
        return overview.activity_count(conn, Scope(frozenset({B})), _period("2025-12-01", "2026-12-31"))

    assert _read(own_db, held_in_b) == 1


def test_rows_of_today_count_at_once_and_old_dates_from_the_next_refresh(own_db):
    today = local_now().date()
    this_year = f"{today.year}-01-01"
    before = _read(own_db, lambda c: (_registered(c, today.isoformat()), _held(c, this_year, today.isoformat())))
    _write(own_db, "volunteer", [_volunteer(101, today), _volunteer(102, dt.date(2025, 5, 5))])
    _write(own_db, "activity", [_activity(101, today), _activity(102, dt.date(today.year, 1, 2))])
    live = _read(own_db, lambda c: (_registered(c, today.isoformat()), _held(c, this_year, today.isoformat())))
    assert live == ({**before[0], A: before[0][A] + 1}, before[1] + 1)  # today's rows only, straight from the platform

    outcomes = {o.name: o for o in refresh(own_db)}
    assert (outcomes["volunteers"].how, outcomes["volunteers"].since) == ("incremental", dt.date(2025, 5, 1))
    # on the day of the last refresh the recent months have not moved: only the new rows' day on
    assert (outcomes["activities"].how, outcomes["activities"].since) == ("incremental", dt.date(today.year, 1, 2))
    after = _read(own_db, lambda c: (_registered(c, today.isoformat()), _held(c, this_year, today.isoformat())))
    assert after == ({**before[0], A: before[0][A] + 2}, before[1] + 2)

    outcomes = {o.name: o for o in refresh(own_db)}  # nothing new
    assert {name: o.how for name, o in outcomes.items()} == hows_with_nothing_new()
    assert outcomes["order_status"].since == order_recent_from(today)
    assert _read(own_db, lambda c: (_registered(c, today.isoformat()), _held(c, this_year, today.isoformat()))) == after


def test_deleted_rows_make_the_next_refresh_a_full_one(own_db):
    engine = writer_engine(own_db)
    with engine.begin() as conn:
        conn.execute(delete(TABLES["volunteer"]).where(TABLES["volunteer"].c.id == 3))  # 王五, 2026-04-01
    engine.dispose()
    assert _read(own_db, _registered, "2026-05-31") == {A: 5, B: 1}  # April is summarised: still counted
    assert {o.name: o.how for o in refresh(own_db)}["volunteers"] == "full"
    assert _read(own_db, _registered, "2026-05-31") == {A: 4, B: 1}


def test_the_refresh_records_when_it_ran_and_the_command_reports(own_db, capsys):
    start = local_now().replace(microsecond=0)
    assert main(["refresh", "--url", own_db, "--full"]) == 0
    printed = capsys.readouterr().out
    assert "volunteers: 全部重算，来源 6 行" in printed and "activities: 全部重算，来源 10 行" in printed
    when = _read(own_db, summaries.refreshed_at, ALL)
    assert start <= when <= local_now()
    assert main(["refresh", "--url", own_db]) == 0
    assert "volunteers: 无新数据" in capsys.readouterr().out


def test_the_reader_cannot_write_the_summaries(own_db):
    engine = reader_engine(own_db)
    with engine.connect() as conn, pytest.raises(SQLAlchemyError):
        conn.execute(text("DELETE FROM dash.activity_days"))
    engine.dispose()


def test_a_database_without_summaries_gives_one_chinese_message(backend, tmp_path):
    with database(backend, tmp_path) as url:
        engine = writer_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        reader = reader_engine(url)
        with reader.connect() as conn, pytest.raises(SQLAlchemyError) as failed:
            overview.district_summary(conn, ALL, _period("2026-01-01", "2026-03-31"), 4)
        reader.dispose()
        assert classify(failed.value) == SUMMARY_MESSAGE
        if backend == "sqlite":
            assert not summary_file(url).exists()  # the reader never creates the file
        refresh(url)  # now it exists: the same reader engine sees it from its next connection on
        assert _read(url, lambda c: overview.activity_count(c, ALL, _period("2026-01-01", "2026-03-31"))) == 0


def test_a_summary_never_refreshed_gives_the_same_message(own_db):
    engine = writer_engine(own_db)
    storage.attach_for_writer(engine, own_db)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM dash.refresh_state"))
    engine.dispose()
    with pytest.raises(Exception) as failed:
        _read(own_db, _held, "2026-01-01", "2026-03-31")
    assert classify(failed.value) == SUMMARY_MESSAGE
    assert not isinstance(failed.value, DashboardError)


def test_the_demo_file_and_its_summaries_are_replaced_together(tmp_path):
    path = tmp_path / "demo.sqlite"
    build_demo_file(path, SMALL)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.dash.sqlite", "demo.sqlite"]
    assert _read(f"sqlite:///{path}", summaries.refreshed_at, ALL) is not None
    assert summary_file(f"sqlite:///{path}") == Path(tmp_path / "demo.dash.sqlite")
