"""实践排行: institutes, stations, teams, volunteers and projects by hours, activities, completed orders or
satisfaction — the first or the last ones, with the measure chosen by the user (kept in the URL)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, ui
from dashboard.filters import filter_bar
from dashboard.privacy import mask_name, reveal_personal_data
from dashboard.review_config import review_config
from dashboard.scope import current_scope
from dashboard.targets import targets
from queries import rankings

ENTITY_LABELS = {"institute": "所", "station": "站", "team": "志愿服务队伍", "volunteer": "志愿者", "project": "项目"}
MEASURE_LABELS = {
    "hours": "志愿服务时长（小时）",
    "activities": "活动场次",
    "completed_orders": "完成订单",
    "satisfaction": "满意率",
}
DIRECTION_LABELS = {"top": "前几名", "bottom": "后几名"}
SIZES = (10, 20, 50)


def _definition(measure: str) -> str:
    cfg = review_config()
    text = rankings.DEFINITIONS[measure]
    return text.format(satisfied_rating=int(targets()["satisfied_rating"].value), min_rated=cfg.ranking_min_rated)


def _chart(table: pd.DataFrame, measure: str, direction: str) -> alt.Chart:
    value = MEASURE_LABELS[measure]
    axis = alt.Axis(format=".0%") if measure == "satisfaction" else alt.Axis()
    colour = "#C8102E" if direction == "top" else "#7D7D7D"
    shown = table.assign(名称=[f"{r}. {n}" for r, n in zip(table["名次"], table["名称"], strict=True)])
    return (
        alt.Chart(shown)
        .mark_bar(color=colour)
        .encode(
            y=alt.Y("名称:N", sort=None, title=None, axis=alt.Axis(labelLimit=280, labelOverlap=False)),
            x=alt.X(f"{value}:Q", title=value, axis=axis),
            tooltip=[
                "名次:Q",
                "名称:N",
                "区县:N",
                alt.Tooltip(f"{value}:Q", format=".1%" if measure == "satisfaction" else ",.1f"),
            ],
        )
        .properties(height=max(200, 34 * len(table)))
    )


def render() -> None:
    """Draw the page."""
    scope = current_scope()
    current = filter_bar(scope)
    first, second, third, fourth = st.columns([2, 2, 1, 1])
    entity = (
        first.segmented_control(
            "排什么",
            rankings.ENTITIES,
            format_func=ENTITY_LABELS.get,
            key="rank_entity",
            bind="query-params",
            default="station",
        )
        or "station"
    )
    measure = second.selectbox(
        "按什么排",
        rankings.APPLICABLE[entity],
        format_func=MEASURE_LABELS.get,
        key="rank_measure",
        bind="query-params",
        help="项目没有订单，不按完成订单排。",
    )
    direction = third.radio(
        "看哪头", rankings.DIRECTIONS, format_func=DIRECTION_LABELS.get, key="rank_direction", bind="query-params"
    )
    size = fourth.selectbox("名数", SIZES, key="rank_size", bind="query-params")

    rows = data.run(
        rankings.ranking,
        scope,
        current,
        entity,
        measure,
        direction,
        size,
        int(targets()["satisfied_rating"].value),
        review_config().ranking_min_rated,
    )
    title = f"{ENTITY_LABELS[entity]} · {MEASURE_LABELS[measure]} · {DIRECTION_LABELS[direction]}"
    help_text = _definition(measure) + ("" if direction == "top" else rankings.DEFINITIONS["bottom"])
    st.subheader(title, help=help_text)
    if rows.empty:
        st.info("所选范围和时间段内没有可排名的记录。")
        return
    reveal = reveal_personal_data()
    names = [mask_name(n, reveal) for n in rows["name"]] if entity == "volunteer" else list(rows["name"])
    value = MEASURE_LABELS[measure]
    table = pd.DataFrame(
        {
            "名次": rows["rank"],
            "名称": names,
            "区县": rows["county_name"],
            "所属": rows["place"],
            value: rows["value"],
        }
    )
    if "rated" in rows and entity != "project":
        table["已评价订单"] = rows["rated"]
    left, right = st.columns([3, 2])
    with left:
        fmt = "percent" if measure == "satisfaction" else "localized"
        st.dataframe(
            table,
            hide_index=True,
            column_config={value: st.column_config.NumberColumn(format=fmt, help=help_text)},
        )
    with right:
        st.altair_chart(_chart(table, measure, direction), width="stretch")
    ui.download_csv(table, f"实践排行_{entity}_{measure}_{direction}", current, scope)


ui.run_page("实践排行", render)
