"""The offline map of practice units: district boundaries filled by volunteer share, one dot layer per tier.

Builds a ``pydeck.Deck`` with no base map (``map_provider=None``: no external request) from the
district boundaries of ``dashboard.geo`` and the query results. Tooltips are plain text
(``dashboard.map_layers``); the legend, which is HTML, escapes its texts.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pydeck as pdk
import shapely
from shapely.geometry import shape

from dashboard.geo import load_districts
from dashboard.labels import Labels, rgb
from dashboard.map_layers import PAGE_BOUNDARY, PAGE_TOOLTIP, district_layer, fitted, text_of, unit_records
from dashboard.ui import escape, fmt_int, fmt_pct

CITY_VIEW = {"longitude": 112.45, "latitude": 37.85, "zoom": 8.5}
MAP_HEIGHT = 560
_FIT_WIDTH_PX = 700  # the narrowest width the map column is expected to have
_NO_DATA_FILL = "#E6E1D8"


def _district_features(summary: pd.DataFrame, target_share: float, labels: Labels) -> list[dict]:
    """The boundaries of the counties in ``summary``, each carrying its fill colour and tooltip fields."""
    districts = load_districts()
    features = []
    for row in summary.itertuples(index=False):
        feature = districts.get(row.county_code)
        if feature is None:
            continue
        share = None if pd.isna(row.volunteer_share) else float(row.volunteer_share)
        band = labels.share_band(share, target_share)
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "title": text_of(row.county_name),
                    "line1": f"注册志愿者 {fmt_int(row.volunteers)} 人，占常住人口 {fmt_pct(share)}",
                    "line2": f"目标 {target_share:.0%}：{band.label if band else '缺少人口数据'}",
                    "fill": rgb(band.colour if band else _NO_DATA_FILL, 170),
                },
            }
        )
    return features


def _unit_records(units: pd.DataFrame, labels: Labels) -> Iterable[tuple[str, list[dict]]]:
    """(tier, records) per tier present, the widest tier first so centres are drawn on top."""
    order = list(reversed(labels.section("tiers")))
    present = [tier for tier in order if tier in set(units["tier"])]
    present += sorted(set(units["tier"]) - set(order))  # unknown tiers, drawn first in grey
    for tier in present:
        yield tier, unit_records(units[units["tier"] == tier], labels)


def _view(features: list[dict]) -> pdk.ViewState:
    """The whole city; closer, fitted to their bounds, when only one or two districts are shown."""
    if not features or len(features) > 2:
        return pdk.ViewState(**CITY_VIEW)
    bounds = shapely.union_all([shape(f["geometry"]) for f in features]).bounds
    lon, lat, zoom = fitted(bounds, _FIT_WIDTH_PX, MAP_HEIGHT)
    return pdk.ViewState(longitude=lon, latitude=lat, zoom=min(max(zoom - 0.3, CITY_VIEW["zoom"]), 12.0))


def unit_deck(summary: pd.DataFrame, units: pd.DataFrame, target_share: float, labels: Labels) -> pdk.Deck:
    """The deck: districts of ``summary`` (from ``queries.overview.district_summary``) and ``units``
    (from ``queries.units.map_units``)."""
    features = _district_features(summary, target_share, labels)
    layers = [district_layer(features, "districts", PAGE_BOUNDARY)]
    tiers = labels.section("tiers")
    for tier, records in _unit_records(units, labels):
        entry = tiers.get(tier)
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                records,
                id=f"units-{tier}",
                pickable=True,
                get_position=["lon", "lat"],
                get_fill_color=rgb(labels.colour("tiers", tier), 220),
                get_line_color=[255, 255, 255, 200],
                stroked=True,
                line_width_min_pixels=0.5,
                get_radius=entry.map_radius if entry and entry.map_radius else 200,
                radius_min_pixels=2,
                radius_max_pixels=14,
            )
        )
    return pdk.Deck(
        layers=layers,
        initial_view_state=_view(features),
        map_provider=None,
        tooltip=PAGE_TOOLTIP,
    )


def legend_html(units: pd.DataFrame, target_share: float, labels: Labels) -> str:
    """A one-line HTML legend: tier dots with their counts, then the volunteer-share bands."""
    counts = units["tier"].value_counts()
    dot = '<span style="display:inline-block;width:10px;height:10px;border-radius:50%;background:{};"></span>'
    square = '<span style="display:inline-block;width:12px;height:10px;background:{};"></span>'
    parts = [
        f"{dot.format(code.colour)} {escape(code.label)} {fmt_int(counts.get(tier, 0))}"
        for tier, code in labels.section("tiers").items()
        if counts.get(tier, 0)
    ]
    parts.append(f"｜志愿者占比（目标 {target_share:.0%}）：")
    parts += [f"{square.format(band.colour)} {escape(band.label)}" for band in labels.share_bands]
    return '<div style="font-size:0.85rem;line-height:1.8;">' + "&emsp;".join(parts) + "</div>"
