"""The wall's map: district boundaries filled by this month's orders per 10,000 residents, every unit by tier,
and today's orders (points coloured by step, arcs from the resident to the dispatching unit while in flight).

Fully offline: ``map_provider=None`` (no base map, no token, no request leaving the machine); the
boundaries are the real ones of ``assets/geo``. Tooltips are plain text (``dashboard.map_layers``):
no database text can become HTML.
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pydeck as pdk
import shapely
from shapely.geometry import shape
from shapely.ops import polylabel

from dashboard.geo import city_outline, load_districts
from dashboard.labels import Labels, rgb
from dashboard.map_layers import district_layer, fitted, text_tooltip, unit_records
from dashboard.ui import fmt_int, fmt_pct
from dashboard.wall_config import WallConfig
from dashboard.wall_figures import drawable
from dashboard.wall_panels import short_name

MAP_HEIGHT = 720  # pixels at 1920×1080
_MAP_WIDTH = 930  # the map column's width at 1920×1080
_STATION_TIERS_FIRST = ("other", "base", "leifeng", "station", "platform", "institute", "centre")
_ARC_STATUSES = ("dispatched", "redispatched", "accepted")
_ORDER_RADIUS = 300  # metres


def _mix(low: str, high: str, t: float) -> list[int]:
    a, b = rgb(low), rgb(high)
    return [round(x + (y - x) * t) for x, y in zip(a, b, strict=True)]


def fill_range(summary: pd.DataFrame, per_residents: pd.Series) -> tuple[float, float] | None:
    """Lowest and highest orders per 10,000 residents among the counties drawn (None when none is known)."""
    known = per_residents[summary["county_code"].isin(load_districts())].dropna()
    return (float(known.min()), float(known.max())) if not known.empty else None


def _districts(summary: pd.DataFrame, per_residents: pd.Series, config: WallConfig) -> list[dict]:
    districts = load_districts()
    span = fill_range(summary, per_residents)
    features = []
    for row, rate in zip(summary.itertuples(index=False), per_residents, strict=True):
        feature = districts.get(row.county_code)
        if feature is None:
            continue
        if span is None or pd.isna(rate):
            fill = [*rgb(config.fill_low), 160]
        else:
            low, high = span
            fill = [*_mix(config.fill_low, config.fill_high, (rate - low) / (high - low) if high > low else 1.0), 200]
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "title": str(row.county_name),
                    "line1": f"本月订单 {fmt_int(row.orders)} 单，每万人 {'—' if pd.isna(rate) else f'{rate:.1f}'} 单",
                    "line2": f"本月满意率 {fmt_pct(row.satisfaction_rate)} · 注册志愿者 {fmt_int(row.volunteers)} 人",
                    "fill": fill,
                },
            }
        )
    return features


@cache
def _label_point(adcode: str) -> tuple[float, float]:
    geom = shape(load_districts()[adcode]["geometry"])
    largest = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
    point = polylabel(largest, tolerance=0.002)
    return point.x, point.y


def _unit_layers(units: pd.DataFrame, config: WallConfig, labels: Labels) -> list[pdk.Layer]:
    tiers = labels.section("tiers")
    layers = []
    present = set(units["tier"])
    for tier in [t for t in _STATION_TIERS_FIRST if t in present]:
        big = tier in ("centre", "institute")
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                unit_records(units[units["tier"] == tier], labels),
                id=f"units-{tier}",
                pickable=True,
                get_position=["lon", "lat"],
                get_fill_color=rgb(config.tiers[tier], 235),
                get_line_color=[255, 255, 255, 230] if big else [4, 11, 26, 200],
                stroked=True,
                line_width_min_pixels=1.5 if big else 0.5,
                get_radius=tiers[tier].map_radius or 200,
                radius_min_pixels=7 if tier == "centre" else 4 if big else 2,
                radius_max_pixels=22,
            )
        )
    return layers


def _order_layers(orders: pd.DataFrame, config: WallConfig, labels: Labels) -> list[pdk.Layer]:
    shown = orders[drawable(orders)]
    records = [
        {
            "lon": float(r.lon),
            "lat": float(r.lat),
            "colour": rgb(config.statuses[r.status], 230),
            "title": f"{r.category} · {labels.label('order_statuses', r.status)}",
            "line1": short_name(r.station_name),
            "line2": f"派单单位：{short_name(r.dispatcher_name)}" if isinstance(r.dispatcher_name, str) else "",
            "to": [float(r.dispatcher_lon), float(r.dispatcher_lat)]
            if pd.notna(r.dispatcher_lon) and pd.notna(r.dispatcher_lat)
            else None,
        }
        for r in shown.itertuples(index=False)
    ]
    arcs = [
        {**rec, "from": [rec["lon"], rec["lat"]]}
        for rec, status in zip(records, shown["status"], strict=True)
        if status in _ARC_STATUSES and rec["to"] is not None
    ]
    return [
        pdk.Layer(
            "ScatterplotLayer",
            records,
            id="orders-today",
            pickable=True,
            get_position=["lon", "lat"],
            get_fill_color="colour",
            get_radius=_ORDER_RADIUS,
            radius_min_pixels=4,
            radius_max_pixels=10,
        ),
        pdk.Layer(
            "ArcLayer",
            arcs,
            id="orders-in-flight",
            pickable=True,
            get_source_position="from",
            get_target_position="to",
            get_source_color="colour",
            get_target_color=rgb(config.palette["gold"], 230),
            get_width=2,
            get_height=0.5,
        ),
    ]


def _view(features: list[dict], whole_city: bool) -> pdk.ViewState:
    """Fit the city (or the districts shown) into the map's pixel size."""
    geoms = (
        [shape(city_outline()["geometry"])] if whole_city or not features else [shape(f["geometry"]) for f in features]
    )
    lon, lat, zoom = fitted(shapely.union_all(geoms).bounds, _MAP_WIDTH, MAP_HEIGHT)
    return pdk.ViewState(longitude=lon, latitude=lat, zoom=min(zoom, 12.0) - 0.08)


def wall_deck(
    summary: pd.DataFrame,
    per_residents: pd.Series,
    units: pd.DataFrame,
    orders: pd.DataFrame,
    whole_city: bool,
    config: WallConfig,
    labels: Labels,
) -> pdk.Deck:
    """The deck: ``summary`` (this month's ``district_summary``) with its orders per 10,000 residents,
    ``units`` (``queries.units.map_units``) and ``orders`` (``queries.wall.orders_today``)."""
    features = _districts(summary, per_residents, config)
    p = config.palette
    accent = rgb(p["accent"])
    layers = [district_layer(features, "districts", [*accent, 150], line_width=1.2)]
    if whole_city:
        layers.append(district_layer([city_outline()], "city", [*accent, 255], line_width=3, fill=None, pickable=False))
    unit_layers = _unit_layers(units, config, labels)
    small = [layer for layer in unit_layers if layer.id not in ("units-centre", "units-institute")]
    big = [layer for layer in unit_layers if layer.id in ("units-centre", "units-institute")]
    labels_layer = pdk.Layer(
        "TextLayer",
        [
            {"position": list(_label_point(f_code)), "text": name}
            for f_code, name in zip(summary["county_code"], summary["county_name"], strict=True)
            if f_code in load_districts()
        ],
        id="district-names",
        get_position="position",
        get_text="text",
        get_size=17,
        get_color=[*rgb(p["text"]), 235],
        get_pixel_offset=[0, -22],
        character_set=pdk.types.String("auto"),
        font_family=pdk.types.String("'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"),
        font_weight=700,
        background=True,
        get_background_color=[*rgb(p["background"]), 170],
        background_padding=[5, 2],
    )
    return pdk.Deck(
        layers=[*layers, *small, *_order_layers(orders, config, labels), *big, labels_layer],
        initial_view_state=_view(features, whole_city),
        map_provider=None,
        tooltip=text_tooltip(p["panel"], p["text"], "16px", f"1px solid {p['accent']}"),
    )
