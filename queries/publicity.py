"""Publicity: media reports by level and unit, and each unit's yearly minimums by level.

A report belongs to the unit that published it; scope, district and township filters apply to that
unit. Every metric is defined once, in :data:`DEFINITIONS` (``{name}`` placeholders are targets of
assets/targets.yaml).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, and_, case, func, literal, select

from dashboard import scoring
from dashboard.rubric_rules import standard_of
from dashboard.scope import Scope
from queries import evidence
from queries.common import (
    MEDIA_LEVELS,
    TABLES,
    area_clause,
    frame,
    period_clause,
    region,
    text_codes,
    unit,
    with_place_names,
    year_to_end,
)

if TYPE_CHECKING:
    from dashboard.filters import Filters

media_report = TABLES["media_report"]

GROUPS = ("county", "township", "unit")
# Units the yearly minimums apply to: each township/street (its institute) and each department (its
# service platform) (seed 004 第13条).
MINIMUM_TIERS = ("institute", "platform")
# Tiers whose rubrics score media reports (rule media_points of assets/rubrics/).
POINT_TIERS = ("platform", "institute", "station")
# Levels counted towards each minimum: a national report also counts as a provincial one.
MINIMUM_LEVELS = {"province": ("province", "national"), "city": ("city",), "county": ("county",)}

DEFINITIONS = {
    "reports": "所选时间段内各级媒体刊发的、报道本区域阵地文明实践工作的稿件篇数。",
    "by_level": "所选时间段内的报道按媒体级别（县级、市级、省级、国家级）的篇数。",
    "by_unit": "所选时间段内各单位（区县、乡镇或阵地）按媒体级别的报道篇数。",
    "stories": "同一新闻事项（同一 story_key）的多篇报道算作一个事项；没有 story_key 的报道各自算一个事项。",
    "minimums": (
        "所选时间段结束日所在年度（1 月 1 日至结束日）各所（乡镇、街道）和服务平台（部门）的报道篇数，"
        "应达到：省级不少于 {media_min_province} 篇（国家级计入省级）、市级不少于 {media_min_city} 篇、"
        "县级不少于 {media_min_county} 篇。三项都达到才算达标。"
    ),
    "latest": "所选时间段内最近刊发的报道。",
    "points": (
        "按评分细则计的媒体上稿得分，取所选时间段内的报道：同一新闻（story_key 相同）只按最高级别计一次；"
        "服务平台和所：县级 1、市级 2、省级 3、国家级 5 分，站：县级 2、市级 3、省级 4、国家级 6 分"
        "（规则见 assets/rubrics/ 的 media_points）。细则允许累计超过标准分。中心的细则无此项，不计分。"
    ),
}


def _joined():
    return media_report.join(unit, unit.c.id == media_report.c.unit_id)


def _area(scope: Scope, filters: Filters):
    return and_(area_clause(media_report, scope, filters), area_clause(unit, scope, filters))


def _level_sums(levels: tuple[str, ...] = MEDIA_LEVELS):
    return [func.sum(case((media_report.c.level == level, 1), else_=0)).label(level) for level in levels]


def by_group(conn: Connection, scope: Scope, filters: Filters, group: str) -> pd.DataFrame:
    """Reports in the period per county, township or unit (``group``), one column per media level.

    Columns ``code``, ``name``, ``tier`` (units only), ``reports``, ``stories`` (distinct news items),
    ``county``, ``city``, ``province``, ``national``; ordered by code (``""`` for county-level units when
    grouping by township). Reports of an unknown level count in ``reports`` only.
    """
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    joined = _joined()
    if group == "unit":
        key, name, tier = unit.c.id, unit.c.name, unit.c.tier
    else:
        key = unit.c.county_code if group == "county" else unit.c.township_code
        named = region.alias("media_region")
        joined = joined.outerjoin(named, named.c.code == key)
        name, tier = named.c.name, literal(None)
    stmt = (
        select(
            key.label("code"),
            func.min(name).label("name"),
            func.min(tier).label("tier"),
            func.count().label("reports"),
            func.count(func.distinct(evidence.news_item())).label("stories"),
            *_level_sums(),
        )
        .select_from(joined)
        .where(_area(scope, filters), period_clause(media_report.c.published_on, filters))
        .group_by(key)
        .order_by(key.asc().nulls_first())
    )
    df = frame(conn, stmt, ["code", "name", "tier", "reports", "stories", *MEDIA_LEVELS])
    df["code"] = text_codes(df["code"])
    return df.astype({name: "int64" for name in ("reports", "stories", *MEDIA_LEVELS)})


def yearly_minimums(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Every institute and service platform of the area with its reports per minimum in the year.

    The year runs from 1 January of the period end's year to the period's end. Columns ``unit_id``,
    ``name``, ``tier``, ``county_code``, ``county_name``, ``township_code``, ``township_name`` and one count per key of
    :data:`MINIMUM_LEVELS` (``province`` includes national reports); ordered by county, township, name.
    """
    year_start, year_end = year_to_end(filters)
    counts = (
        select(
            media_report.c.unit_id,
            *(
                func.sum(case((media_report.c.level.in_(levels), 1), else_=0)).label(name)
                for name, levels in MINIMUM_LEVELS.items()
            ),
        )
        .where(
            area_clause(media_report, scope, filters),
            media_report.c.published_on >= year_start,
            media_report.c.published_on <= year_end,
        )
        .group_by(media_report.c.unit_id)
        .subquery("counts")
    )
    places = with_place_names(unit.outerjoin(counts, counts.c.unit_id == unit.c.id), "min")
    stmt = (
        select(
            unit.c.id.label("unit_id"),
            unit.c.name,
            unit.c.tier,
            unit.c.county_code,
            places.county_name,
            unit.c.township_code,
            places.township_name,
            *(func.coalesce(counts.c[name], 0).label(name) for name in MINIMUM_LEVELS),
        )
        .select_from(places.source)
        .where(area_clause(unit, scope, filters), unit.c.tier.in_(MINIMUM_TIERS))
        .order_by(unit.c.county_code, unit.c.township_code.asc().nulls_first(), unit.c.name, unit.c.id)
    )
    df = frame(conn, stmt)
    return df.astype({name: "int64" for name in MINIMUM_LEVELS})


def latest_reports(conn: Connection, scope: Scope, filters: Filters, limit: int) -> pd.DataFrame:
    """The ``limit`` latest reports of the period: ``published_on``, ``level``, ``outlet``, ``title``,
    ``unit_name``, ``tier``, ``county_name``."""
    county = region.alias("latest_county")
    stmt = (
        select(
            media_report.c.published_on,
            media_report.c.level,
            media_report.c.outlet,
            media_report.c.title,
            unit.c.name.label("unit_name"),
            unit.c.tier,
            county.c.name.label("county_name"),
        )
        .select_from(_joined().outerjoin(county, county.c.code == media_report.c.county_code))
        .where(_area(scope, filters), period_clause(media_report.c.published_on, filters))
        .order_by(media_report.c.published_on.desc(), media_report.c.id.desc())
        .limit(limit)
    )
    return frame(conn, stmt, ["published_on", "level", "outlet", "title", "unit_name", "tier", "county_name"])


def points_by_unit(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Media points of every platform, institute and station with a news item in the period.

    Each tier's points come from the ``media_points`` standard of its rubric, applied by
    ``dashboard.scoring.media_points`` to the news items of ``queries.evidence.media_stories``.
    Columns ``unit_id``, ``tier``, ``stories``, ``points``, ``nominal`` (the standard's points).
    """
    rows = []
    for tier in POINT_TIERS:
        found = standard_of("media_points", tier)
        if found is None:
            continue
        standard = found[1]
        stories = evidence.media_stories(conn, scope, filters, tier)
        levels: dict[int, list[str]] = {}  # per unit, in plain lists: a pandas group per unit cost 0.3 ms each
        for unit_id, level in zip(stories["unit_id"].tolist(), stories["level"].tolist(), strict=True):
            levels.setdefault(int(unit_id), []).append(level)
        for unit_id, unit_levels in sorted(levels.items()):
            told = [scoring.Story(level=level) for level in unit_levels]
            outcome = scoring.media_points(told, standard.rule, standard.points, standard.may_exceed)
            rows.append((unit_id, tier, len(told), outcome.points, standard.points))
    df = pd.DataFrame(rows, columns=["unit_id", "tier", "stories", "points", "nominal"])
    return df.astype({"unit_id": "int64", "stories": "int64", "points": "float64", "nominal": "float64"})


def points_by_group(conn: Connection, scope: Scope, filters: Filters, group: str) -> pd.DataFrame:
    """:func:`points_by_unit` summed per county, township or unit (``group``): ``code``, ``points``."""
    points = points_by_unit(conn, scope, filters)
    if group == "unit":
        return pd.DataFrame({"code": points["unit_id"].astype(str), "points": points["points"]})
    key = unit.c.county_code if group == "county" else unit.c.township_code
    owners = frame(conn, select(unit.c.id.label("unit_id"), key.label("code")).where(area_clause(unit, scope, filters)))
    merged = points.merge(owners, on="unit_id").assign(code=lambda df: text_codes(df["code"]))
    return merged.groupby("code", as_index=False)["points"].sum()
