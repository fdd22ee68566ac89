"""Taiyuan district boundaries for the offline map, plus fast point sampling inside them.

Reads the static assets in ``assets/geo`` (WGS84 lon/lat, generated once by
``scripts/extract_boundaries.py``). Coordinates are always (lon, lat) in degrees.
Sampling is uniform in lon/lat degrees, which at city scale is indistinguishable
from uniform by area.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

_GEO_DIR = Path(__file__).resolve().parents[1] / "assets" / "geo"
_DISTRICTS_FILE = _GEO_DIR / "taiyuan_districts.geojson"
_CITY_FILE = _GEO_DIR / "taiyuan_city.geojson"

# Give up (instead of looping forever) once this many candidates per requested point were drawn.
_MAX_CANDIDATES_PER_POINT = 1000


def _read_features(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return json.load(f)["features"]


@lru_cache(maxsize=1)
def load_districts() -> dict[str, dict]:
    """Return adcode -> GeoJSON feature for Taiyuan's 10 county-level units, sorted by adcode.

    The result is cached and shared between callers: treat it as read-only.
    """
    features = _read_features(_DISTRICTS_FILE)
    return {f["properties"]["adcode"]: f for f in sorted(features, key=lambda f: f["properties"]["adcode"])}


@lru_cache(maxsize=1)
def city_outline() -> dict:
    """Return the GeoJSON feature of the 太原市 outline (adcode 140100); cached, read-only."""
    (feature,) = _read_features(_CITY_FILE)
    return feature


@cache
def district_shape(adcode: str) -> shapely.Geometry:
    """Return the (prepared) shapely geometry of one district; raises KeyError for unknown adcodes."""
    districts = load_districts()
    if adcode not in districts:
        raise KeyError(f"unknown Taiyuan district adcode {adcode!r}; known: {sorted(districts)}")
    geom = shape(districts[adcode]["geometry"])
    shapely.prepare(geom)
    return geom


def contains(adcode: str, lon, lat) -> np.ndarray:
    """Vectorised test: boolean array, True where (lon, lat) lies strictly inside the district."""
    return np.asarray(shapely.contains_xy(district_shape(adcode), np.asarray(lon), np.asarray(lat)), dtype=bool)


def _rejection_sample(adcode: str, n: int, draw, first_rate: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Keep calling ``draw(m) -> (lon, lat)`` and keep points inside the district until n are found.

    Batch sizes are derived from the acceptance rate observed so far, so only a few
    vectorised rounds are needed. Accepted points keep their draw order, so the result
    depends only on the rng state.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    geom = district_shape(adcode)
    lons, lats = [], []
    have = drawn = accepted = 0
    while have < n:
        if drawn > _MAX_CANDIDATES_PER_POINT * max(n, 10):
            raise ValueError(f"could not place {n} points inside district {adcode}: acceptance rate too low")
        rate = max(accepted / drawn, 0.01) if drawn else first_rate
        m = int(np.ceil((n - have) / rate * 1.1)) + 16
        lon, lat = draw(m)
        inside = shapely.contains_xy(geom, lon, lat)
        drawn += m
        accepted += int(inside.sum())
        lon, lat = lon[inside][: n - have], lat[inside][: n - have]
        lons.append(lon)
        lats.append(lat)
        have += lon.size
    if not lons:
        return np.empty(0), np.empty(0)
    return np.concatenate(lons), np.concatenate(lats)


def random_points_in(adcode: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return (lon, lat) arrays of n points uniformly distributed strictly inside the district.

    Vectorised rejection sampling from the district's bounding box; deterministic for a
    given ``rng`` state.
    """
    geom = district_shape(adcode)
    min_lon, min_lat, max_lon, max_lat = geom.bounds

    def draw(m: int) -> tuple[np.ndarray, np.ndarray]:
        return rng.uniform(min_lon, max_lon, m), rng.uniform(min_lat, max_lat, m)

    return _rejection_sample(adcode, n, draw, first_rate=geom.area / ((max_lon - min_lon) * (max_lat - min_lat)))


def points_near(
    adcode: str,
    centre_lon: float,
    centre_lat: float,
    n: int,
    spread_deg: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (lon, lat) arrays of n points scattered normally around a centre, all inside the district.

    ``spread_deg`` is the standard deviation in degrees on both axes. Points falling
    outside the district are re-drawn (i.e. a normal distribution truncated to the
    district), e.g. villages clustered around their township seat. Deterministic for a
    given ``rng`` state; raises ValueError if the centre is so far outside the district
    that almost no draws land inside.
    """
    if spread_deg <= 0:
        raise ValueError(f"spread_deg must be > 0, got {spread_deg}")

    def draw(m: int) -> tuple[np.ndarray, np.ndarray]:
        return rng.normal(centre_lon, spread_deg, m), rng.normal(centre_lat, spread_deg, m)

    return _rejection_sample(adcode, n, draw)
