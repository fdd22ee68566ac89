"""Shared query building blocks: the schema's code sets and the scope/filter WHERE clauses.

This is the one place where a :class:`~dashboard.scope.Scope` becomes SQL (:func:`scope_clause`)
and where the global filters (period, district, township, category) become SQL. Filter values
are always bound parameters; a scope is a ``county_code IN (...)`` with an expanding parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Float,
    FromClause,
    Integer,
    Select,
    String,
    Subquery,
    Table,
    and_,
    case,
    cast,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

from dashboard.models import Base
from dashboard.order_flow import Wait, order_flow

if TYPE_CHECKING:
    from dashboard.filters import Filters
    from dashboard.scope import Scope

TABLES = Base.metadata.tables
region: Table = TABLES["region"]
unit: Table = TABLES["unit"]
volunteer: Table = TABLES["volunteer"]
activity: Table = TABLES["activity"]
service_order: Table = TABLES["service_order"]

# Code sets of the schema (see the docstrings of dashboard/models.py).
TIERS = ("centre", "institute", "station", "platform", "leifeng", "base", "other")
ORDER_STATUSES = (
    "placed",
    "drafted",
    "dispatched",
    "redispatched",
    "accepted",
    "completed",
    "rated",
    "refused",
    "cancelled",
)
COMPLETED_STATUSES = ("completed", "rated")  # the service was carried out
ORDER_STEPS = ("placed_at", "drafted_at", "dispatched_at", "accepted_at", "completed_at", "rated_at")
PILOT_LEVELS = ("central", "provincial", "city", "county")
CONTENT_AREAS = ("learn_theory", "publicise_policy", "cultivate_values", "enrich_culture", "reform_customs")
ACTIVITY_KINDS = ("general", "theory_lecture", "chaxiang_lecture", "campaign")
MEDIA_LEVELS = ("county", "city", "province", "national")
RATING_RANGE = (1, 5)


def scope_clause(county_column: ColumnElement, scope: Scope) -> ColumnElement[bool]:
    """The scope as SQL on a county-code column: TRUE for all counties, else ``IN`` (expanding bind)."""
    if scope.counties is None:
        return true()
    if not scope.counties:
        return false()
    return county_column.in_(scope.counties)


def area_clause(
    table: Table, scope: Scope, filters: Filters | None = None, *, township: bool = True
) -> ColumnElement[bool]:
    """Scope plus the district (and, unless ``township=False``, township) filter on a table's region codes."""
    clauses = [scope_clause(table.c.county_code, scope)]
    if filters is not None and filters.county:
        clauses.append(table.c.county_code == filters.county)
    if township and filters is not None and filters.township and "township_code" in table.c:
        clauses.append(table.c.township_code == filters.township)
    return and_(*clauses)


def period_clause(column: Column, filters: Filters) -> ColumnElement[bool]:
    """``column`` within the filter period, both ends included; works for DATE and DATETIME columns."""
    if isinstance(column.type, DateTime):
        start = dt.datetime.combine(filters.start, dt.time.min)
        stop = dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time.min)
        return and_(column >= start, column < stop)
    return and_(column >= filters.start, column <= filters.end)


def order_clause(scope: Scope, filters: Filters) -> ColumnElement[bool]:
    """Orders in scope and area, placed within the period, of the chosen category."""
    clauses = [area_clause(service_order, scope, filters), period_clause(service_order.c.placed_at, filters)]
    if filters.category:
        clauses.append(service_order.c.category == filters.category)
    return and_(*clauses)


def frame(conn: Connection, stmt: Select, columns: list[str] | None = None) -> pd.DataFrame:
    """Run a SELECT and return its rows as a DataFrame (column names from the statement)."""
    result = conn.execute(stmt)
    # Rows as plain tuples: pandas probes each SQLAlchemy Row for a ``dtype`` attribute, and every failed
    # lookup costs ~10 µs (0.3 s for the 28,000 stations of a province: bench/query_fixes.md).
    rows = [tuple(row) for row in result.fetchall()]
    return pd.DataFrame(rows, columns=columns or list(result.keys()))


class seconds_between(FunctionElement):  # noqa: N801 - used like a SQL function
    """Seconds from timestamp ``start`` to timestamp ``end`` as a float, on SQLite and PostgreSQL alike."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_between_pg(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"


def wait_began(wait: Wait) -> ColumnElement:
    """When an order waiting at ``wait`` (of assets/order_flow.yaml) began to wait: the time of its step
    (``wait.since``), or its placing when that time is recorded earlier (steps out of order, which the quality
    checks count): no wait begins before its order."""
    o = service_order.c
    if wait.since == "placed_at":
        return o.placed_at
    return case((o[wait.since] < o.placed_at, o.placed_at), else_=o[wait.since])


def began_before(wait: Wait, moment: dt.datetime) -> ColumnElement[bool]:
    """:func:`wait_began` before ``moment``, written as its two times both before it (the later of two times is
    before a moment when both are), so that an index on either serves it."""
    o = service_order.c
    return and_(*(o[column] < moment for column in dict.fromkeys((wait.since, "placed_at"))))


def overdue_clause(now: dt.datetime, actionable: bool = True) -> ColumnElement[bool]:
    """Orders waiting at a step longer than its limit in assets/order_flow.yaml, as of ``now`` (the wait begun
    at :func:`wait_began`): by default at the waits the centre can act on (超时, the headline figure);
    ``actionable=False``: at the others (the resident's rating: 超期未评价)."""
    return or_(
        false(),
        *(
            and_(
                service_order.c.status == wait.status,
                began_before(wait, now - dt.timedelta(minutes=wait.overdue_minutes)),
            )
            for wait in order_flow().overdue_waits(actionable)
        ),
    )


class month_of(FunctionElement):  # noqa: N801 - used like a SQL function
    """The month of a DATE or timestamp column as text ``'YYYY-MM'``, on SQLite and PostgreSQL alike."""

    type = String()
    inherit_cache = True
    name = "month_of"


@compiles(month_of, "sqlite")
def _month_of_sqlite(element, compiler, **kw):
    (value,) = list(element.clauses)
    return f"strftime('%Y-%m', {compiler.process(value, **kw)})"


@compiles(month_of, "postgresql")
def _month_of_pg(element, compiler, **kw):
    (value,) = list(element.clauses)
    return f"to_char({compiler.process(value, **kw)}, 'YYYY-MM')"


class _any_of(FunctionElement):  # noqa: N801 - used like a SQL function
    """``column IN (rows)``; on PostgreSQL ``column = ANY(ARRAY(rows))`` (see :func:`any_of`)."""

    type = Boolean()
    inherit_cache = True
    name = "any_of"


@compiles(_any_of)
def _any_of_default(element, compiler, **kw):
    column, rows = list(element.clauses)
    return compiler.process(column.in_(rows.element), **kw)


@compiles(_any_of, "postgresql")
def _any_of_pg(element, compiler, **kw):
    column, rows = list(element.clauses)
    return f"{compiler.process(column, **kw)} = ANY(ARRAY{compiler.process(rows, **kw)})"


class month_start(FunctionElement):  # noqa: N801 - used like a SQL function
    """The first day of a DATE column's month, as a value to group by before ``month_of`` names it: on PostgreSQL
    ``date_trunc`` of the date as a timestamp, ~40 ms per 200,000 rows cheaper than ``to_char`` (bench_city)."""

    inherit_cache = True
    name = "month_start"


@compiles(month_start)
def _month_start_default(element, compiler, **kw):
    (value,) = list(element.clauses)
    return f"date({compiler.process(value, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_pg(element, compiler, **kw):
    (value,) = list(element.clauses)
    return f"date_trunc('month', CAST({compiler.process(value, **kw)} AS TIMESTAMP WITHOUT TIME ZONE))"


def any_of(column: ColumnElement, rows: Select) -> ColumnElement[bool]:
    """``column`` is one of the values of the one-column SELECT ``rows`` (run on its own, never correlated).

    On PostgreSQL this is ``column = ANY(ARRAY(rows))``: the list is computed once and becomes an index
    condition, so a month of activities of every station is read through ``(unit_id, held_on)`` instead of a
    scan of the whole table (``column IN (rows)``, which SQLite gets, is planned as a hashed semi-join).
    """
    return _any_of(column, rows.correlate(None).scalar_subquery())


def year_to_end(filters: Filters) -> tuple[dt.date, dt.date]:
    """1 January of the period end's year and the period's end: the span of the seeds' yearly targets."""
    return filters.end.replace(month=1, day=1), filters.end


# ---------------------------------------------------------------------------------------------
# Percentiles and calendar parts: SQL that differs between SQLite and PostgreSQL, one helper each.


def percentiles(
    conn: Connection, source: Subquery, value: str, by: Sequence[str], fractions: Sequence[float]
) -> Select:
    """Continuous percentiles of ``source.c[value]`` per group of the ``by`` columns, as a SELECT.

    Definition (PostgreSQL's ``percentile_cont``, linear interpolation between the closest ranks):
    for the n non-NULL values of a group sorted x₁ ≤ … ≤ xₙ and a fraction p, let h = (n − 1)·p,
    k = ⌊h⌋; the percentile is x₍ₖ₊₁₎ + (h − k)·(x₍ₖ₊₂₎ − x₍ₖ₊₁₎) (just x₍ₖ₊₁₎ when h is whole). The
    median is p = 0.5. PostgreSQL runs ``percentile_cont``; SQLite, which has no percentile
    function, counts each distinct value, runs a ``SUM(...) OVER`` of those counts in value order and
    picks the values at the two closest ranks (exact, and cheaper than ranking every row).

    Columns: the ``by`` columns, ``n`` (values in the group) and one ``p<100·p>`` per fraction
    (``p50``, ``p90``). Groups without values are absent; rows are in no particular order.
    """
    keys = [source.c[name] for name in by]
    x = source.c[value]
    names = [f"p{round(f * 100):g}" for f in fractions]
    if conn.dialect.name == "postgresql":
        return (
            select(
                *keys,
                func.count(x).label("n"),
                *(
                    func.percentile_cont(f).within_group(x).label(name)
                    for f, name in zip(fractions, names, strict=True)
                ),
            )
            .where(x.is_not(None))
            .group_by(*keys)
        )
    # SQLite: count each distinct value, then find the ranks ⌊h⌋+1 and ⌊h⌋+2 in the running counts.
    counted = select(*keys, x.label("x"), func.count().label("c")).where(x.is_not(None)).group_by(*keys, x).subquery()
    ckeys = [counted.c[name] for name in by]
    running = select(
        *ckeys,
        counted.c.x,
        func.sum(counted.c.c).over(partition_by=ckeys, order_by=counted.c.x, rows=(None, 0)).label("upto"),
        func.sum(counted.c.c).over(partition_by=ckeys).label("n"),
    ).subquery("running")
    rkeys = [running.c[name] for name in by]

    def rank(f: float, step: int) -> ColumnElement:  # ⌊(n − 1)·p⌋ + step; CAST truncates, (n − 1)·p ≥ 0
        return cast((running.c.n - 1) * f, Integer) + step

    picks = []
    for f, name in zip(fractions, names, strict=True):
        picks.append(func.min(case((running.c.upto >= rank(f, 1), running.c.x))).label(f"{name}_lo"))
        picks.append(func.min(case((running.c.upto >= rank(f, 2), running.c.x))).label(f"{name}_hi"))
    picked = select(*rkeys, func.max(running.c.n).label("n"), *picks).group_by(*rkeys).subquery("picked")
    columns = []
    for f, name in zip(fractions, names, strict=True):
        h = (picked.c.n - 1) * f
        lo, hi = picked.c[f"{name}_lo"], picked.c[f"{name}_hi"]
        columns.append((lo + func.coalesce(hi - lo, 0) * (h - cast(h, Integer))).label(name))
    return select(*(picked.c[name] for name in by), cast(picked.c.n, Integer).label("n"), *columns)


GRAINS = ("day", "week", "month")
CLOCK_PARTS = ("hour", "isodow")


class date_bucket(FunctionElement):  # noqa: N801 - used like a SQL function
    """The first day (``YYYY-MM-DD`` text) of the day, ISO week (Monday) or month holding a timestamp.

    ``date_bucket(column, grain)`` with ``grain`` one of :data:`GRAINS` (checked, written into the SQL).
    """

    type = String()
    inherit_cache = True
    name = "date_bucket"
    _traverse_internals = [*FunctionElement._traverse_internals, ("grain", InternalTraversal.dp_string)]

    def __init__(self, column: ColumnElement, grain: str) -> None:
        if grain not in GRAINS:
            raise ValueError(f"unknown grain {grain!r}")
        self.grain = grain
        super().__init__(column)


@compiles(date_bucket, "sqlite")
def _date_bucket_sqlite(element, compiler, **kw):
    column = compiler.process(list(element.clauses)[0], **kw)
    if element.grain == "day":
        return f"date({column})"
    if element.grain == "week":  # to the coming Sunday (itself if Sunday), then back to its Monday
        return f"date({column}, 'weekday 0', '-6 days')"
    return f"strftime('%Y-%m-01', {column})"


@compiles(date_bucket, "postgresql")
def _date_bucket_pg(element, compiler, **kw):
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"to_char(date_trunc('{element.grain}', {column}), 'YYYY-MM-DD')"


class clock_part(FunctionElement):  # noqa: N801 - used like a SQL function
    """The hour (0–23) or ISO weekday (1 = Monday … 7 = Sunday) of a timestamp, as an integer.

    ``clock_part(column, part)`` with ``part`` one of :data:`CLOCK_PARTS`.
    """

    type = Integer()
    inherit_cache = True
    name = "clock_part"
    _traverse_internals = [*FunctionElement._traverse_internals, ("part", InternalTraversal.dp_string)]

    def __init__(self, column: ColumnElement, part: str) -> None:
        if part not in CLOCK_PARTS:
            raise ValueError(f"unknown part {part!r}")
        self.part = part
        super().__init__(column)


@compiles(clock_part, "sqlite")
def _clock_part_sqlite(element, compiler, **kw):
    column = compiler.process(list(element.clauses)[0], **kw)
    if element.part == "hour":
        return f"CAST(strftime('%H', {column}) AS INTEGER)"
    return f"((CAST(strftime('%w', {column}) AS INTEGER) + 6) % 7 + 1)"  # %w: 0 = Sunday


@compiles(clock_part, "postgresql")
def _clock_part_pg(element, compiler, **kw):
    column = compiler.process(list(element.clauses)[0], **kw)
    return f"CAST(EXTRACT({element.part.upper()} FROM {column}) AS INTEGER)"


def text_codes(values: pd.Series) -> list[str]:
    """Region codes or unit ids as text, ``""`` where missing (e.g. county-level units grouped by township)."""
    return ["" if pd.isna(value) else str(value) for value in values]


class PlaceNames(NamedTuple):
    """A FROM clause that contains ``unit``, joined to the names of each unit's county and township."""

    source: FromClause
    county_name: ColumnElement
    township_name: ColumnElement


def with_place_names(source: FromClause, tag: str) -> PlaceNames:
    """``source`` (containing ``unit``) outer-joined to ``region`` for its county's and township's names.

    ``tag`` names the two region aliases, so one statement can use the helper more than once.
    """
    county, township = region.alias(f"{tag}_county"), region.alias(f"{tag}_township")
    joined = source.outerjoin(county, county.c.code == unit.c.county_code).outerjoin(
        township, township.c.code == unit.c.township_code
    )
    return PlaceNames(joined, county.c.name.label("county_name"), township.c.name.label("township_name"))


REFERENCE_MARK = "reference_list"


def reference(query_fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a query of a rarely changing list (districts, townships, categories).

    dashboard.data caches such lists for settings.reference_seconds() (default an hour) instead of the
    refresh interval: a new category shows up in the filter bar within that time.
    """
    setattr(query_fn, REFERENCE_MARK, True)
    return query_fn
