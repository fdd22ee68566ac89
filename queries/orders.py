"""The orders page (订单): the dispatch flow from 点单 to 评单, step times, satisfaction, demand, drill-down.

Every query takes the user's scope, the global filters and the page's own filters
(:class:`dashboard.orders_filters.OrderFilters`) and counts the orders they select: orders placed
within the period, in scope and area, of the chosen category, station, step, team and rated or not
(:func:`order_where`). The steps, durations and overdue limits are those of assets/order_flow.yaml;
medians and 90th percentiles are ``queries.common.percentiles`` (percentile_cont on both databases).
Every metric is defined once, in :data:`DEFINITIONS`, shown on screen as a help tooltip; a
``{name}`` in a definition is filled in by the page (targets, limits, list length).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)

from dashboard.order_flow import order_flow
from dashboard.orders_config import orders_config
from dashboard.scope import Scope
from dashboard.summaries.definitions import (
    ORDER_MEMBER,
    ORDER_TEAM,
    ORDERS_WITH_MEMBER,
    order_waiting_since,
    rated,
    satisfied,
)
from dashboard.summaries.tables import team_members
from queries import overview, summaries
from queries.common import (
    COMPLETED_STATUSES,
    ORDER_STATUSES,
    TABLES,
    area_clause,
    clock_part,
    date_bucket,
    frame,
    order_clause,
    overdue_clause,
    percentiles,
    region,
    scope_clause,
    seconds_between,
    service_order,
    unit,
)

if TYPE_CHECKING:
    from dashboard.filters import Filters
    from dashboard.orders_filters import OrderFilters

team = TABLES["team"]
BOUND_DAYS = dt.timedelta(days=31)  # overdue_orders takes its bound from the overdue orders of the period's first days

# What the order cube's summarised months mean for freshness (queries.summaries.order_cube), on the board's help.
_SUMMARISED = summaries.DEFINITIONS["order_status"]
DEFINITIONS = {
    "orders": (
        "所选时间段内下单（点单）、符合全部筛选条件（区县、乡镇、站点、服务类别、流程环节、接单队伍、是否评价）"
        "的订单数。本页所有数字都只统计这些订单。"
    ),
    "board": (
        "订单当前所处的环节（按订单状态归并，见 assets/orders_page.yaml）：待派单含“已制单”，"
        "已拒绝/取消含两种关闭状态；状态不在平台约定之内的计为“未知状态”。" + _SUMMARISED
    ),
    "summarised": _SUMMARISED,
    "funnel": "到达各环节的订单数：该环节的时间已记录即算到达（如派单时间不为空即已派单），不论订单现在处于哪个环节。",
    "open": "尚未走完流程、正在等待下一步的订单：待派单、已制单、待接单、重新派单、服务中、待评价。",
    "overdue": (
        "超时：截至 {now}，在中心可以处理的等待环节停留超过时限的订单（时限见 assets/order_flow.yaml）：{limits}。"
        "等群众评价超过时限的不算超时，另计为“超期未评价”。等待从该环节的时间算起；"
        "该时间早于点单时间的（环节顺序错误，见数据质量页）从点单时间算起。"
    ),
    "unrated_overdue": (
        "超期未评价：截至 {now}，服务已完成、等群众评价超过时限的订单（{limits}）。评价是群众的事，"
        "不是中心可以处理的工作，所以不计入“超时”；在流程看板的“待评价”一栏和下方的列表中单独列出。"
    ),
    "overdue_list": "超时订单，按开始等待的时间从早到晚排列（等得最久的在最前），最多列出 {list_rows} 条。",
    "completed": overview.DEFINITIONS["completed"],
    "rated_share": "评价率 = 已评价（评分 1–5 分）的订单数 ÷ 服务已完成的订单数（状态为“待评价”或“已完成”）。",
    "satisfaction": overview.DEFINITIONS["satisfaction"],
    "duration": (
        "{label}：从{start}到{end}的时间。两个时间都已记录且先后正常的订单才计入；"
        "时间倒置的订单不计入（数量另列，详见“数据质量”）。"
    ),
    "median": (
        "中位数：把用时从短到长排好，取正中的那个（偶数个时取中间两个的平均），"
        "与 PostgreSQL 的 percentile_cont(0.5) 相同。"
    ),
    "p90": (
        "第 90 百分位数：90% 的订单用时不超过它。n 个用时从短到长排好后，取第 1 + (n − 1) × 0.9 位，"
        "不是整数位时在相邻两位之间按比例插值（PostgreSQL 的 percentile_cont(0.9)）。"
    ),
    "distribution": "各用时区间内的订单数（区间的分钟数见 assets/orders_page.yaml）；只计入参与用时统计的订单。",
    "trend": "按下单时间所在的日、周（周一起）或月分组，各组订单该环节用时的中位数和第 90 百分位数。",
    "rating_distribution": "所选订单中评分为 1–5 分的各有多少单；评分不在 1–5 分之间的另计为异常（见“数据质量”）。",
    "team": (
        "接单队伍：以队伍名义接单的订单计入该队伍；志愿者个人接单的订单计入该志愿者所属队伍"
        "（以看板最近一次汇总时平台登记的队伍为准，定时更新），"
        "志愿者未加入队伍的计为“个人接单（未加入队伍）”；尚未接单的订单不属于任何队伍。"
    ),
    "satisfaction_by": "按所选维度分组的服务完成数、评价率和满意率；评价率、满意率的口径同上方指标卡。",
    "demand_matrix": "所选订单按服务类别和下一级区域（区县、乡镇或站点，按订单所属站点的归属）的分布。",
    "demand_clock": "所选订单按下单时刻所在的星期和小时的分布。",
    "demand_map": (
        "按下单地址坐标统计的订单密度：先在数据库中按 {cell}° 见方的网格计数，再在地图上汇成六边形；"
        "缺少坐标的订单不在图上。"
    ),
    "breakdown": (
        "下一级区域（区县、乡镇（街道）或站点）的订单数、进行中、超时、服务完成、评价率、满意率"
        "和各环节用时的中位数；点选一行、一根柱或地图上的一点即进入该区域。"
    ),
    "order_list": "符合全部筛选条件的订单，按下单时间从新到旧，最多列出 {list_rows} 条；群众姓名和电话已脱敏。",
    "option_counts": "选项后括号里的数字：其余筛选条件不变时，选择该项会得到的订单数。",
}

STEP_UNKNOWN = "unknown"  # the step of orders whose status is outside the schema
FRACTIONS = (0.5, 0.9)  # the median and the 90th percentile of every step time

_county = region.alias("o_county")
_township = region.alias("o_township")
_station = unit.alias("o_station")
_rated = rated(service_order.c.rating)


# ---------------------------------------------------------------------------------------------
# Which orders


def step_statuses(step: str) -> ColumnElement[bool]:
    """The statuses of a board column (or ``unknown``: any status outside the schema) as SQL."""
    status = service_order.c.status
    if step == STEP_UNKNOWN:
        return or_(status.is_(None), status.not_in(ORDER_STATUSES))
    return status.in_(_column_statuses(step))


def _column_statuses(step: str) -> tuple[str, ...]:
    """The statuses of a board column of assets/orders_page.yaml."""
    column = orders_config().column(step)
    if column is None:
        raise ValueError(f"unknown step {step!r}")
    return tuple(column.statuses)


def team_clause(team_id: int) -> ColumnElement[bool]:
    """Orders of a team (see DEFINITIONS["team"]), without a join: the volunteer's team by subquery."""
    members = select(team_members.c.volunteer_id).where(team_members.c.team_id == team_id)
    return or_(
        service_order.c.team_id == team_id,
        and_(service_order.c.team_id.is_(None), service_order.c.volunteer_id.in_(members)),
    )


def order_where(scope: Scope, filters: Filters, page: OrderFilters) -> ColumnElement[bool]:
    """The orders the page counts: :func:`queries.common.order_clause` narrowed by the page filters."""
    clauses = [_station_orders(scope, filters, page.station)]
    if page.step is not None:
        clauses.append(step_statuses(page.step))
    if page.team is not None:
        clauses.append(team_clause(page.team))
    if page.rated == "yes":
        clauses.append(_rated)
    elif page.rated == "no":
        clauses.append(or_(service_order.c.rating.is_(None), not_(_rated)))
    return and_(*clauses)


def _station_orders(scope: Scope, filters: Filters, station: int | None) -> ColumnElement[bool]:
    """:func:`queries.common.order_clause`, of one station when ``station`` is given."""
    if station is None:
        return order_clause(scope, filters)
    return and_(order_clause(scope, filters), service_order.c.station_id == station)


def _as_of(now: dt.datetime) -> ColumnElement:
    return bindparam("as_of", now, type_=service_order.c.placed_at.type)


def _ints(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for column in columns:
        df[column] = pd.to_numeric(df[column]).fillna(0).astype("int64")
    return df


# ---------------------------------------------------------------------------------------------
# Options of the page filters


def stations(
    conn: Connection, scope: Scope, county: str | None, township: str | None = None, station: int | None = None
) -> pd.DataFrame:
    """Stations in scope, in ``county`` and ``township`` and with id ``station`` where given (None: any):
    ``id``, ``name``, ``county_code``, ``township_code``; by township, name.

    The page asks for one district's stations (the picker) or one station (a link's), never for all of
    a province's ~28,000."""
    clauses = [unit.c.tier == "station", scope_clause(unit.c.county_code, scope)]
    if county is not None:
        clauses.append(unit.c.county_code == county)
    if township is not None:
        clauses.append(unit.c.township_code == township)
    if station is not None:
        clauses.append(unit.c.id == station)
    stmt = (
        select(unit.c.id, unit.c.name, unit.c.county_code, unit.c.township_code)
        .where(*clauses)
        .order_by(unit.c.county_code, unit.c.township_code, unit.c.name, unit.c.id)
    )
    return frame(conn, stmt)


def teams(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Volunteer teams in scope: ``id``, ``name``, ``county_code``, by county and name."""
    stmt = (
        select(team.c.id, team.c.name, team.c.county_code)
        .where(scope_clause(team.c.county_code, scope))
        .order_by(team.c.county_code, team.c.name, team.c.id)
    )
    return frame(conn, stmt)


def station_counts(conn: Connection, scope: Scope, filters: Filters, page: OrderFilters) -> dict[int, int]:
    """Orders per station id (stations without orders are absent)."""
    stmt = (
        select(service_order.c.station_id, func.count())
        .where(order_where(scope, filters, page), service_order.c.station_id.is_not(None))
        .group_by(service_order.c.station_id)
    )
    return {int(station): int(n) for station, n in conn.execute(stmt)}


def rated_split(summary: pd.DataFrame) -> dict[str, int]:
    """Orders rated (a rating of 1–5) and not, ``{"yes": n, "no": m}``, from a :func:`cube_summary` result
    (its ``rated`` and ``orders`` columns)."""
    rated, total = int(summary["rated"].sum()), int(summary["orders"].sum())
    return {"yes": rated, "no": total - rated}


# ---------------------------------------------------------------------------------------------
# The flow: where orders are now, which steps they reached, which are overdue


def step_counts(summary: pd.DataFrame) -> dict[str, int]:
    """Orders per board column (and ``unknown``) from a :func:`cube_summary` result."""
    by_status = dict(zip(summary["status"], summary["orders"], strict=True))
    counts = {c.key: sum(by_status.get(s, 0) for s in c.statuses) for c in orders_config().board}
    counts[STEP_UNKNOWN] = sum(n for s, n in by_status.items() if s not in ORDER_STATUSES)
    return counts


def overdue_totals(by_status: dict[str, int], actionable: bool = True) -> int:
    """超时 (``actionable``) or 超期未评价 (not ``actionable``) from a :func:`cube_overdue` result."""
    return sum(by_status.get(wait.status, 0) for wait in order_flow().overdue_waits(actionable))


def _names(source=service_order) -> tuple:
    """Columns naming the district, township and station of the orders in ``source`` (``service_order`` or a
    subquery with its ``county_code``, ``township_code`` and ``station_id``), with the joins they need."""
    joined = (
        source.outerjoin(_county, _county.c.code == source.c.county_code)
        .outerjoin(_township, _township.c.code == source.c.township_code)
        .outerjoin(_station, _station.c.id == source.c.station_id)
    )
    columns = (
        _county.c.name.label("county_name"),
        _township.c.name.label("township_name"),
        _station.c.name.label("station_name"),
    )
    return joined, columns


def overdue_orders(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    page: OrderFilters,
    now: dt.datetime,
    limit: int,
    actionable: bool = True,
) -> pd.DataFrame:
    """The overdue orders as of ``now`` (超时, or with ``actionable=False`` 超期未评价), longest wait first, at
    most ``limit``: ``id``, ``code``, ``category``, ``status``, ``county_name``, ``township_name``,
    ``station_name``, ``placed_at``, ``waiting_since``, ``waited_seconds``.

    The longest waits are chosen first and named afterwards: the year's 超期未评价 are ~100,000 orders in the
    city demo, and naming them all before keeping ``limit`` cost a hash join per name. They are chosen among
    the orders placed up to a bound: no wait begins before its order was placed (:func:`order_waiting_since`),
    so once some ``limit`` overdue orders have waited since ``T`` or longer, every one of the longest waits
    was placed by ``T``. ``T`` is the ``limit``-th wait start among the first ``2 × limit`` overdue orders placed
    in the period's first :data:`BOUND_DAYS` (none when they are fewer than ``limit``): a range of an index in
    placing order, cut short where overdue orders are many (the unrated) and a month at most where they are
    few (the orders in flight). So a year is read from its start up to ``T``, not whole.
    """
    since = order_waiting_since()
    o = service_order.c
    overdue = and_(order_where(scope, filters, page), overdue_clause(now, actionable))
    first_days = o.placed_at < dt.datetime.combine(filters.start + BOUND_DAYS, dt.time.min)
    first = select(since.label("since")).where(overdue, first_days).order_by(o.placed_at).limit(limit * 2)
    earliest = first.subquery("earliest")
    bound = select(earliest.c.since).order_by(earliest.c.since).offset(limit - 1).limit(1).scalar_subquery()
    waiting = (
        select(o.id, o.code, o.category, o.status, o.county_code, o.township_code, o.station_id, o.placed_at)
        .add_columns(since.label("waiting_since"))
        .where(overdue, o.placed_at <= func.coalesce(bound, _as_of(now)))
        .order_by(since, o.id)
        .limit(limit)
        .subquery("waiting")
    )
    joined, names = _names(waiting)
    w = waiting.c
    stmt = (
        select(
            w.id,
            w.code,
            w.category,
            w.status,
            *names,
            w.placed_at,
            w.waiting_since,
            cast(func.round(seconds_between(w.waiting_since, _as_of(now))), Float).label("waited_seconds"),
        )
        .select_from(joined)
        .order_by(w.waiting_since, w.id)
    )
    return frame(conn, stmt)


# ---------------------------------------------------------------------------------------------
# Step times


def _seconds(key: str) -> ColumnElement:
    """Seconds of duration ``key`` of order_flow.yaml; NULL unless both times are set and in order."""
    d = order_flow().durations[key]
    start, end = service_order.c[d.start], service_order.c[d.end]
    return case((end >= start, cast(func.round(seconds_between(start, end)), Float)))


def _duration_values(where: ColumnElement[bool], keys: tuple[str, ...], by: dict[str, ColumnElement]):
    """One row per order and duration: ``duration`` (its key), the ``by`` columns, ``seconds``.

    The orders are read once (a materialised CTE, read once per duration).
    """
    if len(keys) == 1:
        (key,) = keys
        stmt = select(
            literal(key).label("duration"), *(c.label(n) for n, c in by.items()), _seconds(key).label("seconds")
        )
        return stmt.where(where, _seconds(key).is_not(None)).subquery("durations")
    base = (
        select(*(c.label(n) for n, c in by.items()), *(_seconds(k).label(k) for k in keys))
        .where(where)
        .cte("base")
        .prefix_with("MATERIALIZED")
    )
    parts = [
        select(literal(k).label("duration"), *(base.c[n] for n in by), base.c[k].label("seconds")).where(
            base.c[k].is_not(None)
        )
        for k in keys
    ]
    return union_all(*parts).subquery("durations")


def duration_stats(conn: Connection, scope: Scope, filters: Filters, page: OrderFilters) -> pd.DataFrame:
    """Per duration of order_flow.yaml, in file order: ``duration``, ``n``, ``p50``, ``p90`` (seconds; NaN
    when no order has that duration)."""
    keys = tuple(order_flow().durations)
    values = _duration_values(order_where(scope, filters, page), keys, {})
    stats = frame(conn, percentiles(conn, values, "seconds", ["duration"], FRACTIONS))
    rows = stats.set_index("duration").reindex(list(keys)).rename_axis("duration").reset_index()
    rows["n"] = pd.to_numeric(rows["n"]).fillna(0).astype("int64")
    for column in ("p50", "p90"):
        rows[column] = pd.to_numeric(rows[column]).astype("float64")
    return rows


def duration_histogram(
    conn: Connection, scope: Scope, filters: Filters, page: OrderFilters, bounds_minutes: tuple[int, ...]
) -> pd.DataFrame:
    """Orders per duration and bin: ``duration``, ``bin`` (0 … len(bounds); bin i holds times below
    ``bounds_minutes[i]`` minutes and not below the previous bound; the last is open), ``orders``.

    One pass: each order's step times are computed once (a materialised CTE), the orders counted per
    combination of their bins, then summed per duration.
    """
    keys = tuple(order_flow().durations)
    base = (
        select(*(_seconds(key).label(key) for key in keys))
        .where(order_where(scope, filters, page))
        .cte("step_times")
        .prefix_with("MATERIALIZED")
    )
    bins = [
        case(
            (base.c[key].is_(None), None),
            *((base.c[key] < bound * 60, i) for i, bound in enumerate(bounds_minutes)),
            else_=len(bounds_minutes),
        ).label(key)
        for key in keys
    ]
    combos = frame(conn, select(*bins, func.count().label("orders")).group_by(*bins))
    parts = [
        combos.dropna(subset=[key]).groupby(key)["orders"].sum().rename_axis("bin").reset_index().assign(duration=key)
        for key in keys
    ]
    df = pd.concat(parts, ignore_index=True)[["duration", "bin", "orders"]]
    return _ints(df, ["bin", "orders"])


def duration_trend(
    conn: Connection, scope: Scope, filters: Filters, page: OrderFilters, key: str, grain: str
) -> pd.DataFrame:
    """Median and 90th percentile of one duration per day, ISO week or month of placing:
    ``bucket`` (first day, ``YYYY-MM-DD``), ``n``, ``p50``, ``p90``, by bucket."""
    values = _duration_values(
        order_where(scope, filters, page), (key,), {"bucket": date_bucket(service_order.c.placed_at, grain)}
    )
    df = frame(conn, percentiles(conn, values, "seconds", ["bucket"], FRACTIONS))
    df = _ints(df, ["n"]).sort_values("bucket", ignore_index=True)
    for column in ("p50", "p90"):
        df[column] = pd.to_numeric(df[column]).astype("float64")
    return df


# ---------------------------------------------------------------------------------------------
# Satisfaction


def rating_counts(conn: Connection, scope: Scope, filters: Filters, page: OrderFilters) -> pd.DataFrame:
    """Orders per rating value given (NULL ratings left out): ``rating``, ``orders``, by rating."""
    stmt = (
        select(service_order.c.rating, func.count().label("orders"))
        .where(order_where(scope, filters, page), service_order.c.rating.is_not(None))
        .group_by(service_order.c.rating)
        .order_by(service_order.c.rating)
    )
    return _ints(frame(conn, stmt), ["rating", "orders"])


def _dimension(dimension: str) -> tuple[ColumnElement, ColumnElement, object]:
    """(key column, name column, FROM clause) of a grouping of orders."""
    if dimension == "category":
        return service_order.c.category, service_order.c.category, service_order
    if dimension == "county":
        joined = service_order.outerjoin(_county, _county.c.code == service_order.c.county_code)
        return service_order.c.county_code, _county.c.name, joined
    if dimension == "township":
        joined = service_order.outerjoin(_township, _township.c.code == service_order.c.township_code)
        return service_order.c.township_code, _township.c.name, joined
    if dimension == "station":
        joined = service_order.outerjoin(_station, _station.c.id == service_order.c.station_id)
        return service_order.c.station_id, _station.c.name, joined
    if dimension == "team":
        joined = ORDERS_WITH_MEMBER.outerjoin(team, team.c.id == ORDER_TEAM)
        accepted = service_order.c.accepted_at.is_not(None)
        return ORDER_TEAM, case((ORDER_TEAM.is_not(None), team.c.name), (accepted, "个人接单（未加入队伍）")), joined
    raise ValueError(f"unknown dimension {dimension!r}")


def satisfaction_by(
    conn: Connection, scope: Scope, filters: Filters, page: OrderFilters, dimension: str, satisfied_rating: int
) -> pd.DataFrame:
    """Orders grouped by ``dimension`` (category, county, township, station or team): ``key``, ``name``, ``orders``,
    ``completed``, ``rated``, ``satisfied``, ``rated_share``, ``satisfaction_rate``; most orders first.
    For teams, orders not yet accepted are left out."""
    key, name, joined = _dimension(dimension)
    where = [order_where(scope, filters, page)]
    if dimension == "team":
        where.append(service_order.c.accepted_at.is_not(None))
    orders = func.count().label("orders")
    stmt = (
        select(
            key.label("key"),
            func.min(name).label("name"),
            orders,
            func.sum(case((service_order.c.status.in_(COMPLETED_STATUSES), 1), else_=0)).label("completed"),
            func.sum(case((_rated, 1), else_=0)).label("rated"),
            func.sum(case((satisfied(service_order.c.rating, satisfied_rating), 1), else_=0)).label("satisfied"),
        )
        .select_from(joined)
        .where(and_(*where))
        .group_by(key)
        .order_by(orders.desc(), key)
    )
    df = _ints(frame(conn, stmt), ["orders", "completed", "rated", "satisfied"])
    df["rated_share"] = ratio(df["rated"], df["completed"])
    df["satisfaction_rate"] = ratio(df["satisfied"], df["rated"])
    return df


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as floats, NaN where the denominator is zero."""
    den = pd.to_numeric(denominator).astype("float64")
    return (pd.to_numeric(numerator).astype("float64") / den.where(den > 0)).astype("float64")


# ---------------------------------------------------------------------------------------------
# Demand


def level_key(level: str) -> ColumnElement:
    """The order column holding the area of a breakdown level (county, township or station)."""
    return {
        "county": service_order.c.county_code,
        "township": service_order.c.township_code,
        "station": service_order.c.station_id,
    }[level]


def demand_matrix(conn: Connection, scope: Scope, filters: Filters, page: OrderFilters, level: str) -> pd.DataFrame:
    """Orders per category and area of ``level``: ``category``, ``key`` (area code or station id), ``orders``."""
    key = level_key(level)
    stmt = (
        select(service_order.c.category, key.label("key"), func.count().label("orders"))
        .where(order_where(scope, filters, page))
        .group_by(service_order.c.category, key)
    )
    return _ints(frame(conn, stmt), ["orders"])


def demand_clock(conn: Connection, scope: Scope, filters: Filters, page: OrderFilters) -> pd.DataFrame:
    """Orders per ISO weekday (1 = Monday) and hour of placing: ``weekday``, ``hour``, ``orders``."""
    weekday = clock_part(service_order.c.placed_at, "isodow").label("weekday")
    hour = clock_part(service_order.c.placed_at, "hour").label("hour")
    stmt = (
        select(weekday, hour, func.count().label("orders"))
        .where(order_where(scope, filters, page))
        .group_by(weekday, hour)
    )
    return _ints(frame(conn, stmt), ["weekday", "hour", "orders"])


def demand_grid(
    conn: Connection, scope: Scope, filters: Filters, page: OrderFilters, cell: float
) -> tuple[pd.DataFrame, int]:
    """Orders per grid cell of ``cell`` degrees, by the order's coordinates: (``lon``, ``lat`` of the
    cell centre, ``orders``) and the number of orders without coordinates."""
    where = order_where(scope, filters, page)
    has_point = and_(service_order.c.lon.is_not(None), service_order.c.lat.is_not(None))
    gx = func.round(service_order.c.lon / cell).label("gx")
    gy = func.round(service_order.c.lat / cell).label("gy")
    stmt = select(gx, gy, func.count().label("orders")).where(where, has_point).group_by(gx, gy)
    df = _ints(frame(conn, stmt), ["orders"])
    df["lon"] = pd.to_numeric(df.pop("gx")).astype("float64") * cell
    df["lat"] = pd.to_numeric(df.pop("gy")).astype("float64") * cell
    missing = conn.execute(select(func.count()).where(where, not_(has_point))).scalar_one()
    return df[["lon", "lat", "orders"]], int(missing)


# ---------------------------------------------------------------------------------------------
# Drill-down: the areas one level below, and the orders themselves


def areas(conn: Connection, scope: Scope, filters: Filters, level: str) -> pd.DataFrame:
    """The areas of ``level`` within scope and area: ``key``, ``name``, ``lon``, ``lat`` (of the area's
    centre, institute or the station itself; NULL when unknown), by key."""
    if level == "station":
        stmt = select(unit.c.id.label("key"), unit.c.name, unit.c.lon, unit.c.lat).where(
            unit.c.tier == "station", area_clause(unit, scope, filters)
        )
    else:
        tier = "centre" if level == "county" else "institute"
        seat = (
            select(
                unit.c[f"{level}_code"].label("code"),
                func.min(unit.c.lon).label("lon"),
                func.min(unit.c.lat).label("lat"),
            )
            .where(unit.c.tier == tier, area_clause(unit, scope, filters, township=level == "township"))
            .group_by(unit.c[f"{level}_code"])
            .subquery("seat")
        )
        clauses = [region.c.level == level]
        if level == "county":
            clauses.append(scope_clause(region.c.code, scope))
            if filters.county:
                clauses.append(region.c.code == filters.county)
        else:
            clauses.append(scope_clause(region.c.parent_code, scope))
            if filters.county:
                clauses.append(region.c.parent_code == filters.county)
            if filters.township:
                clauses.append(region.c.code == filters.township)
        stmt = (
            select(region.c.code.label("key"), region.c.name, seat.c.lon, seat.c.lat)
            .select_from(region.outerjoin(seat, seat.c.code == region.c.code))
            .where(and_(*clauses))
        )
    df = frame(conn, stmt.order_by("key"))
    for column in ("lon", "lat"):
        df[column] = pd.to_numeric(df[column]).astype("float64")
    return df


def breakdown(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    page: OrderFilters,
    level: str,
    satisfied_rating: int,
    now: dt.datetime,
    duration: str,
) -> pd.DataFrame:
    """Per area of ``level`` with orders: ``key``, ``orders``, ``open``, ``overdue`` (as of ``now``),
    ``completed``, ``rated``, ``satisfied``, ``rated_share``, ``satisfaction_rate``, and ``n``, ``p50``,
    ``p90`` of the step time ``duration`` (a key of order_flow.yaml's durations); by key."""
    key = level_key(level)
    where = order_where(scope, filters, page)
    waiting = tuple(order_flow().waits)
    stmt = (
        select(
            key.label("key"),
            func.count().label("orders"),
            func.sum(case((service_order.c.status.in_(waiting), 1), else_=0)).label("open"),
            func.sum(case((overdue_clause(now), 1), else_=0)).label("overdue"),
            func.sum(case((service_order.c.status.in_(COMPLETED_STATUSES), 1), else_=0)).label("completed"),
            func.sum(case((_rated, 1), else_=0)).label("rated"),
            func.sum(case((satisfied(service_order.c.rating, satisfied_rating), 1), else_=0)).label("satisfied"),
        )
        .where(where)
        .group_by(key)
    )
    df = _ints(frame(conn, stmt), ["orders", "open", "overdue", "completed", "rated", "satisfied"])
    df["rated_share"] = ratio(df["rated"], df["completed"])
    df["satisfaction_rate"] = ratio(df["satisfied"], df["rated"])
    values = _duration_values(where, (duration,), {"key": key})
    times = frame(conn, percentiles(conn, values, "seconds", ["key"], FRACTIONS))
    df = df.merge(times, on="key", how="left")
    df["n"] = pd.to_numeric(df["n"]).fillna(0).astype("int64")
    for column in ("p50", "p90"):
        df[column] = pd.to_numeric(df[column]).astype("float64")
    return df.sort_values("key", ignore_index=True)


def order_list(conn: Connection, scope: Scope, filters: Filters, page: OrderFilters, limit: int) -> pd.DataFrame:
    """The orders, newest first, at most ``limit``: ``id``, ``code``, ``category``, ``status``,
    ``requester_name``, ``requester_phone``, ``address``, ``county_name``, ``township_name``,
    ``station_name``, ``team_name``, the step times, ``closed_at``, ``rating``, ``rating_comment``,
    ``redispatch_count``, ``close_reason``. Names and phones are personal data: mask them on screen."""
    joined, names = _names()
    joined = joined.outerjoin(team_members, ORDER_MEMBER).outerjoin(team, team.c.id == ORDER_TEAM)
    steps = [service_order.c[step.at] for step in order_flow().steps]
    stmt = (
        select(
            service_order.c.id,
            service_order.c.code,
            service_order.c.category,
            service_order.c.status,
            service_order.c.requester_name,
            service_order.c.requester_phone,
            service_order.c.address,
            *names,
            team.c.name.label("team_name"),
            *steps,
            service_order.c.closed_at,
            service_order.c.rating,
            service_order.c.rating_comment,
            service_order.c.redispatch_count,
            service_order.c.close_reason,
        )
        .select_from(joined)
        .where(order_where(scope, filters, page))
        .order_by(service_order.c.placed_at.desc(), service_order.c.id.desc())
        .limit(limit)
    )
    return frame(conn, stmt)


# ---------------------------------------------------------------------------------------------
# The cube: the order set read once, the flow figures and the filters' option counts derived


def order_cube(
    conn: Connection, scope: Scope, filters: Filters, station: int | None, satisfied_rating: int, now: dt.datetime
) -> pd.DataFrame:
    """The orders of the global filters (and of ``station`` when given) read once, grouped by ``status``,
    ``team_id`` (the order's team, see DEFINITIONS["team"]; NULL for none) and ``rating`` (as given): per
    group the sums of ``dashboard.summaries.definitions.order_flow_sums`` (``rated`` is either 0 or all the
    group's ``orders``) and ``overdue`` (as of ``now``, 超时 and 超期未评价 alike).

    Without a station, the whole months before the recent ones come from the order status summaries
    (``queries.summaries.order_cube``: DEFINITIONS["summarised"]); a station's orders are read from
    ``service_order`` alone (a few thousand a year, through its station index).

    The page derives from it, in pandas, the status summary, the overdue counts per status and the option
    counts of the step, team and rated filters (:func:`cube_summary`, :func:`cube_overdue`,
    :func:`facet_counts`) instead of reading the orders again for each. It stays small: 1,253 rows for a
    year of the city demo. By station it would not (11,158 rows for the busiest district's half-year, no
    faster than separate queries): the station picker's counts are :func:`station_counts`."""
    if station is None:
        stmt = summaries.order_cube(conn, scope, filters, satisfied_rating, now)
    else:
        stmt = summaries.order_cube_live(_station_orders(scope, filters, station), satisfied_rating, now)
    df = frame(conn, stmt)
    return _ints(df, [c for c in df.columns if c not in _CUBE_KEYS])


_CUBE_KEYS = summaries.ORDER_CUBE_KEYS


def cube_rows(cube: pd.DataFrame, page: OrderFilters) -> pd.DataFrame:
    """The rows of an :func:`order_cube` result that the step, team and rated filters select (the station is
    the cube's own)."""
    keep = pd.Series(True, index=cube.index)
    if page.step is not None:
        statuses = cube["status"]
        if page.step == STEP_UNKNOWN:
            keep &= statuses.isna() | ~statuses.isin(ORDER_STATUSES)
        else:
            keep &= statuses.isin(_column_statuses(page.step))
    if page.team is not None:
        keep &= cube["team_id"] == page.team
    if page.rated is not None:
        keep &= (cube["rated"] > 0) == (page.rated == "yes")
    return cube[keep]


def cube_summary(cube: pd.DataFrame, page: OrderFilters) -> pd.DataFrame:
    """Per current status, the orders of the page filters: ``status`` and the sums of ``order_flow_sums``, by
    status (NULL last), from an :func:`order_cube` result."""
    sums = [c for c in cube.columns if c not in (*_CUBE_KEYS, "overdue")]
    rows = cube_rows(cube, page).groupby("status", dropna=False)[sums].sum()
    return _ints(rows.sort_index().reset_index(), sums)


def cube_overdue(cube: pd.DataFrame, page: OrderFilters) -> dict[str, int]:
    """Overdue orders of the page filters per status (as of the cube's ``now``), 超时 and 超期未评价 alike
    (statuses without any are absent; :func:`overdue_totals` tells them apart), from an :func:`order_cube`
    result."""
    rows = cube_rows(cube, page).groupby("status")["overdue"].sum()
    return {status: int(n) for status, n in rows.items() if n}


def facet_counts(cube: pd.DataFrame, page: OrderFilters) -> dict[str, dict]:
    """The option counts of the step, team and rated filters (DEFINITIONS["option_counts"]), each with the
    other page filters applied, from an :func:`order_cube` result: ``step`` (:func:`step_counts`), ``team``
    (team id → orders, teams without orders absent) and ``rated`` (:func:`rated_split`)."""
    teams = cube_rows(cube, page.without("team")).dropna(subset=["team_id"]).groupby("team_id")["orders"].sum()
    return {
        "step": step_counts(cube_summary(cube, page.without("step"))),
        "team": {int(team_id): int(n) for team_id, n in teams.items()},
        "rated": rated_split(cube_summary(cube, page.without("rated"))),
    }
