"""总览: key figures, the map of every unit, orders by status and the per-district table."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, ui
from dashboard.filters import Filters, filter_bar
from dashboard.labels import Labels, labels
from dashboard.scope import Scope, current_scope
from dashboard.targets import Targets, targets
from dashboard.unit_map import MAP_HEIGHT, legend_html, unit_deck
from queries import overview, quality, units

OVERVIEW = overview.DEFINITIONS


def _kpis(summary: pd.DataFrame, tiers: pd.DataFrame, activities: int, goals: Targets) -> None:
    by_tier = tiers.groupby("tier")["units"].sum()
    volunteers = int(summary["volunteers"].sum())
    population = summary["population"].sum(skipna=True)
    share = volunteers / population if population else None
    wanted = round(population * goals["volunteer_share"].value) if population else 0
    rated, satisfied = int(summary["rated"].sum()), int(summary["satisfied"].sum())
    lab = labels()
    tier_help = units.DEFINITIONS["units"]
    ui.kpi_row(
        [
            ui.Kpi(lab.label("tiers", "centre"), ui.fmt_int(by_tier.get("centre", 0)), tier_help),
            ui.Kpi(lab.label("tiers", "institute"), ui.fmt_int(by_tier.get("institute", 0)), tier_help),
            ui.Kpi(lab.label("tiers", "station"), ui.fmt_int(by_tier.get("station", 0)), tier_help),
            ui.Kpi(
                "注册志愿者",
                ui.fmt_int(volunteers),
                goals.fill(OVERVIEW["volunteers"] + OVERVIEW["volunteer_target"])
                + f"当前占常住人口 {ui.fmt_pct(share)}，目标人数 {ui.fmt_int(wanted)}。",
                delta=f"达到目标的 {ui.fmt_pct(volunteers / wanted, 0)}" if wanted else "缺少人口数据",
                delta_color="green" if wanted and volunteers >= wanted else "orange",
                delta_arrow="off",
            ),
            ui.Kpi("本期订单", ui.fmt_int(summary["orders"].sum()), OVERVIEW["orders"]),
            ui.Kpi(
                "满意率",
                ui.fmt_pct(satisfied / rated if rated else None),
                goals.fill(OVERVIEW["satisfaction"]),
                delta=f"已评价 {ui.fmt_int(rated)} 单",
                delta_color="off",
                delta_arrow="off",
            ),
            ui.Kpi("本期活动", ui.fmt_int(activities), OVERVIEW["activities"]),
        ]
    )


def _map(scope: Scope, current: Filters, summary: pd.DataFrame, goals: Targets, lab: Labels) -> None:
    points = data.run(units.map_units, scope, current)
    missing = data.run(quality.units_without_coordinates, scope, current)["count"]
    target = goals["volunteer_share"].value
    st.subheader("阵地分布", help=units.DEFINITIONS["map"])
    st.pydeck_chart(unit_deck(summary, points, target, lab), height=MAP_HEIGHT)
    st.markdown(legend_html(points, target, lab), unsafe_allow_html=True)
    if missing:
        st.caption(f"另有 {ui.fmt_int(missing)} 个阵地缺少坐标，未在地图上显示（详见“数据质量”）。")


def _status_chart(statuses: pd.DataFrame, lab: Labels) -> None:
    st.subheader("订单状态", help=OVERVIEW["orders_by_status"])
    if statuses.empty:
        st.info("所选时间段内没有订单。")
        return
    chart_data = statuses.assign(
        状态=[lab.label("order_statuses", code) for code in statuses["status"]],
        colour=[lab.colour("order_statuses", code) for code in statuses["status"]],
    ).rename(columns={"orders": "订单数"})
    chart = (
        alt.Chart(chart_data)
        .mark_bar()
        .encode(
            y=alt.Y("状态:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False)),
            x=alt.X("订单数:Q", title="订单数"),
            color=alt.Color("colour:N", scale=None, legend=None),
            tooltip=["状态:N", alt.Tooltip("订单数:Q", format=",")],
        )
        .properties(height=max(200, 34 * len(chart_data)))
    )
    st.altair_chart(chart, width="stretch")


def _district_table(summary: pd.DataFrame, goals: Targets, lab: Labels) -> None:
    st.subheader("各区县情况")
    table = pd.DataFrame(
        {
            "区县": summary["county_name"],
            "文明实践中心": summary["centre_name"],
            "试点级别": [lab.label("pilot_levels", code) for code in summary["pilot_level"]],
            "所": summary["institutes"],
            "站": summary["stations"],
            "注册志愿者": summary["volunteers"],
            "常住人口": summary["population"],
            "志愿者占比": summary["volunteer_share"],
            "订单": summary["orders"],
            "服务完成": summary["completed"],
            "满意率": summary["satisfaction_rate"],
        }
    )
    number = st.column_config.NumberColumn
    st.dataframe(
        table,
        hide_index=True,
        placeholder="—",
        column_config={
            "所": number(help=units.DEFINITIONS["units"], format="localized"),
            "站": number(help=units.DEFINITIONS["units"], format="localized"),
            "注册志愿者": number(help=OVERVIEW["volunteers"], format="localized"),
            "常住人口": number(help=OVERVIEW["population"], format="localized"),
            "志愿者占比": number(help=goals.fill(OVERVIEW["volunteer_share"]), format="percent"),
            "订单": number(help=OVERVIEW["orders"], format="localized"),
            "服务完成": number(help=OVERVIEW["completed"], format="localized"),
            "满意率": number(help=goals.fill(OVERVIEW["satisfaction"]), format="percent"),
        },
    )


def render() -> None:
    """Draw the page."""
    scope = current_scope()
    current = filter_bar(scope)
    goals, lab = targets(), labels()
    counts = data.run(overview.order_counts, scope, current)  # the orders read once, for the table and the chart
    areas = data.run(overview.district_areas, scope, current)
    summary = overview.district_table(areas, counts, int(goals["satisfied_rating"].value))
    tiers = data.run(units.tier_counts, scope, current)
    statuses = overview.status_totals(counts)
    activities = data.run(overview.activity_count, scope, current)

    _kpis(summary, tiers, activities, goals)
    left, right = st.columns([3, 1])
    with left:
        _map(scope, current, summary, goals, lab)
    with right:
        _status_chart(statuses, lab)
    _district_table(summary, goals, lab)


ui.run_page("总览", render)
