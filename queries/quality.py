"""Data-quality checks: rows the platform wrote that the dashboard cannot use as they are.

Each check returns ``{"count": int, "sample": [ids]}`` (up to :data:`SAMPLE_SIZE` ids, newest first:
latest placed for orders, highest id for units) for the scope and filters; order checks cover orders
placed in the period and are counted together, in one pass over those orders (:func:`order_checks`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from sqlalchemy import ColumnElement, Connection, Table, and_, case, func, or_, select

from dashboard.scope import Scope
from queries.common import ORDER_STATUSES, ORDER_STEPS, RATING_RANGE, area_clause, order_clause, service_order, unit

if TYPE_CHECKING:
    from dashboard.filters import Filters

SAMPLE_SIZE = 20

DEFINITIONS = {
    "units_without_coordinates": "缺少经度或纬度的阵地：无法在地图上显示（不受时间筛选影响）。",
    "orders_unknown_status": "所选时间段内下单、状态不属于平台约定状态（待派单、已制单……已取消）的订单。",
    "orders_out_of_sequence": (
        "所选时间段内下单、流程时间倒置的订单：制单、派单、接单、完成、评价任一步骤的时间"
        "早于此前已到达的上一步骤（或早于下单时间）。"
    ),
    "ratings_out_of_range": "所选时间段内下单、评分不在 1–5 分之间的订单。",
}


class Check(TypedDict):
    """Result of one check: how many rows fail it, and the ids of the first few."""

    count: int
    sample: list[int]


def _check(conn: Connection, table: Table, condition: ColumnElement[bool]) -> Check:
    count = conn.execute(select(func.count()).select_from(table).where(condition)).scalar_one()
    return _sample(conn, table, condition, int(count))


def _sample(conn: Connection, table: Table, condition: ColumnElement[bool], count: int) -> Check:
    """The check's result for ``count`` failing rows: those ids, newest first, when there are any."""
    if not count:
        return Check(count=0, sample=[])
    # newest first, along an indexed time column where the table has one (ordering by id made PostgreSQL
    # walk the whole primary key to find a dozen rows: bench/results.md)
    newest = table.c.placed_at if "placed_at" in table.c else table.c.id
    ids = conn.execute(select(table.c.id).where(condition).order_by(newest.desc()).limit(SAMPLE_SIZE)).scalars()
    return Check(count=count, sample=[int(i) for i in ids])


def units_without_coordinates(conn: Connection, scope: Scope, filters: Filters) -> Check:
    """Units in scope and area whose longitude or latitude is missing."""
    condition = and_(area_clause(unit, scope, filters), or_(unit.c.lon.is_(None), unit.c.lat.is_(None)))
    return _check(conn, unit, condition)


def _unknown_status() -> ColumnElement[bool]:
    """The order's status is missing or not one of the known statuses."""
    status = service_order.c.status
    return or_(status.is_(None), status.not_in(ORDER_STATUSES))


def out_of_sequence_clause() -> ColumnElement[bool]:
    """True when a step's time is earlier than the time of the nearest earlier step that was reached.

    Checking every step against its nearest reached predecessor makes the reached steps
    non-decreasing, hence none is earlier than ``placed_at`` either.
    """
    steps = [service_order.c[name] for name in ORDER_STEPS]
    conditions = []
    for i in range(1, len(steps)):
        earlier = list(reversed(steps[:i]))
        previous = earlier[0] if len(earlier) == 1 else func.coalesce(*earlier)
        conditions.append(steps[i] < previous)
    return or_(*conditions)


def _rating_out_of_range() -> ColumnElement[bool]:
    """The order has a rating outside 1 … 5."""
    low, high = RATING_RANGE
    rating = service_order.c.rating
    return and_(rating.is_not(None), or_(rating < low, rating > high))


# The order checks by name (the keys of DEFINITIONS), each a condition on one order.
ORDER_CHECKS = {
    "orders_unknown_status": _unknown_status,
    "orders_out_of_sequence": out_of_sequence_clause,
    "ratings_out_of_range": _rating_out_of_range,
}


def order_checks(conn: Connection, scope: Scope, filters: Filters) -> dict[str, Check]:
    """Every check of :data:`ORDER_CHECKS` over the orders placed in the period, in scope and area: the
    counts in one pass over those orders, then the sample of each check that found any."""
    placed = order_clause(scope, filters)
    conditions = {name: condition() for name, condition in ORDER_CHECKS.items()}
    counts = conn.execute(
        select(*(func.sum(case((condition, 1), else_=0)).label(name) for name, condition in conditions.items()))
        .select_from(service_order)
        .where(placed)
    ).one()
    return {
        name: _sample(conn, service_order, and_(placed, condition), int(getattr(counts, name) or 0))
        for name, condition in conditions.items()
    }
