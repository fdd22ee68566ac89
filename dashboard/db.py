"""Engines for the shared database: read-only for the dashboard, writable for the demo tools.

The dashboard's engine refuses writes: on PostgreSQL every transaction is READ ONLY
(``default_transaction_read_only``), on SQLite the connection is ``query_only``. SQLite files are
opened in WAL mode by the writers, so the dashboard's readers never block the demo feeder.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def _sqlite_pragmas(*pragmas: str):
    def on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        for pragma in pragmas:
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    return on_connect


def _refuse_missing_file(path: str):
    def do_connect(_dialect, _record, _cargs, _cparams):
        if not Path(path).is_file():
            raise sqlite3.OperationalError(f"unable to open database file: {path} does not exist")

    return do_connect


def reader_engine(url: str) -> Engine:
    """An engine that can only read: what every page and query of the dashboard uses.

    On SQLite a missing file is an error (a reader must not create an empty database).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 5})
        if parsed.database and parsed.database != ":memory:":
            event.listen(engine, "do_connect", _refuse_missing_file(parsed.database))
        event.listen(engine, "connect", _sqlite_pragmas("query_only = ON", "busy_timeout = 5000"))
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=4,
        max_overflow=4,
        connect_args={
            "connect_timeout": 5,
            "options": "-c default_transaction_read_only=on -c statement_timeout=20000",
            "application_name": "wenming-dashboard",
        },
    )


def writer_engine(url: str) -> Engine:
    """An engine that writes: for migrations, the demo builder, the demo feeder and test fixtures."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(
            engine,
            "connect",
            _sqlite_pragmas("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON", "busy_timeout = 30000"),
        )
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def backend(url: str) -> str:
    """'sqlite' or 'postgresql'."""
    return make_url(url).get_backend_name()
