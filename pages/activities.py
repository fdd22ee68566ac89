"""活动: activities by content area, month and unit; the monthly-activity coverage heatmaps (station ×
month, institute × month, summarised per township and county); theory lectures, quarterly evaluation
meetings and 茶乡微讲堂 coverage."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, lights, scoring, ui
from dashboard.clock import local_today
from dashboard.drilldown import Drill, codes_of, drill, drill_table
from dashboard.filters import Filters, filter_bar
from dashboard.labels import Labels, labels
from dashboard.rubric_rules import target_of
from dashboard.scope import Scope, current_scope
from queries import activities, evidence

DEFS = activities.DEFINITIONS
CELL_STATES = ("met", "incomplete", "none")
CELL_LABELS = {"met": "达标", "incomplete": "有活动但材料不全", "none": "无活动"}
CELL_LIGHTS = {"met": "green", "incomplete": "amber", "none": "red"}


def _share_scale() -> alt.Scale:
    return alt.Scale(domain=[0, 0.5, 1], range=[lights.colour("red"), lights.colour("amber"), lights.colour("green")])


def _month_axis() -> alt.X:
    return alt.X("月份:O", title=None, sort=None, axis=alt.Axis(labelAngle=0, orient="top", labelOverlap=False))


def _month_names(months: pd.Series, period: list[str]) -> list[str]:
    """``1月`` … (``2025年12月`` when the period spans two years), as the scorecards write months."""
    return [scoring.month_name(m, period) for m in months]


def _kpis(units: pd.DataFrame, summary: pd.DataFrame) -> None:
    total = int(units["activities"].sum())
    complete = int(units["complete"].sum())
    unit_months = int((summary["units"] * summary["months"]).sum())
    ui.kpi_row(
        [
            ui.Kpi("本期活动", ui.fmt_int(total), DEFS["activities"]),
            ui.Kpi("材料齐全率", ui.fmt_pct(complete / total if total else None), DEFS["complete"]),
            ui.Kpi("参与群众（人次）", ui.fmt_int(units["participants"].sum()), DEFS["participants"]),
            ui.Kpi("理论宣讲", ui.fmt_int(units["theory"].sum()), DEFS["by_unit"]),
            ui.Kpi(
                "站点月度达标率",
                ui.fmt_pct(summary["met_months"].sum() / unit_months if unit_months else None),
                DEFS["met"] + DEFS["month_share"],
            ),
            ui.Kpi(
                "每月都达标的站",
                ui.fmt_pct(summary["every_month"].sum() / summary["units"].sum() if len(summary) else None),
                DEFS["every_share"],
            ),
        ]
    )


def _by_area(scope: Scope, current: Filters, lab: Labels) -> None:
    st.subheader("各月活动（按五项内容）", help=DEFS["by_area"])
    rows = data.run(activities.by_area_month, scope, current)
    if rows.empty:
        st.info("所选时间段内没有活动。")
        return
    areas = lab.section("content_areas")
    chart_data = rows.assign(
        内容=[lab.label("content_areas", code) for code in rows["content_area"]],
    ).rename(columns={"month": "月份", "activities": "活动场次"})
    order = [code.label for code in areas.values()]
    chart = (
        alt.Chart(chart_data)
        .mark_bar()
        .encode(
            x=alt.X("月份:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("活动场次:Q", title="活动场次"),
            color=alt.Color(
                "内容:N",
                sort=order,
                scale=alt.Scale(domain=order, range=[lab.colour("content_areas", code) for code in areas]),
                legend=alt.Legend(orient="top", title=None),
            ),
            tooltip=["月份:O", "内容:N", alt.Tooltip("活动场次:Q", format=",")],
        )
        .properties(height=300)
    )
    st.altair_chart(chart, width="stretch")


def _unit_table(units: pd.DataFrame, summary: pd.DataFrame, where: Drill, current: Filters, scope: Scope) -> None:
    st.subheader(f"各{where.noun}活动情况", help=DEFS["by_unit"])
    if units.empty:
        st.info("所选时间段内没有活动。")
        return
    lab = labels()
    table = pd.DataFrame({where.noun: units["name"].fillna("县级单位（中心、平台等）")})
    if where.level == "unit":
        table["层级"] = [lab.label("tiers", tier) for tier in units["tier"]]
    table["活动场次"] = units["activities"]
    table["材料齐全率"] = units["complete"] / units["activities"]
    table["理论宣讲"] = units["theory"]
    table["参与人次"] = units["participants"]
    config = {
        "活动场次": st.column_config.NumberColumn(format="localized"),
        "材料齐全率": st.column_config.NumberColumn(help=DEFS["complete"], format="percent"),
        "参与人次": st.column_config.NumberColumn(format="localized"),
    }
    if where.level != "unit":
        shares = summary.set_index("code")
        table["站点月度达标率"] = [shares["month_share"].get(code) for code in units["code"]]
        table["每月都达标的站"] = [shares["every_share"].get(code) for code in units["code"]]
        progress = st.column_config.ProgressColumn
        config["站点月度达标率"] = progress(help=DEFS["month_share"], format="percent", min_value=0, max_value=1)
        config["每月都达标的站"] = progress(help=DEFS["every_share"], format="percent", min_value=0, max_value=1)
    drill_table(table, codes_of(units, "code", where), where, "activity_units", column_config=config)
    ui.download_table(table, f"活动情况_{where.noun}", current, scope)


def _share_heatmap(coverage: pd.DataFrame, months: list[str], title: str, help_text: str, noun: str) -> None:
    """Rows: counties or townships; columns: months; cell: share of units that met the rule."""
    st.markdown(f"**{title}**", help=help_text)
    if coverage.empty:
        st.info(f"所选范围内没有{noun}。")
        return
    chart_data = coverage.assign(
        名称=coverage["name"].fillna("—"),
        达标比例=coverage["met"] / coverage["units"].where(coverage["units"] > 0),
        月份=_month_names(coverage["month"], months),
    ).rename(columns={"met": "达标", "units": "总数"})
    base = alt.Chart(chart_data).encode(
        x=_month_axis(),
        y=alt.Y("名称:N", title=None, sort=None, axis=alt.Axis(labelOverlap=False, labelLimit=200)),
    )
    rect = base.mark_rect(stroke="#FFFDF7", strokeWidth=1).encode(
        color=alt.Color("达标比例:Q", scale=_share_scale(), legend=alt.Legend(format="%", title="达标比例")),
        tooltip=["名称:N", "月份:O", "达标:Q", "总数:Q", alt.Tooltip("达标比例:Q", format=".0%")],
    )
    text = base.mark_text(fontSize=11, color="#FFFFFF").encode(text=alt.Text("达标比例:Q", format=".0%"))
    rows = chart_data["名称"].nunique()
    st.altair_chart((rect + text).properties(height=max(120, 28 * rows)), width="stretch")


def _cell_heatmap(cells: pd.DataFrame, units: pd.DataFrame, months: list[str], title: str) -> None:
    """Rows: units; columns: months; cell: met / activities without full materials / no activity."""
    st.markdown(f"**{title}**", help=DEFS["cell"] + DEFS["met"])
    if units.empty:
        st.info("所选范围内没有此类阵地。")
        return
    grid = pd.MultiIndex.from_product([units["unit_id"], months], names=["unit_id", "month"]).to_frame(index=False)
    merged = grid.merge(cells, on=["unit_id", "month"], how="left").fillna(0)
    state = [
        "met" if c >= 1 else "incomplete" if a > 0 else "none"
        for a, c in zip(merged["activities"], merged["complete"], strict=True)
    ]
    names = units.set_index("unit_id")["name"]
    chart_data = pd.DataFrame(
        {
            "阵地": [names[u] for u in merged["unit_id"]],
            "月份": _month_names(merged["month"], months),
            "情况": [CELL_LABELS[s] for s in state],
            "活动场次": merged["activities"].astype("int64"),
            "材料齐全": merged["complete"].astype("int64"),
            "已上传": merged["uploaded"].astype("int64"),
            "理论宣讲": merged["theory_lectures"].astype("int64"),
        }
    )
    domain = [CELL_LABELS[s] for s in CELL_STATES]
    chart = (
        alt.Chart(chart_data)
        .mark_rect(stroke="#FFFDF7", strokeWidth=1)
        .encode(
            x=_month_axis(),
            y=alt.Y("阵地:N", title=None, sort=list(names), axis=alt.Axis(labelOverlap=False, labelLimit=240)),
            color=alt.Color(
                "情况:N",
                scale=alt.Scale(domain=domain, range=[lights.colour(CELL_LIGHTS[s]) for s in CELL_STATES]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=["阵地:N", "月份:O", "情况:N", "活动场次:Q", "材料齐全:Q", "已上传:Q", "理论宣讲:Q"],
        )
        .properties(height=max(120, 24 * len(units)))
    )
    st.altair_chart(chart, width="stretch")


def _coverage(scope: Scope, current: Filters, where: Drill, rule: pd.DataFrame) -> None:
    st.subheader("月度活动覆盖", help=DEFS["met"])
    months = activities.period_months(current)
    if current.end >= local_today().replace(day=1):
        st.caption(f"含尚未结束的 {months[-1]}，该月的达标情况还会变化。")
    if where.level == "unit":
        units = data.run(activities.units_of, scope, current, ("institute", "station"))
        units = units.sort_values("tier", key=lambda tier: tier != "institute", kind="stable")
        cells = data.run(evidence.activity_months, scope, current, ("institute", "station"))
        _cell_heatmap(cells, units, months, "所与站：每月是否达标")
        return
    stations = activities.coverage_of(rule, "station")
    left, right = st.columns(2)
    with left:
        _share_heatmap(stations, months, f"各{where.noun}：当月达标的站所占比例", DEFS["met_share"], "站")
    with right:
        if where.level == "county":
            institutes = activities.coverage_of(rule, "institute")
            _share_heatmap(institutes, months, "各区县：当月达标的所所占比例", DEFS["met_share"], "所")
        else:
            units = data.run(activities.units_of, scope, current, ("institute",))
            cells = data.run(evidence.activity_months, scope, current, "institute")
            _cell_heatmap(cells, units, months, "各所：每月是否达标")


def _lectures_and_meetings(scope: Scope, current: Filters, where: Drill, rule: pd.DataFrame) -> None:
    group = "county" if where.level == "county" else "township"
    left, right = st.columns(2)
    with left:
        st.subheader("理论宣讲月度覆盖", help=DEFS["theory"])
        frames = []
        for tier, name in (("institute", "所"), ("station", "站")):
            cov = activities.coverage_of(rule, tier)
            per_month = cov.groupby("month")[["theory", "units"]].sum().reset_index()
            per_month["比例"] = per_month["theory"] / per_month["units"].where(per_month["units"] > 0)
            frames.append(per_month.assign(层级=name))
        chart_data = pd.concat(frames).rename(columns={"month": "月份"})
        if chart_data.empty:
            st.info("所选范围内没有所或站。")
        else:
            chart = (
                alt.Chart(chart_data)
                .mark_line(point=True)
                .encode(
                    x=alt.X("月份:O", title=None, axis=alt.Axis(labelAngle=0)),
                    y=alt.Y(
                        "比例:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]), title="开展理论宣讲的比例"
                    ),
                    color=alt.Color(
                        "层级:N",
                        scale=alt.Scale(range=[lights.colour("red"), lights.colour("amber")]),
                        legend=alt.Legend(orient="top", title=None),
                    ),
                    tooltip=[
                        "层级:N",
                        "月份:O",
                        alt.Tooltip("比例:Q", format=".1%"),
                        alt.Tooltip("theory:Q", title="开展的单位"),
                    ],
                )
                .properties(height=280)
            )
            st.altair_chart(chart, width="stretch")
    with right:
        st.subheader("站点评议会季度覆盖", help=DEFS["meetings"])
        meetings = data.run(activities.meeting_coverage, scope, current, group)
        if meetings.empty:
            st.info("所选范围内没有站。")
        else:
            chart_data = meetings.assign(
                名称=meetings["name"].fillna("—"),
                季度=[scoring.quarter_name(q) for q in meetings["quarter"]],
                比例=meetings["met"] / meetings["units"].where(meetings["units"] > 0),
            )
            base = alt.Chart(chart_data).encode(
                x=alt.X("季度:O", title=None, axis=alt.Axis(labelAngle=0, orient="top")),
                y=alt.Y("名称:N", title=None, sort=None, axis=alt.Axis(labelOverlap=False)),
            )
            rect = base.mark_rect(stroke="#FFFDF7").encode(
                color=alt.Color("比例:Q", scale=_share_scale(), legend=alt.Legend(format="%", title="召开比例")),
                tooltip=[
                    "名称:N",
                    "季度:O",
                    alt.Tooltip("met:Q", title="召开的站"),
                    alt.Tooltip("units:Q", title="站数"),
                ],
            )
            text = base.mark_text(color="#FFFFFF").encode(text=alt.Text("比例:Q", format=".0%"))
            st.altair_chart(
                (rect + text).properties(height=max(120, 28 * chart_data["名称"].nunique())), width="stretch"
            )


def _chaxiang(scope: Scope, current: Filters) -> None:
    target = target_of("chaxiang_coverage", "institute")
    definition = DEFS["chaxiang"].format(chaxiang=f"{target.value:.0%}", chaxiang_source=target.source)
    st.subheader("茶乡微讲堂覆盖", help=definition)
    rows = data.run(activities.chaxiang_coverage, scope, current)
    if rows.empty:
        st.info("所选范围内没有区县开展茶乡微讲堂项目（该项目为西乡县的特色做法，未开展的区县不计）。")
        return
    codes = lights.lights(list(rows["share"]), target.value)
    table = pd.DataFrame(
        {
            "区县": rows["name"],
            "村（社区）": rows["villages"],
            "已开展的村（社区）": rows["covered"],
            "覆盖率": rows["share"],
            "达标": lights.light_labels(codes),
        }
    )
    st.dataframe(
        lights.styled(table, {"达标": [lights.colour(c) for c in codes]}),
        hide_index=True,
        column_config={"覆盖率": st.column_config.NumberColumn(format="percent")},
    )
    ui.download_table(table, "茶乡微讲堂覆盖", current, scope)


def render() -> None:
    """Draw the page."""
    scope = current_scope()
    current = filter_bar(scope)
    lab = labels()
    where = drill(current)
    units = data.run(activities.by_unit, scope, current, where.level)
    group = "county" if where.level == "county" else "township"
    rule = data.run(activities.monthly_rule, scope, current, group)
    summary = activities.summary_of(rule, "station", len(activities.period_months(current)))

    _kpis(units, summary)
    _by_area(scope, current, lab)
    _unit_table(units, summary, where, current, scope)
    _coverage(scope, current, where, rule)
    _lectures_and_meetings(scope, current, where, rule)
    _chaxiang(scope, current)


ui.run_page("文明实践活动", render)
