"""Volunteers and teams: participation against the 13% / 80% / 20-hour targets, stars, points, top lists, 8+N.

Units of a drill-down level (``county``, ``township`` or ``station``) each get one row of
:func:`participation`; the other functions aggregate per county. Every metric is defined once, in
:data:`DEFINITIONS` (``{name}`` placeholders are targets of assets/targets.yaml). The registered count
and the population share are the overview's (``queries.overview.DEFINITIONS``), both counted by
``queries.summaries.registered``; service hours through ``queries.summaries.served``, the volunteers who
served counted by ``queries.summaries.active`` and the top volunteers chosen by ``queries.summaries.most_served``.
Star levels and points bands come from one read (:func:`grades`), from the summaries as of their last refresh
(``queries.summaries.graded``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, Subquery, and_, case, func, literal, or_, select, true

from dashboard.scope import Scope
from dashboard.volunteering import Volunteering
from queries import evidence, overview, summaries
from queries.common import TABLES, area_clause, frame, region, scope_clause, unit, volunteer

if TYPE_CHECKING:
    from dashboard.filters import Filters

team = TABLES["team"]

LEVELS = ("county", "township", "station")

SERVED = summaries.DEFINITIONS["served"]  # what the summary means for every hours figure
GRADED = summaries.DEFINITIONS["graded"]  # and for the star levels and points
DEFINITIONS = {
    "volunteers": overview.DEFINITIONS["volunteers"],
    "population": (
        "常住人口，取自区划资料：区县、乡镇（街道）或站所在村（社区）的常住人口；乡镇（街道）缺少人口时用其"
        "村（社区）人口之和（与评分细则的口径相同）；仍缺少时显示为空，占比无法计算。"
    ),
    "volunteer_share": overview.DEFINITIONS["volunteer_share"],
    "party_members": "区县在职党员人数，取自区划资料（只有区县一级有）。",
    "party_participants": "所选时间段内至少有 1 条志愿服务时长记录的、已注册的在职党员志愿者人数。" + SERVED,
    "party_participation": "参与服务的在职党员志愿者 ÷ 区县在职党员人数；目标为 {party_member_participation}。",
    "party_hours": "所选时间段内在职党员志愿者的志愿服务时长之和（小时）。" + SERVED,
    "hours_per_party_member": (
        "在职党员志愿服务时长 ÷ 区县在职党员人数。目标为每人每年 {hours_per_person_year}，"
        "按所选时间段的天数折算（目标 × 天数 ÷ 365）。"
    ),
    "hours": "所选时间段内全部志愿者的志愿服务时长之和（小时）。" + SERVED,
    "active": "所选时间段内至少有 1 条志愿服务时长记录的志愿者人数。" + SERVED,
    "light": "与目标相比：达到目标为绿灯，达到目标的 {amber_from} 以上为黄灯，其余为红灯；缺少数据为灰色。",
    "trend": "每月月底已注册的志愿者累计人数占常住人口的比例（按志愿者所属区县）。",
    "monthly_hours": "每月的志愿服务时长（小时），分全部志愿者与在职党员志愿者。" + SERVED,
    "stars": "截至所选时间段结束日已注册的志愿者按星级（0–5 星）的人数分布；星级由平台按服务时长与评价评定。" + GRADED,
    "points": "截至所选时间段结束日已注册的志愿者按积分区间的人数分布。" + GRADED,
    "top_volunteers": "所选时间段内志愿服务时长最多的志愿者（姓名按权限脱敏）。" + SERVED,
    "top_teams": "所选时间段内队员志愿服务时长之和最多的志愿服务队伍。" + SERVED,
    "team_matrix": (
        "各区县志愿服务总队（县级队伍）中 8 类常备队伍各有几支，另列特色队伍（N）的支数；"
        "截至所选时间段结束日已成立的队伍。空格（0 支）为缺项。"
    ),
    "team_unknown": "平台标为常备队伍、但类别不在 8 类之中的队伍（数据有误，计入此处而不计入矩阵）。",
}


def _hours_by(conn: Connection, key: str, scope: Scope, filters: Filters):
    """Hours in the period per ``key`` (a volunteer column of ``summaries.ACTIVE_KEYS``): all volunteers and
    in-service party members, with the volunteers who served (``summaries.active``)."""
    served = summaries.active(conn, scope, filters, list(dict.fromkeys((key, "is_in_service_party_member"))))
    party = served.c.is_in_service_party_member == true()
    return (
        select(
            served.c[key].label("key"),
            func.sum(served.c.hours).label("hours"),
            func.sum(served.c.volunteers).label("active"),
            func.sum(case((party, served.c.hours), else_=0)).label("party_hours"),
            func.sum(case((party, served.c.volunteers), else_=0)).label("party_participants"),
        )
        .group_by(served.c[key])
        .subquery("hours")
    )


def _units_of_level(level: str, scope: Scope, filters: Filters):
    """code, name, county_name, population, party_members of every unit of the level in the area."""
    county = region.alias("county_region")
    if level == "county":
        clauses = [region.c.level == "county", scope_clause(region.c.code, scope)]
        if filters.county:
            clauses.append(region.c.code == filters.county)
        return select(
            region.c.code.label("code"),
            region.c.name.label("name"),
            region.c.name.label("county_name"),
            region.c.population.label("population"),
            region.c.party_members_in_service.label("party_members"),
        ).where(and_(*clauses))
    if level == "township":
        clauses = [region.c.level == "township", scope_clause(region.c.parent_code, scope)]
        if filters.county:
            clauses.append(region.c.parent_code == filters.county)
        if filters.township:
            clauses.append(region.c.code == filters.township)
        return (
            select(
                region.c.code.label("code"),
                region.c.name.label("name"),
                county.c.name.label("county_name"),
                region.c.population.label("population"),
                literal(None).label("party_members"),
            )
            .select_from(region.outerjoin(county, county.c.code == region.c.parent_code))
            .where(and_(*clauses))
        )
    village = region.alias("village")
    return (
        select(
            unit.c.id.label("code"),
            unit.c.name.label("name"),
            county.c.name.label("county_name"),
            village.c.population.label("population"),
            literal(None).label("party_members"),
        )
        .select_from(
            unit.outerjoin(village, village.c.code == unit.c.region_code).outerjoin(
                county, county.c.code == unit.c.county_code
            )
        )
        .where(unit.c.tier == "station", area_clause(unit, scope, filters))
    )


_VOLUNTEER_KEY = {"county": "county_code", "township": "township_code", "station": "unit_id"}


def participation(conn: Connection, scope: Scope, filters: Filters, level: str) -> pd.DataFrame:
    """One row per county, township or station (``level``) in scope and area, ordered by code.

    Columns: ``code`` (region code; for stations the unit id, as text), ``name``, ``county_name``,
    ``population``, ``party_members``, ``volunteers``, ``hours``, ``active``, ``party_hours``,
    ``party_participants``, and the ratios ``volunteer_share``, ``party_participation``,
    ``hours_per_party_member`` (NaN where the denominator is missing or zero). See :data:`DEFINITIONS`.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    units = _units_of_level(level, scope, filters).subquery("units")
    key = _VOLUNTEER_KEY[level]
    registered = summaries.registered(conn, scope, filters, [key])
    hours = _hours_by(conn, key, scope, filters)
    counts = ("volunteers", "hours", "active", "party_hours", "party_participants")
    stmt = (
        select(
            units,
            func.coalesce(registered.c.volunteers, 0).label("volunteers"),
            *(func.coalesce(hours.c[name], 0).label(name) for name in counts[1:]),
        )
        .select_from(
            units.outerjoin(registered, registered.c[key] == units.c.code).outerjoin(hours, hours.c.key == units.c.code)
        )
        .order_by(units.c.code)
    )
    df = frame(conn, stmt)
    df["code"] = df["code"].astype(str)
    for name in ("volunteers", "active", "party_participants"):
        df[name] = df[name].astype("int64")
    for name in ("hours", "party_hours"):
        df[name] = df[name].astype("float64")
    for name in ("population", "party_members"):
        df[name] = pd.to_numeric(df[name], errors="coerce").astype("float64")
    if level == "township":
        df["population"] = df["code"].map(_township_population(conn, scope, filters)).astype("float64")
    df["volunteer_share"] = _ratio(df["volunteers"], df["population"])
    df["party_participation"] = _ratio(df["party_participants"], df["party_members"])
    df["hours_per_party_member"] = _ratio(df["party_hours"], df["party_members"])
    return df


def _township_population(conn: Connection, scope: Scope, filters: Filters) -> dict[str, float]:
    """Township code → population as the scorecards measure an institute's township (queries.evidence)."""
    shares = evidence.volunteer_shares(conn, scope, filters, "institute")
    townships = frame(
        conn,
        select(unit.c.id.label("unit_id"), unit.c.township_code).where(
            area_clause(unit, scope, filters), unit.c.tier == "institute"
        ),
    )
    merged = shares.merge(townships, on="unit_id").dropna(subset=["township_code", "population"])
    return dict(zip(merged["township_code"], merged["population"], strict=True))


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    den = denominator.astype("float64")
    return (numerator.astype("float64") / den.where(den > 0)).astype("float64")


def registrations_by_month(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Volunteers registered per county and month, all months up to the period's end (for cumulative trends).

    Columns ``county_code``, ``county_name``, ``population``, ``month`` ('YYYY-MM'), ``registered``.
    """
    monthly = summaries.registered(conn, scope, filters, ["county_code", "month"])
    stmt = (
        select(
            monthly.c.county_code,
            region.c.name.label("county_name"),
            region.c.population,
            monthly.c.month,
            monthly.c.volunteers.label("registered"),
        )
        .select_from(monthly.outerjoin(region, region.c.code == monthly.c.county_code))
        .order_by(monthly.c.county_code, monthly.c.month)
    )
    df = frame(conn, stmt)
    df["registered"] = df["registered"].astype("int64")
    df["population"] = pd.to_numeric(df["population"], errors="coerce").astype("float64")
    return df


def hours_by_month(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Service hours per month of the period: ``month``, ``hours``, ``party_hours``."""
    served = summaries.served(conn, scope, filters, ["month", "is_in_service_party_member"])
    party = served.c.is_in_service_party_member == true()
    stmt = (
        select(
            served.c.month,
            func.sum(served.c.hours).label("hours"),
            func.sum(case((party, served.c.hours), else_=0)).label("party_hours"),
        )
        .group_by(served.c.month)
        .order_by(served.c.month)
    )
    df = frame(conn, stmt, ["month", "hours", "party_hours"])
    return df.astype({"hours": "float64", "party_hours": "float64"})


def _county_name():
    county = region.alias("county_name_region")
    return county, county.c.name.label("county_name")


def grades(conn: Connection, scope: Scope, filters: Filters, bounds: tuple[int, ...]) -> pd.DataFrame:
    """Registered volunteers per county, star and points band: ``county_code``, ``county_name``, ``star_level``,
    ``band``, ``volunteers`` (what :func:`star_levels` and :func:`points_bands` sum up).

    ``band`` is 0 below ``bounds[0]``, i for ``bounds[i-1] <= points < bounds[i]``, len(bounds) from the last
    bound. The platform updates star levels and points in place: they are those of the last refresh of the
    summaries (rebuilt whole at each, every 10 minutes in production) for the volunteers registered before its
    month, the current ones for the volunteers registered since (``queries.summaries.graded``). When the
    summary was cut with other bounds (volunteers.yaml changed since the refresh), every volunteer is read
    from ``volunteer`` instead, with the current values.
    """
    df = _named_grades(conn, summaries.graded(conn, scope, filters, bounds))
    if (df["band"] < 0).any():
        df = _named_grades(conn, summaries.graded(conn, scope, filters, bounds, summarised=False))
    return df


def _named_grades(conn: Connection, counts: Subquery) -> pd.DataFrame:
    """The grade ``counts`` (``county_code``, ``star_level``, ``band``, ``volunteers``) with the county's name,
    in key order."""
    county, name = _county_name()
    stmt = (
        select(counts.c.county_code, name, counts.c.star_level, counts.c.band, counts.c.volunteers)
        .select_from(counts.outerjoin(county, county.c.code == counts.c.county_code))
        .order_by(counts.c.county_code, counts.c.star_level, counts.c.band)
    )
    df = frame(conn, stmt, ["county_code", "county_name", "star_level", "band", "volunteers"])
    return df.astype({"band": "int64", "volunteers": "int64"})


def _summed(graded: pd.DataFrame, by: str) -> pd.DataFrame:
    """:func:`grades` summed per county and ``by``, ordered by both."""
    keys = ["county_code", "county_name", by]
    summed = graded.groupby(keys, dropna=False, sort=True)["volunteers"].sum().reset_index()
    return summed.astype({"volunteers": "int64"})


def star_levels(graded: pd.DataFrame) -> pd.DataFrame:
    """Registered volunteers per county and star (from :func:`grades`): ``county_code``, ``county_name``,
    ``star_level``, ``volunteers``."""
    return _summed(graded, "star_level")


def points_bands(graded: pd.DataFrame) -> pd.DataFrame:
    """Registered volunteers per county and points band (from :func:`grades`): ``county_code``,
    ``county_name``, ``band``, ``volunteers``."""
    return _summed(graded, "band").astype({"band": "int64"})


def top_volunteers(conn: Connection, scope: Scope, filters: Filters, limit: int) -> pd.DataFrame:
    """The ``limit`` volunteers with most hours in the period (ties by id).

    Columns: ``id``, ``name`` (personal data: mask before showing), ``county_name``, ``unit_name``,
    ``star_level``, ``points``, ``hours``.
    """
    hours = summaries.most_served(conn, scope, filters, limit)
    county, name = _county_name()
    stmt = (
        select(
            volunteer.c.id,
            volunteer.c.name,
            name,
            unit.c.name.label("unit_name"),
            volunteer.c.star_level,
            volunteer.c.points,
            hours.c.hours,
        )
        .select_from(
            hours.join(volunteer, volunteer.c.id == hours.c.volunteer_id)
            .outerjoin(unit, unit.c.id == volunteer.c.unit_id)
            .outerjoin(county, county.c.code == volunteer.c.county_code)
        )
        .order_by(hours.c.hours.desc(), volunteer.c.id)
    )
    df = frame(conn, stmt, ["id", "name", "county_name", "unit_name", "star_level", "points", "hours"])
    return df.astype({"hours": "float64"})


def top_teams(conn: Connection, scope: Scope, filters: Filters, limit: int) -> pd.DataFrame:
    """The ``limit`` teams whose members served most hours in the period (ties by id).

    Columns: ``id``, ``name``, ``category``, ``is_standing``, ``level``, ``county_name``, ``members`` (members
    who served), ``hours``.
    """
    hours = summaries.most_hours(_hours_by(conn, "team_id", scope, filters), "key", limit)
    county, name = _county_name()
    stmt = (
        select(
            team.c.id,
            team.c.name,
            team.c.category,
            team.c.is_standing,
            team.c.level,
            name,
            hours.c.active.label("members"),
            hours.c.hours,
        )
        .select_from(hours.join(team, team.c.id == hours.c.key).outerjoin(county, county.c.code == team.c.county_code))
        .order_by(hours.c.hours.desc(), team.c.id)
    )
    df = frame(conn, stmt, ["id", "name", "category", "is_standing", "level", "county_name", "members", "hours"])
    return df.astype({"members": "int64", "hours": "float64", "is_standing": "bool"})


def team_counts(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Teams founded by the period's end, per county, level, category and standing flag.

    Columns ``county_code``, ``county_name``, ``level``, ``category``, ``is_standing``, ``teams``; every
    county in scope (and in the district filter) appears, with NULL columns when it has no team.
    """
    counts = (
        select(team.c.county_code, team.c.level, team.c.category, team.c.is_standing, func.count().label("teams"))
        .where(
            area_clause(team, scope, filters),
            or_(team.c.founded_on.is_(None), team.c.founded_on <= filters.end),
        )
        .group_by(team.c.county_code, team.c.level, team.c.category, team.c.is_standing)
        .subquery("counts")
    )
    clauses = [region.c.level == "county", scope_clause(region.c.code, scope)]
    if filters.county:
        clauses.append(region.c.code == filters.county)
    stmt = (
        select(
            region.c.code.label("county_code"),
            region.c.name.label("county_name"),
            counts.c.level,
            counts.c.category,
            counts.c.is_standing,
            counts.c.teams,
        )
        .select_from(region.outerjoin(counts, counts.c.county_code == region.c.code))
        .where(and_(*clauses))
        .order_by(region.c.code, counts.c.level, counts.c.category)
    )
    df = frame(conn, stmt, ["county_code", "county_name", "level", "category", "is_standing", "teams"])
    df["teams"] = pd.to_numeric(df["teams"], errors="coerce").fillna(0).astype("int64")
    return df


def team_matrix(counts: pd.DataFrame, rules: Volunteering) -> tuple[pd.DataFrame, int, dict[str, int]]:
    """The 8+N matrix (county rows; 8 standing categories, featured teams N, gaps) of the corps level,
    the number of corps teams marked standing with an unknown category, and team counts of other levels."""
    names = [category.name for category in rules.categories]
    known = counts.dropna(subset=["level"])
    corps = known[known["level"] == rules.corps_level]
    standing = [rules.standing_name(category) for category in corps["category"]]
    corps = corps.assign(standing=standing)
    unknown = int(corps.loc[corps["standing"].isna() & corps["is_standing"].astype(bool), "teams"].sum())
    featured = corps[corps["standing"].isna() & ~corps["is_standing"].astype(bool)]
    matrix = (
        corps.dropna(subset=["standing"])
        .pivot_table(index="county_code", columns="standing", values="teams", aggfunc="sum", fill_value=0)
        .reindex(index=counts["county_code"].drop_duplicates(), columns=names, fill_value=0)
        .fillna(0)
        .astype("int64")
    )
    matrix["特色队伍（N）"] = featured.groupby("county_code")["teams"].sum().reindex(matrix.index, fill_value=0)
    matrix["常备类别缺项"] = (matrix[names] == 0).sum(axis=1)
    county_names = counts.drop_duplicates("county_code").set_index("county_code")["county_name"]
    matrix.insert(0, "区县", [county_names.get(code, code) for code in matrix.index])
    others = known[known["level"] != rules.corps_level].groupby("level")["teams"].sum().to_dict()
    return matrix.reset_index(drop=True), unknown, {level: int(n) for level, n in others.items()}
