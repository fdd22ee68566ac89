"""Builds the demo database: schema by Alembic, then every table streamed in batches, with a progress bar,
the deliberately bad rows, then the indexes and statistics (on PostgreSQL ``VACUUM (ANALYZE)`` of every table
written: ``storage.vacuum_analyze``) and the dashboard's summaries (``dashboard.summaries``) in full: on SQLite
both at once, the summaries in a second process (:func:`_summaries_alongside`), on PostgreSQL one after the other.

Deterministic for a given seed, scale, volume and ``now``: each table draws from its own random
stream, so changing one generator does not reshuffle the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, text
from tqdm import tqdm

from dashboard import schema
from dashboard.clock import local_now
from dashboard.db import backend, writer_engine
from dashboard.demo import activities, orders, people, reporting, scores
from dashboard.demo.config import load_scale, load_structure
from dashboard.demo.faults import inject_bad_rows
from dashboard.demo.sink import Sink
from dashboard.demo.structure import build_structure
from dashboard.demo.timeline import Timeline
from dashboard.settings import DEMO_DB, ROOT, demo_url
from dashboard.summaries import refresh as summaries
from dashboard.summaries import storage
from dashboard.summaries.storage import summary_file, vacuum_analyze
from dashboard.summaries.tables import SCHEMA

STREAMS = ["structure", "volunteers", "projects", "activities", "orders", "media", "summaries", "scores"]


@dataclass(frozen=True)
class BuildOptions:
    """What to build: size, randomness, span and the moment the data ends."""

    scale: str = "city"
    seed: int = 20201
    years: int = 2
    volume: float = 1.0
    now: dt.datetime | None = None
    bad_rows: int = 0
    quiet: bool = False


@dataclass(frozen=True)
class BuildReport:
    """Rows written per table, seconds taken, and the ids of deliberately spoiled rows."""

    rows: dict[str, int]
    seconds: float
    spoiled: dict[str, list[int]]

    @property
    def rows_per_second(self) -> float:
        """Rows written per second over the whole build."""
        return sum(self.rows.values()) / max(self.seconds, 1e-9)


def _estimate(world_stations: int, counties: int, scale: dict, opts: BuildOptions, population: int, months: int) -> int:
    # orders with one service-hours row for most served ones; activities with 1.6 hours rows each
    orders_n = scale["orders_per_day"] * opts.volume * 30.4 * months * 1.65
    acts = scale["activities_per_station_month"] * opts.volume * world_stations * months * 0.95 * 2.6
    vols = population * 0.08 * opts.volume
    return int(orders_n + acts + vols + world_stations * months * 0.8 + counties * 1000)


@contextlib.contextmanager
def _summaries_alongside(url: str) -> Iterator[None]:
    """Build the summaries in full (``summaries.refresh``) while the block indexes and analyses the platform's tables.

    On SQLite a second process does it during the block: the generator leaves one of the two cores idle, the
    summaries read the rows as committed before the block (WAL: the indexes written meanwhile change no row) and
    write their own file (``demo.dash.sqlite``), not the one the block writes. The process is the summaries'
    command (``python -m dashboard.summaries refresh --full``), not a fork or a spawn of this one, so it runs the
    same whatever script or test called :func:`build`. On PostgreSQL they follow the block: the refresh's plans
    need the statistics that ``VACUUM (ANALYZE)`` gathers there.
    """
    if not is_sqlite(url):
        yield
        summaries.refresh(url, full=True)
        return
    command = [sys.executable, "-m", "dashboard.summaries", "refresh", "--url", url, "--full"]
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as errors:
        child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            yield
        except BaseException:
            child.kill()
            raise
        finally:
            child.wait()
        if child.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"汇总表构建失败（退出码 {child.returncode}）：{errors.read().strip()}")


def build(url: str, opts: BuildOptions = BuildOptions()) -> BuildReport:
    """Create the schema at ``url`` (an empty database) and fill it; returns what was written."""
    started = time.perf_counter()
    structure = load_structure()
    scale = load_scale(opts.scale)
    now = (opts.now or local_now()).replace(microsecond=0)
    timeline = Timeline.ending(now, opts.years)
    rng = {name: np.random.default_rng([opts.seed, i]) for i, name in enumerate(STREAMS)}
    per_day = scale["orders_per_day"] * opts.volume
    per_station_month = scale["activities_per_station_month"] * opts.volume

    schema.upgrade(url)
    engine = writer_engine(url)
    sink = Sink(engine)
    sink.defer_indexes()
    try:
        world = build_structure(sink, structure, scale, rng["structure"], now.date())
        stations = sum(len(c.station_ids) for c in world.counties)
        population = sum(c.district.population for c in world.counties)
        total = _estimate(stations, len(world.counties), scale, opts, population, len(timeline.months()))
        with tqdm(total=total, unit="行", desc="生成演示数据", disable=opts.quiet, mininterval=0.5) as bar:
            people.write_volunteers(sink, world, timeline, rng["volunteers"], opts.volume, bar.update)
            sink.commit()
            projects = activities.write_projects(
                sink, world, timeline, rng["projects"], structure.project_themes, bar.update
            )
            activities.write_activities(
                sink,
                world,
                timeline,
                rng["activities"],
                per_station_month,
                structure.activity_titles,
                projects,
                bar.update,
            )
            sink.commit()
            orders.write_orders(sink, world, timeline, rng["orders"], per_day, structure.order_categories, bar.update)
            sink.commit()
            names = {c.district.code: c.district.name for c in world.counties}
            reporting.write_media(sink, world, timeline, rng["media"], structure.media_outlets, names, bar.update)
            reporting.write_summaries_and_meetings(sink, world, timeline, rng["summaries"], bar.update)
            scores.write_scores(sink, world, timeline, rng["scores"], bar.update)
            bar.update(max(bar.total - bar.n, 0))
        sink.commit()
        spoiled = inject_bad_rows(engine, opts.bad_rows) if opts.bad_rows else {}
        with _summaries_alongside(url):
            sink.restore_indexes()
            _statistics(engine, sink.rows)
    finally:
        sink.close()
    engine.dispose()
    return BuildReport(rows=dict(sink.rows), seconds=time.perf_counter() - started, spoiled=spoiled)


def _statistics(engine: Engine, tables: dict[str, int]) -> None:
    """Fresh planner statistics of the tables written: ``ANALYZE`` (sampled) on SQLite, ``VACUUM (ANALYZE)``
    on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.execute(text("PRAGMA analysis_limit = 1000"))
            conn.execute(text("ANALYZE"))
    else:
        vacuum_analyze(engine, tables)


def build_demo_file(path: Path = DEMO_DB, opts: BuildOptions = BuildOptions(bad_rows=12)) -> BuildReport:
    """Build the embedded demo into ``path`` via a temporary file, so a half-built file is never used."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    built = summary_file(demo_url(tmp))
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), built, Path(f"{built}-wal"), Path(f"{built}-shm")):
        leftover.unlink(missing_ok=True)
    report = build(demo_url(tmp), opts)
    engine = writer_engine(demo_url(tmp))
    storage.attach_for_writer(engine, demo_url(tmp))
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql(f"PRAGMA {SCHEMA}.wal_checkpoint(TRUNCATE)")
    engine.dispose()
    built, kept = summary_file(demo_url(tmp)), summary_file(demo_url(path))
    for old in (Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{kept}-wal"), Path(f"{kept}-shm")):
        old.unlink(missing_ok=True)
    os.replace(built, kept)
    os.replace(tmp, path)
    return report


def is_sqlite(url: str) -> bool:
    """True for an SQLite URL."""
    return backend(url) == "sqlite"
