"""订单: the dispatch flow from 点单 to 评单 for the dispatch centre — where orders are now, what is
overdue, how long each step takes, how satisfied residents are, where demand comes from — with a
drill-down from the city to one station's orders and ad-hoc filters, all kept in the URL.

Only the chosen section's queries run; the KPI row and the filters run on every view.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import data, drilldown, orders_charts, orders_filters, orders_map, privacy, ui
from dashboard.clock import local_now
from dashboard.filters import Filters, filter_bar
from dashboard.labels import labels
from dashboard.notices import lasting
from dashboard.order_flow import order_flow
from dashboard.orders_config import orders_config
from dashboard.orders_filters import OrderFilters, View, write_params
from dashboard.scope import Scope, current_scope
from dashboard.targets import targets
from queries import orders, regions
from queries.common import COMPLETED_STATUSES

DEFS = orders.DEFINITIONS
_DOT_METRES = {"county": 4000, "township": 1500, "station": 500}  # the largest area dot on the map, by level
_NOTICES_KEY = "_orders_notices"
_NO_STATIONS = pd.DataFrame({"id": [], "name": [], "county_code": [], "township_code": []})
_VIEW_WIDGETS = {"view": "_orders_section", "dur": "_orders_duration", "grain": "_orders_grain", "by": "_orders_by"}


@dataclass(frozen=True)
class Ctx:
    """What every section needs: who, which orders, how to show them, as of when, names of areas."""

    scope: Scope
    filters: Filters
    page: OrderFilters
    view: View
    now: dt.datetime
    satisfied: int
    names: dict[str, str]
    extra: str  # the page filters in words, for export headers
    cube: pd.DataFrame  # queries.orders.order_cube: the flow figures and the filters' option counts


# ---------------------------------------------------------------------------------------------
# Filters, view and the path


def _set_view(param: str) -> None:
    value = st.session_state[_VIEW_WIDGETS[param]]
    if value is not None:
        write_params({param: str(value)})


def _view_control(kind, label: str, param: str, options: dict, current: str, **kwargs) -> None:
    """A widget whose value lives in the URL parameter ``param``."""
    st.session_state[_VIEW_WIDGETS[param]] = current
    kind(
        label,
        list(options),
        format_func=options.get,
        key=_VIEW_WIDGETS[param],
        on_change=_set_view,
        args=(param,),
        **kwargs,
    )


def _lasting(notices: list[str], filters: Filters) -> list[str]:
    """The notices of the page's dropped URL values, kept for the reruns that follow (dashboard.notices)."""
    return lasting(_NOTICES_KEY, notices, (tuple(sorted(st.query_params.to_dict().items())), filters))


def _context() -> Ctx:
    """Read the global and page filters and the view from the URL (dropping bad values with a notice)."""
    scope = current_scope()
    filters = filter_bar(scope)
    teams = data.run(orders.teams, scope)
    params = st.query_params.to_dict()
    asked = orders_filters.requested_station(params)  # only the linked station, not every station in scope
    linked = _NO_STATIONS if asked is None else data.run(orders.stations, scope, None, None, asked)
    station_area = {
        int(i): (county, township)
        for i, county, township in zip(linked["id"], linked["county_code"], linked["township_code"], strict=True)
    }
    page, narrowed, notices = orders_filters.parse(params, station_area, set(teams["id"]), filters)
    view, view_notices = orders_filters.parse_view(params, list(order_flow().durations))
    if (narrowed.county, narrowed.township) != (filters.county, filters.township):
        write_params({"county": narrowed.county, "township": narrowed.township})
        st.rerun()  # the filter bar shows the district and township the station implies
    canonical = {key: None for key in orders_filters.PARAM_KEYS} | orders_filters.to_params(page)
    chosen = {"view": view.section, "dur": view.duration, "grain": view.grain, "by": view.by}
    write_params(canonical | {p: params.get(p) if params.get(p) == chosen[p] else None for p in chosen})
    for notice in _lasting(notices + view_notices, filters):
        st.warning(notice, icon="⚠️")

    satisfied = int(targets()["satisfied_rating"].value)
    stations = data.run(orders.stations, scope, filters.county, filters.township) if filters.county else _NO_STATIONS
    now = local_now().replace(second=0, microsecond=0)  # overdue as of this minute (one cache entry a minute)
    cube = data.run(orders.order_cube, scope, filters, page.station, satisfied, now)
    orders_filters.filter_panel(scope, filters, page, stations, teams, cube)
    counties = data.run(regions.counties, scope)
    townships = data.run(regions.townships, scope)
    names = dict(zip(counties["code"], counties["name"], strict=True))
    names |= dict(zip(townships["code"], townships["name"], strict=True))
    names |= {str(i): name for i, name in zip(stations["id"], stations["name"], strict=True)}
    extra = orders_filters.describe(
        page,
        dict(zip(stations["id"], stations["name"], strict=True)),
        dict(zip(teams["id"], teams["name"], strict=True)),
    )
    return Ctx(scope, filters, page, view, now, satisfied, names, extra, cube)


# ---------------------------------------------------------------------------------------------
# KPI row


def _limits_text(actionable: bool) -> str:
    lab = labels()
    return "；".join(
        f"{lab.label('order_statuses', w.status)}超过 {orders_charts.fmt_duration(w.overdue_minutes * 60)}"
        for w in order_flow().overdue_waits(actionable)
    )


def _overdue_help(ctx: Ctx, actionable: bool = True) -> str:
    definition = DEFS["overdue" if actionable else "unrated_overdue"]
    return definition.format(now=f"{ctx.now:%Y-%m-%d %H:%M}", limits=_limits_text(actionable))


def _kpis(ctx: Ctx, summary: pd.DataFrame, overdue: dict[str, int]) -> None:
    by_status = summary.set_index("status")
    total = int(summary["orders"].sum())
    waiting = int(by_status["orders"].reindex(list(order_flow().waits), fill_value=0).sum())
    completed = int(by_status["orders"].reindex(list(COMPLETED_STATUSES), fill_value=0).sum())
    rated, satisfied = int(summary["rated"].sum()), int(summary["satisfied"].sum())
    late, unrated = orders.overdue_totals(overdue), orders.overdue_totals(overdue, actionable=False)
    goals = targets()
    ui.kpi_row(
        [
            ui.Kpi("订单数", ui.fmt_int(total), DEFS["orders"]),
            ui.Kpi("进行中", ui.fmt_int(waiting), DEFS["open"]),
            ui.Kpi(
                "超时",
                ui.fmt_int(late),
                _overdue_help(ctx),
                delta=f"占进行中 {ui.fmt_pct(late / waiting if waiting else None)}",
                delta_color="red" if late else "green",
                delta_arrow="off",
            ),
            ui.Kpi(
                "超期未评价",
                ui.fmt_int(unrated),
                _overdue_help(ctx, actionable=False),
                delta="不计入超时",
                delta_color="off",
                delta_arrow="off",
            ),
            ui.Kpi("服务完成", ui.fmt_int(completed), DEFS["completed"]),
            ui.Kpi("评价率", ui.fmt_pct(rated / completed if completed else None), DEFS["rated_share"]),
            ui.Kpi(
                "满意率",
                ui.fmt_pct(satisfied / rated if rated else None),
                goals.fill(DEFS["satisfaction"]),
                delta=f"已评价 {ui.fmt_int(rated)} 单",
                delta_color="off",
                delta_arrow="off",
            ),
        ]
    )


# ---------------------------------------------------------------------------------------------
# 流程: the board, the funnel, the overdue list


def _board(summary: pd.DataFrame, overdue: dict[str, int]) -> None:
    lab, cfg = labels(), orders_config()
    counts = orders.step_counts(summary)
    columns = list(cfg.board) + ([None] if counts[orders.STEP_UNKNOWN] else [])
    st.subheader("流程看板", help=DEFS["board"])
    for slot, column in zip(st.columns(len(columns)), columns, strict=True):
        with slot:
            if column is None:
                unknown = orders_filters.step_labels()[orders.STEP_UNKNOWN]
                st.metric(unknown, ui.fmt_int(counts[orders.STEP_UNKNOWN]), "需核查", delta_color="red", border=True)
                continue
            waits = [order_flow().waits[s] for s in column.statuses if s in order_flow().waits]
            late = sum(overdue.get(wait.status, 0) for wait in waits)
            name = "超时" if any(wait.actionable for wait in waits) else "超期未评价"
            st.metric(
                column.label,
                ui.fmt_int(counts[column.key]),
                f"{name} {ui.fmt_int(late)}" if waits else "不计超时",
                delta_color="red" if late else ("green" if waits else "off"),
                delta_arrow="off",
                border=True,
                help="含状态：" + "、".join(lab.label("order_statuses", s) for s in column.statuses),
            )
            st.button(
                "只看此环节",
                key=f"step_{column.key}",
                type="tertiary",
                on_click=write_params,
                args=({"step": column.key},),
            )


def _funnel(summary: pd.DataFrame) -> None:
    steps = {step.code: step for step in order_flow().steps}
    codes = orders_config().funnel
    reached = [int(summary[f"reached_{code}"].sum()) for code in codes]
    first = reached[0] or None
    df = pd.DataFrame(
        {
            "step": [steps[code].label for code in codes],
            "orders": reached,
            "share": [n / first if first else None for n in reached],
        }
    )
    st.subheader("流程漏斗", help=DEFS["funnel"])
    st.altair_chart(orders_charts.funnel(df), width="stretch")


def _overdue_lists(ctx: Ctx, overdue: dict[str, int]) -> None:
    """超时 and 超期未评价 orders, each in its own tab."""
    late, unrated = orders.overdue_totals(overdue), orders.overdue_totals(overdue, actionable=False)
    tabs = st.tabs(["超时", "超期未评价"])
    for tab, actionable, total in zip(tabs, (True, False), (late, unrated), strict=True):
        with tab:
            _overdue_list(ctx, actionable, total)


def _overdue_list(ctx: Ctx, actionable: bool, total: int) -> None:
    limit = orders_config().list_rows
    title = "超时订单" if actionable else "超期未评价订单"
    st.subheader(
        f"{title}（{ui.fmt_int(total)} 单）",
        help=DEFS["overdue_list"].format(list_rows=limit) + _overdue_help(ctx, actionable),
    )
    if not total:
        st.success(f"当前没有{title}。")
        return
    rows = data.run(orders.overdue_orders, ctx.scope, ctx.filters, ctx.page, ctx.now, limit, actionable)
    lab = labels()
    limits = {w.status: w.overdue_minutes * 60 for w in order_flow().waits.values()}
    table = pd.DataFrame(
        {
            "订单编号": rows["code"],
            "环节": [lab.label("order_statuses", s) for s in rows["status"]],
            "服务类别": rows["category"],
            "区县": rows["county_name"],
            "乡镇（街道）": rows["township_name"],
            "站点": rows["station_name"],
            "下单时间": rows["placed_at"],
            "开始等待": rows["waiting_since"],
            "已等待": [orders_charts.fmt_duration(s) for s in rows["waited_seconds"]],
            "超出时限": [
                orders_charts.fmt_duration(s - limits.get(status, 0))
                for s, status in zip(rows["waited_seconds"], rows["status"], strict=True)
            ],
        }
    )
    if total > len(table):
        st.caption(f"按等待时长列出最久的 {ui.fmt_int(len(table))} 单；下载的文件与此相同。")
    st.dataframe(table, hide_index=True, placeholder="—", height=360)
    ui.download_table(table, title, ctx.filters, ctx.scope, ctx.extra)


def _flow(ctx: Ctx, summary: pd.DataFrame, overdue: dict[str, int]) -> None:
    _board(summary, overdue)
    left, right = st.columns([2, 3])
    with left:
        _funnel(summary)
    with right:
        _overdue_lists(ctx, overdue)


# ---------------------------------------------------------------------------------------------
# 用时: medians, 90th percentiles, distributions, trend


def _duration_help(key: str) -> str:
    d = order_flow().durations[key]
    steps = {step.at: step.label for step in order_flow().steps}
    return DEFS["duration"].format(label=d.label, start=steps.get(d.start, d.start), end=steps.get(d.end, d.end))


def _times(ctx: Ctx, summary: pd.DataFrame) -> None:
    flow, cfg = order_flow(), orders_config()
    stats = data.run(orders.duration_stats, ctx.scope, ctx.filters, ctx.page).set_index("duration")
    st.subheader("各环节用时", help=DEFS["median"] + DEFS["p90"])
    cards = []
    for key, d in flow.durations.items():
        row = stats.loc[key]
        reversed_ = int(summary[f"reversed_{key}"].sum())
        note = f"；{ui.fmt_int(reversed_)} 单时间倒置未计入" if reversed_ else ""
        cards.append(
            ui.Kpi(
                f"{d.label}（中位数）",
                orders_charts.fmt_duration(row["p50"]),
                f"{_duration_help(key)}{DEFS['median']}{DEFS['p90']}共 {ui.fmt_int(row['n'])} 单{note}。",
                delta=f"第90百分位 {orders_charts.fmt_duration(row['p90'])}",
                delta_color="off",
                delta_arrow="off",
            )
        )
    ui.kpi_row(cards)

    bins = cfg.duration_bins_minutes
    labels_ = orders_charts.bin_labels(bins)
    hist = data.run(orders.duration_histogram, ctx.scope, ctx.filters, ctx.page, bins)
    st.subheader("用时分布", help=DEFS["distribution"])
    slots = [slot for _ in range(0, len(flow.durations), 2) for slot in st.columns(2)]
    for slot, (key, d) in zip(slots, flow.durations.items(), strict=False):
        part = hist[hist["duration"] == key].set_index("bin")["orders"]
        df = pd.DataFrame({"bin_label": labels_, "orders": [int(part.get(i, 0)) for i in range(len(labels_))]})
        slot.altair_chart(orders_charts.histogram(df, d.label), width="stretch")

    days = (ctx.filters.end - ctx.filters.start).days + 1
    grain = ctx.view.grain or cfg.grain_for(days)
    st.subheader("用时趋势", help=DEFS["trend"] + DEFS["median"] + DEFS["p90"])
    pick_dur, pick_grain, _ = st.columns([2, 2, 3])
    with pick_dur:
        _view_control(st.selectbox, "环节", "dur", {k: d.label for k, d in flow.durations.items()}, ctx.view.duration)
    with pick_grain:
        _view_control(st.segmented_control, "粒度", "grain", orders_filters.GRAIN_LABELS, grain, required=True)
    trend = data.run(orders.duration_trend, ctx.scope, ctx.filters, ctx.page, ctx.view.duration, grain)
    if trend.empty:
        st.info("所选范围内没有可统计用时的订单。")
        return
    divisor, unit = orders_charts.duration_unit(trend["p90"])
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "bucket": pd.to_datetime(trend["bucket"]),
                    "measure": title,
                    "value": trend[column] / divisor,
                    "shown": [orders_charts.fmt_duration(v) for v in trend[column]],
                    "n": trend["n"],
                }
            )
            for column, title in (("p50", "中位数"), ("p90", "第90百分位数"))
        ],
        ignore_index=True,
    )
    st.altair_chart(orders_charts.trend(long, unit), width="stretch")


# ---------------------------------------------------------------------------------------------
# 满意度


def _satisfaction(ctx: Ctx) -> None:
    cfg, goals = orders_config(), targets()
    counts = data.run(orders.rating_counts, ctx.scope, ctx.filters, ctx.page)
    valid = counts[counts["rating"].between(1, 5)].set_index("rating")["orders"]
    odd = int(counts.loc[~counts["rating"].between(1, 5), "orders"].sum())
    rated = int(valid.sum())
    left, right = st.columns([2, 3])
    with left:
        st.subheader("评分分布", help=DEFS["rating_distribution"])
        df = pd.DataFrame({"rating": [1, 2, 3, 4, 5]})
        df["stars"] = [f"{r} 星" for r in df["rating"]]
        df["orders"] = [int(valid.get(r, 0)) for r in df["rating"]]
        df["share"] = df["orders"] / rated if rated else None
        st.altair_chart(orders_charts.ratings(df, cfg.rating_colours), width="stretch")
        if odd:
            st.caption(f"另有 {ui.fmt_int(odd)} 单评分不在 1–5 分之间，未计入（详见“数据质量”）。")
    with right:
        st.subheader("满意度对比", help=goals.fill(DEFS["satisfaction_by"] + DEFS["satisfaction"]))
        _view_control(st.segmented_control, "分组", "by", orders_filters.BY_LABELS, ctx.view.by, required=True)
        rows = data.run(orders.satisfaction_by, ctx.scope, ctx.filters, ctx.page, ctx.view.by, ctx.satisfied)
        table = pd.DataFrame(
            {
                orders_filters.BY_LABELS[ctx.view.by]: rows["name"].fillna("（未知）"),
                "订单数": rows["orders"],
                "服务完成": rows["completed"],
                "已评价": rows["rated"],
                "评价率": rows["rated_share"],
                "满意率": rows["satisfaction_rate"],
            }
        )
        progress = st.column_config.ProgressColumn
        st.dataframe(
            table,
            hide_index=True,
            placeholder="—",
            height=380,
            column_config={
                **{c: st.column_config.NumberColumn(format="localized") for c in ("订单数", "服务完成", "已评价")},
                "评价率": progress(help=DEFS["rated_share"], format="percent", min_value=0, max_value=1),
                "满意率": progress(help=goals.fill(DEFS["satisfaction"]), format="percent", min_value=0, max_value=1),
            },
        )
        ui.download_table(table, f"满意度_按{orders_filters.BY_LABELS[ctx.view.by]}", ctx.filters, ctx.scope, ctx.extra)


# ---------------------------------------------------------------------------------------------
# 需求


def _area_level(ctx: Ctx) -> str:
    level = drilldown.level(ctx.filters, ctx.page)
    return "station" if level == "orders" else level


def _demand(ctx: Ctx) -> None:
    cfg = orders_config()
    level = _area_level(ctx)
    area_names = data.run(orders.areas, ctx.scope, ctx.filters, level)
    names = dict(zip(area_names["key"], area_names["name"], strict=True))
    matrix = data.run(orders.demand_matrix, ctx.scope, ctx.filters, ctx.page, level)
    matrix["area"] = [names.get(k, str(k)) for k in matrix["key"]]
    left, right = st.columns(2)
    with left:
        st.subheader(f"服务类别 × {drilldown.LEVEL_LABELS[level]}", help=DEFS["demand_matrix"])
        if matrix.empty:
            st.info("所选范围内没有订单。")
        else:
            top = matrix.groupby("area")["orders"].sum().nlargest(40).index
            shown = matrix[matrix["area"].isin(top)]
            if len(top) < matrix["area"].nunique():
                st.caption(f"只显示订单最多的 {len(top)} 个{drilldown.LEVEL_LABELS[level]}。")
            st.altair_chart(
                orders_charts.heatmap(shown, "area", "category", drilldown.LEVEL_LABELS[level], "服务类别"),
                width="stretch",
            )
    with right:
        st.subheader("下单时刻", help=DEFS["demand_clock"])
        clock = data.run(orders.demand_clock, ctx.scope, ctx.filters, ctx.page)
        clock["星期"] = [orders_charts.WEEKDAYS[d - 1] for d in clock["weekday"]]
        clock["时"] = [f"{h:02d}时" for h in clock["hour"]]
        hours = [f"{h:02d}时" for h in range(24)]
        st.altair_chart(
            orders_charts.heatmap(clock, "时", "星期", "下单时刻", "星期", hours, list(orders_charts.WEEKDAYS)),
            width="stretch",
        )
    grid, missing = data.run(orders.demand_grid, ctx.scope, ctx.filters, ctx.page, cfg.demand_map.cell_degrees)
    st.subheader("订单来源分布", help=DEFS["demand_map"].format(cell=cfg.demand_map.cell_degrees))
    empty = pd.DataFrame(columns=["key", "name", "lon", "lat", "orders", "line1", "line2"])
    deck = orders_map.deck(empty, grid, _map_counties(ctx), cfg.demand_map)
    st.pydeck_chart(deck, height=520, key="demand_map")
    if missing:
        st.caption(f"另有 {ui.fmt_int(missing)} 单缺少坐标，未在图上显示。")


def _map_counties(ctx: Ctx) -> list[str]:
    if ctx.filters.county:
        return [ctx.filters.county]
    return list(data.run(regions.counties, ctx.scope)["code"])


# ---------------------------------------------------------------------------------------------
# 下钻 and 明细


def _drill(ctx: Ctx) -> None:
    level = drilldown.level(ctx.filters, ctx.page)
    if level == "orders":
        _order_list(ctx)
        return
    flow, cfg = order_flow(), orders_config()
    d = flow.durations[ctx.view.duration]
    label = drilldown.LEVEL_LABELS[level]
    areas = data.run(orders.areas, ctx.scope, ctx.filters, level)
    rows = data.run(
        orders.breakdown, ctx.scope, ctx.filters, ctx.page, level, ctx.satisfied, ctx.now, ctx.view.duration
    )
    df = areas.merge(rows, on="key", how="left")
    for column in ("orders", "open", "overdue", "completed", "rated", "satisfied", "n"):
        df[column] = df[column].fillna(0).astype("int64")
    df["shown"] = [orders_charts.fmt_duration(v) for v in df["p50"]]
    df["line1"] = [
        f"订单 {ui.fmt_int(n)} 单，超时 {ui.fmt_int(o)} 单" for n, o in zip(df["orders"], df["overdue"], strict=True)
    ]
    df["line2"] = [
        f"{d.label}中位数 {s}；满意率 {ui.fmt_pct(r)}"
        for s, r in zip(df["shown"], df["satisfaction_rate"], strict=True)
    ]
    keys = list(df["key"])

    st.subheader(f"各{label}对比（点选柱、圆点或表格行进入下一级）", help=DEFS["breakdown"])
    pick, _ = st.columns([2, 5])
    with pick:
        durations = {k: x.label for k, x in flow.durations.items()}
        _view_control(st.selectbox, "比较的环节用时", "dur", durations, ctx.view.duration)
    chart_col, map_col = st.columns(2)
    with chart_col:
        divisor, unit = orders_charts.duration_unit(df["p50"])
        bars = df.assign(value=df["p50"] / divisor).dropna(subset=["value"])
        chart_key = drilldown.widget_key("chart", ctx.filters, ctx.page)
        st.altair_chart(
            orders_charts.area_bars(bars, "value", f"{d.label}中位数", unit),
            width="stretch",
            key=chart_key,
            on_select=functools.partial(drilldown.on_pick, chart_key, "chart", level, keys),
            selection_mode=[drilldown.PICK],
        )
    with map_col:
        grid, _ = data.run(orders.demand_grid, ctx.scope, ctx.filters, ctx.page, cfg.demand_map.cell_degrees)
        map_key = drilldown.widget_key("map", ctx.filters, ctx.page)
        st.pydeck_chart(
            orders_map.deck(df, grid, _map_counties(ctx), cfg.demand_map, _DOT_METRES[level]),
            height=max(420, min(24 * len(bars), 720)),
            key=map_key,
            on_select=functools.partial(drilldown.on_pick, map_key, "map", level, keys),
            selection_mode="single-object",
        )
        st.caption("蓝点为各区域（大小表示订单数，点击进入），底色六边形为订单来源密度。")
    _area_table(ctx, df, level, keys, d.label)


def _area_table(ctx: Ctx, df: pd.DataFrame, level: str, keys: list, duration_label: str) -> None:
    goals = targets()
    table = pd.DataFrame(
        {
            drilldown.LEVEL_LABELS[level]: df["name"],
            "订单数": df["orders"],
            "进行中": df["open"],
            "超时": df["overdue"],
            "服务完成": df["completed"],
            "评价率": df["rated_share"],
            "满意率": df["satisfaction_rate"],
            f"{duration_label}中位数": df["shown"],
            f"{duration_label}第90百分位": [orders_charts.fmt_duration(v) for v in df["p90"]],
        }
    )
    table_key = drilldown.widget_key("table", ctx.filters, ctx.page)
    progress = st.column_config.ProgressColumn
    st.dataframe(
        table,
        hide_index=True,
        placeholder="—",
        key=table_key,
        on_select=functools.partial(drilldown.on_pick, table_key, "table", level, keys),
        selection_mode="single-row",
        column_config={
            "订单数": st.column_config.NumberColumn(help=DEFS["orders"], format="localized"),
            "进行中": st.column_config.NumberColumn(help=DEFS["open"], format="localized"),
            "超时": st.column_config.NumberColumn(help=_overdue_help(ctx), format="localized"),
            "服务完成": st.column_config.NumberColumn(help=DEFS["completed"], format="localized"),
            "评价率": progress(help=DEFS["rated_share"], format="percent", min_value=0, max_value=1),
            "满意率": progress(help=goals.fill(DEFS["satisfaction"]), format="percent", min_value=0, max_value=1),
        },
    )
    ui.download_table(table, f"各{drilldown.LEVEL_LABELS[level]}订单", ctx.filters, ctx.scope, ctx.extra)


def _order_list(ctx: Ctx) -> None:
    limit = orders_config().list_rows
    rows = data.run(orders.order_list, ctx.scope, ctx.filters, ctx.page, limit)
    count = int(orders.cube_summary(ctx.cube, ctx.page)["orders"].sum())
    st.subheader(f"订单明细（{ui.fmt_int(count)} 单）", help=DEFS["order_list"].format(list_rows=limit))
    if rows.empty:
        st.info("没有符合筛选条件的订单。")
        return
    if count > len(rows):
        st.caption(f"列出最新的 {ui.fmt_int(len(rows))} 单；缩小筛选范围可看到更早的订单。")
    reveal, lab = privacy.reveal_personal_data(), labels()
    steps = {step.at: step.label for step in order_flow().steps}
    table = pd.DataFrame(
        {
            "订单编号": rows["code"],
            "环节": [lab.label("order_statuses", s) for s in rows["status"]],
            "服务类别": rows["category"],
            "群众": [privacy.mask_name(v, reveal) for v in rows["requester_name"]],
            "电话": [privacy.mask_phone(v, reveal) for v in rows["requester_phone"]],
            "站点": rows["station_name"],
            "接单队伍": rows["team_name"],
            **{steps[at]: pd.to_datetime(rows[at]) for at in steps},
            "评分": pd.to_numeric(rows["rating"]).astype("Int64"),
            "重新派单次数": rows["redispatch_count"],
        }
    )
    list_key = "order_list_" + drilldown.widget_key("list", ctx.filters, ctx.page)
    picked = st.dataframe(
        table,
        hide_index=True,
        placeholder="—",
        height=460,
        key=list_key,
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            steps[at]: st.column_config.DatetimeColumn(format="MM-DD HH:mm", width="medium") for at in steps
        },
    )
    ui.download_table(table, "订单明细", ctx.filters, ctx.scope, ctx.extra)
    chosen = picked.selection.rows if picked else []
    if chosen:
        _order_detail(rows.iloc[chosen[0]], table.iloc[chosen[0]])


def _order_detail(row: pd.Series, shown: pd.Series) -> None:
    """The chosen order's steps with their times and the time each step took."""
    st.markdown(f"**订单 {ui.markdown_literal(str(row['code']))}**：{ui.markdown_literal(str(shown['环节']))}")
    flow = order_flow()
    times = [(step.label, row[step.at]) for step in flow.steps if not pd.isna(row[step.at])]
    lines = [f"{label} {pd.Timestamp(t):%Y-%m-%d %H:%M:%S}" for label, t in times]
    for d in flow.durations.values():
        start, end = row[d.start], row[d.end]
        if not pd.isna(start) and not pd.isna(end):
            lines.append(
                f"{d.label} {orders_charts.fmt_duration((pd.Timestamp(end) - pd.Timestamp(start)).total_seconds())}"
            )
    if not pd.isna(row["closed_at"]):
        lines.append(f"关闭 {pd.Timestamp(row['closed_at']):%Y-%m-%d %H:%M:%S}：{row['close_reason'] or ''}")
    if isinstance(row["rating_comment"], str) and row["rating_comment"]:
        lines.append(f"评价：{row['rating_comment']}")
    st.text("\n".join(lines))


# ---------------------------------------------------------------------------------------------
# The page


def render() -> None:
    """Draw the page."""
    ctx = _context()
    drilldown.breadcrumb(drilldown.crumbs(ctx.filters, ctx.page, ctx.names))
    summary = orders.cube_summary(ctx.cube, ctx.page)
    overdue = orders.cube_overdue(ctx.cube, ctx.page)
    _kpis(ctx, summary, overdue)
    _view_control(
        st.segmented_control,
        "查看",
        "view",
        orders_filters.SECTIONS,
        ctx.view.section,
        required=True,
        label_visibility="collapsed",
    )
    section = ctx.view.section
    if section == "flow":
        _flow(ctx, summary, overdue)
    elif section == "time":
        _times(ctx, summary)
    elif section == "rating":
        _satisfaction(ctx)
    elif section == "demand":
        _demand(ctx)
    elif section == "drill":
        _drill(ctx)
    else:
        _order_list(ctx)


ui.run_page("订单", render, caption="群众点单 → 派单 → 接单 → 服务 → 评单：订单流转、用时、满意度与需求分布")
