"""Drill-down of the orders page: city → district → township → station → the station's orders.

The path lives in the URL as the global filters ``county`` and ``township`` plus the page filter
``station``, so a copied link reopens the same level. :func:`level` says what the rows one level
down are, :func:`crumbs` the way back; both are pure. A click on a bar (Altair point selection), a
table row (``st.dataframe`` selection) or a map point (pydeck selection) calls :func:`on_pick`,
which writes the next level into the URL; the widget's key names the level, so a widget of a level
left behind is dropped by Streamlit together with its selection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import streamlit as st

from dashboard.filters import Filters
from dashboard.orders_filters import OrderFilters, write_params

ROOT_LABEL = "全市"
LEVEL_LABELS = {"county": "区县", "township": "乡镇（街道）", "station": "站点"}
PICK = "pick"  # the name of the Altair selection parameter
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


@dataclass(frozen=True)
class Crumb:
    """One step of the path: its label and the URL parameters that go back to it (None: the current one)."""

    label: str
    params: dict[str, str | None] | None


def level(filters: Filters, page: OrderFilters) -> str:
    """What one level down is: ``county``, ``township``, ``station`` or ``orders`` (a station is chosen)."""
    if page.station is not None:
        return "orders"
    if filters.township:
        return "station"
    if filters.county:
        return "township"
    return "county"


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
    """Selection callback: open the picked area (ignored when nothing, or an unknown key, is picked)."""
    key = picked_key(kind, st.session_state.get(widget_key) or {}, keys)
    if key is not None and key in keys:
        write_params(drill_params(at_level, key))


def widget_key(kind: str, filters: Filters, page: OrderFilters) -> str:
    """A widget key unique to the level shown, so that a selection never outlives its level."""
    return f"drill_{kind}_{filters.county or 'city'}_{filters.township or '-'}_{page.station or '-'}"


def plain(text: str) -> str:
    """A name from the database made literal for Streamlit markdown (button labels are markdown too)."""
    return _MARKDOWN.sub(r"\\\1", text)


def breadcrumb(path: Sequence[Crumb]) -> None:
    """The path as a row of links back (buttons); the last step is the current level."""
    columns = st.columns([1] * len(path) + [max(8 - len(path), 1)], gap="small", vertical_alignment="center")
    for i, (column, crumb) in enumerate(zip(columns, path, strict=False)):
        label = ("› " if i else ":material/location_on: ") + plain(crumb.label)
        if crumb.params is None:
            column.markdown(f"**{label}**")
        else:
            column.button(label, key=f"crumb_{i}", type="tertiary", on_click=write_params, args=(crumb.params,))
