"""Parquet copies of the platform tables for the DuckDB reference, and a DuckDB connection over them.

The tables are streamed out of the benchmark database in chunks (pandas, then pyarrow with a schema
derived from ``dashboard.models``, so an all-NULL chunk keeps its column's type) into one Parquet
file per table under ``bench/data/<scale>/``. DuckDB then sees each file as a view of the table's
name, so the captured PostgreSQL statements run unchanged (``to_char`` is
provided as a macro). No DuckDB extension is loaded.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Boolean, Date, DateTime, Engine, Float, Integer, SmallInteger, select

from dashboard.models import Base

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


def export(engine: Engine, folder: Path) -> tuple[int, float]:
    """Write every platform table to ``folder/<table>.parquet``; returns (rows, seconds)."""
    folder.mkdir(parents=True, exist_ok=True)
    start, rows = time.perf_counter(), 0
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            schema = pa.schema([(c.name, _arrow_type(c)) for c in table.columns])
            stream = conn.execution_options(stream_results=True, max_row_buffer=CHUNK_ROWS)
            with pq.ParquetWriter(folder / f"{table.name}.parquet", schema) as writer:
                chunks = pd.read_sql_query(select(table), stream, chunksize=CHUNK_ROWS)
                wrote = False
                for chunk in chunks:
                    for c in table.columns:
                        if isinstance(c.type, DateTime | Date):
                            chunk[c.name] = pd.to_datetime(chunk[c.name])
                    writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False, safe=False))
                    rows += len(chunk)
                    wrote = True
                if not wrote:
                    writer.write_table(schema.empty_table())
    return rows, time.perf_counter() - start


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose views, one per table, read the Parquet files in ``folder``."""
    db = duckdb.connect()
    db.execute(TO_CHAR)
    for table in Base.metadata.sorted_tables:
        path = folder / f"{table.name}.parquet"
        db.execute(f"CREATE VIEW {table.name} AS SELECT * FROM read_parquet('{path}')")
    return db
