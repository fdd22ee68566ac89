"""实践排行: institutes, stations, teams, volunteers and projects ranked by one measure, top or bottom.

Measures: ``hours`` (volunteer service hours), ``activities``, ``completed_orders`` and ``satisfaction``,
each in the period and area of the filters; :data:`APPLICABLE` says which an entity has. The ranking
is done in SQL (ORDER BY … LIMIT), every entity of the area taking part (zero when it has no record),
except volunteers, who take part once they have a record in the period. Definitions are in
:data:`DEFINITIONS`; satisfaction is counted as on the overview (``queries.overview``); the hours of
institutes, stations, teams and volunteers through ``queries.summaries.served``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, Float, case, cast, func, literal, select

from dashboard.scope import Scope
from queries import summaries
from queries.common import (
    COMPLETED_STATUSES,
    RATING_RANGE,
    TABLES,
    activity,
    area_clause,
    frame,
    order_clause,
    period_clause,
    region,
    service_order,
    unit,
    volunteer,
    with_place_names,
)

if TYPE_CHECKING:
    from dashboard.filters import Filters

service_hours = TABLES["service_hours"]
team = TABLES["team"]
project = TABLES["project"]

ENTITIES = ("institute", "station", "team", "volunteer", "project")
MEASURES = ("hours", "activities", "completed_orders", "satisfaction")
APPLICABLE = {
    "institute": MEASURES,
    "station": MEASURES,
    "team": MEASURES,
    "volunteer": MEASURES,
    "project": ("hours", "activities", "satisfaction"),
}
DIRECTIONS = ("top", "bottom")

DEFINITIONS = {
    "hours": (
        "所选时间段内的志愿服务时长（小时）：所、站按其登记的志愿者，队伍按其队员，志愿者按本人，"
        "项目按该项目活动中记录的时长。" + summaries.DEFINITIONS["served"]
    ),
    "activities": (
        "所选时间段内举办的活动场次：所、站为本单位举办的，队伍、项目为其名下的，志愿者为其参加并记录了时长的。"
    ),
    "completed_orders": (
        "所选时间段内下单、服务已完成（待评价或已完成）的订单数：站按下单站点，所按派单单位，"
        "队伍、志愿者按接单者；按服务类别筛选。"
    ),
    "satisfaction": (
        "满意率：上述订单中已评价（1–5 分）的订单里评分不低于 {satisfied_rating} 分的比例，"
        "已评价订单不足 {min_rated} 单的不参加排名；项目为平台记录的项目满意率。"
    ),
    "bottom": "后几名按所选指标从低到高排列；没有记录的单位、队伍和项目计 0，排在最后。",
}


def _unit_base(entity: str, scope: Scope, filters: Filters):
    places = with_place_names(unit, "rank")
    return (
        select(
            unit.c.id.label("id"),
            unit.c.name.label("name"),
            places.county_name,
            places.township_name.label("place"),
        )
        .select_from(places.source)
        .where(unit.c.tier == entity, area_clause(unit, scope, filters))
    )


def _owned_base(table, scope: Scope, filters: Filters):
    """Teams or projects in the area (township through the unit they belong to): id, name, county, unit."""
    county = region.alias("rank_county")
    clauses = [area_clause(table, scope, filters)]
    if filters.township:
        clauses.append(unit.c.township_code == filters.township)
    return (
        select(
            table.c.id.label("id"),
            table.c.name.label("name"),
            county.c.name.label("county_name"),
            unit.c.name.label("place"),
        )
        .select_from(
            table.outerjoin(unit, unit.c.id == table.c.unit_id).outerjoin(county, county.c.code == table.c.county_code)
        )
        .where(*clauses)
    )


def _order_key(entity: str):
    return {
        "station": service_order.c.station_id,
        "institute": service_order.c.dispatch_unit_id,
        "team": service_order.c.team_id,
        "volunteer": service_order.c.volunteer_id,
    }[entity]


def _measure(conn: Connection, entity: str, measure: str, scope: Scope, filters: Filters, satisfied_rating: int):
    """A subquery ``key``, ``value`` (and ``rated`` for satisfaction) per entity id."""
    if measure == "hours":
        hours = func.sum(service_hours.c.hours)
        if entity == "project":
            return (
                select(activity.c.project_id.label("key"), hours.label("value"))
                .select_from(service_hours.join(activity, activity.c.id == service_hours.c.activity_id))
                .where(
                    area_clause(service_hours, scope, filters, township=False),
                    period_clause(service_hours.c.served_on, filters),
                )
                .group_by(activity.c.project_id)
            )
        key = {"institute": "unit_id", "station": "unit_id", "team": "team_id"}.get(entity, "volunteer_id")
        served = summaries.served(conn, scope, filters, [key])
        return select(served.c[key].label("key"), served.c.hours.label("value"))
    if measure == "activities":
        if entity == "volunteer":
            return (
                select(
                    service_hours.c.volunteer_id.label("key"),
                    func.count(func.distinct(service_hours.c.activity_id)).label("value"),
                )
                .where(
                    area_clause(service_hours, scope, filters, township=False),
                    period_clause(service_hours.c.served_on, filters),
                    service_hours.c.activity_id.is_not(None),
                )
                .group_by(service_hours.c.volunteer_id)
            )
        key = {"team": activity.c.team_id, "project": activity.c.project_id}.get(entity, activity.c.unit_id)
        return (
            select(key.label("key"), func.count().label("value"))
            .where(area_clause(activity, scope, filters), period_clause(activity.c.held_on, filters))
            .group_by(key)
        )
    if measure == "completed_orders":
        key = _order_key(entity)
        return (
            select(key.label("key"), func.count().label("value"))
            .where(order_clause(scope, filters), service_order.c.status.in_(COMPLETED_STATUSES))
            .group_by(key)
        )
    if entity == "project":
        return select(
            project.c.id.label("key"), project.c.satisfaction_rate.label("value"), literal(None).label("rated")
        )
    low, high = RATING_RANGE
    key = _order_key(entity)
    rating = service_order.c.rating
    rated = func.sum(case((rating.between(low, high), 1), else_=0))
    satisfied = func.sum(case((rating.between(satisfied_rating, high), 1), else_=0))
    return (
        select(key.label("key"), (cast(satisfied, Float) / func.nullif(rated, 0)).label("value"), rated.label("rated"))
        .where(order_clause(scope, filters))
        .group_by(key)
    )


def ranking(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    entity: str,
    measure: str,
    direction: str,
    limit: int,
    satisfied_rating: int,
    min_rated: int,
) -> pd.DataFrame:
    """The ``limit`` best (``direction="top"``) or worst (``"bottom"``) entities by ``measure``.

    Columns: ``rank`` (1 = first shown), ``id``, ``name`` (a volunteer's name is personal data: mask it),
    ``county_name``, ``place`` (township, or the unit a team or project belongs to), ``value`` and, for
    satisfaction, ``rated``. Ties are broken by id.
    """
    if entity not in ENTITIES or measure not in APPLICABLE[entity] or direction not in DIRECTIONS:
        raise ValueError(f"no ranking of {entity!r} by {measure!r} ({direction!r})")
    values = _measure(conn, entity, measure, scope, filters, satisfied_rating).subquery("measure")
    if entity == "volunteer" and measure == "hours":
        # only the area's volunteers have hours here (summaries.served): choose them before naming them
        first = values.c.value.desc() if direction == "top" else values.c.value.asc()
        values = select(values).order_by(first, values.c.key).limit(limit).subquery("chosen")
    if entity == "volunteer":
        county = region.alias("rank_county")
        base = (
            select(
                volunteer.c.id.label("id"),
                volunteer.c.name.label("name"),
                county.c.name.label("county_name"),
                unit.c.name.label("place"),
            )
            .select_from(
                volunteer.outerjoin(unit, unit.c.id == volunteer.c.unit_id).outerjoin(
                    county, county.c.code == volunteer.c.county_code
                )
            )
            .where(area_clause(volunteer, scope, filters))
            .subquery("base")
        )
        joined = base.join(values, values.c.key == base.c.id)
    else:
        source = _unit_base(entity, scope, filters) if entity in ("institute", "station") else None
        if source is None:
            source = _owned_base(team if entity == "team" else project, scope, filters)
        base = source.subquery("base")
        joined = base.outerjoin(values, values.c.key == base.c.id)
    value = values.c.value if measure == "satisfaction" else func.coalesce(values.c.value, 0)
    clauses = []
    if measure == "satisfaction":
        clauses.append(values.c.value.is_not(None))
        if entity != "project":
            clauses.append(values.c.rated >= min_rated)
    order = value.desc() if direction == "top" else value.asc()
    columns = [base.c.id, base.c.name, base.c.county_name, base.c.place, value.label("value")]
    if measure == "satisfaction":
        columns.append(values.c.rated.label("rated"))
    stmt = select(*columns).select_from(joined).where(*clauses).order_by(order, base.c.id).limit(limit)
    df = frame(conn, stmt)
    df.insert(0, "rank", range(1, len(df) + 1))
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype("float64")
    return df
