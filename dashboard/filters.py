"""The global filter bar: period, district, township and category, kept in the page URL.

``Filters`` is what every query receives. :func:`parse` turns URL query parameters into
``Filters`` and a list of Chinese notices for the values it had to drop; it is pure and
unit-tested. :func:`filter_bar` renders the bar in the sidebar and keeps ``st.query_params`` in
step with it, so a copied link reopens the same view; on a page switch (which starts from a
bare URL) the last filters of the session are restored. Its notices last through the reruns that
follow (``dashboard.notices``). Every option shows its order count, marked 单 (orders, also on the
pages about volunteers or activities) (``queries.facets``: one grouped
query over the chosen period, one count of the orders before it for the longer presets); the category
options are the categories with orders in the period, and the chosen one.

URL parameters: ``period`` (today | week | month | half | year | custom), ``start`` and ``end``
(ISO dates, only with ``period=custom``), ``county`` (6-digit code), ``township`` (9-digit
code), ``category`` (an order category).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.clock import local_today
from dashboard.labels import labels
from dashboard.notices import lasting
from dashboard.scope import Scope
from queries import facets, regions

PERIOD_KEYS = ("today", "week", "month", "half", "year", "custom")
DEFAULT_PERIOD = "year"
PARAM_KEYS = ("period", "start", "end", "county", "township", "category")
ALL = ""  # the "no restriction" option of the select boxes

_LAST_KEY = "_filters_last_params"
_NOTICES_KEY = "_filters_notices"
PRESETS = PERIOD_KEYS[:-1]
_WIDGET_KEYS = {name: f"_filter_{name}" for name in ("period", "start", "end", "county", "township", "category")}


@dataclass(frozen=True)
class Filters:
    """The global filters: an inclusive date range and optional district, township and category."""

    start: dt.date
    end: dt.date
    county: str | None = None
    township: str | None = None
    category: str | None = None
    period_key: str = DEFAULT_PERIOD


def preset_range(period_key: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """Start and end date of a period preset; every preset runs from its first day up to ``today``."""
    if period_key == "today":
        return today, today
    if period_key == "week":
        return today - dt.timedelta(days=today.weekday()), today
    if period_key == "month":
        return today.replace(day=1), today
    if period_key == "half":
        return today.replace(month=1 if today.month <= 6 else 7, day=1), today
    if period_key == "year":
        return today.replace(month=1, day=1), today
    raise ValueError(f"not a preset period: {period_key!r}")


def preset_starts(today: dt.date) -> dict[str, dt.date]:
    """The first day of every preset period (each runs up to ``today``)."""
    return {key: preset_range(key, today)[0] for key in PRESETS}


ORDERS_UNIT = (
    " 单"  # the global bar's counts are orders on every page: said, so 志愿者 pages do not read them as people
)


def counted(name: str, count: int | None, unit: str = "") -> str:
    """An option with its count, e.g. ``小店区（3,214）`` or, with ``unit=" 单"``, ``小店区（3,214 单）``; the name
    alone when there is no count."""
    return name if count is None else f"{name}（{count:,}{unit}）"


def param_value(params: Mapping[str, str | list[str]], key: str) -> str | None:
    """The URL parameter ``key``, stripped (its last value when repeated); None when absent or blank."""
    raw = params.get(key)
    if isinstance(raw, list):
        raw = raw[-1] if raw else None
    if raw is None:
        return None
    raw = str(raw).strip()
    return raw or None


def notice_quote(value: str) -> str:
    """A URL value quoted for a notice, 「…」: letters, digits, CJK and -_. only, at most 24 chars.

    "" when no such character is left.
    """
    cleaned = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff_.\-]", "", value)[:24]
    return f"「{cleaned}」" if cleaned else ""


def _custom_range(params: Mapping[str, str | list[str]], notices: list[str]) -> tuple[dt.date, dt.date] | None:
    fallback = labels().label("periods", DEFAULT_PERIOD)
    raw_start, raw_end = param_value(params, "start"), param_value(params, "end")
    if raw_start is None or raw_end is None:
        notices.append(f"自定义时间范围缺少开始或结束日期，已改用“{fallback}”。")
        return None
    dates = []
    for raw in (raw_start, raw_end):
        try:
            dates.append(dt.date.fromisoformat(raw))
        except ValueError:
            notices.append(f"日期{notice_quote(raw)}格式有误（应为 YYYY-MM-DD），已改用“{fallback}”。")
            return None
    start, end = dates
    if start > end:
        notices.append(f"开始日期 {start} 晚于结束日期 {end}，已改用“{fallback}”。")
        return None
    return start, end


def parse(
    params: Mapping[str, str | list[str]],
    valid_counties: Collection[str],
    valid_townships: Mapping[str, str],
    valid_category: Callable[[str, dt.date, dt.date], bool],
    today: dt.date,
) -> tuple[Filters, list[str]]:
    """Read filters from URL query parameters; drop what is unknown or malformed, with a notice each.

    ``valid_counties``: county codes the user may choose (those in scope); ``valid_townships``: township
    code → its county code; ``valid_category(category, start, end)``: whether one may choose the order
    category for the period read. A township given without a county selects its county; a township outside the chosen
    county is dropped.
    """
    notices: list[str] = []
    period_key = param_value(params, "period")
    if period_key is None:
        period_key = "custom" if (param_value(params, "start") or param_value(params, "end")) else DEFAULT_PERIOD
    elif period_key not in PERIOD_KEYS:
        fallback = labels().label("periods", DEFAULT_PERIOD)
        notices.append(f"未知的时间范围{notice_quote(period_key)}，已改用“{fallback}”。")
        period_key = DEFAULT_PERIOD

    dates = _custom_range(params, notices) if period_key == "custom" else None
    if period_key == "custom" and dates is None:
        period_key = DEFAULT_PERIOD
    start, end = dates or preset_range(period_key, today)

    county = param_value(params, "county")
    if county is not None and county not in valid_counties:
        notices.append(f"区县{notice_quote(county)}不存在或不在您的查看范围内，已忽略。")
        county = None

    township = param_value(params, "township")
    if township is not None:
        township_county = valid_townships.get(township)
        if township_county is None:
            notices.append(f"乡镇（街道）{notice_quote(township)}不存在或不在您的查看范围内，已忽略。")
            township = None
        elif county is not None and township_county != county:
            notices.append(f"乡镇（街道）{notice_quote(township)}不属于所选区县，已忽略。")
            township = None
        else:
            county = township_county

    category = param_value(params, "category")
    if category is not None and not valid_category(category, start, end):
        notices.append(f"服务类别{notice_quote(category)}不存在，已忽略。")
        category = None

    return Filters(start, end, county, township, category, period_key), notices


def to_params(filters: Filters) -> dict[str, str]:
    """The canonical URL query parameters of the filters (the inverse of :func:`parse`)."""
    params = {"period": filters.period_key}
    if filters.period_key == "custom":
        params.update(start=filters.start.isoformat(), end=filters.end.isoformat())
    for key in ("county", "township", "category"):
        value = getattr(filters, key)
        if value:
            params[key] = value
    return params


def describe(filters: Filters, county_names: Mapping[str, str], township_names: Mapping[str, str]) -> str:
    """The filters in one Chinese line, e.g. for the header of an export."""
    period = labels().label("periods", filters.period_key)
    parts = [
        f"时间：{period}（{filters.start:%Y-%m-%d} 至 {filters.end:%Y-%m-%d}）",
        f"区县：{county_names.get(filters.county, filters.county) if filters.county else '全部'}",
        f"乡镇（街道）：{township_names.get(filters.township, filters.township) if filters.township else '全部'}",
        f"服务类别：{filters.category or '全部'}",
    ]
    return "；".join(parts)


# ---------------------------------------------------------------------------------------------
# Streamlit: the bar itself


def _url_params() -> dict[str, str]:
    """Our parameters from the URL; after a page switch (no filter parameters) the session's last ones."""
    current = {key: value for key, value in st.query_params.to_dict().items() if key in PARAM_KEYS}
    if not current and _LAST_KEY in st.session_state:
        return dict(st.session_state[_LAST_KEY])
    return current


def _write_url(params: Mapping[str, str]) -> None:
    """Make the URL carry exactly ``params`` among the filter parameters (others are left alone)."""
    for key in PARAM_KEYS:
        value = params.get(key)
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def _on_change(name: str, filters: Filters) -> None:
    """Widget callback: write the changed widget's value into the URL."""
    params = to_params(filters)
    value = st.session_state[_WIDGET_KEYS[name]]
    if name == "period":
        params.pop("start", None)
        params.pop("end", None)
        params["period"] = value
        if value == "custom":  # start from the range shown so far
            params.update(start=filters.start.isoformat(), end=filters.end.isoformat())
    elif name in ("start", "end"):
        if value is None:
            return
        params[name] = value.isoformat()
    else:
        params.pop(name, None)
        if value:
            params[name] = value
        if name == "county":
            params.pop("township", None)
    _write_url(params)
    st.session_state[_LAST_KEY] = params


def _reset() -> None:
    """Button callback: back to the default filters."""
    _write_url({})
    st.session_state.pop(_LAST_KEY, None)


def period_facets(scope: Scope, start: dt.date, end: dt.date, today: dt.date) -> pd.DataFrame:
    """``queries.facets.order_facets`` of the period: its closed days from the hour-long cache, today's fresh."""
    starts = facets.marks(start, end, preset_starts(today), today)
    yesterday = today - dt.timedelta(days=1)
    closed = data.run(facets.closed_order_facets, scope, starts, min(end, yesterday)) if start <= yesterday else None
    todays = _todays_rows(scope, today) if start <= today <= end else None
    return facets.with_today(closed, todays, starts)


def _todays_rows(scope: Scope, today: dt.date) -> pd.DataFrame:
    return data.run(facets.order_facets, scope, (today,), today)


def period_option_counts(scope: Scope, filters: Filters, rows: pd.DataFrame, today: dt.date) -> dict[str, int]:
    """Orders per period option (``custom`` only when chosen), the other global filters applied.

    ``rows``: the chosen period's ``queries.facets.order_facets``. The presets it does not cover add the
    orders of the days before (``facets.earlier_orders``: closed days, cached for an hour) and, when the
    period does not end today, today's orders.
    """
    presets = preset_starts(today)
    ends_today = filters.end == today
    earlier_starts = facets.outside(filters.start, filters.end, presets, today)
    area = (filters.county, filters.township, filters.category)
    stop = filters.start if ends_today else today
    earlier = data.run(facets.earlier_orders, scope, *area, earlier_starts, stop) if earlier_starts else {}
    if not ends_today:
        todays = facets.total(_todays_rows(scope, today), filters)
        earlier = {day: n + todays for day, n in earlier.items()}
    counts = facets.period_counts(rows, filters, presets, earlier, today)
    if filters.period_key == "custom":
        counts["custom"] = facets.total(facets.within(rows, filters.start), filters)
    return counts


def filter_bar(scope: Scope) -> Filters:
    """Render the filter bar in the sidebar and return the filters it stands for (also shown in the URL)."""
    counties = data.run(regions.counties, scope)
    townships = data.run(regions.townships, scope)
    county_names = dict(zip(counties["code"], counties["name"], strict=True))
    township_names = dict(zip(townships["code"], townships["name"], strict=True))
    township_county = dict(zip(townships["code"], townships["county_code"], strict=True))
    today = local_today()

    def period_rows(start: dt.date, end: dt.date) -> pd.DataFrame:
        return period_facets(scope, start, end, today)

    def valid_category(category: str, start: dt.date, end: dt.date) -> bool:
        in_period = set(period_rows(start, end)["category"])
        return category in in_period or data.run(facets.category_exists, scope, category)

    filters, notices = parse(_url_params(), county_names, township_county, valid_category, today)
    params = to_params(filters)
    _write_url(params)
    st.session_state[_LAST_KEY] = params
    for notice in lasting(_NOTICES_KEY, notices, (tuple(sorted(params.items())), filters)):
        st.warning(notice, icon="⚠️")

    rows = period_rows(filters.start, filters.end)
    counts = facets.count_facets(rows, filters)
    period_counts = period_option_counts(scope, filters, rows, today)
    categories = sorted({c for c in rows["category"] if c} | ({filters.category} if filters.category else set()))

    state = {
        "period": filters.period_key,
        "start": filters.start,
        "end": filters.end,
        "county": filters.county or ALL,
        "township": filters.township or ALL,
        "category": filters.category or ALL,
    }
    for name, value in state.items():
        st.session_state[_WIDGET_KEYS[name]] = value

    period_labels = labels().section("periods")
    township_options = [ALL, *(code for code, county in township_county.items() if county == filters.county)]
    with st.sidebar:
        st.subheader("筛选", help=facets.DEFINITION)
        st.selectbox(
            "时间范围",
            [key for key in period_labels if key in PERIOD_KEYS],
            format_func=lambda key: counted(period_labels[key].label, period_counts.get(key), ORDERS_UNIT),
            key=_WIDGET_KEYS["period"],
            on_change=_on_change,
            args=("period", filters),
            help=facets.DEFINITION,
        )
        if filters.period_key == "custom":
            for name, label in (("start", "开始日期"), ("end", "结束日期")):
                st.date_input(
                    label, key=_WIDGET_KEYS[name], format="YYYY-MM-DD", on_change=_on_change, args=(name, filters)
                )
        st.caption(f"{filters.start:%Y-%m-%d} 至 {filters.end:%Y-%m-%d}")
        st.selectbox(
            "区县",
            [ALL, *county_names],
            format_func=lambda code: counted(
                county_names.get(code, "全部区县"), counts.counties.get(code, 0), ORDERS_UNIT
            ),
            key=_WIDGET_KEYS["county"],
            on_change=_on_change,
            args=("county", filters),
            help=facets.DEFINITION,
        )
        st.selectbox(
            "乡镇（街道）",
            township_options,
            format_func=lambda code: counted(
                township_names.get(code, "全部乡镇（街道）"), counts.townships.get(code, 0), ORDERS_UNIT
            ),
            key=_WIDGET_KEYS["township"],
            on_change=_on_change,
            args=("township", filters),
            disabled=not filters.county,
            help=facets.DEFINITION if filters.county else "先选择区县，再选择其下的乡镇（街道）。",
        )
        st.selectbox(
            "服务类别",
            [ALL, *categories],
            format_func=lambda category: counted(
                category or "全部类别", counts.categories.get(category, 0), ORDERS_UNIT
            ),
            key=_WIDGET_KEYS["category"],
            on_change=_on_change,
            args=("category", filters),
            help="只作用于群众点单（订单）相关的指标。" + facets.DEFINITION,
        )
        st.button("恢复默认筛选", on_click=_reset, width="stretch")
    return filters
