"""Each county centre against the seeds' targets: volunteers 13%, party members 80%, 20 hours, staff ≥ 6, media.

The volunteer figures are the volunteer page's (``queries.volunteers.participation`` at county level),
the media minimums count reports the way the publicity page does (``queries.publicity.MINIMUM_LEVELS``),
here for the centre itself. :func:`light_table` joins them and turns every figure into a traffic light
(``dashboard.lights``). The window is the 12 months ending with the review period (the seeds' targets
are yearly). Definitions are in :data:`DEFINITIONS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, case, func, select

from dashboard import lights
from dashboard.targets import Targets
from queries.common import TABLES, area_clause, frame, period_clause, region, unit
from queries.publicity import MINIMUM_LEVELS
from queries.volunteers import DEFINITIONS as VOLUNTEER_DEFINITIONS

if TYPE_CHECKING:
    from dashboard.filters import Filters
    from dashboard.scope import Scope

media_report = TABLES["media_report"]

# measure → (column of the light table, target name in assets/targets.yaml)
MEASURES = {
    "volunteer_share": "volunteer_share",
    "party_participation": "party_member_participation",
    "hours_per_party_member": "hours_per_person_year",
    "staff": "centre_full_time_staff",
    "media_province": "media_min_province",
    "media_city": "media_min_city",
    "media_county": "media_min_county",
}

DEFINITIONS = {
    "window": "取截至所选半年最后一天的 12 个月（种子文件中的目标均按年计）。",
    "volunteer_share": VOLUNTEER_DEFINITIONS["volunteer_share"],
    "party_participation": VOLUNTEER_DEFINITIONS["party_participation"],
    "hours_per_party_member": (
        "在职党员志愿者 12 个月的志愿服务时长 ÷ 区县在职党员人数；目标为每人每年 {hours_per_person_year}。"
    ),
    "staff": "文明实践中心登记的专职工作人员数；不少于 {centre_full_time_staff} 人。",
    "media": (
        "中心本身 12 个月内在各级媒体刊发的报道篇数：省级不少于 {media_min_province} 篇（国家级计入省级）、"
        "市级不少于 {media_min_city} 篇、县级不少于 {media_min_county} 篇。"
    ),
    "light": (
        "颜色：绿色为达到目标，黄色为达到目标的 {amber_from} 以上，红色为未达到，灰色为缺少数据"
        "（阈值见 assets/volunteers.yaml）。"
    ),
}


def centres(conn: Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    """County centres in scope and district: ``unit_id``, ``name``, ``county_code``, ``staff``, and their
    reports in the window per minimum (``media_province`` incl. national, ``media_city``, ``media_county``)."""
    counts = (
        select(
            media_report.c.unit_id,
            *(
                func.sum(case((media_report.c.level.in_(levels), 1), else_=0)).label(f"media_{name}")
                for name, levels in MINIMUM_LEVELS.items()
            ),
        )
        .where(area_clause(media_report, scope, filters), period_clause(media_report.c.published_on, filters))
        .group_by(media_report.c.unit_id)
        .subquery("counts")
    )
    county = region.alias("centre_county")
    stmt = (
        select(
            unit.c.id.label("unit_id"),
            unit.c.name,
            unit.c.county_code,
            county.c.name.label("county_name"),
            unit.c.full_time_staff.label("staff"),
            *(func.coalesce(counts.c[f"media_{name}"], 0).label(f"media_{name}") for name in MINIMUM_LEVELS),
        )
        .select_from(
            unit.outerjoin(counts, counts.c.unit_id == unit.c.id).outerjoin(county, county.c.code == unit.c.county_code)
        )
        .where(unit.c.tier == "centre", area_clause(unit, scope, filters, township=False))
        .order_by(unit.c.county_code, unit.c.id)
    )
    df = frame(conn, stmt)
    df["staff"] = pd.to_numeric(df["staff"], errors="coerce").astype("float64")
    return df.astype({f"media_{name}": "int64" for name in MINIMUM_LEVELS})


def light_table(centre_rows: pd.DataFrame, participation: pd.DataFrame, goals: Targets) -> pd.DataFrame:
    """One row per centre: its figures (see :data:`MEASURES`) and, per measure, ``<measure>_light``
    (green/amber/red/unknown against the target). ``participation`` is the county-level frame of
    ``queries.volunteers.participation``."""
    people = participation.set_index("code")[["volunteer_share", "party_participation", "hours_per_party_member"]]
    table = centre_rows.join(people, on="county_code")
    for measure, target in MEASURES.items():
        table[f"{measure}_light"] = lights.lights(table[measure].tolist(), goals[target].value)
    return table.reset_index(drop=True)
