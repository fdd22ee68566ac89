"""Refreshing the summaries: incremental from the rows added since the last refresh, or rebuilt in full.

A summary remembers the highest id of its source table it has seen and how many rows the table had.
An incremental refresh finds the rows added since (ids above that), takes the earliest date among
them and recomputes the summary from that date's bucket on (its month for volunteers, orders and service
hours, its day for activities), with the SELECT of :mod:`dashboard.summaries.definitions`, counting the source's
rows up to the highest id it records (a row committed meanwhile is left to the next refresh, so the
rows above ``through_id`` are exactly those the summary has not counted: ``queries.summaries`` adds
them). When rows have disappeared from the source (the count does not add up), or with ``full=True``,
the summary is rebuilt whole. Rows changed in place (a volunteer moved to another unit) are only
seen by a full rebuild, which is why production also runs one every night (README). The activities
and the orders by status are the exception for their recent rows (``Summary.recent``: the month of the
refresh and the one before): the platform sets an activity's materials and upload after it was held, and
moves an order on through its steps after it was placed, so the readers take those months from the
platform's table itself (``queries.summaries``), and the first refresh after they stop being recent
rebuilds them from the platform's rows as they are then (from the previous refresh's recent start).
The orders by status go further (``Summary.recent_rebuilt``): every refresh rebuilds their recent rows and
lists the orders of those months not yet in a final status (``dash.order_open``), so that the readers take
the final ones from the summary and only the listed ones from the platform. The service hours keep their recent
days per day too (``dash.volunteer_hours_days``), rebuilt with the months that hold them.
The volunteers' star levels and points and their teams (``Summary.whole``), which the platform updates in
place, are recounted whole at every refresh. Running a refresh twice changes nothing else the second time.
Everything happens in one transaction that reads the platform's tables in one snapshot, and on PostgreSQL
under an advisory lock (:func:`_locked`), so a reader sees the old summaries or the new ones, never half
of each. Afterwards, on PostgreSQL, the tables it rewrote
are vacuumed (``storage.vacuum_analyze``): every refresh deletes and re-inserts the latest months,
and the dead rows would pile up where autovacuum is off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, Select, Table, delete, func, insert, select, text

from dashboard.clock import local_now
from dashboard.db import writer_engine
from dashboard.summaries import definitions as d
from dashboard.summaries import storage
from dashboard.summaries import tables as t
from queries.common import activity, service_order, volunteer

PG_LOCK_KEY = 720_302  # advisory lock key of the refresh (the feeder's is 720_301)


@dataclass(frozen=True)
class Step:
    """One summary table, the SELECT that fills it from a date on, and its bucket column (as stored by ``stored``).

    ``from_source``: the SELECT reads the summary's source table (not a finer summary), so the refresh
    limits it to the source rows up to the highest id it records. ``recent_only``: the table keeps the
    summary's recent rows only (``Summary.recent``), older ones are deleted.
    """

    table: Table
    definition: Callable[[dt.date | None], Select]
    column: str
    stored: Callable[[dt.date], object] = lambda day: day
    from_source: bool = True
    recent_only: bool = False

    def rows_from(self, day: dt.date) -> ColumnElement[bool]:
        """The table's rows of ``day``'s bucket and later."""
        return self.table.c[self.column] >= self.stored(day)


@dataclass(frozen=True)
class Summary:
    """A source table, its date column, the bucket a date falls in, and the tables filled from it in order."""

    name: str
    source: Table
    dated: str
    bucket: Callable[[dt.date], dt.date]
    steps: tuple[Step, ...]
    # the first day of the recent rows, given the refresh's day (None: none): rows that may still change in place
    # (activities, orders), or that a step keeps only while they are recent (Step.recent_only)
    recent: Callable[[dt.date], dt.date] | None = None
    # the recent rows are rebuilt at every refresh (their readers use them), not only once they stop being recent
    recent_rebuilt: bool = False
    # rebuilt whole at every refresh (any row may change in place, and the whole is cheap to recount)
    whole: bool = False


SUMMARIES = (
    Summary(
        "volunteers",
        volunteer,
        "registered_on",
        d.month_start,
        (
            Step(t.volunteer_unit_months, d.volunteer_unit_months, "month", d.month_key),
            Step(t.volunteer_area_months, d.volunteer_area_months, "month", d.month_key, from_source=False),
        ),
    ),
    Summary(
        "activities",
        activity,
        "held_on",
        lambda day: day,
        (
            Step(t.activity_days, d.activity_days, "held_on"),
            Step(t.activity_content_months, d.activity_content_months, "month", d.month_key),
            Step(t.activity_unit_months, d.activity_unit_months, "month", d.month_key, from_source=False),
        ),
        recent=d.activity_recent_from,
    ),
    Summary(
        "orders",
        service_order,
        "placed_at",
        d.month_start,
        (Step(t.order_months, d.order_months, "month", d.month_key),),
    ),
    Summary(  # before "order_status", whose definition reads it (definitions.ORDER_TEAM)
        "teams",
        volunteer,
        "registered_on",
        d.month_start,
        (Step(t.team_members, d.team_members, "volunteer_id"),),
        whole=True,
    ),
    Summary(
        "order_status",
        service_order,
        "placed_at",
        d.month_start,
        (
            Step(t.order_status_months, d.order_status_months, "month", d.month_key),
            Step(t.order_status_county_months, d.order_status_county_months, "month", d.month_key, from_source=False),
            Step(t.order_open, d.order_open, "month", d.month_key, recent_only=True),
        ),
        recent=d.order_recent_from,
        recent_rebuilt=True,
    ),
    Summary(
        "hours",
        d.service_hours,
        "served_on",
        d.month_start,
        (
            Step(t.volunteer_hours_months, d.volunteer_hours_months, "month", d.month_key),
            Step(t.volunteer_hours_days, d.volunteer_hours_days, "served_on", recent_only=True),
            Step(t.volunteer_hours_unit_months, d.volunteer_hours_unit_months, "month", d.month_key, from_source=False),
            Step(t.volunteer_hours_years, d.volunteer_hours_years, "year", d.year_key, from_source=False),
            Step(t.volunteer_active_years, d.volunteer_active_years, "year", d.year_key, from_source=False),
            Step(t.volunteer_active_unit_years, d.volunteer_active_unit_years, "year", d.year_key, from_source=False),
        ),
        recent=d.hours_recent_from,
    ),
    Summary(
        "grades",
        volunteer,
        "registered_on",
        d.month_start,
        (
            Step(t.volunteer_grade_months, d.volunteer_grade_months, "month", d.month_key),
            Step(
                t.volunteer_grade_county_months,
                d.volunteer_grade_county_months,
                "month",
                d.month_key,
                from_source=False,
            ),
        ),
        whole=True,
    ),
)


@dataclass(frozen=True)
class Outcome:
    """What a refresh did to one summary: ``how`` is 'full', 'incremental' or 'unchanged'."""

    name: str
    how: str
    since: dt.date | None
    source_rows: int


def _plan(conn: Connection, summary: Summary, full: bool, today: dt.date) -> tuple[str, dt.date | None, int, int]:
    """(how, since, highest id, source rows) for one summary refreshed on ``today``."""
    source = summary.source
    top, rows = conn.execute(select(func.coalesce(func.max(source.c.id), 0), func.count()).select_from(source)).one()
    state = conn.execute(select(t.refresh_state).where(t.refresh_state.c.name == summary.name)).first()
    if full or summary.whole or state is None or top < state.through_id:
        return "full", None, top, rows
    added, earliest = conn.execute(
        select(func.count(), func.min(source.c[summary.dated])).where(source.c.id > state.through_id)
    ).one()
    if rows != state.source_rows + added:  # rows were deleted: the summary cannot be patched
        return "full", None, top, rows
    starts = [summary.bucket(earliest)] if added else []
    if summary.recent is not None:
        if summary.recent_rebuilt:
            starts.append(summary.recent(today))
        if summary.recent(today) != summary.recent(state.refreshed_at.date()):
            # the recent rows of the last refresh that are no longer recent: rebuilt a last time, as they are now
            starts.append(summary.recent(state.refreshed_at.date()))
    since = min(starts, default=None)
    return ("incremental" if since else "unchanged"), since, top, rows


def _first_kept(summary: Summary, step: Step, since: dt.date | None, today: dt.date) -> dt.date | None:
    """The first day of the rows ``step`` recomputes from ``since`` on: the recent ones only for ``recent_only``."""
    if not step.recent_only:
        return since
    recent = summary.recent(today)
    return recent if since is None else max(since, recent)


def _refresh(conn: Connection, summary: Summary, full: bool, now: dt.datetime) -> Outcome:
    how, since, top, rows = _plan(conn, summary, full, now.date())
    if how != "unchanged":
        for step in summary.steps:
            conn.execute(delete(step.table).where(step.rows_from(since)) if since else delete(step.table))
            definition = step.definition(_first_kept(summary, step, since, now.date()))
            if step.from_source:
                definition = definition.where(summary.source.c.id <= top)
            conn.execute(insert(step.table).from_select(list(definition.selected_columns.keys()), definition))
            if how == "full":  # fresh statistics, so the planner reads the new table well at once
                conn.execute(text(f"ANALYZE {t.SCHEMA}.{step.table.name}"))
    conn.execute(delete(t.refresh_state).where(t.refresh_state.c.name == summary.name))
    conn.execute(insert(t.refresh_state).values(name=summary.name, refreshed_at=now, through_id=top, source_rows=rows))
    return Outcome(summary.name, how, since, rows)


@contextmanager
def _locked(conn: Connection) -> Iterator[None]:
    """On PostgreSQL: one refresh at a time (a session advisory lock, taken before the transaction), and the
    transaction that follows under REPEATABLE READ, so that every statement of the refresh reads the platform's
    tables in one snapshot (an order is in the order status summaries' final rows or in ``dash.order_open``,
    never both or neither). The snapshot is taken after the lock, so it sees what the previous refresh wrote.
    SQLite's transaction reads one snapshot already and writes alone."""
    if conn.dialect.name != "postgresql":
        yield
        return
    conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": PG_LOCK_KEY})
    conn.commit()
    try:
        conn.execution_options(isolation_level="REPEATABLE READ")
        yield
    finally:
        conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PG_LOCK_KEY})
        conn.commit()


def refresh(url: str, full: bool = False) -> list[Outcome]:
    """Bring every summary of the database at ``url`` up to date (creating the schema if needed)."""
    engine = writer_engine(url)
    storage.attach_for_writer(engine, url)
    try:
        with engine.connect() as conn, _locked(conn), conn.begin():
            created = storage.create(conn)
            now = local_now().replace(microsecond=0)
            outcomes = [
                _refresh(conn, summary, full or any(step.table.name in created for step in summary.steps), now)
                for summary in SUMMARIES
            ]
        rewritten = [
            step.table
            for summary, outcome in zip(SUMMARIES, outcomes, strict=True)
            if outcome.how != "unchanged"
            for step in summary.steps
        ]
        storage.vacuum_analyze(engine, [f"{t.SCHEMA}.{table.name}" for table in rewritten + [t.refresh_state]])
        return outcomes
    finally:
        engine.dispose()
