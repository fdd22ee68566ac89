"""Drill-down from the city to a district, a township and its units (on the orders page: a station's orders).

The path lives in the URL as the global filters ``county`` and ``township`` plus, on the orders page,
its page filter ``station``, so a copied link reopens the same level. :func:`drill` tells which level a
page of units lists, :func:`level` the orders page's level, :func:`crumbs` the way back; all three are
pure. A click on a bar (Altair point selection), a table row (``st.dataframe`` selection) or a map point
(pydeck selection) calls :func:`on_pick`, which writes the level below into the URL;
:func:`drill_table` is such a table for the pages of units. The widget's key names the level, so a
widget of a level left behind is dropped by Streamlit together with its selection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.filters import Filters
from dashboard.orders_filters import OrderFilters, write_params
from dashboard.ui import markdown_literal

ROOT_LABEL = "全市"
LEVEL_LABELS = {"county": "区县", "township": "乡镇（街道）", "station": "站点", "unit": "阵地"}
PICK = "pick"  # the name of the Altair selection parameter
_NONCE = "_drill_nonce"


@dataclass(frozen=True)
class Crumb:
    """One step of the path: its label and the URL parameters that go back to it (None: the current one)."""

    label: str
    params: dict[str, str | None] | None


@dataclass(frozen=True)
class Drill:
    """The level a page of units lists: ``county``, ``township`` or ``unit``."""

    level: str

    @property
    def noun(self) -> str:
        """The level's Chinese name."""
        return LEVEL_LABELS[self.level]

    @property
    def can_descend(self) -> bool:
        """Whether choosing a row opens the level below."""
        return self.level != "unit"


def drill(filters: Filters) -> Drill:
    """Counties for the city, townships for a county, units for a township."""
    if filters.township:
        return Drill("unit")
    if filters.county:
        return Drill("township")
    return Drill("county")


def level(filters: Filters, page: OrderFilters) -> str:
    """What one level down is on the orders page: ``county``, ``township``, ``station`` (its units are
    stations) or ``orders`` (a station is chosen)."""
    if page.station is not None:
        return "orders"
    listed = drill(filters).level
    return "station" if listed == "unit" else listed


def crumbs(filters: Filters, page: OrderFilters, names: Mapping[str, str]) -> list[Crumb]:
    """The path from the city to the current level; ``names`` maps codes and station ids (as text) to names."""
    path = [Crumb(ROOT_LABEL, {"county": None, "township": None, "station": None})]
    if filters.county:
        path.append(Crumb(names.get(filters.county, filters.county), {"township": None, "station": None}))
    if filters.township:
        path.append(Crumb(names.get(filters.township, filters.township), {"station": None}))
    if page.station is not None:
        path.append(Crumb(names.get(str(page.station), str(page.station)), {}))
    return [*path[:-1], Crumb(path[-1].label, None)]


def drill_params(at_level: str, key: object) -> dict[str, str | None]:
    """The URL parameters that open area ``key`` of level ``at_level`` (its own drill level below)."""
    if at_level == "county":
        return {"county": str(key), "township": None, "station": None}
    if at_level == "township":
        return {"township": str(key), "station": None}
    return {"station": str(int(key))}


def picked_key(kind: str, state: Mapping, keys: Sequence[object]) -> object | None:
    """The area key a selection points at: ``kind`` is ``chart`` (Altair), ``table`` or ``map`` (pydeck)."""
    selection = state.get("selection") or {}
    if kind == "chart":
        points = selection.get(PICK) or []
        return points[0].get("key") if points else None
    if kind == "table":
        rows = selection.get("rows") or []
        return keys[rows[0]] if rows and rows[0] < len(keys) else None
    for objects in (selection.get("objects") or {}).values():
        if objects:
            return objects[0].get("key")
    return None


def on_pick(widget_key: str, kind: str, at_level: str, keys: Sequence[object]) -> None:
    """Selection callback: open the picked area (ignored when nothing, an empty or an unknown key is picked)."""
    key = picked_key(kind, st.session_state.get(widget_key) or {}, keys)
    if key not in (None, "") and key in keys:
        write_params(drill_params(at_level, key))


def widget_key(kind: str, filters: Filters, page: OrderFilters) -> str:
    """A widget key unique to the level shown, so that a selection never outlives its level."""
    return f"drill_{kind}_{filters.county or 'city'}_{filters.township or '-'}_{page.station or '-'}"


def _open_row(widget_key: str, at_level: str, codes: Sequence[str]) -> None:
    """Selection callback of :func:`drill_table`: open the chosen row; the table's next key drops the selection."""
    on_pick(widget_key, "table", at_level, codes)
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
    table_key = f"{key}_{where.level}_{st.session_state.get(_NONCE, 0)}"
    st.dataframe(
        table,
        key=table_key,
        on_select=partial(_open_row, table_key, where.level, list(codes)),
        selection_mode="single-row",
        **dataframe_kwargs,
    )
    st.caption(f"选中一行可查看该{where.noun}下一级的情况；在左侧筛选栏可返回上一级。")


def codes_of(frame: pd.DataFrame, column: str, where: Drill) -> list[str]:
    """The drill codes of a level's rows: the column's values for counties and townships, empty otherwise."""
    if not where.can_descend:
        return [""] * len(frame)
    return ["" if pd.isna(code) else str(code) for code in frame[column]]


def breadcrumb(path: Sequence[Crumb]) -> None:
    """The path as a row of links back (buttons); the last step is the current level."""
    columns = st.columns([1] * len(path) + [max(8 - len(path), 1)], gap="small", vertical_alignment="center")
    for i, (column, crumb) in enumerate(zip(columns, path, strict=False)):
        label = ("› " if i else ":material/location_on: ") + markdown_literal(crumb.label)
        if crumb.params is None:
            column.markdown(f"**{label}**")
        else:
            column.button(label, key=f"crumb_{i}", type="tertiary", on_click=write_params, args=(crumb.params,))
