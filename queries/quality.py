"""Data-quality checks: rows the platform wrote that the dashboard cannot use as they are.

Each check returns ``{"count": int, "sample": [ids]}`` (up to :data:`SAMPLE_SIZE` ids, newest first:
latest placed for orders, highest id for units) for the scope and filters; order checks cover orders
placed in the period.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from sqlalchemy import ColumnElement, Connection, Table, and_, func, or_, select

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
    if not count:
        return Check(count=0, sample=[])
    # newest first, along an indexed time column where the table has one (ordering by id made PostgreSQL
    # walk the whole primary key to find a dozen rows: bench/results.md)
    newest = table.c.placed_at if "placed_at" in table.c else table.c.id
    ids = conn.execute(select(table.c.id).where(condition).order_by(newest.desc()).limit(SAMPLE_SIZE)).scalars()
    return Check(count=int(count), sample=[int(i) for i in ids])


def units_without_coordinates(conn: Connection, scope: Scope, filters: Filters) -> Check:
    """Units in scope and area whose longitude or latitude is missing."""
    condition = and_(area_clause(unit, scope, filters), or_(unit.c.lon.is_(None), unit.c.lat.is_(None)))
    return _check(conn, unit, condition)


def orders_unknown_status(conn: Connection, scope: Scope, filters: Filters) -> Check:
    """Orders placed in the period whose status is missing or not one of the known statuses."""
    status = service_order.c.status
    condition = and_(order_clause(scope, filters), or_(status.is_(None), status.not_in(ORDER_STATUSES)))
    return _check(conn, service_order, condition)


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


def orders_out_of_sequence(conn: Connection, scope: Scope, filters: Filters) -> Check:
    """Orders placed in the period with a step time earlier than the previous reached step."""
    return _check(conn, service_order, and_(order_clause(scope, filters), out_of_sequence_clause()))


def ratings_out_of_range(conn: Connection, scope: Scope, filters: Filters) -> Check:
    """Orders placed in the period with a rating outside 1 … 5."""
    low, high = RATING_RANGE
    rating = service_order.c.rating
    condition = and_(order_clause(scope, filters), rating.is_not(None), or_(rating < low, rating > high))
    return _check(conn, service_order, condition)
