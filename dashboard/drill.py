"""Drill-down from city to station through the global filters: the city lists its counties, a county its
townships, a township its units.

:func:`drill` tells which level a page lists for the current filters. :func:`drill_table` shows such a
list with row selection: choosing a county or township row writes it into the URL's filter parameters
(the same ones the filter bar keeps), so the page reruns one level down and a copied link keeps the view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.filters import Filters

_NONCE = "_drill_nonce"


@dataclass(frozen=True)
class Drill:
    """The level a page lists: ``county``, ``township`` or ``unit``, with its Chinese name."""

    level: str
    noun: str

    @property
    def can_descend(self) -> bool:
        """Whether choosing a row opens the level below."""
        return self.level != "unit"


def drill(filters: Filters) -> Drill:
    """Counties for the city, townships for a county, units for a township."""
    if filters.township:
        return Drill("unit", "阵地")
    if filters.county:
        return Drill("township", "乡镇（街道）")
    return Drill("county", "区县")


def _descend(key: str, level: str, codes: Sequence[str]) -> None:
    """Selection callback: open the chosen county or township (written into the URL's filters)."""
    rows = st.session_state[key].selection.rows
    if not rows:
        return
    code = codes[rows[0]]
    if not code:
        return
    if level == "county":
        st.query_params["county"] = code
        if "township" in st.query_params:
            del st.query_params["township"]
    else:
        st.query_params["township"] = code
    st.session_state[_NONCE] = st.session_state.get(_NONCE, 0) + 1


def drill_table(table: Any, codes: Sequence[str], where: Drill, key: str, **dataframe_kwargs: Any) -> None:
    """``st.dataframe`` of one level's rows (``table``: DataFrame or Styler, ``codes`` one per row, a
    county or township code, empty for a row that opens nothing); choosing a row opens it when the level
    allows. ``dataframe_kwargs`` go to ``st.dataframe`` (column_config, height …)."""
    dataframe_kwargs.setdefault("hide_index", True)
    dataframe_kwargs.setdefault("placeholder", "—")
    if not where.can_descend:
        st.dataframe(table, **dataframe_kwargs)
        return
    widget_key = f"{key}_{where.level}_{st.session_state.get(_NONCE, 0)}"
    st.dataframe(
        table,
        key=widget_key,
        on_select=partial(_descend, widget_key, where.level, list(codes)),
        selection_mode="single-row",
        **dataframe_kwargs,
    )
    st.caption(f"选中一行可查看该{where.noun}下一级的情况；在左侧筛选栏可返回上一级。")


def codes_of(frame: pd.DataFrame, column: str, where: Drill) -> list[str]:
    """The drill codes of a level's rows: the column's values for counties and townships, empty otherwise."""
    if not where.can_descend:
        return [""] * len(frame)
    return ["" if pd.isna(code) else str(code) for code in frame[column]]
