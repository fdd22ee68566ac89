"""宣传: media reports by level and unit, the points they earn under the rubrics, each institute's and
service platform's yearly minimums (1 provincial, 2 city, 3 county) as met or not, and the latest reports."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, lights, ui
from dashboard.drilldown import Drill, codes_of, drill, drill_table
from dashboard.filters import Filters, filter_bar
from dashboard.labels import Labels, labels
from dashboard.scope import Scope, current_scope
from dashboard.targets import Targets, targets
from queries import publicity
from queries.common import MEDIA_LEVELS

DEFS = publicity.DEFINITIONS
LATEST_N = 50
_GROUP = {"county": "county", "township": "township", "unit": "unit"}


def _minimums(goals: Targets) -> dict[str, float]:
    return {name: goals[f"media_min_{name}"].value for name in publicity.MINIMUM_LEVELS}


def _kpis(groups: pd.DataFrame, points: pd.DataFrame, minimums: pd.DataFrame, wanted: dict, goals: Targets) -> None:
    met = _met(minimums, wanted)
    high = int(groups["province"].sum() + groups["national"].sum())
    ui.kpi_row(
        [
            ui.Kpi("报道篇数", ui.fmt_int(groups["reports"].sum()), DEFS["reports"]),
            ui.Kpi("新闻事项", ui.fmt_int(groups["stories"].sum()), DEFS["stories"]),
            ui.Kpi("省级及以上报道", ui.fmt_int(high), DEFS["by_level"]),
            ui.Kpi("媒体上稿得分", f"{points['points'].sum():,.0f}", DEFS["points"]),
            ui.Kpi(
                "年度最低要求达标",
                f"{int(met.sum())} / {len(met)}",
                goals.fill(DEFS["minimums"]),
                delta=ui.fmt_pct(met.mean() if len(met) else None, 0),
                delta_color="off",
                delta_arrow="off",
            ),
        ]
    )


def _met(minimums: pd.DataFrame, wanted: dict) -> pd.Series:
    """Whether each unit reached every yearly minimum."""
    ok = pd.Series(True, index=minimums.index)
    for name, value in wanted.items():
        ok &= minimums[name] >= value
    return ok


def _level_chart(groups: pd.DataFrame, where: Drill, lab: Labels) -> None:
    st.subheader(f"各{where.noun}报道（按媒体级别）", help=DEFS["by_unit"])
    if groups.empty:
        st.info("所选时间段内没有媒体报道。")
        return
    long = groups.assign(名称=groups["name"].fillna("县级单位（中心、平台等）")).melt(
        id_vars="名称", value_vars=list(MEDIA_LEVELS), var_name="level", value_name="篇数"
    )
    long["级别"] = [lab.label("media_levels", level) for level in long["level"]]
    order = [lab.label("media_levels", level) for level in MEDIA_LEVELS]
    shown = groups.nlargest(30, "reports")["name"].fillna("县级单位（中心、平台等）")
    long = long[long["名称"].isin(set(shown))]
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("名称:N", sort=list(shown), title=None, axis=alt.Axis(labelOverlap=False, labelLimit=220)),
            x=alt.X("篇数:Q", title="报道篇数"),
            color=alt.Color(
                "级别:N",
                sort=order,
                scale=alt.Scale(domain=order, range=[lab.colour("media_levels", level) for level in MEDIA_LEVELS]),
                legend=alt.Legend(orient="top", title=None),
            ),
            tooltip=["名称:N", "级别:N", "篇数:Q"],
        )
    )
    st.altair_chart(chart, width="stretch", height=120 + 32 * len(shown))
    if len(groups) > len(shown):
        st.caption(f"图中为报道最多的 {len(shown)} 个{where.noun}，全部见下表。")


def _group_table(groups, points, where: Drill, lab: Labels, current: Filters, scope: Scope) -> None:
    if groups.empty:
        return
    by_code = dict(zip(points["code"], points["points"], strict=True))
    table = pd.DataFrame({where.noun: groups["name"].fillna("县级单位（中心、平台等）")})
    if where.level == "unit":
        table["层级"] = [lab.label("tiers", tier) for tier in groups["tier"]]
    table["报道篇数"] = groups["reports"]
    table["新闻事项"] = groups["stories"]
    for level in MEDIA_LEVELS:
        table[lab.label("media_levels", level)] = groups[level]
    table["得分"] = [by_code.get(code) for code in groups["code"]]
    config = {
        "新闻事项": st.column_config.NumberColumn(help=DEFS["stories"]),
        "得分": st.column_config.NumberColumn(help=DEFS["points"], format="%.0f"),
    }
    drill_table(table, codes_of(groups, "code", where), where, "publicity_units", column_config=config)
    ui.download_table(table, f"媒体报道_{where.noun}", current, scope)


def _minimum_section(minimums: pd.DataFrame, wanted: dict, where: Drill, goals: Targets, current, scope) -> None:
    st.subheader("年度报道最低要求", help=goals.fill(DEFS["minimums"]))
    if minimums.empty:
        st.info("所选范围内没有所或服务平台。")
        return
    lab = labels()
    met = _met(minimums, wanted)
    if where.level == "county":
        frame = minimums.assign(met=met.to_numpy())
        per_county = frame.groupby("county_name", sort=False).agg(units=("unit_id", "size"), met=("met", "sum"))
        codes = minimums.drop_duplicates("county_name")["county_code"].tolist()
        table = pd.DataFrame(
            {
                "区县": per_county.index,
                "所与平台": per_county["units"].to_numpy(),
                "三项都达标": per_county["met"].astype("int64").to_numpy(),
                "达标比例": (per_county["met"] / per_county["units"]).to_numpy(),
            }
        )
        config = {"达标比例": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)}
        drill_table(table, codes, where, "publicity_minimum_counties", column_config=config)
        ui.download_table(table, "各区县年度报道达标", current, scope)
        return
    table = pd.DataFrame(
        {
            "单位": minimums["name"],
            "层级": [lab.label("tiers", tier) for tier in minimums["tier"]],
            "乡镇（街道）": minimums["township_name"],
        }
    )
    colours = {}
    for name, value in wanted.items():
        column = f"{lab.label('media_levels', name)}（≥{value:g}）"
        table[column] = minimums[name].to_numpy()
        colours[column] = [lights.colour("green" if n >= value else "red") for n in minimums[name]]
    table["达标"] = ["达标" if ok else "未达标" for ok in met]
    colours["达标"] = [lights.colour("green" if ok else "red") for ok in met]
    drill_table(lights.styled(table, colours), codes_of(minimums, "township_code", where), where, "publicity_units_min")
    ui.download_table(table, "年度报道达标", current, scope)


def _latest(scope: Scope, current: Filters, lab: Labels) -> None:
    st.subheader("最近的报道", help=DEFS["latest"])
    rows = data.run(publicity.latest_reports, scope, current, LATEST_N)
    if rows.empty:
        st.info("所选时间段内没有媒体报道。")
        return
    table = pd.DataFrame(
        {
            "刊发日期": rows["published_on"],
            "级别": [lab.label("media_levels", level) for level in rows["level"]],
            "媒体": rows["outlet"],
            "标题": rows["title"],
            "阵地": rows["unit_name"],
            "层级": [lab.label("tiers", tier) for tier in rows["tier"]],
            "区县": rows["county_name"],
        }
    )
    st.dataframe(table, hide_index=True, placeholder="—", height=360)
    ui.download_table(table, "最近的媒体报道", current, scope)


def render() -> None:
    """Draw the page."""
    scope = current_scope()
    current = filter_bar(scope)
    goals, lab = targets(), labels()
    where = drill(current)
    wanted = _minimums(goals)
    groups = data.run(publicity.by_group, scope, current, _GROUP[where.level])
    points = data.run(publicity.points_by_group, scope, current, _GROUP[where.level])
    minimums = data.run(publicity.yearly_minimums, scope, current)

    _kpis(groups, points, minimums, wanted, goals)
    _level_chart(groups, where, lab)
    _group_table(groups, points, where, lab, current, scope)
    _minimum_section(minimums, wanted, where, goals, current, scope)
    _latest(scope, current, lab)


ui.run_page("宣传报道", render)
