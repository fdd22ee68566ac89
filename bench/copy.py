"""A second backend with the very same rows: load a scale's Parquet export into an empty SQLite file.

Generating a scale twice costs as long as the first time; copying the PostgreSQL build's rows
(exported by :mod:`bench.parquet`) takes a fraction of that and makes the two backends hold
identical data, so their times compare like for like. The schema comes from the same Alembic
migration as the build's, the rows go through the demo's own :class:`~dashboard.demo.sink.Sink`
(executemany, secondary indexes built after the load; foreign keys are not re-checked, PostgreSQL
already did), then ``ANALYZE`` as the build does.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from sqlalchemy import Date, DateTime, text

from dashboard import schema
from dashboard.db import writer_engine
from dashboard.demo.sink import Sink
from dashboard.models import Base

BATCH_ROWS = 100_000


def _values(frame: pd.DataFrame, table) -> dict[str, list]:
    out: dict[str, list] = {}
    for column in table.columns:
        series = frame[column.name]
        if isinstance(column.type, DateTime):
            series = series.dt.strftime("%Y-%m-%dT%H:%M:%S")
        elif isinstance(column.type, Date):
            series = pd.to_datetime(series).dt.strftime("%Y-%m-%d")
        out[column.name] = series.astype(object).where(series.notna(), None).tolist()
    return out


def load_sqlite(folder: Path, url: str) -> tuple[int, float]:
    """Create the schema at ``url`` (an empty SQLite file) and load every table from ``folder``."""
    start = time.perf_counter()
    schema.upgrade(url)
    engine = writer_engine(url)
    sink = Sink(engine)
    sink.raw.cursor().execute("PRAGMA foreign_keys = OFF")  # rows come in storage order; PostgreSQL checked them
    sink.defer_indexes()
    try:
        for table in Base.metadata.sorted_tables:
            for batch in pq.ParquetFile(folder / f"{table.name}.parquet").iter_batches(batch_size=BATCH_ROWS):
                sink.write(table.name, _values(batch.to_pandas(), table))
            sink.commit()
        sink.restore_indexes()
    finally:
        sink.close()
    with engine.begin() as conn:
        conn.execute(text("PRAGMA analysis_limit = 1000"))
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return sum(sink.rows.values()), time.perf_counter() - start
