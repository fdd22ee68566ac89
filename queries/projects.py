"""Service projects: the closed loop as a pipeline, stuck projects, projects per unit and year, kinds, demand.

A project is in the area when its unit is (scope, district and township filters apply to the unit).
"Running in the period" means established by the period's end and not closed before its start. Every
metric is defined once, in :data:`DEFINITIONS` (``{name}`` placeholders are filled by the page from
assets/projects.yaml and the rubric targets).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, and_, case, func, or_, select, true

from dashboard.project_rules import ProjectRules
from dashboard.scope import Scope
from queries import evidence
from queries.common import TABLES, area_clause, frame, region, unit, with_place_names, year_to_end

if TYPE_CHECKING:
    from dashboard.filters import Filters

project = TABLES["project"]

DEFINITIONS = {
    "running": "所选时间段内在运行的项目：结束日前已成立、且未在开始日前结项的项目（按项目所属阵地的区域统计）。",
    "stage": "项目当前所处的闭环阶段：成立项目 → 招募志愿者 → 实施项目 → 评估效果 → 优化项目，或已结项。",
    "stuck": (
        "截至今天，停留在当前阶段超过该阶段时限的在运行项目（自进入该阶段之日起计）；"
        "各阶段时限见 assets/projects.yaml：{limits}。"
    ),
    "per_institute": (
        "所选时间段结束日所在年度（1 月 1 日至结束日）各所发布（成立）且已进入实施阶段的项目数"
        "（与评分细则“年度实践项目”的口径相同）；目标为每所每年不少于 {target} 项（{source}），"
        "按本年已过的月数折算（目标 × 月数 ÷ 12）。"
    ),
    "brand": (
        "品牌项目：平台标为品牌的项目。所选时间段结束日所在年度新成立的品牌项目，"
        "每个服务平台、每个乡镇（街道）所每年至少 {brand} 个（{brand_source}）。"
    ),
    "kind": "在运行项目按类型（普惠/特惠/互惠）与服务方式的分布。",
    "demand": "需求度（0–100）与满意率为平台记录的项目评估值，取在运行项目的平均数（缺值不计）。",
    "low_demand": "需求度低于 {low_demand} 的在运行项目（未结项），供按需求度增减项目时参考。",
    "bad_rows": ("阶段不是已知代码、当前阶段缺少进入日期，或各阶段日期先后颠倒的项目；计入此处，不参与停留时长统计。"),
}

_county = region.alias("project_county")
_township = region.alias("project_township")
_JOINED = (
    project.join(unit, unit.c.id == project.c.unit_id)
    .outerjoin(_county, _county.c.code == project.c.county_code)
    .outerjoin(_township, _township.c.code == unit.c.township_code)
)
_STAGE_DATES = ("established_on", "recruiting_on", "implementing_on", "evaluating_on", "optimising_on")


def _area(scope: Scope, filters: Filters):
    return and_(area_clause(project, scope, filters, township=False), area_clause(unit, scope, filters))


def _running(filters: Filters):
    return and_(
        project.c.established_on <= filters.end,
        or_(project.c.closed_on.is_(None), project.c.closed_on >= filters.start),
    )


def stage_counts(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Running projects by current stage: ``stage``, ``projects``, ``brand`` (unknown codes appear as they are),
    ordered by stage code (a missing stage first)."""
    stmt = (
        select(
            project.c.stage,
            func.count().label("projects"),
            func.sum(case((project.c.is_brand == true(), 1), else_=0)).label("brand"),
        )
        .select_from(_JOINED)
        .where(_area(scope, filters), _running(filters))
        .group_by(project.c.stage)
        .order_by(project.c.stage.asc().nulls_first())
    )
    df = frame(conn, stmt, ["stage", "projects", "brand"])
    return df.astype({"projects": "int64", "brand": "int64"})


def _stage_date(rules: ProjectRules):
    """The date the project entered its current stage (NULL for an unknown stage)."""
    return case(*((project.c.stage == stage.code, project.c[stage.column]) for stage in rules.stages), else_=None)


def _out_of_order():
    """Some later stage date earlier than an earlier one."""
    dates = [project.c[name] for name in _STAGE_DATES]
    pairs = [(dates[i], dates[j]) for i in range(len(dates)) for j in range(i + 1, len(dates))]
    pairs += [(date, project.c.closed_on) for date in dates]
    return or_(*(and_(a.is_not(None), b.is_not(None), b < a) for a, b in pairs))


def _bad(rules: ProjectRules):
    known = project.c.stage.in_([stage.code for stage in rules.stages])
    return or_(~known, project.c.stage.is_(None), _stage_date(rules).is_(None), _out_of_order())


_LIST_COLUMNS = (
    project.c.id,
    project.c.name,
    unit.c.name.label("unit_name"),
    unit.c.tier,
    _county.c.name.label("county_name"),
    _township.c.name.label("township_name"),
    project.c.kind,
    project.c.service_mode,
    project.c.is_brand,
    project.c.stage,
    project.c.established_on,
    project.c.demand_score,
    project.c.satisfaction_rate,
)
_LIST_NAMES = [c.name for c in _LIST_COLUMNS]


def _list(conn: Connection, stmt) -> pd.DataFrame:
    df = frame(conn, stmt)
    df["is_brand"] = df["is_brand"].fillna(False).astype(bool)
    for name in ("demand_score", "satisfaction_rate"):
        df[name] = pd.to_numeric(df[name], errors="coerce").astype("float64")
    return df


def stuck_projects(conn: Connection, scope: Scope, filters: Filters, rules: ProjectRules, today: dt.date):
    """Running projects in a stage longer than its limit as of ``today``, longest first.

    Columns: those of the project lists plus ``since`` (date the stage began) and ``days`` (in the stage).
    Bad rows (see :func:`bad_projects`) are left out.
    """
    since = _stage_date(rules)
    late = or_(
        *(
            and_(
                project.c.stage == stage.code,
                project.c[stage.column] < today - dt.timedelta(days=stage.stuck_after_days),
            )
            for stage in rules.stages
            if stage.stuck_after_days
        )
    )
    stmt = (
        select(*_LIST_COLUMNS, since.label("since"))
        .select_from(_JOINED)
        .where(_area(scope, filters), _running(filters), late, ~_bad(rules))
        .order_by(since, project.c.id)
    )
    df = _list(conn, stmt)
    df["since"] = pd.to_datetime(df["since"]).dt.date
    df["days"] = [(today - since).days for since in df["since"]]
    return df


def bad_projects(conn: Connection, scope: Scope, filters: Filters, rules: ProjectRules) -> dict:
    """Running projects with an unknown stage, no date for the current stage or stage dates out of order.

    ``{"count": n, "sample": [ids of the first 20]}``.
    """
    where = and_(_area(scope, filters), _running(filters), _bad(rules))
    count = conn.execute(select(func.count()).select_from(_JOINED).where(where)).scalar_one()
    sample = conn.execute(select(project.c.id).select_from(_JOINED).where(where).order_by(project.c.id).limit(20))
    return {"count": int(count), "sample": [row[0] for row in sample]}


def projects_per_unit(conn: Connection, scope: Scope, filters: Filters, tiers: tuple[str, ...]) -> pd.DataFrame:
    """Every unit of ``tiers`` in the area with its projects of the year of the period's end.

    The year runs from 1 January to the period's end. ``published`` and ``implemented`` (published that
    year and carried out by its end) come from ``queries.evidence.projects_started``, the scorecards'
    evidence; ``brand`` counts brand projects established that year. Columns: ``unit_id``, ``unit_name``,
    ``tier``, ``county_code``, ``county_name``, ``township_code``, ``township_name``, ``brand``, ``published``,
    ``implemented``, ``months`` (months of the year so far); ordered by county, township and name.
    """
    year_start, year_end = year_to_end(filters)
    brand = (
        select(project.c.unit_id, func.count().label("brand"))
        .where(
            area_clause(project, scope, filters, township=False),
            project.c.is_brand == true(),
            project.c.established_on >= year_start,
            project.c.established_on <= year_end,
        )
        .group_by(project.c.unit_id)
        .subquery("brand")
    )
    places = with_place_names(unit.outerjoin(brand, brand.c.unit_id == unit.c.id), "unit")
    stmt = (
        select(
            unit.c.id.label("unit_id"),
            unit.c.name.label("unit_name"),
            unit.c.tier,
            unit.c.county_code,
            places.county_name,
            unit.c.township_code,
            places.township_name,
            func.coalesce(brand.c.brand, 0).label("brand"),
        )
        .select_from(places.source)
        .where(area_clause(unit, scope, filters), unit.c.tier.in_(tiers))
        .order_by(unit.c.county_code, unit.c.township_code.asc().nulls_first(), unit.c.name, unit.c.id)
    )
    units = frame(conn, stmt)
    started = evidence.projects_started(conn, scope, replace(filters, start=year_start, end=year_end))
    counts = started.assign(done=started["implementing_on"].notna()).groupby("unit_id")
    units["published"] = units["unit_id"].map(counts.size()).fillna(0).astype("int64")
    units["implemented"] = units["unit_id"].map(counts["done"].sum()).fillna(0).astype("int64")
    units["brand"] = units["brand"].astype("int64")
    units["months"] = year_end.month
    return units


def kinds_and_modes(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Running projects per kind and service mode: ``kind``, ``service_mode``, ``projects``, ``brand``,
    ``demand`` (average 需求度), ``satisfaction`` (average 满意率), ``scored`` (projects with a 需求度),
    ``rated`` (projects with a 满意率)."""
    stmt = (
        select(
            project.c.kind,
            project.c.service_mode,
            func.count().label("projects"),
            func.sum(case((project.c.is_brand == true(), 1), else_=0)).label("brand"),
            func.avg(project.c.demand_score).label("demand"),
            func.avg(project.c.satisfaction_rate).label("satisfaction"),
            func.count(project.c.demand_score).label("scored"),
            func.count(project.c.satisfaction_rate).label("rated"),
        )
        .select_from(_JOINED)
        .where(_area(scope, filters), _running(filters))
        .group_by(project.c.kind, project.c.service_mode)
        .order_by(project.c.kind, project.c.service_mode)
    )
    df = frame(conn, stmt, ["kind", "service_mode", "projects", "brand", "demand", "satisfaction", "scored", "rated"])
    df = df.astype({"projects": "int64", "brand": "int64", "scored": "int64", "rated": "int64"})
    for name in ("demand", "satisfaction"):
        df[name] = pd.to_numeric(df[name], errors="coerce").astype("float64")
    return df


def county_summary(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Running projects per county: ``county_code``, ``county_name``, ``projects``, ``brand``, ``closed``
    (closed within the period), ``demand``, ``satisfaction`` (averages)."""
    closed_in_period = and_(project.c.closed_on >= filters.start, project.c.closed_on <= filters.end)
    stmt = (
        select(
            project.c.county_code,
            _county.c.name.label("county_name"),
            func.count().label("projects"),
            func.sum(case((project.c.is_brand == true(), 1), else_=0)).label("brand"),
            func.sum(case((closed_in_period, 1), else_=0)).label("closed"),
            func.avg(project.c.demand_score).label("demand"),
            func.avg(project.c.satisfaction_rate).label("satisfaction"),
        )
        .select_from(_JOINED)
        .where(_area(scope, filters), _running(filters))
        .group_by(project.c.county_code, _county.c.name)
        .order_by(project.c.county_code)
    )
    df = frame(conn, stmt, ["county_code", "county_name", "projects", "brand", "closed", "demand", "satisfaction"])
    df = df.astype({"projects": "int64", "brand": "int64", "closed": "int64"})
    for name in ("demand", "satisfaction"):
        df[name] = pd.to_numeric(df[name], errors="coerce").astype("float64")
    return df


def project_list(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    brand_only: bool = False,
    demand_below: float | None = None,
) -> pd.DataFrame:
    """Running projects, optionally only brand ones or (open, not closed) ones with demand below a value.

    Columns: ``id``, ``name``, ``unit_name``, ``tier``, ``county_name``, ``township_name``, ``kind``,
    ``service_mode``, ``is_brand``, ``stage``, ``established_on``, ``demand_score``, ``satisfaction_rate``;
    ordered by demand (lowest first) when ``demand_below`` is given, else by county and name.
    """
    clauses = [_area(scope, filters), _running(filters)]
    order = [project.c.county_code, project.c.name, project.c.id]
    if brand_only:
        clauses.append(project.c.is_brand == true())
    if demand_below is not None:
        clauses += [project.c.demand_score < demand_below, project.c.closed_on.is_(None)]
        order = [project.c.demand_score, project.c.id]
    stmt = select(*_LIST_COLUMNS).select_from(_JOINED).where(and_(*clauses)).order_by(*order)
    return _list(conn, stmt)
