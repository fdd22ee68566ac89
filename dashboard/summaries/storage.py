"""Where the summary schema lives: a schema ``dash`` on PostgreSQL, a sibling file attached as ``dash`` on SQLite.

On SQLite the summaries of ``demo.sqlite`` are in ``demo.dash.sqlite`` beside it (:func:`summary_file`).
The dashboard's readers attach that file to every connection they hand out, once it exists (they never
create it, and ``query_only`` keeps it read-only); the refresh command creates it and writes to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, delete, event, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateIndex, CreateTable

from dashboard.summaries.tables import SCHEMA, metadata, table_layout

_ATTACHED = "dash_attached"


def summary_file(url: str) -> Path | None:
    """The SQLite file holding the summaries of the SQLite database at ``url`` (None for other databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    path = Path(parsed.database)
    stem = path.name.removesuffix(".sqlite")
    return path.with_name(f"{stem}.{SCHEMA}.sqlite")


def _attach(dbapi_conn, path: Path) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (str(path),))
    cur.close()


def attach_for_reader(engine: Engine, url: str) -> None:
    """Attach the summary file to every connection ``engine`` hands out, as soon as the file exists.

    While it is missing, nothing is attached and a query of ``dash.*`` fails with "no such table",
    which :func:`dashboard.errors.classify` turns into the Chinese message asking for a refresh.
    """
    path = summary_file(url)
    if path is None:
        return

    def on_checkout(dbapi_conn, record, _proxy):
        if not record.info.get(_ATTACHED) and path.is_file():
            _attach(dbapi_conn, path)
            record.info[_ATTACHED] = True

    event.listen(engine, "checkout", on_checkout)


def attach_for_writer(engine: Engine, url: str) -> None:
    """Attach (creating it if needed) the summary file to every new connection of a writing ``engine``."""
    path = summary_file(url)
    if path is None:
        return

    def on_connect(dbapi_conn, _record):
        _attach(dbapi_conn, path)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA {SCHEMA}.journal_mode = WAL")  # readers of the summaries never wait for a refresh
        cur.close()

    event.listen(engine, "connect", on_connect)


def fingerprint(table: Table, conn: Connection) -> str:
    """A digest of ``table``'s DDL in this version (columns, types, keys and indexes) on this dialect."""
    ddl = [str(CreateTable(table).compile(conn))]
    ddl += sorted(str(CreateIndex(index).compile(conn)) for index in table.indexes)
    return hashlib.sha256("\n".join(ddl).encode()).hexdigest()


def create(conn: Connection) -> set[str]:
    """Create the schema (PostgreSQL) and every summary table as this version defines it; the names of the
    tables created empty.

    A table that exists with the layout recorded for it in ``table_layout`` is kept. One that exists with
    another layout, or none recorded (made by a version before the record existed), is dropped with its
    indexes and statistics and created anew: the refresh then rebuilds its summary in full. So an upgrade
    that changes a summary's columns or indexes needs nothing but the next refresh (which, on PostgreSQL,
    holds readers of that table until it commits).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    table_layout.create(conn, checkfirst=True)
    recorded = dict(conn.execute(select(table_layout.c.name, table_layout.c.fingerprint)).all())
    existing = set(inspect(conn).get_table_names(schema=SCHEMA))
    created = set()
    for table in metadata.sorted_tables:
        if table is table_layout:
            continue
        wanted = fingerprint(table, conn)
        if table.name in existing and recorded.get(table.name) == wanted:
            continue
        if table.name in existing:
            table.drop(conn)
        table.create(conn)
        conn.execute(delete(table_layout).where(table_layout.c.name == table.name))
        conn.execute(insert(table_layout).values(name=table.name, fingerprint=wanted))
        created.add(table.name)
    return created


def vacuum_analyze(engine: Engine, tables: Iterable[str]) -> None:
    """``VACUUM (ANALYZE)`` each of ``tables`` (names, schema-qualified where needed) on PostgreSQL: fresh
    statistics, dead rows gone and a visibility map, so index-only scans need not visit the heap.

    VACUUM cannot run inside a transaction, hence the autocommit connection. A production database
    gets the same from autovacuum, which the dashboard relies on; on a server run with autovacuum off
    (as the benchmark's) the demo build and the summaries' refresh are what vacuums. Nothing on SQLite.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in sorted(tables):
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))
