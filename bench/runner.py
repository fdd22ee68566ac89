"""One benchmark pass over one scale: every page × view × backend, with both references.

For each backend the page's calls are recorded in AppTest (:mod:`bench.recorder`) and timed
(:mod:`bench.timing`); the naive pandas reference is timed per table and backend and summed per
page (it reads whole tables, so it does not depend on the view); the DuckDB reference runs the PostgreSQL statements
over Parquet copies of the scale's data (exported from the first backend listed).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select

from bench import parquet, recorder, references, timing, views
from dashboard.clock import local_today
from dashboard.models import Base
from dashboard.navigation import PAGES

DATA = Path(__file__).resolve().parent / "data"


@dataclass
class Row:
    """One line of the results: a page in a view on one backend at one scale."""

    scale: str
    backend: str
    page: str
    view: str
    calls: int = 0
    cold: float | None = None
    warm: float | None = None
    slowest: str = ""
    slowest_cold: float | None = None
    slowest_warm: str = ""
    slowest_warm_seconds: float | None = None
    naive: float | None = None
    duckdb: float | None = None
    duckdb_error: str | None = None
    error: str | None = None


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _key(rec: recorder.Recording) -> list[tuple]:
    return [(c.name, repr(c.args)) for c in rec.calls]


def _recordings(url: str, pages: list[str], county: str, station: int) -> list[recorder.Recording]:
    out: list[recorder.Recording] = []
    for page in pages:
        kept: list[recorder.Recording] = []
        for view in views.typical_views(county, station, local_today()):
            rec = recorder.record(page, view.name, url, view.params)
            same = next((k for k in kept if not rec.error and _key(k) == _key(rec)), None)
            note = f" — same calls as {same.view}, skipped" if same else (f" — {rec.error}" if rec.error else "")
            _say(f"  recorded {page} {view.name}: {len(rec.calls)} calls{note}")
            if same is None:  # e.g. the wall ignores the filters, most pages have no station filter
                kept.append(rec)
        out += kept
    return out


def run_backend(scale: str, backend: str, url: str, pages: list[str], runs: int, naive_runs: int):
    """Rows of one backend, and the captured PostgreSQL statements per (page, view)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        county, station = views.busiest(conn)
    _say(f"{scale}/{backend}: busiest district {county}, station {station}")
    rows: list[Row] = []
    statements: dict[tuple[str, str], list[str]] = {}
    columns: dict[str, dict[str, set[str]]] = {}
    for rec in _recordings(url, pages, county, station):
        row = Row(scale, backend, rec.page, rec.view, calls=len(rec.calls), error=rec.error)
        rows.append(row)
        if rec.error or not rec.calls:
            continue
        times, captured = timing.time_page(url, rec.calls, runs)
        row.cold, row.warm = times.cold, times.warm
        row.slowest, row.slowest_cold = max(times.per_call.items(), key=lambda kv: kv[1])
        row.slowest_warm, row.slowest_warm_seconds = max(times.warm_per_call.items(), key=lambda kv: kv[1])
        statements[(rec.page, rec.view)] = captured.sql
        page_columns = columns.setdefault(rec.page, {})
        for table, cols in captured.columns.items():
            page_columns.setdefault(table, set()).update(cols)
        _say(f"  timed {rec.page} {rec.view}: cold {row.cold * 1000:.0f} ms, warm {row.warm * 1000:.1f} ms")
    needed: dict[str, set[str]] = {}
    for page_columns in columns.values():
        for table, cols in page_columns.items():
            needed.setdefault(table, set()).update(cols)
    table_seconds = references.table_read_seconds(engine, needed, naive_runs)
    _say("  naive reads: " + ", ".join(f"{t} {s * 1000:.0f} ms" for t, s in table_seconds.items()))
    for page, page_columns in columns.items():
        seconds = references.naive_seconds(table_seconds, set(page_columns))
        for row in rows:
            if row.page == page:
                row.naive = seconds
    engine.dispose()
    return rows, statements, (county, station)


def table_rows(url: str) -> dict[str, int]:
    """Rows per platform table of the database at ``url``."""
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in Base.metadata.sorted_tables
        }
    engine.dispose()
    return counts


def run_scale(
    scale: str, urls: dict[str, str], pages: list[str] | None, runs: int, naive_runs: int, export: bool = True
) -> dict:
    """Every backend of ``scale`` (``urls``: backend → URL) and the DuckDB reference; a JSON-able dict."""
    pages = pages or [spec.url_path for spec in PAGES]
    rows: list[Row] = []
    pg_statements: dict[tuple[str, str], list[str]] = {}
    focus = None
    for backend, url in urls.items():
        backend_rows, statements, focus = run_backend(scale, backend, url, pages, runs, naive_runs)
        rows += backend_rows
        if backend == "postgresql":
            pg_statements = statements
    export_info = None
    if pg_statements:
        folder = DATA / f"parquet-{scale}"
        if export or not folder.exists():
            exported, seconds = parquet.export(create_engine(urls["postgresql"]), folder)
            export_info = {"rows": exported, "seconds": seconds}
            _say(f"  exported {exported:,} rows to Parquet in {seconds:.0f} s")
        db = parquet.connect(folder)
        for (page, view), sql in pg_statements.items():
            seconds, problem = references.duckdb_seconds(db, sql, runs)
            for row in rows:
                if row.page == page and row.view == view:
                    row.duckdb, row.duckdb_error = seconds, problem
            _say(f"  duckdb {page} {view}: {problem or f'{seconds * 1000:.0f} ms'}")
    return {
        "scale": scale,
        "backends": list(urls),
        "district": focus[0] if focus else None,
        "station": focus[1] if focus else None,
        "runs": runs,
        "naive_runs": naive_runs,
        "parquet_export": export_info,
        "table_rows": table_rows(next(iter(urls.values()))),
        "rows": [asdict(r) for r in rows],
    }
