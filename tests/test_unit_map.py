"""The offline unit map: no base map, one layer per tier, escaped tooltips."""

from __future__ import annotations

import json

import pandas as pd

from dashboard.labels import labels
from dashboard.unit_map import unit_deck

SUMMARY = pd.DataFrame(
    {
        "county_code": ["140110", "140121"],
        "county_name": ["晋源区", "清徐<县>"],
        "volunteers": [100, 5],
        "volunteer_share": [0.2, float("nan")],
    }
)
UNITS = pd.DataFrame(
    {
        "id": [1, 2, 3],
        "name": ["中心<script>", "所 & 站", "站"],
        "tier": ["centre", "institute", "station"],
        "county_code": ["140110"] * 3,
        "county_name": ["晋源区"] * 3,
        "township_code": [None, "1", "1"],
        "township_name": [None, "晋祠镇", "晋祠镇"],
        "pilot_level": ["central", None, None],
        "lon": [112.5, 112.45, 112.46],
        "lat": [37.7, 37.71, 37.72],
    }
)


def test_deck_is_offline_with_a_layer_per_tier() -> None:
    deck = unit_deck(SUMMARY, UNITS, 0.13, labels())
    assert deck.map_provider is None
    text = deck.to_json()
    assert "http" not in text  # no base-map style or tiles to fetch
    spec = json.loads(text)
    ids = [layer["id"] for layer in spec["layers"]]
    assert ids == ["districts", "units-station", "units-institute", "units-centre"]


def test_tooltip_is_plain_text_with_raw_values() -> None:
    """deck.gl shows a text tooltip with innerText: database values go in unchanged and never become HTML."""
    deck = unit_deck(SUMMARY, UNITS, 0.13, labels())
    tooltip = deck._tooltip  # what st.pydeck_chart sends beside the spec (streamlit's _get_pydeck_tooltip)
    assert "html" not in tooltip and tooltip["text"] == "{title}\n{line1}\n{line2}"
    spec = json.loads(deck.to_json())
    titles = [f["properties"]["title"] for f in spec["layers"][0]["data"]["features"]]
    titles += [d["title"] for layer in spec["layers"][1:] for d in layer["data"]]
    assert sorted(titles) == sorted(["晋源区", "清徐<县>", "站", "所 & 站", "中心<script>"])
    centre = spec["layers"][-1]["data"][0]
    assert (centre["line1"], centre["line2"]) == ("中心 · 中央试点", "晋源区")
