"""The two references the pages are compared with, on the same data in the same run.

(a) naive pandas: read the tables the page's SQL touches, whole (no WHERE: the naive way filters in
    pandas), into DataFrames, then group there (a group-by on ``county_code`` stands for the page's
    aggregations). Each table is read once per backend with every column any page needs from it,
    and a page's figure is the sum over its tables. Reading dominates; the figure is a lower bound.
    The rows come through a server-side cursor in chunks of :data:`CHUNK_ROWS`, each grouped and
    then dropped: read all at once, the province's 13.8 M orders as Python rows took the whole
    24 GB of the machine and the process was killed (23 November, the first full-volume run).
(b) DuckDB: the page's exact PostgreSQL statements (literal SQL captured while timing) run by DuckDB
    over Parquet copies of the tables (:mod:`bench.parquet`); a near-lower bound for a scan.
"""

from __future__ import annotations

import statistics
import time

import duckdb
import pandas as pd
from sqlalchemy import Engine, select

from dashboard.models import Base

CHUNK_ROWS = 500_000


def _read_once(engine: Engine, name: str, cols: set[str]) -> float:
    table = Base.metadata.tables[name]
    wanted = [table.c[c] for c in sorted(cols | {"county_code"}) if c in table.c] or list(table.c)
    start = time.perf_counter()
    with engine.connect().execution_options(stream_results=True) as conn:
        for frame in pd.read_sql_query(select(*wanted), conn, chunksize=CHUNK_ROWS):
            if "county_code" in frame:
                frame.groupby("county_code").size()
    return time.perf_counter() - start


def table_read_seconds(engine: Engine, columns: dict[str, set[str]], runs: int) -> dict[str, float]:
    """Median seconds to read each table's given columns (all rows) into pandas and group them by county."""
    known = {name: cols for name, cols in columns.items() if name in Base.metadata.tables}
    return {
        name: statistics.median(_read_once(engine, name, cols) for _ in range(runs)) for name, cols in known.items()
    }


def naive_seconds(table_seconds: dict[str, float], tables: set[str]) -> float:
    """The naive way for a page: the read times of the tables its SQL touches, added up."""
    return sum(table_seconds.get(name, 0.0) for name in tables)


_ANY_ARRAY = "= ANY(ARRAY("


def _closing(sql: str, opened: int) -> int:
    """The index of the parenthesis closing the one at ``opened``."""
    depth = 0
    for i in range(opened, len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[i], 0)
        if depth == 0:
            return i
    raise ValueError("unbalanced parentheses")


def for_duckdb(sql: str) -> str:
    """A captured PostgreSQL statement as DuckDB runs it: ``x = ANY(ARRAY(SELECT …))`` (``queries.common.any_of``,
    which DuckDB does not take) becomes the equivalent ``x IN (SELECT …)``."""
    while (at := sql.find(_ANY_ARRAY)) >= 0:
        any_open = at + len("= ANY")
        array_open = any_open + len("(ARRAY")
        array_close = _closing(sql, array_open)
        inner = sql[array_open + 1 : array_close]
        sql = sql[:at] + "IN (" + inner + ")" + sql[_closing(sql, any_open) + 1 :]
    return sql


def duckdb_seconds(db: duckdb.DuckDBPyConnection, statements: list[str], runs: int) -> tuple[float | None, str | None]:
    """Median seconds DuckDB takes for the page's statements (:func:`for_duckdb`); (None, reason) when it cannot
    run one."""
    statements = [for_duckdb(sql) for sql in statements]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for sql in statements:
            try:
                db.execute(sql).fetchall()
            except duckdb.Error as exc:
                return None, str(exc).splitlines()[0][:160]
        times.append(time.perf_counter() - start)
    return statistics.median(times), None
