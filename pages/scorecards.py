"""评估考核: the semi-annual review — ranking, each unit's scorecard down to the evidence, 对标补短,
comparison, the centres' targets as traffic lights, and the exports for the meeting.

The period, tier and unit chosen are in the URL (``review_period`` and ``review_tier`` as their labels,
``unit`` as the unit's id, ``review_tab`` for the tab), with the global filter bar's district and
township; only the open tab runs.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from dashboard import data, review_tabs, ui
from dashboard.clock import local_today
from dashboard.filters import filter_bar
from dashboard.labels import labels
from dashboard.review_config import rubric_for_tier, star_scale
from dashboard.scope import current_scope
from dashboard.scoring import Period
from queries import evidence, scorecard

TIERS = ("centre", "institute", "station", "platform")
_UNIT_KEY = "_review_unit"
TABS = ("排行", "单位评分", "对标补短", "对比", "目标达成", "导出")


def _periods() -> list[Period]:
    """Evaluation periods that have started, oldest first."""
    rows = data.run(scorecard.periods)
    today = local_today()
    return [
        Period(str(r.id), pd.Timestamp(r.starts_on).date(), pd.Timestamp(r.ends_on).date(), str(r.label))
        for r in rows.itertuples(index=False)
        if pd.Timestamp(r.starts_on).date() <= today
    ]


def _default_period(periods: list[Period]) -> int:
    """The latest period that has ended (the one reviewed), else the latest."""
    today = local_today()
    ended = [i for i, p in enumerate(periods) if p.end < today]
    return ended[-1] if ended else len(periods) - 1


def _unit_choice(column, ranked: pd.DataFrame) -> int:
    """The unit looked at, from the URL parameter ``unit`` (its id) when valid, else the first ranked."""
    names = dict(zip(ranked["unit_id"].astype(int), ranked["unit_name"], strict=True))
    ranks = dict(zip(ranked["unit_id"].astype(int), ranked["rank"], strict=True))
    options = list(names)
    raw = str(st.query_params.get("unit", ""))
    wanted = int(raw) if raw.isdigit() and int(raw) in names else options[0]
    if st.session_state.get(_UNIT_KEY) not in names:
        st.session_state[_UNIT_KEY] = wanted
    chosen = column.selectbox(
        "单位",
        options,
        format_func=lambda uid: f"第 {ranks[uid]} 名 · {names[uid]}",
        key=_UNIT_KEY,
        help="单位评分、对标补短和对比所看的单位。",
    )
    st.query_params["unit"] = str(chosen)
    return chosen


def render() -> None:
    """Draw the page."""
    scope = current_scope()
    current = filter_bar(scope)
    periods = _periods()
    if not periods:
        st.info("平台上还没有评估期（evaluation_period 表为空），无法评分。")
        return
    lab = labels()
    by_id = {p.id: p for p in periods}
    left, middle, right = st.columns([2, 2, 4])
    period_id = left.selectbox(
        "评估期",
        list(by_id),
        index=_default_period(periods),
        format_func=lambda pid: by_id[pid].label,
        key="review_period",
        bind="query-params",
    )
    tier = middle.selectbox(
        "层级", TIERS, format_func=lambda t: lab.label("tiers", t), key="review_tier", bind="query-params"
    )
    period = by_id[period_id]
    order = list(by_id)
    previous = by_id[order[order.index(period_id) - 1]] if order.index(period_id) > 0 else None
    rubric = rubric_for_tier(tier)
    area = dataclasses.replace(current, start=period.start, end=period.end, category=None, period_key="custom")

    cards = data.run(scorecard.scorecards, scope, area, rubric.id, period)
    prev_cards = data.run(scorecard.scorecards, scope, area, rubric.id, previous) if previous else None
    ranked = scorecard.ranking(cards, prev_cards, rubric, star_scale())
    if ranked.empty:
        st.info(f"所选区域内没有{lab.label('tiers', tier)}可以评分。")
        return
    unit_id = _unit_choice(right, ranked)
    st.caption(
        f"按《{rubric.name}》（{rubric.total:g} 分）评分。{evidence.DEFINITIONS['window']}"
        f"{evidence.DEFINITIONS['records']}侧栏的时间范围不影响本页，区县、乡镇（街道）筛选决定参评单位。"
    )
    view = review_tabs.View(scope, area, rubric, period, previous, cards, prev_cards, ranked, unit_id, periods)
    tabs = st.tabs(TABS, key="review_tab", bind="query-params")
    renderers = (
        review_tabs.ranking,
        review_tabs.scorecard_tab,
        review_tabs.lost_tab,
        review_tabs.compare_tab,
        review_tabs.targets_tab,
        review_tabs.exports_tab,
    )
    for tab, draw in zip(tabs, renderers, strict=True):
        if tab.open is not False:
            with tab:
                ui.guarded(draw, view)


ui.run_page("评估考核", render)
