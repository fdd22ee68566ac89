"""Practice units (阵地): the list for the units page, the points of the map, counts by tier."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, and_, func, select

from dashboard.scope import Scope
from queries.common import area_clause, frame, region, unit

if TYPE_CHECKING:
    from dashboard.filters import Filters

DEFINITIONS = {
    "units": "登记在平台上的阵地：中心、所、站、服务平台、学雷锋志愿服务站、时代新人培养基地及其他站点。",
    "tier_counts": "各区县按层级统计的阵地数。",
    "map": "有经纬度的阵地；缺少坐标的阵地不在地图上显示，其数量见“数据质量”。",
}

_county = region.alias("county")
_township = region.alias("township")
_JOINED = unit.outerjoin(_county, _county.c.code == unit.c.county_code).outerjoin(
    _township, _township.c.code == unit.c.township_code
)
_COLUMNS = (
    unit.c.id,
    unit.c.name,
    unit.c.tier,
    unit.c.county_code,
    _county.c.name.label("county_name"),
    unit.c.township_code,
    _township.c.name.label("township_name"),
    unit.c.pilot_level,
)


def _like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with LIKE's wildcards escaped (escape char ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def unit_list(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    search: str | None = None,
    tiers: tuple[str, ...] | None = None,
    pilot_levels: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Units in scope and area, optionally by name (substring), tiers and pilot levels.

    Columns: ``id``, ``name``, ``tier``, ``county_code``, ``county_name``, ``township_code``,
    ``township_name``, ``pilot_level``, ``is_model``, ``is_key``, ``host``, ``lon``, ``lat``;
    ordered by county, township (county-level units first) and name.
    """
    clauses = [area_clause(unit, scope, filters)]
    if search and search.strip():
        clauses.append(unit.c.name.ilike(_like_pattern(search.strip()), escape="\\"))
    if tiers:
        clauses.append(unit.c.tier.in_(tiers))
    if pilot_levels:
        clauses.append(unit.c.pilot_level.in_(pilot_levels))
    stmt = (
        select(*_COLUMNS, unit.c.is_model, unit.c.is_key, unit.c.host, unit.c.lon, unit.c.lat)
        .select_from(_JOINED)
        .where(and_(*clauses))
        .order_by(unit.c.county_code, unit.c.township_code.asc().nulls_first(), unit.c.name, unit.c.id)
    )
    df = frame(conn, stmt)
    for column in ("is_model", "is_key"):
        df[column] = df[column].fillna(False).astype(bool)
    return df


def map_units(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Units with coordinates, for the map: ``id``, ``name``, ``tier``, ``county_code``, ``county_name``,
    ``township_code``, ``township_name``, ``pilot_level``, ``lon``, ``lat``."""
    stmt = (
        select(*_COLUMNS, unit.c.lon, unit.c.lat)
        .select_from(_JOINED)
        .where(area_clause(unit, scope, filters), unit.c.lon.is_not(None), unit.c.lat.is_not(None))
        .order_by(unit.c.id)
    )
    return frame(conn, stmt)


def tier_counts(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Units per county and tier: ``county_code``, ``county_name``, ``tier``, ``units``."""
    count = func.count().label("units")
    stmt = (
        select(unit.c.county_code, _county.c.name.label("county_name"), unit.c.tier, count)
        .select_from(unit.outerjoin(_county, _county.c.code == unit.c.county_code))
        .where(area_clause(unit, scope, filters))
        .group_by(unit.c.county_code, _county.c.name, unit.c.tier)
        .order_by(unit.c.county_code, unit.c.tier)
    )
    df = frame(conn, stmt)
    df["units"] = df["units"].astype("int64")
    return df
