"""The machine a benchmark ran on: cores, memory, CPU model, load and software versions."""

from __future__ import annotations

import os
import platform
import sqlite3
from pathlib import Path

import duckdb
import pandas as pd
import sqlalchemy
import streamlit as st
from sqlalchemy import Engine, text


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _pg_version(engine: Engine | None) -> str:
    if engine is None:
        return "—"
    with engine.connect() as conn:
        return conn.execute(text("SHOW server_version")).scalar_one()


def describe(pg_engine: Engine | None) -> list[tuple[str, str]]:
    """(label, value) rows describing the machine and versions."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        ("CPU", f"{_cpu_model()} × {os.cpu_count()} (nproc)"),
        ("内存", f"{_memory_gib():.1f} GiB"),
        ("系统", platform.platform()),
        ("记录时负载 (1/5/15 min)", load),
        ("Python", platform.python_version()),
        ("PostgreSQL", _pg_version(pg_engine)),
        ("SQLite", sqlite3.sqlite_version),
        ("DuckDB", duckdb.__version__),
        ("pandas / SQLAlchemy / Streamlit", f"{pd.__version__} / {sqlalchemy.__version__} / {st.__version__}"),
    ]
