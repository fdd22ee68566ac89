"""An upgrade that changes a summary table's layout: the next refresh drops the table, creates it as this
version defines it and rebuilds its summary in full; a table of the same layout is kept. On SQLite and
PostgreSQL, on the targets fixture (its summaries refreshed by its fill)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select, text, update

from dashboard.db import writer_engine
from dashboard.summaries import storage
from dashboard.summaries.refresh import refresh
from dashboard.summaries.tables import SCHEMA, table_layout, volunteer_unit_months
from queries.common import volunteer
from tests import targets_fixture as fx
from tests.fixtures import hows_with_nothing_new


@pytest.fixture
def own_db(backend, tmp_path):
    with fx.filled(backend, tmp_path) as url:
        yield url


def _writer(url: str):
    engine = writer_engine(url)
    storage.attach_for_writer(engine, url)
    return engine


def _nothing_rebuilt(url: str) -> bool:
    """A refresh with nothing new did only what it does every time (tests.fixtures.hows_with_nothing_new)."""
    return {o.name: o.how for o in refresh(url)} == hows_with_nothing_new()


def _indexes(conn, table: str) -> set[str]:
    return {index["name"] for index in inspect(conn).get_indexes(table, schema=SCHEMA)}


def test_a_table_of_an_older_layout_is_rebuilt_and_the_others_are_kept(own_db):
    engine = _writer(own_db)
    with engine.begin() as conn:  # as an earlier version left it: no month index, another layout recorded
        conn.execute(text(f"DROP INDEX {SCHEMA}.ix_volunteer_unit_months_month"))
        old = update(table_layout).where(table_layout.c.name == "volunteer_unit_months").values(fingerprint="old")
        conn.execute(old)
    outcomes = {o.name: o.how for o in refresh(own_db)}
    assert outcomes == hows_with_nothing_new() | {"volunteers": "full"}
    with engine.connect() as conn:
        assert "ix_volunteer_unit_months_month" in _indexes(conn, "volunteer_unit_months")
        summed = conn.execute(select(func.sum(volunteer_unit_months.c.volunteers))).scalar_one()
        assert summed == conn.execute(select(func.count()).select_from(volunteer)).scalar_one() > 0
        recorded = select(table_layout.c.fingerprint).where(table_layout.c.name == "volunteer_unit_months")
        assert conn.execute(recorded).scalar_one() == storage.fingerprint(volunteer_unit_months, conn)
    engine.dispose()
    assert _nothing_rebuilt(own_db)  # recorded now: kept from here on


def test_summaries_made_before_the_layout_record_are_rebuilt_once(own_db):
    engine = _writer(own_db)
    with engine.begin() as conn:
        table_layout.drop(conn)
    assert {o.how for o in refresh(own_db)} == {"full"}
    assert _nothing_rebuilt(own_db)
    with engine.connect() as conn:
        names = set(conn.execute(select(table_layout.c.name)).scalars())
        assert names == set(inspect(conn).get_table_names(schema=SCHEMA)) - {"table_layout"}
    engine.dispose()
