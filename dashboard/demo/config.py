"""Loads and checks the demo's data files: Taiyuan's structure and the size profiles."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from dashboard.settings import ASSETS

DEMO_ASSETS = ASSETS / "demo"


class DemoConfigError(ValueError):
    """A demo data file is inconsistent; the message says which file and what."""


@dataclass(frozen=True)
class District:
    """A county-level unit of the demo, real (Taiyuan) or generated (province scale)."""

    code: str
    name: str
    pilot_level: str | None
    urban: bool
    population: int
    townships: int
    stations: int
    profile: float
    volunteer_share: float
    party_participation: float
    pilot_townships: tuple[str, ...] = ()
    pilot_villages: tuple[tuple[str, str], ...] = ()
    real: bool = True


@dataclass(frozen=True)
class Structure:
    """Everything the demo takes from the seeds, checked."""

    city_code: str
    city_name: str
    districts: tuple[District, ...]
    leaders: tuple[dict, ...]
    platforms: tuple[str, ...]
    standing_teams: dict
    featured_teams: tuple[str, ...]
    order_categories: dict
    activity_titles: dict
    project_themes: tuple[str, ...]
    media_outlets: dict


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_structure(path: Path = DEMO_ASSETS / "taiyuan.yaml") -> Structure:
    """Read ``taiyuan.yaml`` and check its totals against the seed's figures."""
    raw = _load(path)
    districts = []
    for d in raw["districts"]:
        villages = tuple((v["township"], v["name"]) for v in d.get("pilot_villages", []))
        districts.append(
            District(
                code=str(d["code"]),
                name=d["name"],
                pilot_level=d.get("pilot_level"),
                urban=bool(d["urban"]),
                population=int(d["population"]),
                townships=int(d["townships"]),
                stations=int(d["stations"]),
                profile=float(d["profile"]),
                volunteer_share=float(d["volunteer_share"]),
                party_participation=float(d["party_participation"]),
                pilot_townships=tuple(d.get("pilot_townships", [])),
                pilot_villages=villages,
            )
        )
    totals = raw["totals"]
    checks = {
        "centres": len(districts),
        "institutes": sum(d.townships for d in districts),
        "stations": sum(d.stations for d in districts),
    }
    for key, value in checks.items():
        if value != totals[key]:
            raise DemoConfigError(f"{path.name}: {key} 合计 {value}，与 totals 中的 {totals[key]} 不符")
    for d in districts:
        named = set(d.pilot_townships) | {t for t, _ in d.pilot_villages}
        if len(named) > d.townships:
            raise DemoConfigError(f"{path.name}: {d.name} 的具名乡镇 {len(named)} 个，多于乡镇总数 {d.townships}")
    codes = [d.code for d in districts]
    for leader in raw["leaders"]:
        unknown = set(leader["districts"]) - set(codes)
        if unknown:
            raise DemoConfigError(f"{path.name}: 挂点领导 {leader['name']} 的县区代码 {unknown} 不存在")
    return Structure(
        city_code=str(raw["city"]["code"]),
        city_name=raw["city"]["name"],
        districts=tuple(districts),
        leaders=tuple(raw["leaders"]),
        platforms=tuple(raw["platforms"]),
        standing_teams=dict(raw["standing_teams"]),
        featured_teams=tuple(raw["featured_teams"]),
        order_categories=dict(raw["order_categories"]),
        activity_titles=dict(raw["activity_titles"]),
        project_themes=tuple(raw["project_themes"]),
        media_outlets=dict(raw["media_outlets"]),
    )


def load_scale(name: str, path: Path = DEMO_ASSETS / "scales.yaml") -> dict:
    """The size profile called ``name`` (county, city or province)."""
    scales = _load(path)
    if name not in scales:
        raise DemoConfigError(f"未知的数据规模 {name}，可选：{', '.join(scales)}")
    return scales[name]
