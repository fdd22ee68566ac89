"""Generating the benchmark databases and timing the default demo build; the wall memory run.

Figures go to ``bench/results.json`` through :mod:`bench.report` (``builds``, ``default_build``,
``wall_memory``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import copy, parquet, report
from dashboard.demo.build import BuildOptions
from dashboard.demo.build import build as demo_build

ROOT = Path(__file__).resolve().parent.parent
DONE = re.compile(r"完成：([\d,]+) 行，用时 ([\d.]+) 秒")


def _create_pg_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def build(scale: str, backend: str, url: str, years: int, volume: float) -> None:
    """Generate ``scale`` into an empty database at ``url`` (created on PostgreSQL) and record rows/second."""
    if backend == "postgresql":
        _create_pg_database(url)
    else:
        Path(make_url(url).database).parent.mkdir(parents=True, exist_ok=True)
    result = demo_build(url, BuildOptions(scale=scale, years=years, volume=volume))
    rows = sum(result.rows.values())
    report.merge_build(scale, backend, rows, result.seconds, years, volume)
    print(f"{scale}/{backend}: {rows:,} rows in {result.seconds:.0f} s ({result.rows_per_second:,.0f} rows/s)")


def copy_to_sqlite(scale: str, pg_url: str, sqlite_url: str) -> None:
    """Give ``scale`` an SQLite copy of its PostgreSQL rows (through the Parquet export) and record the time."""
    folder = ROOT / "bench" / "data" / f"parquet-{scale}"
    exported, export_seconds = parquet.export(create_engine(pg_url), folder)
    path = Path(make_url(sqlite_url).database)
    path.unlink(missing_ok=True)
    rows, seconds = copy.load_sqlite(folder, sqlite_url)
    report.merge_build(
        scale, "sqlite", rows, seconds, 0, 0, how=f"copied from PostgreSQL (export {export_seconds:.0f} s)"
    )
    print(f"{scale}/sqlite: {rows:,} rows copied in {seconds:.0f} s (+ {export_seconds:.0f} s export of {exported:,})")


def record_log(scale: str, backend: str, log: str, years: int, volume: float) -> None:
    """Record a build run by ``python -m dashboard.demo build`` from the last line of its output."""
    match = DONE.search(Path(log).read_text(encoding="utf-8"))
    if match is None:
        raise SystemExit(f"{log}: no finished build in this log")
    report.merge_build(scale, backend, int(match.group(1).replace(",", "")), float(match.group(2)), years, volume)


def time_default_build() -> None:
    """Time ``python -m dashboard.demo build`` with its defaults into a temporary SQLite file."""
    with tempfile.TemporaryDirectory(prefix="bench-default-") as tmp:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "dashboard.demo", "build", "--url", f"sqlite:///{tmp}/demo.sqlite"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - start
    match = DONE.search(done.stdout)
    rows = int(match.group(1).replace(",", "")) if match else 0
    report.merge_default_build(rows, seconds)
    print(f"default build: {rows:,} rows in {seconds:.0f} s")


def wall_memory(url: str, refreshes: int) -> dict:
    """Run :mod:`bench.wall_memory` in a process of its own; its JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.wall_memory", url, str(refreshes)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1][:200]}
    return json.loads(lines[-1])
