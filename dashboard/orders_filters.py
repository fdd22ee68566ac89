"""The orders page's own filters (station, step, team, rated or not), kept in the page URL.

They sit under the global filter bar (:mod:`dashboard.filters`) in the sidebar and narrow every
query of the page. :func:`parse` turns URL query parameters into :class:`OrderFilters` plus the
Chinese notices of the values it had to drop; it is pure and unit-tested. :func:`filter_panel`
renders the select boxes, each option with the number of orders it would give (the other filters
unchanged), and keeps ``st.query_params`` in step with them.

URL parameters: ``station`` (a station's unit id), ``step`` (a board column key of
assets/orders_page.yaml, or ``unknown`` for statuses outside the schema), ``team`` (a team id),
``rated`` (``yes`` | ``no``); and how the page shows them (:class:`View`): ``view`` (the section),
``dur`` (the step time of the trend and of the drill-down ranking), ``grain`` (day | week | month),
``by`` (the grouping of satisfaction). A station implies its district and township: a station given without
them selects them (the drill-down path city → district → township → station is ``county``,
``township``, ``station``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.filters import Filters, counted, notice_quote, param_value
from dashboard.orders_config import orders_config
from dashboard.scope import Scope
from queries import orders

PARAM_KEYS = ("station", "step", "team", "rated")
SECTIONS = {"flow": "流程", "time": "用时", "rating": "满意度", "demand": "需求", "drill": "下钻", "list": "明细"}
GRAIN_LABELS = {"day": "按日", "week": "按周", "month": "按月"}
BY_LABELS = {
    "category": "服务类别",
    "county": "区县",
    "township": "乡镇（街道）",
    "station": "站点",
    "team": "接单队伍",
}
RATED_LABELS = {"yes": "已评价", "no": "未评价"}
ALL = ""
_WIDGET_KEYS = {name: f"_orders_{name}" for name in PARAM_KEYS}


@dataclass(frozen=True)
class OrderFilters:
    """The page's filters; None means no restriction."""

    station: int | None = None
    step: str | None = None
    team: int | None = None
    rated: str | None = None

    def without(self, name: str) -> OrderFilters:
        """The same filters with ``name`` lifted (for the counts beside that filter's options)."""
        return dataclasses.replace(self, **{name: None})


@dataclass(frozen=True)
class View:
    """How the page shows the orders: section, step time (a duration key), trend grain, satisfaction grouping.

    ``grain`` None means the default for the period's length (assets/orders_page.yaml).
    """

    section: str = "flow"
    duration: str = "to_dispatch"
    grain: str | None = None
    by: str = "category"


def parse_view(params: Mapping[str, str | list[str]], durations: Collection[str]) -> tuple[View, list[str]]:
    """Read the view from URL parameters; unknown values fall back to the default with a notice each."""
    notices: list[str] = []
    default = View(duration=next(iter(durations)))
    chosen = {}
    for param, field, valid in (
        ("view", "section", SECTIONS),
        ("dur", "duration", durations),
        ("grain", "grain", GRAIN_LABELS),
        ("by", "by", BY_LABELS),
    ):
        value = param_value(params, param)
        if value is not None and value not in valid:
            notices.append(f"显示方式参数 {param}={notice_quote(value)} 无效，已改用默认值。")
        elif value is not None:
            chosen[field] = value
    return dataclasses.replace(default, **chosen), notices


def step_labels() -> dict[str, str]:
    """Step key → label: the board columns of assets/orders_page.yaml, then ``unknown``."""
    return {**{column.key: column.label for column in orders_config().board}, orders.STEP_UNKNOWN: "未知状态"}


def _id(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() and len(raw) <= 12 else None


def requested_station(params: Mapping[str, str | list[str]]) -> int | None:
    """The station id the URL asks for; None when there is none or it is malformed."""
    return _id(param_value(params, "station"))


def parse(
    params: Mapping[str, str | list[str]],
    stations: Mapping[int, tuple[str, str | None]],
    teams: Collection[int],
    filters: Filters,
) -> tuple[OrderFilters, Filters, list[str]]:
    """Read the page filters from URL parameters; drop what is unknown or malformed, with a notice each.

    ``stations``: station id → (county code, township code) of the stations in scope (at least the one
    :func:`requested_station` names); ``teams``: team
    ids in scope; ``filters``: the global filters already read. Returns the page filters, the global
    filters with the district and township of the chosen station filled in, and the notices.
    """
    notices: list[str] = []
    station_raw, team_raw = param_value(params, "station"), param_value(params, "team")
    station = requested_station(params)
    if station_raw is not None and station not in stations:
        notices.append(f"站点{notice_quote(station_raw)}不存在或不在您的查看范围内，已忽略。")
        station = None
    if station is not None:
        county, township = stations[station]
        if (filters.county and filters.county != county) or (filters.township and filters.township != township):
            notices.append("所选站点不在当前选择的区县或乡镇（街道）内，已取消站点筛选。")
            station = None
        else:
            filters = dataclasses.replace(filters, county=county, township=township)

    step = param_value(params, "step")
    if step is not None and step not in step_labels():
        notices.append(f"流程环节{notice_quote(step)}不存在，已忽略。")
        step = None

    team = _id(team_raw)
    if team_raw is not None and team not in teams:
        notices.append(f"接单队伍{notice_quote(team_raw)}不存在或不在您的查看范围内，已忽略。")
        team = None

    rated = param_value(params, "rated")
    if rated is not None and rated not in RATED_LABELS:
        notices.append(f"评价筛选{notice_quote(rated)}无效（应为 yes 或 no），已忽略。")
        rated = None
    return OrderFilters(station, step, team, rated), filters, notices


def to_params(page: OrderFilters) -> dict[str, str]:
    """The canonical URL parameters of the page filters (the inverse of :func:`parse`)."""
    return {key: str(getattr(page, key)) for key in PARAM_KEYS if getattr(page, key) is not None}


def describe(page: OrderFilters, station_names: Mapping[int, str], team_names: Mapping[int, str]) -> str:
    """The page filters in one Chinese line, for export headers."""
    return "；".join(
        [
            f"站点：{station_names.get(page.station, page.station) if page.station else '全部'}",
            f"流程环节：{step_labels().get(page.step, page.step) if page.step else '全部'}",
            f"接单队伍：{team_names.get(page.team, page.team) if page.team else '全部'}",
            f"评价：{RATED_LABELS.get(page.rated, '全部') if page.rated else '全部'}",
        ]
    )


# ---------------------------------------------------------------------------------------------
# Streamlit: the panel


def write_params(values: Mapping[str, str | None]) -> None:
    """Set (or, for None, remove) URL parameters, leaving the others alone."""
    for key, value in values.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def _on_change(name: str) -> None:
    value = st.session_state[_WIDGET_KEYS[name]]
    write_params({name: str(value) if value not in (ALL, None) else None})


def _labelled(counts: Mapping, names: Mapping) -> Callable[[object], str]:
    def label(value: object) -> str:
        if value == ALL:
            return "全部"
        return counted(str(names.get(value, value)), counts.get(value, 0))

    return label


def _select(
    label: str,
    name: str,
    options: list,
    fmt: Callable[[object], str],
    current: object,
    help_text: str,
    disabled: bool = False,
) -> None:
    st.session_state[_WIDGET_KEYS[name]] = current if current is not None else ALL
    st.selectbox(
        label,
        [ALL, *options],
        format_func=fmt,
        key=_WIDGET_KEYS[name],
        on_change=_on_change,
        args=(name,),
        help=help_text,
        disabled=disabled,
    )


def filter_panel(
    scope: Scope, filters: Filters, page: OrderFilters, stations: pd.DataFrame, teams: pd.DataFrame, cube: pd.DataFrame
) -> None:
    """The page filters in the sidebar, each option followed by its order count.

    ``stations``: the stations of the chosen district and township (``queries.orders.stations``); the
    station picker waits for a district. ``teams``: the teams in scope (``queries.orders.teams``), of the
    chosen district only when there is one. ``cube``: the view's ``queries.orders.order_cube``, whence the
    step, team and rated counts come (:func:`queries.orders.facet_counts`); the stations' counts are a
    query of their own, run only when there are stations to pick.
    """
    help_text = orders.DEFINITIONS["option_counts"]
    facets = orders.facet_counts(cube, page)
    no_station = page.without("station")
    station_counts = data.run(orders.station_counts, scope, filters, no_station) if filters.county else {}
    station_names = dict(zip(stations["id"], stations["name"], strict=True))
    if filters.county:
        teams = teams[teams["county_code"] == filters.county]
    team_names = dict(zip(teams["id"], teams["name"], strict=True))
    with st.sidebar:
        st.subheader("订单筛选", help=help_text)
        _select(
            "站点",
            "station",
            list(station_names),
            _labelled(station_counts, station_names),
            page.station,
            ("先在上方选择乡镇（街道）可缩短站点列表。" + help_text)
            if filters.county
            else "先在上方选择区县，再选择其下的站点。",
            disabled=not filters.county,
        )
        _select("流程环节", "step", list(step_labels()), _labelled(facets["step"], step_labels()), page.step, help_text)
        _select(
            "接单队伍",
            "team",
            [*team_names, *([page.team] if page.team is not None and page.team not in team_names else [])],
            _labelled(facets["team"], team_names),
            page.team,
            orders.DEFINITIONS["team"] + help_text,
        )
        _select("评价", "rated", list(RATED_LABELS), _labelled(facets["rated"], RATED_LABELS), page.rated, help_text)
