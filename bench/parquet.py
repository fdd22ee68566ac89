"""Parquet copies of the platform tables and the dashboard's summaries for the DuckDB reference, and a
DuckDB connection over them.

The tables are streamed out of the benchmark database in chunks (pandas, then pyarrow with a schema
derived from ``dashboard.models`` or ``dashboard.summaries.tables``, so an all-NULL chunk keeps its
column's type) into one Parquet file per table under ``bench/data/<scale>/`` (``dash.<name>.parquet``
for a summary). DuckDB then sees each file as a view of the table's name, the summaries in a schema
``dash`` as on PostgreSQL, so the captured PostgreSQL statements run unchanged (``to_char`` is
provided as a macro). No DuckDB extension is loaded.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Boolean, Date, DateTime, Engine, Float, Integer, SmallInteger, Table, select

from dashboard.models import Base
from dashboard.summaries.tables import metadata as summary_metadata

CHUNK_ROWS = 200_000
# PostgreSQL's to_char for the date formats queries.common emits ('YYYY-MM', 'YYYY-MM-DD'), as a DuckDB macro.
TO_CHAR = (
    "CREATE MACRO to_char(t, f) AS strftime(t, replace(replace(replace(replace(replace(replace("
    "f, 'YYYY', '%Y'), 'MM', '%m'), 'DD', '%d'), 'HH24', '%H'), 'MI', '%M'), 'SS', '%S'))"
)


def _arrow_type(column) -> pa.DataType:
    kind = column.type
    if isinstance(kind, Boolean):
        return pa.bool_()
    if isinstance(kind, SmallInteger | Integer):
        return pa.int64()
    if isinstance(kind, Float):
        return pa.float64()
    if isinstance(kind, DateTime):
        return pa.timestamp("us")
    if isinstance(kind, Date):
        return pa.date32()
    return pa.string()


def _tables() -> list[Table]:
    """The platform's tables, then the dashboard's summaries (schema ``dash``)."""
    return [*Base.metadata.sorted_tables, *summary_metadata.sorted_tables]


def _file(folder: Path, table: Table) -> Path:
    return folder / f"{table.fullname}.parquet"


def _write(conn, table: Table, path: Path) -> int:
    """Stream ``table`` into the Parquet file ``path``; its rows."""
    schema = pa.schema([(c.name, _arrow_type(c)) for c in table.columns])
    stream = conn.execution_options(stream_results=True, max_row_buffer=CHUNK_ROWS)
    rows = 0
    with pq.ParquetWriter(path, schema) as writer:
        for chunk in pd.read_sql_query(select(table), stream, chunksize=CHUNK_ROWS):
            for c in table.columns:
                if isinstance(c.type, DateTime | Date):
                    chunk[c.name] = pd.to_datetime(chunk[c.name])
            writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False, safe=False))
            rows += len(chunk)
        if not rows:
            writer.write_table(schema.empty_table())
    return rows


def export(engine: Engine, folder: Path) -> tuple[int, float]:
    """Write every platform table to ``folder/<table>.parquet`` and, from PostgreSQL (whose statements DuckDB
    replays), every summary to ``folder/dash.<table>.parquet``; returns (platform rows, seconds)."""
    folder.mkdir(parents=True, exist_ok=True)
    start, rows = time.perf_counter(), 0
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows += _write(conn, table, _file(folder, table))
        if engine.dialect.name == "postgresql":
            for table in summary_metadata.sorted_tables:
                _write(conn, table, _file(folder, table))
    return rows, time.perf_counter() - start


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose views, one per table (the summaries in schema ``dash``), read the Parquet
    files in ``folder``."""
    db = duckdb.connect()
    db.execute(TO_CHAR)
    for schema in {table.schema for table in _tables() if table.schema}:
        db.execute(f"CREATE SCHEMA {schema}")
    for table in _tables():
        if not _file(folder, table).exists():  # an export from SQLite has no summaries
            continue
        db.execute(f"CREATE VIEW {table.fullname} AS SELECT * FROM read_parquet('{_file(folder, table)}')")
    return db
