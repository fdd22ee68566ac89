"""Database failures become one plain Chinese message each (dashboard.errors, dashboard.data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from dashboard import errors
from dashboard.db import reader_engine
from queries.common import unit


class _UndefinedTable(Exception):
    pgcode = "42P01"

    def __str__(self) -> str:
        return 'relation "public.unit" does not exist\nLINE 1: SELECT ...'


class _Refused(Exception):
    def __str__(self) -> str:
        return 'connection to server at "db.example" (10.0.0.1), port 5432 failed: Connection refused'


def test_missing_table_on_sqlite(tmp_path: Path) -> None:
    (tmp_path / "empty.sqlite").touch()
    engine = reader_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with pytest.raises(OperationalError) as caught, engine.connect() as conn:
        conn.execute(select(unit.c.id))
    assert errors.classify(caught.value) == (
        "数据库缺少数据表 unit：请先运行数据库迁移（alembic upgrade head）或重新生成演示数据。"
    )


def test_missing_table_on_postgresql() -> None:
    exc = ProgrammingError("SELECT ...", {}, _UndefinedTable())
    assert errors.classify(exc) == errors.MISSING_TABLE_MESSAGE.format(table="unit")


def test_unreachable_database(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.sqlite'}")
    with pytest.raises(OperationalError) as caught:
        engine.connect()
    assert errors.classify(caught.value) == errors.CONNECT_MESSAGE
    # whatever fails while connecting is a connection problem (e.g. PostgreSQL refusing)
    refused = OperationalError("connect", {}, _Refused())
    assert errors.classify(errors.ConnectError("x")) == errors.CONNECT_MESSAGE
    assert "Connection refused" in errors.summary(refused)


def test_other_failures() -> None:
    assert errors.classify(ValueError("boom")) == "查询失败，请稍后重试。"
    assert (
        errors.classify(OperationalError("SELECT", {}, Exception("canceling statement due to statement timeout")))
        == errors.QUERY_MESSAGE
    )


def test_reader_does_not_create_a_missing_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite"
    engine = reader_engine(f"sqlite:///{path}")
    with pytest.raises(OperationalError) as caught:
        engine.connect()
    assert not path.exists()
    assert errors.classify(caught.value) == errors.CONNECT_MESSAGE
