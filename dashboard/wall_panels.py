"""The wall's panels as HTML: header, banner, cards of figures, the live flow, the ticker, the legend.

Pure functions from figures to HTML strings (shown with ``st.markdown(..., unsafe_allow_html=True)``).
Every text from the database goes through :func:`dashboard.ui.escape`; every figure carries its
definition as a hover tooltip (``title``); every counter has a ``data-counter`` name for the tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pandas as pd

from dashboard.labels import Labels
from dashboard.order_flow import OrderFlow
from dashboard.privacy import mask_name
from dashboard.ui import escape, fmt_int, fmt_pct
from dashboard.wall_config import WallConfig
from dashboard.wall_figures import Headline, Quality, Ranked, Waiting

WEEKDAYS = "一二三四五六日"
_UNIT_PREFIX = "新时代文明实践"


def fmt_duration(seconds: float | None) -> str:
    """A step's duration in words: ``不到1分钟``, ``12分钟``, ``3.5小时``, ``2.5天``; ``—`` when unknown."""
    if seconds is None or pd.isna(seconds):
        return "—"
    if seconds < 60:
        return "不到1分钟"
    if seconds < 3600:
        return f"{round(seconds / 60)}分钟"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f}小时"
    return f"{seconds / 86400:.1f}天"


def fmt_limit(minutes: int) -> str:
    """An overdue limit: ``30分钟``, ``2小时``, ``48小时``, ``7天``."""
    if minutes % 1440 == 0 and minutes >= 3 * 1440:
        return f"{minutes // 1440}天"
    if minutes % 60 == 0:
        return f"{minutes // 60}小时"
    return f"{minutes}分钟"


def fmt_ago(then: dt.datetime, now: dt.datetime) -> str:
    """How long ago: ``刚刚``, ``5分钟前``, ``3小时前``, ``2天前``."""
    seconds = max((now - then).total_seconds(), 0)
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{int(seconds // 60)}分钟前"
    if seconds < 86400:
        return f"{int(seconds // 3600)}小时前"
    return f"{int(seconds // 86400)}天前"


def short_name(name: object) -> str:
    """A unit's name without the common 新时代文明实践 (e.g. ``王家村站``), for tight rows."""
    text = "" if name is None or pd.isna(name) else str(name)
    return text.replace(_UNIT_PREFIX, "")


def _figure(label: str, value: str, counter: str, help_text: str, css: str = "", unit: str = "") -> str:
    unit_html = f'<span class="unit">{escape(unit)}</span>' if unit else ""
    return (
        f'<div class="wall-figure" title="{escape(help_text)}"><div class="wall-label">{escape(label)}</div>'
        f'<div class="wall-num {css}" data-counter="{counter}">{escape(value)}{unit_html}</div></div>'
    )


def card(title: str, body: str, help_text: str = "") -> str:
    """A framed panel with a title (its tooltip: ``help_text``)."""
    return (
        f'<div class="wall-card"><div class="wall-card-title" title="{escape(help_text)}">{escape(title)}</div>'
        f"{body}</div>"
    )


def date_line(now: dt.datetime) -> str:
    """The date at the header's left: ``2026年11月23日 星期一``."""
    return f'<div class="wall-date">{now:%Y年%m月%d日} 星期{WEEKDAYS[now.weekday()]}</div>'


def status_line(text: str, stale: bool) -> str:
    """The data time at the header's right, red while the data is stale."""
    return f'<div class="wall-status{" stale" if stale else ""}"><span class="dot"></span>{escape(text)}</div>'


def banner(text: str | None) -> str:
    """The outage banner's slot, with the banner in it when there is ``text``. The slot is always on the
    page, so that a refresh changes no element's position (Streamlit then redraws nothing else)."""
    inner = f'<div class="wall-banner" role="alert">⚠ {escape(text)}</div>' if text else ""
    return f'<div class="wall-banner-slot">{inner}</div>'


def units_card(head: Headline, labels: Labels, help_text: str) -> str:
    """Centres, institutes, stations and platforms in scope."""
    figures = "".join(
        _figure(labels.label("tiers", tier), fmt_int(head.units.get(tier, 0)), f"units-{tier}", help_text, "gold")
        for tier in ("centre", "institute", "station", "platform")
    )
    return card("文明实践阵地", f'<div class="wall-grid" style="--cols:2">{figures}</div>', help_text)


def volunteers_card(head: Headline, activities: int, summarised: dt.datetime, helps: Mapping[str, str]) -> str:
    """Registered volunteers against the target share, and this month's activities, with the time of
    the summaries they are counted from (``汇总于 HH:MM``)."""
    share, target = head.share, head.target_share
    progress = min(share / target, 1.0) if share is not None and target else 0.0
    wanted = f"目标人数 {fmt_int(head.wanted)}" if head.wanted else "缺少人口数据"
    body = (
        _figure("注册志愿者", fmt_int(head.volunteers), "volunteers", helps["volunteers"], "big", "人")
        + f'<div class="wall-bar" title="{escape(helps["share"])}"><div style="width:{progress:.1%}"></div></div>'
        + f'<div class="wall-note" title="{escape(helps["share"])}">占常住人口 '
        f'<b data-counter="volunteer-share">{fmt_pct(share)}</b> · 目标 {target:.0%} · {escape(wanted)}</div>'
        + '<div style="height:10px"></div>'
        + _figure("本月开展活动", fmt_int(activities), "activities", helps["activities"], "gold", "场")
        + f'<div class="wall-note" title="{escape(helps["summarised"])}">汇总于 {summarised:%H:%M}</div>'
    )
    return card("志愿服务", body, helps["volunteers"])


def _rank_rows(rows: Sequence[Ranked], css: str, first: int) -> str:
    return "".join(
        f'<div class="pos {css}">{first + i}</div><div class="name">{escape(short_name(r.centre_name))}</div>'
        f'<div class="rate" data-counter="rank-{css}-{i}">{fmt_pct(r.rate)}</div>'
        for i, r in enumerate(rows)
    )


def ranking_card(top: Sequence[Ranked], bottom: Sequence[Ranked], total: int, help_text: str) -> str:
    """Best and worst centres of the month by satisfaction."""
    if not top:
        return card("本月中心排名", '<div class="wall-note">本月已评价订单尚不足以排名。</div>', help_text)
    body = _rank_rows(top, "top", 1)
    if bottom:
        body += '<div class="gap"></div>' + _rank_rows(bottom, "bottom", total - len(bottom) + 1)
    return card("本月中心排名 · 满意率", f'<div class="wall-rank">{body}</div>', help_text)


def flow_strip(
    counts: Mapping[str, int], medians: Mapping[str, float | None], flow: OrderFlow, config: WallConfig, helps: Mapping
) -> str:
    """Today's count at each shown step, with the median time it took to get there."""
    steps = {s.code: s for s in flow.steps}
    ending = {d.end: d for d in flow.durations.values()}
    boxes = []
    for code in config.flow_steps:
        step = steps[code]
        duration = ending.get(step.at)
        took = f"{duration.label} {fmt_duration(medians.get(duration.key))}" if duration else "今日累计"
        tip = helps["steps_today"] + (f"\n{duration.label}：{helps['medians']}" if duration else "")
        boxes.append(
            f'<div class="wall-step" title="{escape(tip)}"><div class="wall-label">今日{escape(step.label)}</div>'
            f'<div class="wall-num" data-counter="step-{code}">{fmt_int(counts.get(code, 0))}</div>'
            f'<div class="wall-note" data-counter="median-{code}">{escape(took)}</div></div>'
        )
    return '<div class="wall-flow">' + '<div class="wall-arrow">›</div>'.join(boxes) + "</div>"


def in_flight_card(groups: Sequence[Waiting], labels: Labels, helps: Mapping[str, str]) -> str:
    """Orders in flight, per awaited step: how many wait, how many of them longer than the limit."""
    total = sum(g.orders for g in groups)
    rows = "".join(
        f'<div class="wall-label">{escape(labels.label("order_statuses", g.statuses[0]))}</div>'
        f'<div class="wall-num" data-counter="waiting-{i}">{fmt_int(g.orders)}</div>'
        f'<div class="wall-num {"alert" if g.overdue else "good"}" data-counter="overdue-{i}" '
        f'title="{escape(helps["overdue"])}">{fmt_int(g.overdue)}</div>'
        f'<div class="wall-note">超{fmt_limit(g.minutes)}未{escape(g.waiting_for)}</div>'
        for i, g in enumerate(groups)
    )
    head = '<div></div><div class="wall-note right">在途</div><div class="wall-note right">超时</div><div></div>'
    body = _figure("在途订单", fmt_int(total), "in-flight", helps["in_flight"], "big", "单") + (
        f'<div class="wall-table">{head}{rows}</div>'
    )
    return card("在途与超时", body, helps["in_flight"])


def satisfaction_card(head: Headline, help_text: str) -> str:
    """This month's satisfaction rate."""
    body = _figure("本月满意率", fmt_pct(head.satisfaction), "satisfaction", help_text, "big good") + (
        f'<div class="wall-note">本月已评价 {fmt_int(head.rated)} 单</div>'
    )
    return card("群众评价", body, help_text)


def ticker_card(
    latest: pd.DataFrame, now: dt.datetime, reveal: bool, labels: Labels, config: WallConfig, help_text: str
) -> str:
    """The latest orders: how long ago, station, category, masked resident, and the step they reached."""
    if latest.empty:
        return card("最新订单", '<div class="wall-note">暂无订单。</div>', help_text)
    rows = []
    for r in latest.itertuples(index=False):
        colour = config.statuses.get(r.status, config.palette["muted"])
        place = short_name(r.station_name) or short_name(r.county_name) or "—"
        who = mask_name(r.requester_name if isinstance(r.requester_name, str) else None, reveal)
        rows.append(
            f'<div class="wall-tick"><span class="ago">{fmt_ago(pd.Timestamp(r.updated_at).to_pydatetime(), now)}'
            f'</span><span class="what">{escape(place)}<small>{escape(r.category)} {escape(who)}</small></span>'
            f'<span class="wall-badge" style="background:{colour}">{escape(labels.label("order_statuses", r.status))}'
            "</span></div>"
        )
    return card("最新订单", f'<div class="wall-ticker" data-counter="ticker">{"".join(rows)}</div>', help_text)


def legend(
    config: WallConfig, labels: Labels, shown_tiers: Sequence[str], fill_range: tuple[float, float] | None
) -> str:
    """Map legend: unit tiers, order statuses, and the fill's range of orders per 10,000 residents."""
    tiers = "".join(
        f'<span class="dot" style="background:{config.tiers[t]}"></span>{escape(labels.label("tiers", t))}'
        for t in shown_tiers
    )
    statuses = "".join(
        f'<span class="dot" style="background:{config.statuses[s]}"></span>{escape(labels.label("order_statuses", s))}'
        for s in ("placed", "dispatched", "accepted", "completed", "rated")
    )
    ramp = ""
    if fill_range is not None:
        low, high = fill_range
        ramp = f"　本月每万人订单 {low:.0f}<span class='ramp'></span>{high:.0f}"
    return f'<div class="wall-legend">阵地：{tiers}<br>今日订单：{statuses}{ramp}</div>'


def quality_note(q: Quality, help_text: str) -> str:
    """The small data-quality note under the map (empty when nothing was left off)."""
    parts = []
    if q.left_off:
        reasons = [
            f"{name} {fmt_int(n)}"
            for name, n in (
                ("缺少坐标", q.no_coordinates),
                ("状态未知", q.unknown_status),
                ("流程时间倒置", q.out_of_sequence),
            )
            if n
        ]
        parts.append(f'今日 <b data-counter="left-off">{fmt_int(q.left_off)}</b> 单未上图（{"、".join(reasons)}）')
    if q.units_without_coordinates:
        parts.append(
            f'<b data-counter="units-no-coordinates">{fmt_int(q.units_without_coordinates)}</b> 个阵地缺少坐标'
        )
    if not parts:
        return ""
    return (
        f'<div class="wall-legend" title="{escape(help_text)}">数据质量：'
        + "；".join(parts)
        + "（详见“数据质量”页）</div>"
    )
