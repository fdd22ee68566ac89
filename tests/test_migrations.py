"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from dashboard import schema
from dashboard.db import reader_engine, writer_engine
from dashboard.models import Base


def test_migrations_match_the_models(empty_db):
    schema.upgrade(empty_db)
    engine = writer_engine(empty_db)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert diff == []
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_reader_engine_refuses_writes(small_demo):
    url, _ = small_demo
    engine = reader_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM unit")).scalar() > 0
        try:
            conn.execute(text("UPDATE unit SET name = 'x' WHERE id = 1"))
            conn.commit()
            written = True
        except DBAPIError as exc:
            written = False
            assert "read" in str(exc).lower()  # 'readonly' (SQLite) / 'read-only transaction' (PostgreSQL)
    engine.dispose()
    assert not written
