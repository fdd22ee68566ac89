"""The orders page's map: where orders come from (hexagons) and the areas one level down (clickable dots).

No base map (``map_provider=None``: nothing leaves the machine); the district boundaries come from
``dashboard.geo``. The demand layer is a ``HexagonLayer`` over grid cells already counted in SQL
(``queries.orders.demand_grid``), weighted by their orders. The area layer (id ``areas``) is
pickable: with ``st.pydeck_chart(on_select=...)`` a click returns the area's ``key``. Tooltips are
plain text, so names from the database need no escaping.
"""

from __future__ import annotations

import math

import pandas as pd
import pydeck as pdk

from dashboard.geo import load_districts
from dashboard.labels import rgb
from dashboard.map_layers import PAGE_BOUNDARY, PAGE_TOOLTIP, district_layer
from dashboard.orders_config import DemandMap

AREA_LAYER = "areas"
_CITY_VIEW = {"longitude": 112.45, "latitude": 37.85, "zoom": 8.3}
_AREA_FILL = [31, 95, 168, 210]


def _view(points: pd.DataFrame) -> pdk.ViewState:
    """The whole city, or fitted to the points when they span less."""
    if points.empty:
        return pdk.ViewState(**_CITY_VIEW)
    span = max(points["lon"].max() - points["lon"].min(), (points["lat"].max() - points["lat"].min()) * 1.3, 0.02)
    zoom = min(max(math.log2(360 / span) - 0.6, _CITY_VIEW["zoom"]), 13.0)
    return pdk.ViewState(longitude=float(points["lon"].mean()), latitude=float(points["lat"].mean()), zoom=zoom)


def deck(
    areas: pd.DataFrame, grid: pd.DataFrame, counties: list[str], settings: DemandMap, radius: float = 0
) -> pdk.Deck:
    """The map. ``areas``: ``key``, ``name``, ``lon``, ``lat``, ``orders``, ``line1``, ``line2`` (rows
    without coordinates are skipped), drawn as dots of at most ``radius`` metres (none when 0); ``grid``:
    ``lon``, ``lat``, ``orders``; ``counties``: the district boundaries to draw."""
    districts = load_districts()
    features = [districts[code] for code in counties if code in districts]
    layers = [
        district_layer(features, "boundaries", PAGE_BOUNDARY, fill=[246, 241, 232, 120], pickable=False),
        pdk.Layer(
            "HexagonLayer",
            grid.to_dict("records"),
            id="demand",
            get_position=["lon", "lat"],
            get_color_weight="orders",
            color_aggregation=pdk.types.String("SUM"),
            radius=settings.hexagon_radius_m,
            color_range=[rgb(colour) for colour in settings.colours],
            extruded=False,
            opacity=0.75,
            coverage=0.92,
        ),
    ]
    placed = areas.dropna(subset=["lon", "lat"])
    if radius and not placed.empty:
        peak = max(float(placed["orders"].max()), 1.0)
        records = [
            {
                "key": row.key if isinstance(row.key, str) else int(row.key),
                "lon": float(row.lon),
                "lat": float(row.lat),
                "radius": radius * (0.25 + 0.75 * math.sqrt(float(row.orders) / peak)),
                "title": str(row.name),
                "line1": row.line1,
                "line2": row.line2,
            }
            for row in placed.itertuples(index=False)
        ]
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                records,
                id=AREA_LAYER,
                pickable=True,
                auto_highlight=True,
                get_position=["lon", "lat"],
                get_radius="radius",
                radius_min_pixels=4,
                radius_max_pixels=28,
                get_fill_color=_AREA_FILL,
                get_line_color=[255, 255, 255, 230],
                stroked=True,
                line_width_min_pixels=1.5,
            )
        )
    return pdk.Deck(layers=layers, initial_view_state=_view(placed), map_provider=None, tooltip=PAGE_TOOLTIP)
