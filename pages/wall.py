"""大屏: the wall screen of the command hall — map of every unit, today's order flow, ticker, headline figures.

Runs unattended: the data part is an ``st.fragment`` that refreshes itself every
``DASHBOARD_REFRESH_SECONDS``; a failing database leaves the last good data on screen under a banner
(:mod:`dashboard.wall_live`). No filter bar: the wall shows the visitor's whole scope. ``?kiosk=1``
hides Streamlit's header, menu and sidebar.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import clock, settings, ui
from dashboard.labels import Labels, labels
from dashboard.order_flow import OrderFlow, order_flow
from dashboard.privacy import reveal_personal_data
from dashboard.scope import current_scope
from dashboard.targets import Targets, targets
from dashboard.wall_config import WallConfig, wall_config
from dashboard.wall_data import WallData, load
from dashboard.wall_figures import Headline, headline, orders_per_residents, quality, ranking, waiting
from dashboard.wall_live import NoDataYet, Refresh, current_tick
from dashboard.wall_map import MAP_HEIGHT, fill_range, wall_deck
from dashboard.wall_panels import (
    banner,
    date_line,
    flow_strip,
    fmt_limit,
    in_flight_card,
    legend,
    quality_note,
    ranking_card,
    satisfaction_card,
    status_line,
    ticker_card,
    units_card,
    volunteers_card,
)
from dashboard.wall_style import MARKER, css
from queries import overview, summaries, units, wall

TITLE = "新时代文明实践指挥调度大屏"
THIS_MONTH = "统计时间为本月（截至今天）。"


def _helps(config: WallConfig, goals: Targets, lab: Labels, flow: OrderFlow) -> dict[str, str]:
    """The definitions shown as tooltips, with their targets and limits filled in."""
    limits = "；".join(
        f"{lab.label('order_statuses', s)}超过{fmt_limit(flow.waits[s].overdue_minutes)}" for s in config.in_flight
    )
    return {
        "steps_today": wall.DEFINITIONS["steps_today"],
        "medians": wall.DEFINITIONS["medians"],
        "in_flight": wall.DEFINITIONS["in_flight"].format(
            statuses="、".join(lab.label("order_statuses", s) for s in config.in_flight)
        ),
        "overdue": wall.DEFINITIONS["overdue"].format(limits=limits),
        "ticker": wall.DEFINITIONS["ticker"],
        "quality": wall.DEFINITIONS["quality"],
        "map": wall.DEFINITIONS["map_orders"] + wall.DEFINITIONS["map_fill"] + units.DEFINITIONS["map"],
        "ranking": wall.DEFINITIONS["ranking"].format(
            satisfied_rating=goals["satisfied_rating"].shown, min_rated=config.ranking_min_rated
        ),
        "units": units.DEFINITIONS["units"],
        "volunteers": overview.DEFINITIONS["volunteers"] + THIS_MONTH,
        "share": goals.fill(overview.DEFINITIONS["volunteer_share"]),
        "activities": overview.DEFINITIONS["activities"] + THIS_MONTH,
        "summarised": summaries.DEFINITIONS["summarised"],
        "satisfaction": goals.fill(overview.DEFINITIONS["satisfaction"]) + THIS_MONTH,
    }


def _header(refresh: Refresh, now: dt.datetime) -> None:
    left, middle, right = st.columns([1.2, 2.6, 1.2], vertical_alignment="top")
    left.markdown(date_line(now), unsafe_allow_html=True)
    with middle:
        st.title(TITLE, anchor=False)
        st.markdown('<div class="wall-titlebar"></div>', unsafe_allow_html=True)
    right.markdown(status_line(refresh.updated(), refresh.stale), unsafe_allow_html=True)
    st.markdown(banner(refresh.status() if refresh.stale else None), unsafe_allow_html=True)


def _left(data: WallData, head: Headline, config: WallConfig, lab: Labels, helps: dict[str, str]) -> None:
    top, bottom = ranking(data.summary, config.ranking_size, config.ranking_min_rated)
    ranked = int((data.summary["rated"] >= config.ranking_min_rated).sum())
    st.markdown(units_card(head, lab, helps["units"]), unsafe_allow_html=True)
    st.markdown(volunteers_card(head, data.activities, data.summarised, helps), unsafe_allow_html=True)
    st.markdown(ranking_card(top, bottom, ranked, helps["ranking"]), unsafe_allow_html=True)


def _middle(data: WallData, whole_city: bool, config: WallConfig, lab: Labels, helps: dict[str, str]) -> None:
    per_residents = orders_per_residents(data.summary)
    st.markdown(flow_strip(data.steps, data.medians, order_flow(), config, helps), unsafe_allow_html=True)
    deck = wall_deck(data.summary, per_residents, data.units, data.today, whole_city, config, lab)
    st.pydeck_chart(deck, height=MAP_HEIGHT)
    shown_tiers = [t for t in lab.section("tiers") if t in set(data.units["tier"])]
    st.markdown(
        f'<div title="{ui.escape(helps["map"])}">'
        + legend(config, lab, shown_tiers, fill_range(data.summary, per_residents))
        + quality_note(quality(data.today, int(data.units_without_coordinates)), helps["quality"])
        + "</div>",
        unsafe_allow_html=True,
    )


def _right(data: WallData, head: Headline, config: WallConfig, lab: Labels, helps: dict[str, str]) -> None:
    groups = waiting(data.open_orders, order_flow(), config.in_flight)
    st.markdown(in_flight_card(groups, lab, helps), unsafe_allow_html=True)
    st.markdown(satisfaction_card(head, helps["satisfaction"]), unsafe_allow_html=True)
    ticker = ticker_card(data.latest, clock.local_now(), reveal_personal_data(), lab, config, helps["ticker"])
    st.markdown(ticker, unsafe_allow_html=True)


def _render() -> None:
    config, lab, goals = wall_config(), labels(), targets()
    scope = current_scope()
    now = current_tick()
    refresh = Refresh()
    try:
        data = load(refresh.get, scope, now, config, int(goals["satisfied_rating"].value))
    except NoDataYet as exc:
        _header(refresh, now)
        st.markdown(
            f'<div class="wall-waiting">{ui.escape(exc.message)}<br>每 {settings.refresh_seconds()} 秒自动重试。</div>',
            unsafe_allow_html=True,
        )
        return
    helps = _helps(config, goals, lab, order_flow())
    head = headline(data.summary, data.tiers, goals["volunteer_share"].value)
    _header(refresh, now)
    left, middle, right = st.columns([1, 2.1, 1], gap="medium")
    with left:
        _left(data, head, config, lab, helps)
    with middle:
        _middle(data, scope.counties is None, config, lab, helps)
    with right:
        _right(data, head, config, lab, helps)


def _style() -> None:
    st.markdown(MARKER + css(wall_config(), st.query_params.get("kiosk") == "1"), unsafe_allow_html=True)


@st.fragment(run_every=settings.refresh_seconds())
def _live() -> None:
    """The refreshing part of the page: everything but the style."""
    ui.guarded(_render)


if ui.guarded(_style):
    _live()
