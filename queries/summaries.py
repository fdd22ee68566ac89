"""Figures read from the dashboard's summaries (schema ``dash``), topped up with the platform's newest rows.

A summary (see ``dashboard.summaries``) holds the platform's rows up to its last refresh. The figures
below read it for the time it covers in full and the platform's own table (by county and date, so
through its county index) for the rest: the months from the last refresh's month on for volunteers,
the days from the last refresh's day on for activities. So a figure stays exact between refreshes
for rows added with a current date; rows added with an old date, changed or deleted show up at the
next refresh (its time is :func:`refreshed_at`, shown on screen as "汇总于 HH:MM").

Both parts count the counties of the region table only (what every page shows), which also lets
PostgreSQL walk the county index instead of scanning the whole table when the scope is every county.

Orders placed (:func:`placed`, the filter bar's counts) are topped up by id instead, and count every
county as ``service_order`` does: whole months from the summary, which holds the orders up to the id
its refresh recorded, and from ``service_order`` every order above that id (placed after the
refresh, whatever its date) and the partial months at either end (their days added, or a whole month
taken less its other days: the current month is then the summary's less the days still to come).
So they equal a count of ``service_order`` at any time, unless the platform deletes an order or
moves it to another area or category (seen at the next full refresh, nightly in production).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Subquery,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)

from dashboard.errors import SummaryMissing
from dashboard.scope import Scope
from dashboard.summaries.definitions import month_key, month_start
from dashboard.summaries.tables import (
    activity_days,
    order_months,
    refresh_state,
    volunteer_area_months,
    volunteer_unit_months,
)
from queries.common import activity, area_clause, month_of, region, scope_clause, service_order, volunteer

if TYPE_CHECKING:
    from dashboard.filters import Filters

DEFINITIONS = {
    "summarised": (
        "注册志愿者与活动场次取自看板的汇总表，并补上汇总之后新增的数据；汇总于该时刻（定时更新）。"
        "平台补录的旧日期数据、修改或删除的数据，在下一次汇总后计入。"
    ),
}
VOLUNTEER_KEYS = ("county_code", "township_code", "unit_id", "month")
ORDER_KEYS = ("county_code", "township_code", "category")
_DAY = dt.timedelta(days=1)
# Above any id: "id BETWEEN through + 1 AND this" is a two-sided range, which SQLite's planner takes for
# a narrow one and reads on the primary key (for a one-sided "id > ?" it scans the county index instead).
_ID_CEILING = 2**62


def _refreshed(conn: Connection, name: str) -> dt.datetime:
    """When the summary ``name`` was last refreshed; SummaryMissing when it never was."""
    when = conn.execute(select(refresh_state.c.refreshed_at).where(refresh_state.c.name == name)).scalar()
    if when is None:
        raise SummaryMissing(name)
    return when


def _through(conn: Connection, name: str) -> int:
    """The highest source id the summary ``name`` has counted; SummaryMissing when it was never refreshed."""
    through = conn.execute(select(refresh_state.c.through_id).where(refresh_state.c.name == name)).scalar()
    if through is None:
        raise SummaryMissing(name)
    return through


def refreshed_at(conn: Connection, scope: Scope) -> dt.datetime:
    """When the oldest summary was last refreshed (the same for every scope)."""
    when = conn.execute(select(func.min(refresh_state.c.refreshed_at))).scalar()
    if when is None:
        raise SummaryMissing("refresh_state")
    return when


def _known(county_code: ColumnElement) -> ColumnElement[bool]:
    return county_code.in_(select(region.c.code).where(region.c.level == "county"))


def _summed(parts: Sequence[Select], keys: Sequence[str], name: str) -> Subquery:
    """The parts (each with the ``keys`` and ``n``) summed per key: a subquery with the keys and ``name``."""
    grouped = []
    for i, part in enumerate(parts):  # each part aggregated first: the union then holds a few rows per key
        rows = part.subquery(f"{name}_{i}")
        grouped.append(
            select(*(rows.c[k] for k in keys), func.sum(rows.c.n).label("n")).group_by(*(rows.c[k] for k in keys))
        )
    both = union_all(*grouped).subquery(f"{name}_parts")
    return (
        select(*(both.c[k] for k in keys), func.sum(both.c.n).label(name))
        .group_by(*(both.c[k] for k in keys))
        .subquery(name)
    )


def registered(
    conn: Connection, scope: Scope, filters: Filters, keys: Sequence[str], *, township: bool = True
) -> Subquery:
    """Volunteers registered by ``filters.end`` in scope and area, per ``keys`` (of :data:`VOLUNTEER_KEYS`;
    ``month`` is that of registration, 'YYYY-MM'): a subquery with the keys and ``volunteers``.

    ``township=False`` ignores the township filter (as for units measured on their whole county).
    """
    unknown = set(keys) - set(VOLUNTEER_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    boundary = min(month_start(filters.end), month_start(_refreshed(conn, "volunteers").date()))
    table = volunteer_unit_months if "unit_id" in keys else volunteer_area_months
    summarised = select(*(table.c[k] for k in keys), table.c.volunteers.label("n")).where(
        area_clause(table, scope, filters, township=township),
        _known(table.c.county_code),
        table.c.month < month_key(boundary),
    )
    month = month_of(volunteer.c.registered_on).label("month")
    recent = select(*(month if k == "month" else volunteer.c[k] for k in keys), literal(1).label("n")).where(
        area_clause(volunteer, scope, filters, township=township),
        _known(volunteer.c.county_code),
        volunteer.c.registered_on >= boundary,
        volunteer.c.registered_on <= filters.end,
    )
    return _summed([summarised, recent], keys, "volunteers")


def held(conn: Connection, scope: Scope, filters: Filters) -> Subquery:
    """Activities held in the period in scope and area: a one-row subquery with ``activities``."""
    boundary = _refreshed(conn, "activities").date()  # days before it are complete in the summary
    summarised = select(activity_days.c.activities.label("n")).where(
        area_clause(activity_days, scope, filters),
        _known(activity_days.c.county_code),
        activity_days.c.held_on >= filters.start,
        activity_days.c.held_on <= min(filters.end, boundary - dt.timedelta(days=1)),
    )
    recent = select(literal(1).label("n")).where(
        area_clause(activity, scope, filters),
        _known(activity.c.county_code),
        activity.c.held_on >= max(filters.start, boundary),
        activity.c.held_on <= filters.end,
    )
    return _summed([summarised, recent], (), "activities")


def _next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class _Plan:
    """How :func:`placed` counts the orders of ``[start, stop)``: the summary's months ``[months[0],
    months[1])`` (None: none) plus the orders of the ``added`` day ranges and less those of the
    ``subtracted`` ones (each ``[a, b)``, read from ``service_order``)."""

    months: tuple[dt.date, dt.date] | None
    added: tuple[tuple[dt.date, dt.date], ...]
    subtracted: tuple[tuple[dt.date, dt.date], ...]


def _plan(start: dt.date, stop: dt.date) -> _Plan:
    """The plan for ``[start, stop)`` that reads the fewest days from ``service_order``: a partial month
    at either end is either added day by day or taken as a whole month less its other days (the days
    after ``stop`` are mostly still to come, so "the current month" costs today's orders)."""
    if start >= stop:
        return _Plan(None, (), ())
    first, last = month_start(start), month_start(stop - _DAY)
    end = _next_month(last)
    if first == last:  # within one month
        if stop - start <= (start - first) + (end - stop):
            return _Plan(None, ((start, stop),), ())
        return _Plan((first, end), (), tuple((a, b) for a, b in ((first, start), (stop, end)) if a < b))
    added, subtracted = [], []
    if start - first <= _next_month(first) - start:
        months_from = first
        subtracted.append((first, start))
    else:
        months_from = _next_month(first)
        added.append((start, months_from))
    if end - stop <= stop - last:
        months_to = end
        subtracted.append((stop, end))
    else:
        months_to = last
        added.append((last, stop))
    return _Plan(
        (months_from, months_to) if months_from < months_to else None,
        tuple((a, b) for a, b in added if a < b),
        tuple((a, b) for a, b in subtracted if a < b),
    )


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min)


def placed(
    conn: Connection,
    scope: Scope,
    starts: Sequence[dt.date],
    stop: dt.date,
    keys: Sequence[str] = (),
    equal: Mapping[str, str] | None = None,
) -> Select:
    """Orders in scope placed from each of ``starts`` up to the day before ``stop``, per ``keys`` (of
    :data:`ORDER_KEYS`), where each column of ``equal`` (also of :data:`ORDER_KEYS`) has its value: a
    SELECT of the keys and one count per start, ``n0``, ``n1``, … in the order of the sorted distinct starts.

    Each start's count follows its :func:`_plan`: whole months from ``dash.order_months`` together with
    the orders in those months above the summary's ``through_id`` (placed after its refresh, whatever
    their date; ``service_order``'s primary key), plus or minus the partial months' days (its
    ``placed_at`` index). When no start reads a whole month, only ``service_order`` is read.
    """
    equal = dict(equal or {})
    unknown = (set(keys) | set(equal)) - set(ORDER_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    bounds = sorted(set(starts))
    plans = [_plan(day, stop) for day in bounds]
    o = service_order.c

    def within(a: dt.date, b: dt.date) -> ColumnElement[bool]:
        return and_(o.placed_at >= _moment(a), o.placed_at < _moment(b))

    def orders(counts: Sequence[ColumnElement], *where: ColumnElement[bool]) -> Select:
        """The orders in scope and ``equal`` of ``where``, per key, with the per-start ``counts``."""
        return (
            select(*(o[k] for k in keys), *(n.label(f"n{i}") for i, n in enumerate(counts)))
            .where(scope_clause(o.county_code, scope), *(o[c] == value for c, value in equal.items()), *where)
            .group_by(*(o[k] for k in keys))
        )

    parts = []
    months = [plan.months for plan in plans if plan.months]
    if months:
        lowest, highest = min(m[0] for m in months), max(m[1] for m in months)
        m = order_months.c
        summed = [
            func.sum(
                case((and_(m.month >= month_key(p.months[0]), m.month < month_key(p.months[1])), m.orders), else_=0)
            )
            if p.months
            else literal(0)
            for p in plans
        ]
        parts.append(
            select(*(m[k] for k in keys), *(n.label(f"n{i}") for i, n in enumerate(summed)))
            .where(
                scope_clause(m.county_code, scope),
                *(m[column] == value for column, value in equal.items()),
                m.month >= month_key(lowest),
                m.month < month_key(highest),
            )
            .group_by(*(m[k] for k in keys))
        )
        # the orders the summary has not seen (placed since its refresh), found on the primary key
        unseen = [func.sum(case((within(*p.months), 1), else_=0)) if p.months else literal(0) for p in plans]
        parts.append(orders(unseen, o.id.between(_through(conn, "orders") + 1, _ID_CEILING)))
    ranges = sorted({span for plan in plans for span in (*plan.added, *plan.subtracted)})
    if ranges or not parts:
        counted = []
        for plan in plans:
            plus = or_(false(), *(within(a, b) for a, b in plan.added))
            minus = or_(false(), *(within(a, b) for a, b in plan.subtracted))
            counted.append(func.sum(case((plus, 1), else_=0) - case((minus, 1), else_=0)))
        parts.append(orders(counted, or_(false(), *(within(a, b) for a, b in ranges))))
    if len(parts) == 1:
        return parts[0]
    both = union_all(*parts).subquery("placed")
    return select(
        *(both.c[k] for k in keys), *(func.sum(both.c[f"n{i}"]).label(f"n{i}") for i in range(len(bounds)))
    ).group_by(*(both.c[k] for k in keys))
