"""阵地: the practice units in scope, searchable by name and filterable by tier and pilot level."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, ui
from dashboard.filters import filter_bar
from dashboard.labels import Labels, labels
from dashboard.scope import current_scope
from queries import units

_MAX_SEARCH = 40


def _tier_table(tiers: pd.DataFrame, lab: Labels) -> pd.DataFrame:
    """Counts by tier per district (by county code), tiers as columns in labels.yaml order, with totals."""
    order = [tier for tier in lab.section("tiers") if tier in set(tiers["tier"])]
    order += sorted(set(tiers["tier"]) - set(order))
    wide = (
        tiers.pivot_table(index="county_code", columns="tier", values="units", aggfunc="sum", fill_value=0)
        .reindex(columns=order, fill_value=0)
        .astype("int64")
    )
    names = tiers.drop_duplicates("county_code").set_index("county_code")["county_name"]
    wide.index = [names.get(code) or code for code in wide.index]
    wide.columns = [lab.label("tiers", tier) for tier in wide.columns]
    wide["合计"] = wide.sum(axis=1)
    wide.loc["合计"] = wide.sum(axis=0)
    return wide.rename_axis("区县").reset_index()


def _unit_table(rows: pd.DataFrame, lab: Labels) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "名称": rows["name"],
            "层级": [lab.label("tiers", tier) for tier in rows["tier"]],
            "区县": rows["county_name"],
            "乡镇（街道）": rows["township_name"],
            "试点级别": [lab.label("pilot_levels", level) for level in rows["pilot_level"]],
            "示范点": rows["is_model"],
            "重点村": rows["is_key"],
            "经度": rows["lon"],
            "纬度": rows["lat"],
        }
    )


def render() -> None:
    """Draw the page."""
    scope = current_scope()
    current = filter_bar(scope)
    lab = labels()
    tier_codes, pilot_codes = list(lab.section("tiers")), list(lab.section("pilot_levels"))

    search_col, tier_col, pilot_col = st.columns([2, 2, 2])
    search = search_col.text_input("按名称搜索", max_chars=_MAX_SEARCH, placeholder="输入阵地名称的一部分")
    chosen_tiers = tier_col.multiselect(
        "层级", tier_codes, format_func=lambda code: lab.label("tiers", code), placeholder="全部层级"
    )
    chosen_pilots = pilot_col.multiselect(
        "试点级别", pilot_codes, format_func=lambda code: lab.label("pilot_levels", code), placeholder="全部"
    )
    rows = data.run(
        units.unit_list,
        scope,
        current,
        search.strip() or None,
        tuple(chosen_tiers) or None,
        tuple(chosen_pilots) or None,
    )

    st.subheader(f"阵地列表（{ui.fmt_int(len(rows))} 个）", help=units.DEFINITIONS["units"])
    table = _unit_table(rows, lab)
    st.dataframe(
        table,
        hide_index=True,
        placeholder="—",
        column_config={
            "经度": st.column_config.NumberColumn(format="%.5f"),
            "纬度": st.column_config.NumberColumn(format="%.5f"),
        },
    )
    ui.download_csv(table, "阵地列表", current, scope)

    st.subheader("各区县阵地数", help=units.DEFINITIONS["tier_counts"])
    tiers = data.run(units.tier_counts, scope, current)
    if tiers.empty:
        st.info("所选范围内没有阵地。")
        return
    counts = _tier_table(tiers, lab)
    st.dataframe(counts, hide_index=True, placeholder="—")
    ui.download_csv(counts, "各区县阵地数", current, scope, label="下载各区县阵地数 CSV")


ui.run_page("阵地", render)
