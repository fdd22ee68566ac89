"""志愿者: participation against the 13% / 80% / 20-hour targets with a traffic light per unit, trends,
star levels and points, the top volunteers and teams, and the county × category "8+N" team matrix."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, lights, ui
from dashboard.drilldown import Drill, codes_of, drill, drill_table
from dashboard.filters import Filters, filter_bar
from dashboard.privacy import mask_name, reveal_personal_data
from dashboard.scope import Scope, current_scope
from dashboard.targets import Targets, targets
from dashboard.volunteering import Volunteering, volunteering
from queries import volunteers

DEFS = volunteers.DEFINITIONS
TOP_N = 20
_QUERY_LEVEL = {"county": "county", "township": "township", "unit": "station"}
_DAYS_PER_YEAR = 365


def _goals(goals: Targets, current: Filters) -> dict[str, float]:
    """The three targets; the hours target prorated to the period's length."""
    days = (current.end - current.start).days + 1
    return {
        "share": goals["volunteer_share"].value,
        "party": goals["party_member_participation"].value,
        "hours": goals["hours_per_person_year"].value * days / _DAYS_PER_YEAR,
    }


def _help(goals: Targets, key: str) -> str:
    return goals.fill(DEFS[key])


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator and denominator == denominator else None


def _kpis(area: pd.DataFrame, want: dict[str, float], goals: Targets) -> None:
    population = area["population"].sum(min_count=len(area)) if len(area) else None
    party_members = area["party_members"].sum(min_count=len(area)) if len(area) else None
    volunteers_n = int(area["volunteers"].sum())
    share = _ratio(volunteers_n, population)
    participation = _ratio(int(area["party_participants"].sum()), party_members)
    per_member = _ratio(float(area["party_hours"].sum()), party_members)

    def light_delta(value: float | None, target: float, shown: str) -> tuple[str, str]:
        code = lights.lights([value], target)[0]
        if code == "unknown":
            return "缺少人口或党员数据", "off"
        return f"{lights.light_labels([code])[0]}（目标 {shown}）", "green" if code == "green" else "orange"

    share_delta, share_colour = light_delta(share, want["share"], ui.fmt_pct(want["share"], 0))
    party_delta, party_colour = light_delta(participation, want["party"], ui.fmt_pct(want["party"], 0))
    hours_delta, hours_colour = light_delta(per_member, want["hours"], f"{want['hours']:.1f} 小时")
    ui.kpi_row(
        [
            ui.Kpi("注册志愿者", ui.fmt_int(volunteers_n), _help(goals, "volunteers")),
            ui.Kpi(
                "志愿者占常住人口",
                ui.fmt_pct(share),
                _help(goals, "volunteer_share"),
                share_delta,
                share_colour,
                "off",
            ),
            ui.Kpi(
                "在职党员参与率",
                ui.fmt_pct(participation),
                _help(goals, "party_participation"),
                party_delta,
                party_colour,
                "off",
            ),
            ui.Kpi(
                "在职党员人均服务时长",
                "—" if per_member is None else f"{per_member:.1f} 小时",
                _help(goals, "hours_per_party_member"),
                hours_delta,
                hours_colour,
                "off",
            ),
            ui.Kpi("本期服务时长（小时）", ui.fmt_int(area["hours"].sum()), DEFS["hours"]),
            ui.Kpi("本期参与服务的志愿者", ui.fmt_int(area["active"].sum()), DEFS["active"]),
        ]
    )


def _unit_table(rows: pd.DataFrame, where: Drill, want: dict[str, float]) -> tuple[pd.DataFrame, dict]:
    """The per-unit table with its lights (labels) and the colours of the light cells."""
    share_lights = lights.lights(list(rows["volunteer_share"]), want["share"])
    table = pd.DataFrame({where.noun: rows["name"]})
    if where.level != "county":
        table["所属区县"] = rows["county_name"]
    table["注册志愿者"] = rows["volunteers"]
    table["常住人口"] = rows["population"]
    table["志愿者占比"] = rows["volunteer_share"]
    table["占比"] = lights.light_labels(share_lights)
    colours = {"占比": [lights.colour(code) for code in share_lights]}
    if where.level == "county":
        party_lights = lights.lights(list(rows["party_participation"]), want["party"])
        hour_lights = lights.lights(list(rows["hours_per_party_member"]), want["hours"])
        table["在职党员"] = rows["party_members"]
        table["参与的在职党员"] = rows["party_participants"]
        table["党员参与率"] = rows["party_participation"]
        table["参与率"] = lights.light_labels(party_lights)
        table["党员人均时长"] = rows["hours_per_party_member"]
        table["人均时长"] = lights.light_labels(hour_lights)
        colours["参与率"] = [lights.colour(code) for code in party_lights]
        colours["人均时长"] = [lights.colour(code) for code in hour_lights]
    table["服务时长"] = rows["hours"]
    table["参与服务的志愿者"] = rows["active"]
    return table, colours


def _unit_section(rows: pd.DataFrame, where: Drill, want: dict[str, float], goals: Targets, current, scope) -> None:
    st.subheader(f"各{where.noun}达标情况", help=DEFS["light"].format(amber_from=_amber()))
    if rows.empty:
        st.info(f"所选范围内没有{where.noun}。")
        return
    table, colours = _unit_table(rows, where, want)
    number = st.column_config.NumberColumn
    config = {
        "注册志愿者": number(help=_help(goals, "volunteers"), format="localized"),
        "常住人口": number(help=DEFS["population"], format="localized"),
        "志愿者占比": number(help=_help(goals, "volunteer_share"), format="percent"),
        "在职党员": number(help=DEFS["party_members"], format="localized"),
        "参与的在职党员": number(help=DEFS["party_participants"], format="localized"),
        "党员参与率": number(help=_help(goals, "party_participation"), format="percent"),
        "党员人均时长": number(help=_help(goals, "hours_per_party_member"), format="%.1f"),
        "服务时长": number(help=DEFS["hours"], format="localized"),
        "参与服务的志愿者": number(help=DEFS["active"], format="localized"),
    }
    drill_table(
        lights.styled(table, colours),
        codes_of(rows, "code", where),
        where,
        "volunteer_units",
        column_config=config,
    )
    notes = []
    if rows["population"].isna().any():
        notes.append(f"{int(rows['population'].isna().sum())} 个{where.noun}缺少人口数据，无法计算志愿者占比。")
    if where.level != "county":
        notes.append("在职党员人数只有区县一级有，党员参与率与人均时长见区县一级。")
    if notes:
        st.caption(" ".join(notes))
    ui.download_table(table, f"志愿者达标情况_{where.noun}", current, scope)


def _amber() -> str:
    return ui.fmt_pct(volunteering().amber_from, 0)


def _share_chart(rows: pd.DataFrame, where: Drill, want: dict[str, float]) -> None:
    known = rows.dropna(subset=["volunteer_share"])
    if known.empty:
        st.info("缺少人口数据，无法画出志愿者占比。")
        return
    codes = lights.lights(list(known["volunteer_share"]), want["share"])
    chart_data = pd.DataFrame(
        {
            "名称": known["name"],
            "志愿者占比": known["volunteer_share"],
            "颜色": [lights.colour(code) for code in codes],
            "情况": lights.light_labels(codes),
        }
    )
    bars = (
        alt.Chart(chart_data)
        .mark_bar()
        .encode(
            y=alt.Y("名称:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220, labelOverlap=False)),
            x=alt.X("志愿者占比:Q", axis=alt.Axis(format="%"), title="注册志愿者占常住人口"),
            color=alt.Color("颜色:N", scale=None, legend=None),
            tooltip=["名称:N", alt.Tooltip("志愿者占比:Q", format=".1%"), "情况:N"],
        )
    )
    rule = alt.Chart(pd.DataFrame({"目标": [want["share"]]})).mark_rule(strokeDash=[6, 4]).encode(x="目标:Q")
    st.altair_chart((bars + rule).properties(height=max(240, 30 * len(chart_data))), width="stretch")
    st.caption(f"虚线为目标 {ui.fmt_pct(want['share'], 0)}。")


def _trend(scope: Scope, current: Filters, rows: pd.DataFrame, where: Drill, goals: Targets, want) -> None:
    monthly = data.run(volunteers.registrations_by_month, scope, current)
    left, right = st.columns(2)
    with left:
        st.subheader(f"各{where.noun}志愿者占比", help=_help(goals, "volunteer_share"))
        _share_chart(rows, where, want)
    with right:
        st.subheader("注册志愿者占比趋势", help=DEFS["trend"])
        if monthly.empty:
            st.info("所选范围内没有注册志愿者。")
            return
        monthly = monthly.sort_values(["county_code", "month"])
        monthly["累计"] = monthly.groupby("county_code")["registered"].cumsum()
        monthly["占比"] = monthly["累计"] / monthly["population"].where(monthly["population"] > 0)
        shown = monthly[monthly["month"] >= f"{current.start:%Y-%m}"].dropna(subset=["占比"])
        shown = shown.rename(columns={"county_name": "区县", "month": "月份"})
        lines = (
            alt.Chart(shown)
            .mark_line(point=True)
            .encode(
                x=alt.X("月份:O", title=None),
                y=alt.Y("占比:Q", axis=alt.Axis(format="%"), title="注册志愿者占常住人口"),
                color=alt.Color("区县:N", legend=alt.Legend(orient="bottom", columns=5)),
                tooltip=["区县:N", "月份:O", alt.Tooltip("占比:Q", format=".2%"), alt.Tooltip("累计:Q", format=",")],
            )
        )
        rule = alt.Chart(pd.DataFrame({"目标": [want["share"]]})).mark_rule(strokeDash=[6, 4]).encode(y="目标:Q")
        st.altair_chart((lines + rule).properties(height=320), width="stretch")


def _hours_chart(scope: Scope, current: Filters) -> None:
    hours = data.run(volunteers.hours_by_month, scope, current)
    st.subheader("每月志愿服务时长", help=DEFS["monthly_hours"])
    if hours.empty:
        st.info("所选时间段内没有志愿服务时长记录。")
        return
    long = hours.melt(id_vars="month", value_vars=["hours", "party_hours"], var_name="类别", value_name="小时")
    long["类别"] = long["类别"].map({"hours": "全部志愿者", "party_hours": "在职党员志愿者"})
    chart = (
        alt.Chart(long.rename(columns={"month": "月份"}))
        .mark_bar()
        .encode(
            x=alt.X("月份:O", title=None, axis=alt.Axis(labelAngle=0)),
            xOffset="类别:N",
            y=alt.Y("小时:Q", title="小时"),
            color=alt.Color(
                "类别:N",
                scale=alt.Scale(range=[lights.colour("red"), lights.colour("amber")]),
                legend=alt.Legend(orient="top", title=None),
            ),
            tooltip=["月份:O", "类别:N", alt.Tooltip("小时:Q", format=",.1f")],
        )
        .properties(height=260)
    )
    st.altair_chart(chart, width="stretch")


def _distribution_chart(frame: pd.DataFrame, category: str, order: list[str], colours: tuple[str, ...]) -> None:
    """A 100% stacked bar per county of ``frame`` (columns county_name, ``category``, volunteers)."""
    chart = (
        alt.Chart(frame.rename(columns={"county_name": "区县", "volunteers": "人数"}))
        .mark_bar()
        .encode(
            y=alt.Y("区县:N", title=None, sort=None, axis=alt.Axis(labelOverlap=False)),
            x=alt.X("人数:Q", stack="normalize", axis=alt.Axis(format="%"), title="占注册志愿者"),
            color=alt.Color(
                f"{category}:N",
                sort=order,
                scale=alt.Scale(domain=order, range=list(colours[: len(order)])),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("顺序:Q"),
            tooltip=["区县:N", f"{category}:N", alt.Tooltip("人数:Q", format=",")],
        )
    )
    st.altair_chart(chart, width="stretch", height=140 + 32 * frame["county_name"].nunique())


def _stars_and_points(scope: Scope, current: Filters, rules: Volunteering) -> None:
    graded = data.run(volunteers.grades, scope, current, rules.points_band_bounds)
    stars, points = volunteers.star_levels(graded), volunteers.points_bands(graded)
    left, right = st.columns(2)
    with left:
        st.subheader("星级分布", help=DEFS["stars"])
        if stars.empty:
            st.info("所选范围内没有注册志愿者。")
        else:
            stars = stars.assign(星级=[f"{int(s)} 星" for s in stars["star_level"]], 顺序=stars["star_level"])
            _distribution_chart(stars, "星级", [f"{s} 星" for s in range(6)], rules.ordered_colours)
    with right:
        st.subheader("积分分布", help=DEFS["points"])
        if points.empty:
            st.info("所选范围内没有注册志愿者。")
        else:
            names = list(rules.points_band_labels())
            points = points.assign(积分=[names[b] for b in points["band"]], 顺序=points["band"])
            _distribution_chart(points, "积分", names, rules.ordered_colours)
    if not stars.empty:
        table = stars.pivot_table(index="county_name", columns="星级", values="volunteers", fill_value=0, sort=False)
        table = table.reindex(columns=[f"{s} 星" for s in range(6)], fill_value=0).astype("int64")
        table = table.rename_axis("区县").reset_index()
        ui.download_table(table, "志愿者星级分布", current, scope)


def _top_lists(scope: Scope, current: Filters, rules: Volunteering) -> None:
    people = data.run(volunteers.top_volunteers, scope, current, TOP_N)
    teams = data.run(volunteers.top_teams, scope, current, TOP_N)
    reveal = reveal_personal_data()
    left, right = st.columns(2)
    with left:
        st.subheader(f"服务时长前 {TOP_N} 名志愿者", help=DEFS["top_volunteers"])
        if people.empty:
            st.info("所选时间段内没有志愿服务时长记录。")
        else:
            table = pd.DataFrame(
                {
                    "名次": range(1, len(people) + 1),
                    "姓名": [mask_name(name, reveal) for name in people["name"]],
                    "区县": people["county_name"],
                    "所属阵地": people["unit_name"],
                    "星级": people["star_level"],
                    "积分": people["points"],
                    "服务时长": people["hours"],
                }
            )
            st.dataframe(table, hide_index=True, placeholder="—")
            ui.download_table(table, "志愿者服务时长排行", current, scope)
    with right:
        st.subheader(f"服务时长前 {TOP_N} 支队伍", help=DEFS["top_teams"])
        if teams.empty:
            st.info("所选时间段内没有队伍的服务时长记录。")
        else:
            table = pd.DataFrame(
                {
                    "名次": range(1, len(teams) + 1),
                    "队伍": teams["name"],
                    "类别": teams["category"],
                    "常备/特色": ["常备" if rules.standing_name(c) else "特色" for c in teams["category"]],
                    "层级": [rules.team_levels.get(level, level) for level in teams["level"]],
                    "区县": teams["county_name"],
                    "服务队员": teams["members"],
                    "服务时长": teams["hours"],
                }
            )
            st.dataframe(table, hide_index=True, placeholder="—")
            ui.download_table(table, "志愿服务队伍排行", current, scope)


def _team_section(scope: Scope, current: Filters, rules: Volunteering) -> None:
    st.subheader("“8+N”志愿服务队伍", help=DEFS["team_matrix"])
    counts = data.run(volunteers.team_counts, scope, current)
    if counts.empty:
        st.info("所选范围内没有区县。")
        return
    matrix, unknown, others = volunteers.team_matrix(counts, rules)
    gap = lights.colour("red")
    names = [category.name for category in rules.categories]
    colours = {name: [gap if n == 0 else None for n in matrix[name]] for name in names}
    colours["特色队伍（N）"] = [gap if n == 0 else None for n in matrix["特色队伍（N）"]]
    st.dataframe(lights.styled(matrix, colours), hide_index=True, placeholder="—")
    gaps = int((matrix[names] == 0).to_numpy().sum())
    notes = [f"红色为缺项：共 {gaps} 个常备类别缺队伍。"]
    if others:
        described = "、".join(f"{rules.team_levels.get(level, level)} {n} 支" for level, n in others.items())
        notes.append(f"另有{described}，不计入“8+N”。")
    if unknown:
        notes.append(f"{unknown} 支队伍标为常备队伍但类别不在 8 类之中（{DEFS['team_unknown']}）。")
    st.caption(" ".join(notes))
    ui.download_table(matrix, "8加N队伍矩阵", current, scope)


def render() -> None:
    """Draw the page."""
    scope = current_scope()
    current = filter_bar(scope)
    goals, rules = targets(), volunteering()
    want = _goals(goals, current)
    where = drill(current)
    rows = data.run(volunteers.participation, scope, current, _QUERY_LEVEL[where.level])
    area_level = "township" if current.township else "county"
    area = (
        rows
        if _QUERY_LEVEL[where.level] == area_level
        else data.run(volunteers.participation, scope, current, area_level)
    )
    _kpis(area, want, goals)
    _unit_section(rows, where, want, goals, current, scope)
    _trend(scope, current, rows, where, goals, want)
    _hours_chart(scope, current)
    _stars_and_points(scope, current, rules)
    _top_lists(scope, current, rules)
    _team_section(scope, current, rules)


ui.run_page("志愿者与队伍", render)
