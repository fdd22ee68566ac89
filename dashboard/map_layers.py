"""Pieces the offline pydeck maps share (the units map, the wall's map, the orders map): the layer of
district boundaries, the plain-text tooltip, the dots' records of practice units and a view fitted to a box.

Tooltips are plain text (pydeck ``tooltip={"text": ...}``): deck.gl puts them in the page with
``innerText``, so a name from the database can never become HTML and needs no escaping. An ``html``
tooltip would not do: Streamlit already HTML-escapes every value it substitutes into one (docs/notes.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import pydeck as pdk

from dashboard.labels import Labels

TOOLTIP_TEXT = "{title}\n{line1}\n{line2}"


def text_tooltip(background: str, colour: str, font_size: str, border: str) -> dict:
    """A plain-text tooltip showing the picked object's ``title``, ``line1`` and ``line2``."""
    return {
        "text": TOOLTIP_TEXT,
        "style": {"backgroundColor": background, "color": colour, "fontSize": font_size, "border": border},
    }


PAGE_TOOLTIP = text_tooltip("#FFFDF7", "#3A2A1A", "13px", "1px solid #C8102E")  # the light pages' maps
PAGE_BOUNDARY = [120, 20, 30, 200]  # district outlines on the light pages' maps


def district_layer(
    features: list[dict],
    layer_id: str,
    line_colour: Sequence[int],
    line_width: float = 1,
    fill: str | Sequence[int] | None = "properties.fill",
    pickable: bool = True,
) -> pdk.Layer:
    """A ``GeoJsonLayer`` of district boundaries (GeoJSON features of ``dashboard.geo``) outlined in
    ``line_colour``, filled by ``fill`` (a colour, the accessor of each feature's own, or None: unfilled)."""
    colours = {} if fill is None else {"get_fill_color": fill}
    return pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": features},
        id=layer_id,
        pickable=pickable,
        stroked=True,
        filled=fill is not None,
        get_line_color=list(line_colour),
        line_width_min_pixels=line_width,
        **colours,
    )


def text_of(value: object) -> str:
    """A database value as text; empty for NULL (None or NaN)."""
    return "" if value is None or pd.isna(value) else str(value)


def unit_records(units: pd.DataFrame, labels: Labels) -> list[dict]:
    """One dot per unit (rows of ``queries.units.map_units``): its position and tooltip lines (the name;
    the tier and pilot level; the county and township)."""
    return [
        {
            "lon": float(row.lon),
            "lat": float(row.lat),
            "title": text_of(row.name),
            "line1": labels.label("tiers", row.tier)
            + (f" · {labels.label('pilot_levels', row.pilot_level)}" if text_of(row.pilot_level) else ""),
            "line2": " · ".join(filter(None, (text_of(row.county_name), text_of(row.township_name)))),
        }
        for row in units.itertuples(index=False)
    ]


def fitted(bounds: Sequence[float], width_px: float, height_px: float) -> tuple[float, float, float]:
    """Centre (longitude, latitude) and the zoom at which ``bounds`` (min lon, min lat, max lon, max lat)
    just fill a map of ``width_px`` × ``height_px``."""
    min_lon, min_lat, max_lon, max_lat = bounds
    lat = (min_lat + max_lat) / 2
    # Web Mercator: the world is 512 × 2^zoom pixels wide; a degree of latitude is 1/cos(lat) longer.
    fit_width = math.log2(width_px * 360 / (512 * max(max_lon - min_lon, 0.01)))
    fit_height = math.log2(height_px * 360 * math.cos(math.radians(lat)) / (512 * max(max_lat - min_lat, 0.01)))
    return (min_lon + max_lon) / 2, lat, min(fit_width, fit_height)
