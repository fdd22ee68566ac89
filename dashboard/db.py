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

from dashboard.summaries import storage

# The PostgreSQL session of every reader connection. JIT compilation is off: the dashboard's statements
# run for milliseconds to a second, and compiling them cost more than it saved (0.3 s on the orders'
# percentiles at city scale, up to 3.6 s under load: bench/query_fixes.md). work_mem (PostgreSQL's
# default is 4MB) lets the sorts and hashes of the bigger aggregations stay in memory; it is a limit per
# sort or hash node and per parallel worker, for at most 8 connections per process (pool 4 + overflow 4).
READER_SETTINGS = {
    "default_transaction_read_only": "on",
    "statement_timeout": "20000",
    "jit": "off",
    "work_mem": "32MB",
}


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

    On SQLite a missing file is an error (a reader must not create an empty database); the summaries'
    sibling file is attached as ``dash`` once it exists (``dashboard.summaries.storage``).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 5})
        if parsed.database and parsed.database != ":memory:":
            event.listen(engine, "do_connect", _refuse_missing_file(parsed.database))
        event.listen(engine, "connect", _sqlite_pragmas("query_only = ON", "busy_timeout = 5000"))
        storage.attach_for_reader(engine, url)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=4,
        max_overflow=4,
        connect_args={
            "connect_timeout": 5,
            "options": " ".join(f"-c {name}={value}" for name, value in READER_SETTINGS.items()),
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
