"""Shared query building blocks: the schema's code sets and the scope/filter WHERE clauses.

This is the one place where a :class:`~dashboard.scope.Scope` becomes SQL (:func:`scope_clause`)
and where the global filters (period, district, township, category) become SQL. Filter values
are always bound parameters; a scope is a ``county_code IN (...)`` with an expanding parameter.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Column, ColumnElement, Connection, DateTime, Float, Select, Table, and_, false, or_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from dashboard.models import Base
from dashboard.order_flow import order_flow

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
    return pd.DataFrame(result.fetchall(), columns=columns or list(result.keys()))


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


def overdue_clause(now: dt.datetime) -> ColumnElement[bool]:
    """Orders waiting at a step longer than its limit in assets/order_flow.yaml, as of ``now``."""
    flow = order_flow()
    return or_(
        *(
            and_(
                service_order.c.status == wait.status,
                service_order.c[wait.since] < now - dt.timedelta(minutes=wait.overdue_minutes),
            )
            for wait in flow.waits.values()
        )
    )
