"""The evidence behind the rubrics' computed points: one query per kind of record, rows per unit.

Each function returns the rows a computed standard is scored from (``dashboard.scoring`` turns
them into points), so the ranking, the drill-down and the other pages read one definition:

- :func:`media_stories` — media reports, one row per news item (``story_key``) at its highest level;
- :func:`activity_months` — per unit and month: activities, those with all required materials,
  those uploaded with photos or a record, theory lectures (the monthly activity, upload and lecture rules);
- :func:`summary_months`, :func:`meeting_months`, :func:`volunteer_shares`, :func:`chaxiang_villages`,
  :func:`projects_started`.

Every function takes the user's scope and a :class:`~dashboard.filters.Filters` whose ``start`` …
``end`` is the window looked at and whose district/township restrict the units; ``tier`` picks the
units evaluated (None: every tier; :func:`activity_months` also takes a tuple of tiers) and ``unit_id`` one
of them. ``records`` says whose rows count:
``"unit"`` the unit's own, ``"county"`` every unit of the unit's county (how a county centre is
evaluated by the Shanxi rubric). Definitions shown on screen are in :data:`DEFINITIONS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)

from dashboard.scope import Scope
from dashboard.summaries.definitions import MATERIALS
from queries import summaries
from queries.common import (
    MEDIA_LEVELS,
    TABLES,
    activity,
    area_clause,
    frame,
    month_of,
    period_clause,
    region,
    unit,
)

if TYPE_CHECKING:
    from dashboard.filters import Filters

media_report = TABLES["media_report"]
monthly_summary = TABLES["monthly_summary"]
evaluation_meeting = TABLES["evaluation_meeting"]
project = TABLES["project"]

ACTIVITY_COUNTS = ("activities", "complete", "uploaded", "theory_lectures")  # the counts of activity_months
RECORDS = ("unit", "county")
# Whose residents and volunteers a unit's registered-volunteer share is measured on, by tier.
SHARE_AREA = {"centre": "county", "institute": "township", "station": "unit", "platform": "unit"}

DEFINITIONS = {
    "window": (
        "计算分按细则的评估周期取数：半年细则（山西省中心细则）取所选半年；全年细则（西乡平台、所、站细则）"
        "取截至所选半年最后一天的 12 个月。"
    ),
    "records": (
        "计分所用的记录：所、站、服务平台按本单位自己的记录；县级中心按山西细则评估全县（区）工作，"
        "取全县（区）各阵地的记录。"
    ),
    "media_points": (
        "媒体上稿：同一新闻（平台的 story_key 相同）只按其最高级别计一次，每条按细则的级别分值计分"
        "（平台、所：县级 1、市级 2、省级 3、国家级 5 分；站：2、3、4、6 分）；细则允许时总分可超出标准分。"
    ),
    "monthly_activity": (
        "每月活动：当月至少有 1 场活动的方案、记录、图片、成效材料齐全，该月得分（按细则每月 1.5 或 1 分），"
        "封顶为标准分。细则对活动内容覆盖、“示范性”的要求不能由数据判断，由督查组复核。"
        + summaries.DEFINITIONS["activity_months"]
    ),
    "monthly_upload": "每月上传：当月举办的活动中至少有 1 场已把图片或记录上传到平台，该月得分。"
    + summaries.DEFINITIONS["activity_months"],
    "monthly_summary": (
        "月度小结：当月的工作推进小结在次月 {summary_due_day} 日（含）之前报送，该月得分；封顶为标准分。"
    ),
    "monthly_theory_lecture": (
        "每月理论宣讲：当月理论宣讲活动不少于细则要求的场次，该月达标；按每月分值计分，"
        "或按达标月份占评估月份的比例折算。"
    ),
    "quarterly_meeting": "每季度评议会：季度内至少召开 1 次文明实践评议会，该季度得分。",
    "volunteer_share": (
        "注册志愿者占比：截至评估期末已注册的志愿者 ÷ 常住人口（中心按全县（区），所按本乡镇（街道），"
        "站、服务平台按本单位登记的志愿者与所在村（社区）/区县的人口；乡镇人口缺失时用其村（社区）人口之和），"
        "达到细则目标得分。"
    ),
    "chaxiang_coverage": (
        "茶乡微讲堂覆盖率：所在乡镇（街道）的村（社区）中，评估期内其站举办过茶乡微讲堂的比例；"
        "达到目标得满分，不足按比例计分。"
    ),
    "projects_per_year": "年度实践项目：评估期内发布（成立）且已进入实施阶段的项目数；达到目标得满分，不足按比例计分。",
}


def _owners(
    scope: Scope, filters: Filters, tier: str | tuple[str, ...] | None, unit_id: int | None, name: str = "owner"
) -> tuple[FromClause, list]:
    """The evaluated units (of ``tier``, or of any of a tuple of tiers) as an alias ``name`` of ``unit`` and
    the WHERE clauses choosing them."""
    owner = unit.alias(name)
    clauses: list[ColumnElement[bool]] = [area_clause(owner, scope, filters)]
    if isinstance(tier, tuple):
        clauses.append(owner.c.tier.in_(tier))
    elif tier is not None:
        clauses.append(owner.c.tier == tier)
    if unit_id is not None:
        clauses.append(owner.c.id == unit_id)
    return owner, clauses


def _record_key(table, owner: FromClause, records: str) -> tuple[ColumnElement, ColumnElement]:
    """The record's column and the unit's column that attach a record row to an evaluated unit: its
    ``unit_id`` and the unit's id, or (``records="county"``) both county codes."""
    if records not in RECORDS:
        raise ValueError(f"unknown records {records!r}")
    if records == "county":
        return table.c.county_code, owner.c.county_code
    return table.c.unit_id, owner.c.id


def _belongs(table, owner: FromClause, records: str) -> ColumnElement[bool]:
    """How a record row attaches to an evaluated unit: by its ``unit_id`` or by its county."""
    record, owned = _record_key(table, owner, records)
    return record == owned


def news_item() -> ColumnElement[str]:
    """The news item a media report tells: its ``story_key``; ``#`` and its id when it has none (a report without
    ``story_key`` is a news item of its own). Publicity counts and the media points both group by it."""
    return func.coalesce(media_report.c.story_key, literal("#") + cast(media_report.c.id, String))


def media_stories(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    tier: str | None = None,
    unit_id: int | None = None,
    records: str = "unit",
) -> pd.DataFrame:
    """News items published in the window, one row per (unit, item), each at the highest level reached.

    Reports of one news item share ``story_key``; a report without one is an item of its own.
    Columns: ``unit_id``, ``county_code``, ``story``, ``level`` (county/city/province/national: the
    highest), ``reports`` (how many reports carried it), ``first_published`` (date), ``title``.
    Reports whose level is not one of the four are bad rows and are left out (see
    :func:`media_unknown_levels`). Turn rows into points with ``dashboard.scoring.media_points``.
    """
    owner, clauses = _owners(scope, filters, tier, unit_id)
    rank = case({level: i + 1 for i, level in enumerate(MEDIA_LEVELS)}, value=media_report.c.level, else_=0)
    story = news_item()
    rows = (
        select(
            owner.c.id.label("unit_id"),
            owner.c.county_code.label("county_code"),
            story.label("story"),
            rank.label("rank"),
            media_report.c.published_on,
            media_report.c.title,
        )
        .select_from(media_report.join(owner, _belongs(media_report, owner, records)))
        .where(
            *clauses,
            area_clause(media_report, scope, filters, township=False),
            period_clause(media_report.c.published_on, filters),
            media_report.c.level.in_(MEDIA_LEVELS),
        )
        .subquery("reports")
    )
    stmt = (
        select(
            rows.c.unit_id,
            rows.c.county_code,
            rows.c.story,
            func.max(rows.c.rank).label("rank"),
            func.count().label("reports"),
            func.min(rows.c.published_on).label("first_published"),
            func.min(rows.c.title).label("title"),
        )
        .group_by(rows.c.unit_id, rows.c.county_code, rows.c.story)
        .order_by(rows.c.unit_id, func.min(rows.c.published_on), rows.c.story)
    )
    df = frame(conn, stmt)
    df["level"] = [MEDIA_LEVELS[int(r) - 1] for r in df["rank"]]
    df["reports"] = df["reports"].astype("int64")
    return df.drop(columns="rank")[["unit_id", "county_code", "story", "level", "reports", "first_published", "title"]]


def media_unknown_levels(conn: Connection, scope: Scope, filters: Filters) -> int:
    """Media reports in the window whose level is none of county/city/province/national (bad rows)."""
    stmt = (
        select(func.count())
        .select_from(media_report)
        .where(
            area_clause(media_report, scope, filters, township=False),
            period_clause(media_report.c.published_on, filters),
            or_(media_report.c.level.is_(None), media_report.c.level.not_in(MEDIA_LEVELS)),
        )
    )
    return int(conn.execute(stmt).scalar_one())


def activity_months_query(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    tier: str | tuple[str, ...] | None = None,
    unit_id: int | None = None,
    require: Sequence[str] = MATERIALS,
    records: str = "unit",
) -> Select:
    """The SELECT behind :func:`activity_months` (same columns, no order), for queries that aggregate it further.

    The activities are counted per record key (unit id, or county code) and month by
    :func:`queries.summaries.activities_held` (from the summary ``dash.activity_unit_months`` and
    ``activity``), for the keys of the evaluated units only, and then joined to those units.
    """
    unknown = set(require) - set(MATERIALS)
    if unknown:
        raise ValueError(f"unknown materials {sorted(unknown)}")
    owner, clauses = _owners(scope, filters, tier, unit_id)
    listed, listed_clauses = _owners(scope, filters, tier, unit_id, "listed")
    record, owned = _record_key(activity, owner, records)
    listed_key = _record_key(activity, listed, records)[1]
    among = (record.name, select(listed_key).where(*listed_clauses))
    held = summaries.activities_held(
        conn, scope, filters, [record.name, "month"], township=False, among=among, require=require
    )
    return (
        select(owner.c.id.label("unit_id"), held.c.month, *(held.c[name] for name in ACTIVITY_COUNTS))
        .select_from(held.join(owner, held.c[record.name] == owned))
        .where(*clauses)
    )


def activity_months(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    tier: str | tuple[str, ...] | None = None,
    unit_id: int | None = None,
    require: Sequence[str] = MATERIALS,
    records: str = "unit",
) -> pd.DataFrame:
    """Per unit and month of the window that had activities: what was held and with which materials.

    Columns: ``unit_id``, ``month`` (``'YYYY-MM'``), ``activities`` (held that month), ``complete``
    (of them, with every material in ``require``: plan, record, photos, results), ``uploaded`` (of
    them, uploaded to the platform with photos or a record), ``theory_lectures`` (of them, of kind
    theory_lecture); ordered by unit and month. Months without any activity have no row. A month
    counts for the monthly activity rule when ``complete`` ≥ 1 (``dashboard.scoring.monthly_activity``).
    """
    stmt = activity_months_query(conn, scope, filters, tier, unit_id, require, records)
    df = frame(conn, stmt.order_by(stmt.selected_columns.unit_id, stmt.selected_columns.month))
    for column in ACTIVITY_COUNTS:
        df[column] = df[column].astype("int64")
    return df


def summary_months(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    tier: str | None = None,
    unit_id: int | None = None,
    records: str = "unit",
) -> pd.DataFrame:
    """Monthly progress summaries of the window's months: ``unit_id``, ``month`` (``'YYYY-MM'``), ``submitted_at``.

    One row per unit and month that has a summary, with its earliest submission time; whether it
    was on time is ``dashboard.scoring.monthly_summary``'s business.
    """
    owner, clauses = _owners(scope, filters, tier, unit_id)
    rows = (
        select(
            owner.c.id.label("unit_id"),
            month_of(monthly_summary.c.month).label("month"),
            monthly_summary.c.submitted_at,
        )
        .select_from(monthly_summary.join(owner, _belongs(monthly_summary, owner, records)))
        .where(
            *clauses,
            area_clause(monthly_summary, scope, filters, township=False),
            period_clause(monthly_summary.c.month, filters),
        )
        .subquery("summaries")
    )
    stmt = (
        select(rows.c.unit_id, rows.c.month, func.min(rows.c.submitted_at).label("submitted_at"))
        .group_by(rows.c.unit_id, rows.c.month)
        .order_by(rows.c.unit_id, rows.c.month)
    )
    df = frame(conn, stmt)
    df["submitted_at"] = pd.to_datetime(df["submitted_at"])
    return df


def meeting_months_query(
    scope: Scope, filters: Filters, tier: str | None = None, unit_id: int | None = None, records: str = "unit"
) -> Select:
    """The SELECT behind :func:`meeting_months` (same columns, no order), for queries that aggregate it further."""
    owner, clauses = _owners(scope, filters, tier, unit_id)
    rows = (
        select(owner.c.id.label("unit_id"), month_of(evaluation_meeting.c.held_on).label("month"))
        .select_from(evaluation_meeting.join(owner, _belongs(evaluation_meeting, owner, records)))
        .where(
            *clauses,
            area_clause(evaluation_meeting, scope, filters, township=False),
            period_clause(evaluation_meeting.c.held_on, filters),
        )
        .subquery("meetings")
    )
    return select(rows.c.unit_id, rows.c.month, func.count().label("meetings")).group_by(rows.c.unit_id, rows.c.month)


def meeting_months(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    tier: str | None = None,
    unit_id: int | None = None,
    records: str = "unit",
) -> pd.DataFrame:
    """文明实践评议会 held in the window: ``unit_id``, ``month`` (``'YYYY-MM'``), ``meetings``; by unit and month."""
    stmt = meeting_months_query(scope, filters, tier, unit_id, records)
    df = frame(conn, stmt.order_by(stmt.selected_columns.unit_id, stmt.selected_columns.month))
    df["meetings"] = df["meetings"].astype("int64")
    return df


def _township_population():
    """Township population: its own figure, else the sum of its villages' (a subquery by township code)."""
    village = region.alias("village")
    township = region.alias("township")
    villages = (
        select(village.c.parent_code.label("code"), func.sum(village.c.population).label("population"))
        .where(village.c.level == "village")
        .group_by(village.c.parent_code)
        .subquery("village_sums")
    )
    return (
        select(
            township.c.code.label("code"),
            func.coalesce(township.c.population, villages.c.population).label("population"),
        )
        .select_from(township.outerjoin(villages, villages.c.code == township.c.code))
        .where(township.c.level == "township")
        .subquery("township_population")
    )


def volunteer_shares(
    conn: Connection, scope: Scope, filters: Filters, tier: str, unit_id: int | None = None
) -> pd.DataFrame:
    """Registered volunteers against the resident population, one row per unit of ``tier``.

    Columns: ``unit_id``, ``area`` (county/township/unit: see :data:`SHARE_AREA`), ``volunteers``
    (registered by ``filters.end``), ``population`` (NaN when unknown). A centre is measured on its
    county, an institute on its township, a station or platform on the volunteers registered to it
    and the population of its region (village or county).
    """
    area = SHARE_AREA.get(tier)
    if area is None:
        raise ValueError(f"no volunteer-share rule for tier {tier!r}")
    owner, clauses = _owners(scope, filters, tier, unit_id)
    if area == "county":
        key, owner_key = "county_code", owner.c.county_code
        people = select(region.c.code, region.c.population).where(region.c.level == "county").subquery("people")
    elif area == "township":
        key, owner_key = "township_code", owner.c.township_code
        people = _township_population()
    else:
        key, owner_key = "unit_id", owner.c.id
        people = select(region.c.code, region.c.population).subquery("people")
    registered = summaries.registered(conn, scope, filters, [key], township=False)
    population_key = owner.c.region_code if area == "unit" else owner_key
    stmt = (
        select(
            owner.c.id.label("unit_id"),
            func.coalesce(registered.c.volunteers, 0).label("volunteers"),
            people.c.population,
        )
        .select_from(
            owner.outerjoin(registered, registered.c[key] == owner_key).outerjoin(
                people, people.c.code == population_key
            )
        )
        .where(*clauses)
        .order_by(owner.c.id)
    )
    df = frame(conn, stmt)
    df.insert(1, "area", area)
    df["volunteers"] = df["volunteers"].astype("int64")
    df["population"] = pd.to_numeric(df["population"], errors="coerce").astype("float64")
    return df


def chaxiang_villages_query(scope: Scope, filters: Filters, unit_id: int | None = None) -> Select:
    """The SELECT behind :func:`chaxiang_villages` (same columns, no order), for queries that aggregate it further."""
    owner, clauses = _owners(scope, filters, "institute", unit_id)
    village = region.alias("village")
    station = unit.alias("station")
    lectures = (
        select(station.c.region_code.label("code"), func.count().label("lectures"))
        .select_from(activity.join(station, station.c.id == activity.c.unit_id))
        .where(
            activity.c.kind == "chaxiang_lecture",
            station.c.tier == "station",
            area_clause(activity, scope, filters),
            period_clause(activity.c.held_on, filters),
        )
        .group_by(station.c.region_code)
        .subquery("lectures")
    )
    return (
        select(
            owner.c.id.label("unit_id"),
            village.c.code.label("village_code"),
            village.c.name.label("village_name"),
            func.coalesce(lectures.c.lectures, 0).label("lectures"),
        )
        .select_from(
            owner.join(
                village, and_(village.c.parent_code == owner.c.township_code, village.c.level == "village")
            ).outerjoin(lectures, lectures.c.code == village.c.code)
        )
        .where(*clauses)
    )


def chaxiang_villages(conn: Connection, scope: Scope, filters: Filters, unit_id: int | None = None) -> pd.DataFrame:
    """Each institute's villages/communities and the 茶乡微讲堂 their stations held in the window.

    Columns: ``unit_id`` (the institute), ``village_code``, ``village_name``, ``lectures`` (0 when none);
    ordered by institute and village. The villages of an institute are the village-level regions of its
    township.
    """
    stmt = chaxiang_villages_query(scope, filters, unit_id)
    df = frame(conn, stmt.order_by(stmt.selected_columns.unit_id, stmt.selected_columns.village_code))
    df["lectures"] = df["lectures"].astype("int64")
    return df


def projects_started(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    tier: str | None = None,
    unit_id: int | None = None,
    records: str = "unit",
) -> pd.DataFrame:
    """Projects established in the window: ``unit_id``, ``project_id``, ``name``, ``established_on``,
    ``implementing_on`` (None if not yet carried out by the window's end), ``stage``."""
    owner, clauses = _owners(scope, filters, tier, unit_id)
    implementing = case((project.c.implementing_on <= filters.end, project.c.implementing_on), else_=None).label(
        "implementing_on"
    )
    stmt = (
        select(
            owner.c.id.label("unit_id"),
            project.c.id.label("project_id"),
            project.c.name,
            project.c.established_on,
            implementing,
            project.c.stage,
        )
        .select_from(project.join(owner, _belongs(project, owner, records)))
        .where(
            *clauses,
            area_clause(project, scope, filters, township=False),
            period_clause(project.c.established_on, filters),
        )
        .order_by(owner.c.id, project.c.established_on, project.c.id)
    )
    return frame(conn, stmt)
