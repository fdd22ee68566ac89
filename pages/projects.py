"""项目: the closed loop 成立 → 招募 → 实施 → 评估 → 优化 as a pipeline, stuck projects, projects per
institute and year against the target, brand projects, kinds and service modes, demand and satisfaction."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, lights, ui
from dashboard.clock import local_today
from dashboard.drilldown import Drill, codes_of, drill, drill_table
from dashboard.filters import Filters, filter_bar
from dashboard.labels import labels
from dashboard.project_rules import ProjectRules, project_rules
from dashboard.rubric_rules import target_of
from dashboard.scope import Scope, current_scope
from queries import projects

DEFS = projects.DEFINITIONS
TARGET_TIERS = ("institute", "platform")


def _text(key: str, rules: ProjectRules) -> str:
    """A definition with its placeholders filled from assets/projects.yaml and the rubric."""
    target = target_of("projects_per_year", "institute")
    limits = "；".join(f"{s.label} {s.stuck_after_days} 天" for s in rules.stages if s.stuck_after_days)
    return DEFS[key].format(
        target=f"{target.value:g}",
        source=target.source,
        brand=rules.brand_per_year,
        brand_source=rules.brand_source,
        low_demand=f"{rules.low_demand_below:g}",
        limits=limits,
    )


def _kpis(stages: pd.DataFrame, stuck: pd.DataFrame, kinds: pd.DataFrame, bad: dict, rules: ProjectRules) -> None:
    rated, scored = kinds["rated"].sum(), kinds["scored"].sum()
    satisfaction = (kinds["satisfaction"].fillna(0) * kinds["rated"]).sum() / rated if rated else None
    demand = (kinds["demand"].fillna(0) * kinds["scored"]).sum() / scored if scored else None
    ui.kpi_row(
        [
            ui.Kpi("在运行项目", ui.fmt_int(stages["projects"].sum()), _text("running", rules)),
            ui.Kpi("品牌项目", ui.fmt_int(stages["brand"].sum()), _text("brand", rules)),
            ui.Kpi(
                "阶段停留超时",
                ui.fmt_int(len(stuck)),
                _text("stuck", rules),
                delta="需督促推进" if len(stuck) else "无",
                delta_color="orange" if len(stuck) else "green",
                delta_arrow="off",
            ),
            ui.Kpi("平均需求度", "—" if demand is None else f"{demand:.1f}", DEFS["demand"]),
            ui.Kpi("平均满意率", ui.fmt_pct(satisfaction), DEFS["demand"]),
            ui.Kpi("数据异常的项目", ui.fmt_int(bad["count"]), DEFS["bad_rows"]),
        ]
    )


def _pipeline(stages: pd.DataFrame, stuck: pd.DataFrame, rules: ProjectRules) -> None:
    st.subheader("项目闭环：各阶段项目数", help=DEFS["stage"])
    counts = stages.set_index("stage")["projects"]
    late = stuck["stage"].value_counts()
    known = [stage.code for stage in rules.stages]
    rows = [
        {
            "阶段": stage.label,
            "项目数": int(counts.get(stage.code, 0)),
            "超时": int(late.get(stage.code, 0)),
            "颜色": stage.colour,
            "顺序": i,
        }
        for i, stage in enumerate(rules.stages)
    ]
    rows += [
        {"阶段": rules.label(code), "项目数": int(n), "超时": 0, "颜色": "#9E9E9E", "顺序": len(rows) + i}
        for i, (code, n) in enumerate(counts.items())
        if code not in known
    ]
    chart_data = pd.DataFrame(rows)
    chart_data["标注"] = [
        f"{n:,} 个" + (f"（超时 {m:,}）" if m else "")
        for n, m in zip(chart_data["项目数"], chart_data["超时"], strict=True)
    ]
    base = alt.Chart(chart_data).encode(
        y=alt.Y("阶段:N", sort=alt.SortField("顺序"), title=None, axis=alt.Axis(labelOverlap=False)),
        x=alt.X("项目数:Q", title="项目数"),
        tooltip=["阶段:N", alt.Tooltip("项目数:Q", format=","), alt.Tooltip("超时:Q", format=",")],
    )
    bars = base.mark_bar().encode(color=alt.Color("颜色:N", scale=None, legend=None))
    text = base.mark_text(align="left", dx=4).encode(text="标注:N")
    st.altair_chart((bars + text).properties(height=40 * len(chart_data)), width="stretch")


def _kind_mode(kinds: pd.DataFrame, rules: ProjectRules) -> None:
    st.subheader("项目类型与服务方式", help=DEFS["kind"])
    if kinds.empty:
        st.info("所选范围内没有在运行的项目。")
        return
    chart_data = kinds.rename(columns={"kind": "类型", "service_mode": "服务方式", "projects": "项目数"})
    base = alt.Chart(chart_data).encode(
        x=alt.X("服务方式:N", sort=list(rules.service_modes), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("类型:N", sort=list(rules.kinds), title=None),
    )
    heat = base.mark_rect().encode(
        color=alt.Color(
            "项目数:Q",
            scale=alt.Scale(range=[lights.colour("amber"), lights.colour("red")]),
            legend=None,
        ),
        tooltip=[
            "类型:N",
            "服务方式:N",
            alt.Tooltip("项目数:Q", format=","),
            alt.Tooltip("demand:Q", title="平均需求度", format=".1f"),
            alt.Tooltip("satisfaction:Q", title="平均满意率", format=".1%"),
        ],
    )
    text = base.mark_text(color="#FFFFFF", fontSize=14).encode(text=alt.Text("项目数:Q", format=","))
    st.altair_chart((heat + text).properties(height=200), width="stretch")


def _targets_table(units: pd.DataFrame, rules: ProjectRules, where: Drill, current: Filters, scope: Scope) -> None:
    target = target_of("projects_per_year", "institute")
    st.subheader("年度项目与品牌项目", help=_text("per_institute", rules) + " " + _text("brand", rules))
    if units.empty:
        st.info("所选范围内没有所或服务平台。")
        return
    months = int(units["months"].iloc[0])
    wanted = target.value * months / 12
    institutes = units["tier"] == "institute"
    project_lights = [
        lights.lights([n], wanted)[0] if inst else "unknown"
        for n, inst in zip(units["implemented"], institutes, strict=True)
    ]
    brand_lights = lights.lights(list(units["brand"]), float(rules.brand_per_year))
    brand_lights = ["red" if code == "amber" else code for code in brand_lights]
    if where.level == "county":
        _county_targets(units, project_lights, brand_lights, where, current, scope)
        return
    lab = labels()
    table = pd.DataFrame(
        {
            "单位": units["unit_name"],
            "层级": [lab.label("tiers", tier) for tier in units["tier"]],
            "乡镇（街道）": units["township_name"],
            "本年发布项目": units["published"],
            "已实施": units["implemented"],
            "项目目标": [round(wanted, 1) if inst else None for inst in institutes],
            "项目达标": [
                name if inst else "—"
                for name, inst in zip(lights.light_labels(project_lights), institutes, strict=True)
            ],
            "品牌项目": units["brand"],
            "品牌达标": lights.light_labels(brand_lights),
        }
    )
    colours = {
        "项目达标": [lights.colour(c) if inst else None for c, inst in zip(project_lights, institutes, strict=True)],
        "品牌达标": [lights.colour(c) for c in brand_lights],
    }
    drill_table(lights.styled(table, colours), codes_of(units, "township_code", where), where, "project_units")
    st.caption(f"本年已过 {months} 个月，所的项目目标按 {target.value:g} × {months} ÷ 12 = {wanted:.1f} 项折算。")
    ui.download_table(table, "年度项目与品牌项目", current, scope)


def _county_targets(units, project_lights, brand_lights, where: Drill, current: Filters, scope: Scope) -> None:
    frame = units.assign(
        project_ok=[c == "green" for c in project_lights], brand_ok=[c == "green" for c in brand_lights]
    )
    institutes = frame[frame["tier"] == "institute"]
    per_county = frame.groupby(["county_code", "county_name"], sort=True).agg(
        units=("unit_id", "size"), brand_ok=("brand_ok", "sum"), implemented=("implemented", "sum")
    )
    inst = institutes.groupby("county_code").agg(institutes=("unit_id", "size"), project_ok=("project_ok", "sum"))
    per_county = per_county.join(inst, on="county_code").fillna(0).reset_index()
    share = per_county["project_ok"] / per_county["institutes"].where(per_county["institutes"] > 0)
    table = pd.DataFrame(
        {
            "区县": per_county["county_name"],
            "所": per_county["institutes"].astype("int64"),
            "项目达标的所": per_county["project_ok"].astype("int64"),
            "达标比例": share,
            "所与平台": per_county["units"].astype("int64"),
            "有品牌项目的": per_county["brand_ok"].astype("int64"),
            "本年已实施项目": per_county["implemented"].astype("int64"),
        }
    )
    drill_table(
        table,
        codes_of(per_county, "county_code", where),
        where,
        "project_counties",
        column_config={"达标比例": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)},
    )
    ui.download_table(table, "各区县年度项目", current, scope)


def _lists(scope: Scope, current: Filters, stuck: pd.DataFrame, rules: ProjectRules) -> None:
    brand = data.run(projects.project_list, scope, current, True, None)
    low = data.run(projects.project_list, scope, current, False, rules.low_demand_below)
    lab = labels()

    def shown(rows: pd.DataFrame, extra: dict | None = None) -> pd.DataFrame:
        table = pd.DataFrame(
            {
                "项目": rows["name"],
                "所属阵地": rows["unit_name"],
                "层级": [lab.label("tiers", tier) for tier in rows["tier"]],
                "区县": rows["county_name"],
                "类型": rows["kind"],
                "服务方式": rows["service_mode"],
                "当前阶段": [rules.label(code) for code in rows["stage"]],
                "成立日期": rows["established_on"],
                "需求度": rows["demand_score"],
                "满意率": rows["satisfaction_rate"],
            }
        )
        for name, values in (extra or {}).items():
            table.insert(7, name, values)
        return table

    config = {
        "需求度": st.column_config.NumberColumn(format="%.1f"),
        "满意率": st.column_config.NumberColumn(format="percent"),
    }
    tabs = st.tabs([f"阶段停留超时（{len(stuck):,}）", f"需求度偏低（{len(low):,}）", f"品牌项目（{len(brand):,}）"])
    lists = (
        (
            stuck,
            "阶段停留超时的项目",
            _text("stuck", rules),
            {"进入本阶段": stuck.get("since"), "停留天数": stuck.get("days")},
        ),
        (low, "需求度偏低的项目", _text("low_demand", rules), None),
        (brand, "品牌项目", _text("brand", rules), None),
    )
    for tab, (rows, stem, definition, extra) in zip(tabs, lists, strict=True):
        with tab:
            st.caption(definition)
            if rows.empty:
                st.info("没有符合条件的项目。")
                continue
            table = shown(rows, extra)
            st.dataframe(table, hide_index=True, placeholder="—", column_config=config, height=360)
            ui.download_table(table, stem, current, scope)


def render() -> None:
    """Draw the page."""
    scope = current_scope()
    current = filter_bar(scope)
    rules = project_rules()
    where = drill(current)
    stages = data.run(projects.stage_counts, scope, current)
    stuck = data.run(projects.stuck_projects, scope, current, rules, local_today())
    kinds = data.run(projects.kinds_and_modes, scope, current)
    bad = data.run(projects.bad_projects, scope, current, rules)
    units = data.run(projects.projects_per_unit, scope, current, TARGET_TIERS)

    _kpis(stages, stuck, kinds, bad, rules)
    left, right = st.columns([3, 2])
    with left:
        _pipeline(stages, stuck, rules)
    with right:
        _kind_mode(kinds, rules)
    _targets_table(units, rules, where, current, scope)
    _lists(scope, current, stuck, rules)
    if bad["count"]:
        st.caption(f"另有 {bad['count']:,} 个项目数据异常（{DEFS['bad_rows']}），未计入停留时长统计。")


ui.run_page("志愿服务项目", render)
