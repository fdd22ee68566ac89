"""Practice activities: by content area and month, by unit, monthly coverage, lectures, meetings, 茶乡微讲堂.

Units are the practice units of the area (scope, district and township filters apply to the unit).
A unit-month is *met* when the unit held at least one activity in the month whose materials the
rubric requires (plan, record, photos, results) were all uploaded. Every metric is defined once, in
:data:`DEFINITIONS`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, Subquery, and_, case, func, literal, select

from dashboard import scoring
from dashboard.scope import Scope
from queries import evidence, summaries
from queries.common import (
    area_clause,
    frame,
    region,
    text_codes,
    unit,
    with_place_names,
    year_to_end,
)

if TYPE_CHECKING:
    from dashboard.filters import Filters

GROUPS = ("county", "township")

SUMMARISED = summaries.DEFINITIONS["activity_months"]  # how every activity figure is read
DEFINITIONS = {
    "activities": "所选时间段内举办的文明实践活动场次（按举办阵地的区域统计）。" + SUMMARISED,
    "participants": "上述活动登记的参与群众人次之和。",
    "complete": "方案（计划）、活动记录、活动图片、活动成效四项材料都已上传的活动占全部活动的比例。",
    "by_area": "所选时间段内各月的活动场次，按五项内容分类。",
    "by_unit": "所选时间段内各单位（区县、乡镇或阵地）的活动场次、材料齐全的场次与理论宣讲场次。",
    "met": (
        "当月至少有 1 场活动的方案（计划）、记录、图片、成效四项材料齐全，即为当月达标"
        "（与评分细则“每月活动”的口径相同）。" + SUMMARISED
    ),
    "cell": "每格为一个阵地的一个月：达标（有材料齐全的活动）、有活动但材料不全、无活动。",
    "met_share": "当月达标的阵地数 ÷ 该区域同层级阵地总数。",
    "month_share": "所选时间段内达标的“阵地·月”数 ÷（阵地数 × 月数）。",
    "every_share": "所选时间段内每个月都达标的阵地占全部阵地的比例。",
    "uploaded": "当月举办的活动中至少有 1 场已把图片或记录上传到平台的阵地所占比例（与评分细则“每月上传”的口径相同）。",
    "theory": "当月至少开展 1 次理论宣讲的所（站）占全部所（站）的比例；细则要求所、站每月开展理论宣讲。",
    "meetings": "当季至少召开 1 次文明实践评议会的站占全部站的比例；细则要求站每季度召开一次。",
    "chaxiang": (
        "所选时间段结束日所在年度（1 月 1 日至结束日）内，其站举办过茶乡微讲堂的村（社区）占全部村（社区）的比例；"
        "目标为不少于 {chaxiang}（{chaxiang_source}）。只列出开展了茶乡微讲堂项目的区县。"
    ),
}


def _unit_area(scope: Scope, filters: Filters, tiers: tuple[str, ...]):
    return and_(area_clause(unit, scope, filters), unit.c.tier.in_(tiers))


def _held(conn: Connection, scope: Scope, filters: Filters, keys: list[str]) -> Subquery:
    """The activities of the period held in the area by a unit of the area (what ``activity JOIN unit`` with both
    area clauses keeps), counted per ``keys`` by ``queries.summaries.activities_held``: the units' ids are
    listed with ``queries.common.any_of``, so PostgreSQL reads a month through the ``(unit_id, held_on)`` index."""
    listed = unit.alias("listed")
    return summaries.activities_held(
        conn, scope, filters, keys, among=("unit_id", select(listed.c.id).where(area_clause(listed, scope, filters)))
    )


def units_of(conn: Connection, scope: Scope, filters: Filters, tiers: tuple[str, ...]) -> pd.DataFrame:
    """Units of ``tiers`` in the area: ``unit_id``, ``name``, ``tier``, ``county_code``, ``county_name``,
    ``township_code``, ``township_name``; ordered by county, township and name."""
    places = with_place_names(unit, "act")
    stmt = (
        select(
            unit.c.id.label("unit_id"),
            unit.c.name,
            unit.c.tier,
            unit.c.county_code,
            places.county_name,
            unit.c.township_code,
            places.township_name,
        )
        .select_from(places.source)
        .where(_unit_area(scope, filters, tiers))
        .order_by(unit.c.county_code, unit.c.township_code.asc().nulls_first(), unit.c.name, unit.c.id)
    )
    return frame(conn, stmt)


def period_months(filters: Filters) -> list[str]:
    """The months ('YYYY-MM') the period touches, oldest first."""
    first = filters.start.year * 12 + filters.start.month - 1
    last = filters.end.year * 12 + filters.end.month - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]


def _group_key(group: str):
    """The unit column a county (``county``) or township (``township``) grouping keys on."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    return unit.c.county_code if group == "county" else unit.c.township_code


def _group_sizes(conn: Connection, scope: Scope, filters: Filters, tiers: tuple[str, ...], group: str) -> pd.DataFrame:
    """Units of each of ``tiers`` in the area per county or township: ``tier``, ``code``, ``name``, ``units``;
    ordered by tier (as given) and code (units without a township last)."""
    key = _group_key(group)
    named = region.alias("group_region")
    stmt = (
        select(unit.c.tier, key.label("code"), func.min(named.c.name).label("name"), func.count().label("units"))
        .select_from(unit.outerjoin(named, named.c.code == key))
        .where(_unit_area(scope, filters, tiers))
        .group_by(unit.c.tier, key)
        .order_by(key.asc().nulls_last())
    )
    sizes = frame(conn, stmt, ["tier", "code", "name", "units"]).astype({"units": "int64"})
    order = {tier: i for i, tier in enumerate(tiers)}
    return sizes.sort_values("tier", key=lambda column: column.map(order), kind="stable").reset_index(drop=True)


_COUNTS = ("active", "met", "uploaded", "theory")
RULE_TIERS = ("institute", "station")  # the tiers whose monthly rule the page follows


def _met(cells: Subquery):
    """A unit-month (of ``queries.summaries.activities_held``, as in ``evidence.activity_months``) meets the
    monthly rule: an activity with every material."""
    return cells.c.complete >= 1


def monthly_rule(
    conn: Connection, scope: Scope, filters: Filters, group: str, tiers: tuple[str, ...] = RULE_TIERS
) -> pd.DataFrame:
    """Per tier of ``tiers``, county or township (``group``) and month of the period: how many units met the
    monthly rule, from one read of the unit-months of all the tiers, counted in SQL: the cells of
    ``queries.evidence.activity_months`` (``queries.summaries.activities_held`` per unit and month, the
    activity's township not filtered, for the units of the tiers in the area), read without joining
    the units twice.

    Columns ``tier``, ``code``, ``name``, ``units`` (units of the tier in the group), ``month``, ``active``
    (held an activity), ``met`` (an activity with all materials), ``uploaded``, ``theory`` (held a theory
    lecture) and ``every_month`` (units of the tier in the group that met the rule in every month of the
    period; the same on each of the group's rows); one row per tier, group and month of the period, zeros
    included, ordered by tier (as given), code (units without a township last) and month.
    :func:`coverage_of` and :func:`summary_of` take one tier's figures out of it.
    """
    key = _group_key(group)
    months = period_months(filters)
    listed = unit.alias("listed")
    units = select(listed.c.id).where(area_clause(listed, scope, filters), listed.c.tier.in_(tiers))
    cells = summaries.activities_held(
        conn, scope, filters, ["unit_id", "month"], township=False, among=("unit_id", units)
    )
    met_months = func.sum(case((_met(cells), 1), else_=0)).over(partition_by=cells.c.unit_id)
    flags = {
        "active": cells.c.activities > 0,
        "met": _met(cells),
        "uploaded": cells.c.uploaded >= 1,
        "theory": cells.c.theory_lectures >= 1,
        "every_month": met_months >= len(months),  # counted in each month: a unit that met every month has all
    }
    flagged = (
        select(
            unit.c.tier,
            key.label("code"),
            cells.c.month,
            *(case((flag, 1), else_=0).label(name) for name, flag in flags.items()),
        )
        .select_from(cells.join(unit, unit.c.id == cells.c.unit_id))
        .subquery("flagged")
    )
    keys = (flagged.c.tier, flagged.c.code, flagged.c.month)
    stmt = select(*keys, *(func.sum(flagged.c[name]).label(name) for name in flags)).group_by(*keys)
    counted = frame(conn, stmt, ["tier", "code", "month", *flags]).set_index(["tier", "code", "month"])
    sizes = _group_sizes(conn, scope, filters, tiers, group)
    grid = pd.MultiIndex.from_tuples(
        [(tier, code, month) for tier, code in zip(sizes["tier"], sizes["code"], strict=True) for month in months],
        names=["tier", "code", "month"],
    )
    out = counted.reindex(grid, fill_value=0).reset_index().merge(sizes, on=["tier", "code"])
    out = out[["tier", "code", "name", "units", "month", *flags]]
    return out.astype({name: "int64" for name in ("units", *flags)})


def coverage_of(rule: pd.DataFrame, tier: str) -> pd.DataFrame:
    """One tier's rows of :func:`monthly_rule`: ``code``, ``name``, ``units``, ``month``, ``active``, ``met``,
    ``uploaded``, ``theory``."""
    rows = rule[rule["tier"] == tier]
    return rows[["code", "name", "units", "month", *_COUNTS]].reset_index(drop=True)


def summary_of(rule: pd.DataFrame, tier: str, months: int) -> pd.DataFrame:
    """How one tier's units kept the monthly rule over the ``months`` months of :func:`monthly_rule`'s period,
    per county or township: ``code``, ``name``, ``units``, ``months``, ``met_months`` (unit-months met),
    ``every_month`` (units that met it in every month), ``month_share`` (met_months ÷ units × months),
    ``every_share`` (every_month ÷ units); ordered by code (units without a township last)."""
    rows = rule[rule["tier"] == tier]
    counted = rows.groupby("code", sort=False, dropna=False).agg(met=("met", "sum"), every=("every_month", "max"))
    out = rows.drop_duplicates("code")[["code", "name", "units"]].reset_index(drop=True)
    out.insert(3, "months", months)
    out["met_months"] = counted["met"].to_numpy()
    out["every_month"] = counted["every"].to_numpy()
    out["month_share"] = out["met_months"] / (out["units"] * months)
    out["every_share"] = out["every_month"] / out["units"]
    return out


def by_area_month(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Activities per month and content area: ``month``, ``content_area``, ``activities``."""
    held = _held(conn, scope, filters, ["month", "content_area"])
    stmt = select(held.c.month, held.c.content_area, held.c.activities).order_by(held.c.month, held.c.content_area)
    df = frame(conn, stmt, ["month", "content_area", "activities"])
    return df.astype({"activities": "int64"})


def by_unit(conn: Connection, scope: Scope, filters: Filters, level: str) -> pd.DataFrame:
    """Activities per county, township or unit (``level``: county | township | unit) in the period.

    Columns ``code``, ``name``, ``tier`` (units only, else None), ``activities``, ``complete``, ``theory``,
    ``participants``; ordered by code. Only rows with activities appear. Counted per unit, then per
    county or township.
    """
    per_unit = _held(conn, scope, filters, ["unit_id"])
    joined = per_unit.join(unit, unit.c.id == per_unit.c.unit_id)
    if level == "unit":
        key, name, tier = unit.c.id, unit.c.name, unit.c.tier
    else:
        key = unit.c.county_code if level == "county" else unit.c.township_code
        named = region.alias("by_unit_region")
        name, tier = named.c.name, literal(None)
        joined = joined.outerjoin(named, named.c.code == key)
    stmt = (
        select(
            key.label("code"),
            func.min(name).label("name"),
            func.min(tier).label("tier"),
            func.sum(per_unit.c.activities).label("activities"),
            func.sum(per_unit.c.complete).label("complete"),
            func.sum(per_unit.c.theory_lectures).label("theory"),
            func.coalesce(func.sum(per_unit.c.participants), 0).label("participants"),
        )
        .select_from(joined)
        .group_by(key)
        .order_by(key.asc().nulls_first())
    )
    df = frame(conn, stmt, ["code", "name", "tier", "activities", "complete", "theory", "participants"])
    df["code"] = text_codes(df["code"])
    return df.astype({name: "int64" for name in ("activities", "complete", "theory", "participants")})


def meeting_coverage(conn: Connection, scope: Scope, filters: Filters, group: str) -> pd.DataFrame:
    """Stations with at least one 评议会 per county or township (``group``) and quarter of the period.

    Built on ``queries.evidence.meeting_months`` (the unit-months with a meeting, keyed by group in SQL).
    Columns ``code``, ``name``, ``units`` (stations), ``quarter`` ('YYYY-Qn'), ``met``; one row per group
    and quarter the period touches.
    """
    key = _group_key(group)
    cells = evidence.meeting_months_query(scope, filters, "station").subquery("cells")
    stmt = (
        select(key.label("code"), cells.c.unit_id, cells.c.month)
        .select_from(cells.join(unit, unit.c.id == cells.c.unit_id))
        .where(cells.c.meetings > 0)
    )
    held = frame(conn, stmt, ["code", "unit_id", "month"])
    held = held.assign(quarter=[scoring.quarter_key(m) for m in held["month"]]).drop_duplicates(["unit_id", "quarter"])
    counted = held.groupby(["code", "quarter"]).size().rename("met")
    sizes = _group_sizes(conn, scope, filters, ("station",), group).drop(columns="tier").set_index("code")
    quarters = list(dict.fromkeys(scoring.quarter_key(m) for m in period_months(filters)))
    grid = pd.MultiIndex.from_product([sizes.index, quarters], names=["code", "quarter"])
    out = counted.reindex(grid, fill_value=0).reset_index().merge(sizes.reset_index(), on="code")
    return out[["code", "name", "units", "quarter", "met"]].astype({"units": "int64", "met": "int64"})


def chaxiang_coverage(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Counties whose villages held 茶乡微讲堂 in the year of the period's end, with the villages covered.

    Built on ``queries.evidence.chaxiang_villages`` (an institute's villages are the village-level regions
    of its township), counted per county in SQL (a village counts once). Columns ``code``, ``name``,
    ``villages``, ``covered``, ``share``; counties without any lecture that year are left out.
    """
    year_start, year_end = year_to_end(filters)
    year = replace(filters, start=year_start, end=year_end)
    rows = evidence.chaxiang_villages_query(scope, year).subquery("villages")
    named = region.alias("chaxiang_county")
    covered = func.count(func.distinct(case((rows.c.lectures > 0, rows.c.village_code))))
    stmt = (
        select(
            unit.c.county_code.label("code"),
            func.min(named.c.name).label("name"),
            func.count(func.distinct(rows.c.village_code)).label("villages"),
            covered.label("covered"),
        )
        .select_from(rows.join(unit, unit.c.id == rows.c.unit_id).outerjoin(named, named.c.code == unit.c.county_code))
        .group_by(unit.c.county_code)
        .having(covered > 0)
        .order_by(unit.c.county_code)
    )
    out = frame(conn, stmt, ["code", "name", "villages", "covered"])
    out["share"] = out["covered"] / out["villages"]
    return out.astype({"villages": "int64", "covered": "int64"})
