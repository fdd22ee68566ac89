"""The wall screen (大屏): today's order flow, orders in flight and overdue, the latest orders, today's map.

Every function takes the user's scope and ``now``, the moment of the refresh (local time): "today" is
``now``'s calendar day from midnight up to ``now``. Steps, waits and durations come from
``assets/order_flow.yaml`` (:func:`dashboard.order_flow.order_flow`), overdue is
:func:`queries.common.overdue_clause`. Month figures (volunteers, satisfaction, activities, units)
reuse the overview's queries, so each number keeps the one definition it has there.

Orders touched today are found through ``updated_at`` (indexed): an order reaching a step today was
updated today, so the flow queries read only today's few thousand rows, not the whole table.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, String, and_, case, func, literal, select, union_all

from dashboard.order_flow import order_flow
from dashboard.scope import Scope
from queries.common import (
    frame,
    overdue_clause,
    percentiles,
    region,
    scope_clause,
    seconds_between,
    service_order,
    unit,
)
from queries.quality import out_of_sequence_clause

DEFINITIONS = {
    "steps_today": "今天（北京时间 0 时起）到达该环节的订单数，按该环节的时间统计，不论订单哪天下单。",
    "in_flight": "当前处于{statuses}的订单，不论哪天下单。",
    "overdue": "在途订单中等待超过时限的订单数：{limits}（时限见 assets/order_flow.yaml）。",
    "medians": "今天完成该环节的订单，从上一环节到该环节所用时间的中位数。",
    "ticker": "最近有进展的订单（按最后更新时间），群众个人信息已脱敏。",
    "map_orders": "今天下单的订单，按当前环节着色；飞线从群众所在位置连到派单单位（仅在途订单）。",
    "map_fill": "区县底色：本月订单数 ÷ 常住人口 × 1 万，颜色越亮越多（从最低的区县到最高的区县）。",
    "ranking": (
        "本月满意率（本月下单且已评价的订单中评分不低于 {satisfied_rating} 分的比例）最高和最低的区县文明实践中心；"
        "本月已评价不足 {min_rated} 单的中心不参与排名。"
    ),
    "quality": "今天下单、因缺少坐标、状态未知或流程时间倒置而未画在地图上的订单，以及缺少坐标的阵地。",
}


def day_start(now: dt.datetime) -> dt.datetime:
    """Midnight at the start of ``now``'s day."""
    return dt.datetime.combine(now.date(), dt.time.min)


def _touched_today(scope: Scope, now: dt.datetime):
    return and_(scope_clause(service_order.c.county_code, scope), service_order.c.updated_at >= day_start(now))


def _today(column, now: dt.datetime):
    return and_(column >= day_start(now), column <= now)


def steps_today(conn: Connection, scope: Scope, now: dt.datetime) -> dict[str, int]:
    """Step code → orders whose time at that step falls today (midnight … ``now``), every step of the flow."""
    steps = order_flow().steps
    counts = [
        func.coalesce(func.sum(case((_today(service_order.c[s.at], now), 1), else_=0)), 0).label(s.code) for s in steps
    ]
    row = conn.execute(select(*counts).where(_touched_today(scope, now))).one()
    return {s.code: int(row._mapping[s.code]) for s in steps}


def step_medians(conn: Connection, scope: Scope, now: dt.datetime) -> dict[str, float | None]:
    """Duration key → median seconds (to 0.1 s) over orders whose end step falls today (None when there are none).

    Durations are those of order_flow.yaml; an order whose end comes before its start (a bad row) is
    left out. Today's orders are read once (a CTE), then each duration is taken from them.
    """
    durations = order_flow().durations
    columns = sorted({c for d in durations.values() for c in (d.start, d.end)})
    touched = select(*(service_order.c[c] for c in columns)).where(_touched_today(scope, now)).cte("touched")
    parts = []
    for d in durations.values():
        start, end = touched.c[d.start], touched.c[d.end]
        parts.append(
            select(literal(d.key, String).label("key"), seconds_between(start, end).label("seconds")).where(
                _today(end, now), start.is_not(None), start <= end
            )
        )
    stmt = percentiles(conn, union_all(*parts).subquery("durations"), "seconds", ["key"], [0.5])
    found = {row.key: round(float(row.p50), 1) for row in conn.execute(stmt)}  # times are to the second
    return {key: found.get(key) for key in durations}


def open_orders(conn: Connection, scope: Scope, now: dt.datetime, statuses: tuple[str, ...]) -> pd.DataFrame:
    """Orders now at one of ``statuses`` (any day), per status: ``status``, ``orders``, ``overdue`` (as of ``now``)."""
    stmt = (
        select(
            service_order.c.status,
            func.count().label("orders"),
            func.sum(case((overdue_clause(now), 1), else_=0)).label("overdue"),
        )
        .where(scope_clause(service_order.c.county_code, scope), service_order.c.status.in_(statuses))
        .group_by(service_order.c.status)
        .order_by(service_order.c.status)
    )
    df = frame(conn, stmt, ["status", "orders", "overdue"])
    for column in ("orders", "overdue"):
        df[column] = df[column].astype("int64")
    return df


_station = unit.alias("station")
_dispatcher = unit.alias("dispatcher")
_county = region.alias("county")


def latest_orders(conn: Connection, scope: Scope, now: dt.datetime, limit: int) -> pd.DataFrame:
    """The ``limit`` orders updated last (up to ``now``): ``code``, ``category``, ``status``,
    ``requester_name``, ``station_name``, ``county_name``, ``updated_at``; newest first."""
    stmt = (
        select(
            service_order.c.code,
            service_order.c.category,
            service_order.c.status,
            service_order.c.requester_name,
            _station.c.name.label("station_name"),
            _county.c.name.label("county_name"),
            service_order.c.updated_at,
        )
        .select_from(
            service_order.outerjoin(_station, _station.c.id == service_order.c.station_id).outerjoin(
                _county, _county.c.code == service_order.c.county_code
            )
        )
        .where(scope_clause(service_order.c.county_code, scope), service_order.c.updated_at <= now)
        .order_by(service_order.c.updated_at.desc(), service_order.c.id.desc())
        .limit(limit)
    )
    return frame(conn, stmt)


def orders_today(conn: Connection, scope: Scope, now: dt.datetime) -> pd.DataFrame:
    """Orders placed today (midnight … ``now``), for the map: ``id``, ``status``, ``category``, ``lon``,
    ``lat``, ``station_name``, ``dispatcher_name``, ``dispatcher_lon``, ``dispatcher_lat`` and
    ``out_of_sequence`` (True when a step's time comes before the previous reached step's)."""
    stmt = (
        select(
            service_order.c.id,
            service_order.c.status,
            service_order.c.category,
            service_order.c.lon,
            service_order.c.lat,
            _station.c.name.label("station_name"),
            _dispatcher.c.name.label("dispatcher_name"),
            _dispatcher.c.lon.label("dispatcher_lon"),
            _dispatcher.c.lat.label("dispatcher_lat"),
            case((out_of_sequence_clause(), 1), else_=0).label("out_of_sequence"),
        )
        .select_from(
            service_order.outerjoin(_station, _station.c.id == service_order.c.station_id).outerjoin(
                _dispatcher, _dispatcher.c.id == service_order.c.dispatch_unit_id
            )
        )
        .where(scope_clause(service_order.c.county_code, scope), _today(service_order.c.placed_at, now))
        .order_by(service_order.c.id)
    )
    df = frame(conn, stmt)
    df["out_of_sequence"] = df["out_of_sequence"].astype(bool)
    return df
