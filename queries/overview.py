"""The overview (总览): per-district summary, orders by status and activities in the period.

Totals for the whole scope are the sums of :func:`district_summary`'s rows. Every metric is
defined once, in :data:`DEFINITIONS` (shown on screen as help tooltips); a ``{name}`` in a
definition is a target from assets/targets.yaml, filled in by ``dashboard.targets``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, and_, case, func, select

from dashboard.scope import Scope
from queries import summaries
from queries.common import (
    COMPLETED_STATUSES,
    RATING_RANGE,
    area_clause,
    frame,
    region,
    scope_clause,
    unit,
)

if TYPE_CHECKING:
    from dashboard.filters import Filters

DEFINITIONS = {
    "units": "所选区域内登记在平台上的阵地数（中心、所、站等，不受时间筛选影响）。",
    "volunteers": "截至所选时间段结束日已在平台注册的志愿者人数（按志愿者所属区县、乡镇统计）。",
    "population": "区县常住人口（选择乡镇时为该乡镇的常住人口），取自区划资料。",
    "volunteer_share": "注册志愿者人数 ÷ 常住人口；目标为常住人口的 {volunteer_share}。",
    "volunteer_target": "目标人数 = 常住人口 × {volunteer_share}。",
    "orders": "所选时间段内群众下单（点单）的订单数，按服务类别筛选。",
    "completed": "上述订单中服务已完成的订单数（状态为“待评价”或“已完成”）。",
    "satisfaction": "上述订单中已评价（评分 1–5 分）的订单里，评分不低于 {satisfied_rating} 分的比例。",
    "orders_by_status": "所选时间段内下单的订单按当前状态的分布。" + summaries.DEFINITIONS["order_status"],
    "activities": "所选时间段内举办的文明实践活动场次（不受服务类别筛选影响）。",
}


def district_summary(conn: Connection, scope: Scope, filters: Filters, satisfied_rating: int) -> pd.DataFrame:
    """One row per county in scope (and in the district filter), ordered by county code.

    Columns: ``county_code``, ``county_name``, ``centre_name``, ``pilot_level``, ``institutes``,
    ``stations``, ``volunteers``, ``population``, ``volunteer_share``, ``orders``, ``completed``,
    ``rated``, ``satisfied``, ``satisfaction_rate`` (see :data:`DEFINITIONS`). Shares are NaN when
    the denominator is missing or zero. :func:`district_table` of :func:`district_areas` and
    :func:`order_counts` (the page reads those two apart and derives :func:`status_totals` too).
    """
    return district_table(district_areas(conn, scope, filters), order_counts(conn, scope, filters), satisfied_rating)


def district_areas(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """:func:`district_summary`'s columns up to ``population``: what does not come from the orders."""
    units = (
        select(
            unit.c.county_code,
            func.sum(case((unit.c.tier == "institute", 1), else_=0)).label("institutes"),
            func.sum(case((unit.c.tier == "station", 1), else_=0)).label("stations"),
        )
        .where(area_clause(unit, scope, filters))
        .group_by(unit.c.county_code)
        .subquery("units")
    )
    centres = (
        select(
            unit.c.county_code,
            func.min(unit.c.name).label("centre_name"),
            func.min(unit.c.pilot_level).label("pilot_level"),
        )
        .where(unit.c.tier == "centre", area_clause(unit, scope, filters, township=False))
        .group_by(unit.c.county_code)
        .subquery("centres")
    )
    volunteers = summaries.registered(conn, scope, filters, ["county_code"])
    population = region.c.population
    if filters.township:
        township = region.alias("township")
        population = select(township.c.population).where(township.c.code == filters.township).scalar_subquery()
    counties = [region.c.level == "county", scope_clause(region.c.code, scope)]
    if filters.county:
        counties.append(region.c.code == filters.county)
    stmt = (
        select(
            region.c.code.label("county_code"),
            region.c.name.label("county_name"),
            centres.c.centre_name,
            centres.c.pilot_level,
            func.coalesce(units.c.institutes, 0).label("institutes"),
            func.coalesce(units.c.stations, 0).label("stations"),
            func.coalesce(volunteers.c.volunteers, 0).label("volunteers"),
            population.label("population"),
        )
        .select_from(
            region.outerjoin(units, units.c.county_code == region.c.code)
            .outerjoin(centres, centres.c.county_code == region.c.code)
            .outerjoin(volunteers, volunteers.c.county_code == region.c.code)
        )
        .where(and_(*counties))
        .order_by(region.c.code)
    )
    df = frame(conn, stmt)
    for column in ("institutes", "stations", "volunteers"):
        df[column] = df[column].astype("int64")
    df["population"] = pd.to_numeric(df["population"], errors="coerce").astype("Float64")
    return df


ORDER_COUNT_KEYS = ("county_code", "status", "rating")


def order_counts(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """The orders of the period (in scope and area, of the chosen category) read once: ``county_code``,
    ``status``, ``rating`` (as given, NULL when none), ``orders``; a few hundred rows for a city's year.
    :func:`district_table` and :func:`status_totals` sum them. Read through the order status summaries, as the
    orders page's cube (``queries.summaries.order_cube``), so both count the same orders."""
    df = frame(conn, summaries.order_cube(conn, scope, filters, None, None, ORDER_COUNT_KEYS, counts_only=True))
    df["orders"] = df["orders"].astype("int64")
    return df


def district_table(areas: pd.DataFrame, counts: pd.DataFrame, satisfied_rating: int) -> pd.DataFrame:
    """:func:`district_summary` from :func:`district_areas` and :func:`order_counts`: per county the orders,
    ``completed`` (status 待评价 or 已完成), ``rated`` (a rating of 1–5) and ``satisfied`` (rated at least
    ``satisfied_rating``), and the shares."""
    low, high = RATING_RANGE
    rating = pd.to_numeric(counts["rating"])
    flags = pd.DataFrame(
        {
            "county_code": counts["county_code"],
            "orders": counts["orders"],
            "completed": counts["orders"].where(counts["status"].isin(COMPLETED_STATUSES), 0),
            "rated": counts["orders"].where(rating.between(low, high), 0),
            "satisfied": counts["orders"].where(rating.between(satisfied_rating, high), 0),
        }
    )
    sums = flags.groupby("county_code").sum()
    df = areas.join(sums, on="county_code")
    for column in sums.columns:
        df[column] = df[column].fillna(0).astype("int64")
    df["volunteer_share"] = _ratio(df["volunteers"], df["population"])
    df["satisfaction_rate"] = _ratio(df["satisfied"], df["rated"])
    return df[[*areas.columns, *sums.columns, "volunteer_share", "satisfaction_rate"]]


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as floats, NaN where the denominator is missing or zero."""
    den = pd.to_numeric(denominator, errors="coerce").astype("float64")
    num = pd.to_numeric(numerator, errors="coerce").astype("float64")
    return (num / den.where(den > 0)).astype("float64")


def status_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """Orders by current status from an :func:`order_counts` result: ``status``, ``orders`` (largest first,
    then by status)."""
    totals = counts.groupby("status", as_index=False)["orders"].sum()
    totals = totals[totals["orders"] > 0].sort_values(["orders", "status"], ascending=[False, True])
    return totals.reset_index(drop=True).astype({"orders": "int64"})


def activity_count(conn: Connection, scope: Scope, filters: Filters) -> int:
    """Activities held in the period in scope and area (``queries.summaries.held``)."""
    held = summaries.held(conn, scope, filters)
    return int(conn.execute(select(func.coalesce(func.sum(held.c.activities), 0))).scalar_one())
