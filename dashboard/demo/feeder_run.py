"""The demo feeder on a database: plays the dispatch platform so that the wall screen moves.

    python -m dashboard.demo feed [--url URL] [--interval 5] [--seed N] [--once]

:func:`start` loads the world (districts, stations, dispatching units, volunteers, teams, the demo's
own pace of orders) and the open orders from the database, with the clock where the data ends;
:func:`run` is the loop: it first catches up from there (at most ``catch_up`` back, so today is
never empty), then advances the world (``dashboard.demo.feeder``) to the current time every
``interval`` seconds, one transaction per step; a failed write is tried again at the next step.
The feeder is the only writer besides the demo builder, one per database (a lock file beside an
SQLite file, an advisory lock on PostgreSQL); SQLite runs in WAL mode, so the dashboard's readers
never wait for it. After each batch it refreshes the dashboard's summaries (``dashboard.summaries``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from dashboard.clock import local_now
from dashboard.db import backend, writer_engine
from dashboard.demo.config import load_structure
from dashboard.demo.feeder import CARRIED, MUTABLE, Batch, County, Feeder, Station, World
from dashboard.errors import summary
from dashboard.models import Base
from dashboard.summaries import refresh as summaries

log = logging.getLogger(__name__)

ORDERS = Base.metadata.tables["service_order"]
HOURS = Base.metadata.tables["service_hours"]
UNIT = Base.metadata.tables["unit"]
REGION = Base.metadata.tables["region"]
VOLUNTEER = Base.metadata.tables["volunteer"]
TEAM = Base.metadata.tables["team"]
HORIZON = dt.timedelta(days=3)  # open orders not touched for longer are left as they are (stalled)
PG_LOCK_KEY = 720_301  # pg_advisory_lock key of the feeder


def load_world(conn: Connection, per_day: float) -> World:
    """Districts, stations, dispatching units, volunteers and teams of the demo in ``conn``."""
    structure = load_structure()
    profiles = {d.code: d.profile for d in structure.districts}
    population = dict(conn.execute(select(REGION.c.code, REGION.c.population).where(REGION.c.level == "county")).all())
    centres: dict[str, int] = {}
    for code, unit_id in conn.execute(
        select(UNIT.c.county_code, func.min(UNIT.c.id)).where(UNIT.c.tier == "centre").group_by(UNIT.c.county_code)
    ):
        centres[code] = unit_id
    stations: dict[str, list[Station]] = {}
    rows = conn.execute(
        select(
            UNIT.c.id, UNIT.c.county_code, UNIT.c.township_code, UNIT.c.lon, UNIT.c.lat, UNIT.c.parent_id, UNIT.c.name
        )
        .where(UNIT.c.tier == "station", UNIT.c.lon.is_not(None), UNIT.c.lat.is_not(None))
        .order_by(UNIT.c.id)
    )
    for r in rows:
        place = r.name.replace("新时代文明实践站", "")
        stations.setdefault(r.county_code, []).append(
            Station(r.id, r.county_code, r.township_code, r.lon, r.lat, r.parent_id, place)
        )
    volunteers = {
        code: (lo, hi)
        for code, lo, hi in conn.execute(
            select(VOLUNTEER.c.county_code, func.min(VOLUNTEER.c.id), func.max(VOLUNTEER.c.id)).group_by(
                VOLUNTEER.c.county_code
            )
        )
    }
    teams: dict[str, list[int]] = {}
    for team_id, code in conn.execute(select(TEAM.c.id, TEAM.c.county_code).order_by(TEAM.c.id)):
        teams.setdefault(code, []).append(team_id)
    counties = []
    for code in sorted(stations):
        profile = profiles.get(code, 0.5)
        people = population.get(code) or 100_000
        counties.append(
            County(
                code=code,
                profile=profile,
                weight=people**0.6 * (0.4 + profile),
                centre=centres.get(code),
                volunteers=volunteers.get(code),
                teams=tuple(teams.get(code, ())),
                stations=tuple(stations[code]),
            )
        )
    categories = structure.order_categories
    return World(tuple(counties), tuple(categories), tuple(float(w) for w in categories.values()), per_day)


def observed_per_day(conn: Connection, until: dt.datetime, days: int = 28) -> float:
    """Orders placed per day over the ``days`` before ``until``: the demo's own pace."""
    since = until - dt.timedelta(days=days)
    placed = ORDERS.c.placed_at
    count = conn.execute(select(func.count()).where(placed >= since, placed < until)).scalar_one()
    return count / days


def start_moment(conn: Connection, now: dt.datetime, catch_up: dt.timedelta) -> dt.datetime:
    """Where the feeder's clock starts: where the data ends, but not before ``now - catch_up`` nor after ``now``."""
    last = conn.execute(select(func.max(ORDERS.c.updated_at))).scalar_one()
    if last is None:
        return now
    return min(max(last, now - catch_up), now)


def open_orders(conn: Connection, since: dt.datetime) -> list[dict]:
    """Open orders (statuses in :data:`CARRIED`) updated since ``since``, every column, by id."""
    stmt = select(ORDERS).where(ORDERS.c.status.in_(tuple(CARRIED)), ORDERS.c.updated_at >= since).order_by(ORDERS.c.id)
    return [dict(row._mapping) for row in conn.execute(stmt)]


def next_id(conn: Connection, table) -> int:
    """One more than the largest id of ``table`` (the feeder gives ids itself, as the builder did)."""
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


_UPDATE = (
    update(ORDERS)
    .where(ORDERS.c.id == bindparam("b_id"))
    .values({column: bindparam(f"b_{column}") for column in MUTABLE})
)


def write(conn: Connection, batch: Batch) -> None:
    """Write one batch (call inside a transaction)."""
    if batch.inserts:
        conn.execute(insert(ORDERS), batch.inserts)
    if batch.updates:
        conn.execute(_UPDATE, [{f"b_{key}": value for key, value in row.items()} for row in batch.updates])
    if batch.hours:
        conn.execute(insert(HOURS), batch.hours)


class FeederError(RuntimeError):
    """The feeder cannot go on: another feeder writes to the database, or it is missing or unreadable."""


@contextlib.contextmanager
def exclusive(url: str, engine: Engine) -> Iterator[None]:
    """Hold the feeder's lock on the database for the duration; raise :class:`FeederError` if it is taken."""
    if backend(url) == "sqlite":
        path = Path(f"{make_url(url).database}.feeder.lock")
        with path.open("w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise FeederError(f"已有喂数进程在写入 {make_url(url).database}") from exc
            yield
        return
    with engine.connect() as conn:
        if not conn.execute(select(func.pg_try_advisory_lock(PG_LOCK_KEY))).scalar_one():
            raise FeederError(f"已有喂数进程在写入数据库 {make_url(url).database}")
        try:
            yield
        finally:
            conn.execute(select(func.pg_advisory_unlock(PG_LOCK_KEY)))


def start(
    engine: Engine, now: dt.datetime, rng: np.random.Generator, catch_up: dt.timedelta, per_day: float | None = None
) -> Feeder:
    """A feeder over the database of ``engine``, its clock where the data ends (see :func:`start_moment`)."""
    with engine.connect() as conn:
        clock = start_moment(conn, now, catch_up)
        world = load_world(conn, observed_per_day(conn, clock) if per_day is None else per_day)
        return Feeder(
            world,
            clock,
            rng,
            next_order_id=next_id(conn, ORDERS),
            next_hours_id=next_id(conn, HOURS),
            open_orders=open_orders(conn, clock - HORIZON),
        )


def _summarise(engine: Engine) -> None:
    """Refresh the dashboard's summaries after a batch, as the platform's scheduled job would (README)."""
    try:
        summaries.refresh(engine.url.render_as_string(hide_password=False))
    except SQLAlchemyError as exc:  # the next batch tries again
        log.warning("feeder: summaries not refreshed: %s", summary(exc))


def feed_until_stopped(engine: Engine, feeder: Feeder, stop: threading.Event, interval: float, once: bool) -> None:
    """Advance and write every ``interval`` seconds until ``stop``; a failed write is tried again next time."""
    unwritten: list[Batch] = []
    placed = moved = 0
    reported = local_now()
    while not stop.is_set():
        batch = feeder.advance(local_now())
        if batch:
            unwritten.append(batch)
        if unwritten:
            try:
                with engine.begin() as conn:
                    for pending in unwritten:
                        write(conn, pending)
            except OperationalError as exc:  # the database is away for a moment: keep the rows, try again
                log.warning("feeder: write failed, retrying: %s", summary(exc))
                if once:
                    raise FeederError(f"写入失败：{summary(exc)}") from exc
            else:
                placed += sum(len(b.inserts) for b in unwritten)
                moved += sum(len(b.updates) for b in unwritten)
                unwritten.clear()
                _summarise(engine)
        if once:
            break
        if (local_now() - reported).total_seconds() >= 60:
            log.info("feeder: %d new orders, %d orders moved on, %d open", placed, moved, len(feeder.orders))
            placed = moved = 0
            reported = local_now()
        stop.wait(interval)
    log.info("feeder: stopped; last %d new orders, %d moved on", placed, moved)


def run(
    url: str,
    interval: float = 5.0,
    seed: int | None = None,
    once: bool = False,
    catch_up: dt.timedelta = dt.timedelta(days=7),
    per_day: float | None = None,
) -> None:
    """Feed the database at ``url`` until stopped (SIGINT/SIGTERM), or one step with ``once``.

    Raises :class:`FeederError` (a Chinese message) when the database is missing or unreadable, or
    another feeder writes to it.
    """
    if backend(url) == "sqlite" and not Path(make_url(url).database or "").is_file():
        raise FeederError(f"数据库文件不存在：{make_url(url).database}（先运行 python -m dashboard.demo build）")
    engine = writer_engine(url)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with exclusive(url, engine):
            feeder = start(engine, local_now(), np.random.default_rng(seed), catch_up, per_day)
            log.info(
                "feeder: %s, %.0f orders/day, %d open orders, from %s",
                engine.url.render_as_string(hide_password=True),
                feeder.world.per_day,
                len(feeder.orders),
                f"{feeder.clock:%Y-%m-%d %H:%M:%S}",
            )
            feed_until_stopped(engine, feeder, stop, interval, once)
    except SQLAlchemyError as exc:
        raise FeederError(f"无法读写数据库：{summary(exc)}") from exc
    finally:
        engine.dispose()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
