"""Altair charts of the orders page, built from query results already aggregated in SQL.

Every function takes a small DataFrame and returns a chart; none reads the database. The drill-down
bar chart carries the point selection ``drilldown.PICK`` on the field ``key``. Durations are
seconds in the data and shown as minutes or hours (:func:`duration_unit`) or as Chinese text
(:func:`fmt_duration`).
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from dashboard.drilldown import PICK

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_BAR = "#C8102E"
_HEAT = ["#FFF3D6", "#FFA94D", "#D9480F", "#7A0C0C"]


def fmt_duration(seconds: float | None) -> str:
    """Seconds as Chinese text to the minute (to the second under ten minutes): ``2天3小时``, ``1小时05分``."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "—"
    total = int(round(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{minutes:02d}分"
    if minutes >= 10:
        return f"{minutes}分"
    return f"{minutes}分{secs:02d}秒" if minutes else f"{secs}秒"


def span(minutes: int) -> str:
    """A bin bound in the shortest words: ``5分``, ``2小时``, ``7天``."""
    if minutes % 1440 == 0:
        return f"{minutes // 1440}天"
    if minutes % 60 == 0:
        return f"{minutes // 60}小时"
    return f"{minutes}分"


def bin_labels(bounds: tuple[int, ...]) -> list[str]:
    """Labels of the bins below, between and above the bounds (minutes): ``<5分``, ``5分–15分`` … ``≥7天``."""
    inner = [f"{span(a)}–{span(b)}" for a, b in zip(bounds, bounds[1:], strict=False)]
    return [f"<{span(bounds[0])}", *inner, f"≥{span(bounds[-1])}"]


def duration_unit(seconds: pd.Series) -> tuple[float, str]:
    """(divisor, unit) for showing these seconds: minutes below three hours, hours below three days, else days."""
    peak = float(seconds.max()) if len(seconds) and not pd.isna(seconds.max()) else 0.0
    if peak < 3 * 3600:
        return 60.0, "分钟"
    if peak < 3 * 86400:
        return 3600.0, "小时"
    return 86400.0, "天"


def funnel(df: pd.DataFrame) -> alt.Chart:
    """Horizontal bars of ``step`` (label) and ``orders``, with ``share`` of the first step, in flow order."""
    base = alt.Chart(df).encode(
        y=alt.Y("step:N", sort=None, title=None, axis=alt.Axis(labelFontSize=13)),
        x=alt.X("orders:Q", title="订单数"),
        tooltip=[
            alt.Tooltip("step:N", title="环节"),
            alt.Tooltip("orders:Q", title="订单数", format=","),
            alt.Tooltip("share:Q", title="占下单数", format=".1%"),
        ],
    )
    bars = base.mark_bar(color=_BAR, cornerRadiusEnd=3)
    text = base.mark_text(align="left", dx=4, fontSize=12).encode(text=alt.Text("share:Q", format=".1%"))
    return (bars + text).properties(height=max(160, 38 * len(df)))


def histogram(df: pd.DataFrame, title: str) -> alt.Chart:
    """Bars of ``bin_label`` (in bin order) and ``orders`` for one duration."""
    return (
        alt.Chart(df, title=title)
        .mark_bar(color=_BAR)
        .encode(
            x=alt.X("bin_label:N", sort=None, title=None, axis=alt.Axis(labelAngle=0, labelOverlap=False)),
            y=alt.Y("orders:Q", title="订单数"),
            tooltip=[alt.Tooltip("bin_label:N", title="用时"), alt.Tooltip("orders:Q", title="订单数", format=",")],
        )
        .properties(height=220)
    )


def trend(df: pd.DataFrame, unit: str) -> alt.Chart:
    """Lines of ``value`` over ``bucket`` (a date), one per ``measure`` (中位数 / 第90百分位数)."""
    return (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("bucket:T", title=None, axis=alt.Axis(format="%Y-%m-%d")),
            y=alt.Y("value:Q", title=unit),
            color=alt.Color(
                "measure:N",
                title=None,
                scale=alt.Scale(range=[_BAR, "#1F5FA8"]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("bucket:T", title="起始日", format="%Y-%m-%d"),
                alt.Tooltip("measure:N", title="指标"),
                alt.Tooltip("shown:N", title="用时"),
                alt.Tooltip("n:Q", title="订单数", format=","),
            ],
        )
        .properties(height=300)
    )


def ratings(df: pd.DataFrame, colours: dict[int, str]) -> alt.Chart:
    """Bars of ``stars`` (label) and ``orders``, each rating in its colour from assets/orders_page.yaml."""
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("stars:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("orders:Q", title="订单数"),
            color=alt.Color(
                "stars:N",
                sort=None,
                legend=None,
                scale=alt.Scale(domain=list(df["stars"]), range=[colours[r] for r in df["rating"]]),
            ),
            tooltip=[
                alt.Tooltip("stars:N", title="评分"),
                alt.Tooltip("orders:Q", title="订单数", format=","),
                alt.Tooltip("share:Q", title="占已评价", format=".1%"),
            ],
        )
        .properties(height=260)
    )


def heatmap(df: pd.DataFrame, x: str, y: str, x_title: str, y_title: str, x_sort=None, y_sort=None) -> alt.Chart:
    """A heatmap of ``orders`` over the columns ``x`` and ``y`` (nominal)."""
    return (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X(f"{x}:N", title=x_title, sort=x_sort, axis=alt.Axis(labelAngle=-40, labelLimit=120)),
            y=alt.Y(f"{y}:N", title=y_title, sort=y_sort, axis=alt.Axis(labelLimit=160, labelOverlap=False)),
            color=alt.Color("orders:Q", title="订单数", scale=alt.Scale(range=_HEAT)),
            tooltip=[
                alt.Tooltip(f"{x}:N", title=x_title),
                alt.Tooltip(f"{y}:N", title=y_title),
                alt.Tooltip("orders:Q", title="订单数", format=","),
            ],
        )
        .properties(height=max(240, 30 * df[y].nunique()))
    )


def area_bars(df: pd.DataFrame, value: str, title: str, unit: str) -> alt.Chart:
    """Bars of ``value`` per area (``name``, sorted by value), clickable: the selection ``PICK`` on ``key``."""
    pick = alt.selection_point(name=PICK, fields=["key"], on="click", clear=False)
    return (
        alt.Chart(df)
        .mark_bar(cursor="pointer")
        .encode(
            y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=200, labelOverlap=False)),
            x=alt.X(f"{value}:Q", title=f"{title}（{unit}）" if unit else title),
            color=alt.condition(pick, alt.value(_BAR), alt.value("#E8B4B8")),
            tooltip=[
                alt.Tooltip("name:N", title="区域"),
                alt.Tooltip("orders:Q", title="订单数", format=","),
                alt.Tooltip("shown:N", title=title),
            ],
        )
        .add_params(pick)
        .properties(height=max(220, 26 * len(df)))
    )
