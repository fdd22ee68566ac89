"""Volunteer teams and incentives as data, from ``assets/volunteers.yaml`` (validated on load).

The 8 standing team categories of the "8+N" rule (with the other spellings the seeds use), the team
level the rule is about and the names of the levels, the bands of volunteers' points, the colours of
ordered categories, and the traffic light that compares a unit's figure with its target. A broken
file raises :class:`dashboard.errors.AssetError`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dashboard.asset_file import asset_error as _fail
from dashboard.asset_file import read_mapping
from dashboard.settings import ASSETS

VOLUNTEERS_FILE = ASSETS / "volunteers.yaml"
TEAM_LEVELS = ("county", "township", "village")
LIGHTS = ("green", "amber", "red", "unknown")
STAR_LEVELS = 6  # 0 … 5 stars
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Category:
    """A standing team category and the other names a team of it may carry."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Volunteering:
    """The validated contents of volunteers.yaml."""

    categories: tuple[Category, ...]
    corps_level: str
    team_levels: dict[str, str]
    points_band_bounds: tuple[int, ...]
    ordered_colours: tuple[str, ...]
    amber_from: float
    light_colours: dict[str, str]
    light_labels: dict[str, str]

    def standing_name(self, category: str) -> str | None:
        """The standing category a team's category belongs to (its own name or an alias), else None."""
        for item in self.categories:
            if category == item.name or category in item.aliases:
                return item.name
        return None

    def points_band_labels(self) -> tuple[str, ...]:
        """Chinese labels of the points bands, lowest first: ``100 分以下``, ``100–499 分`` … ``3000 分及以上``."""
        bounds = self.points_band_bounds
        inner = [f"{low}–{high - 1} 分" for low, high in zip(bounds, bounds[1:], strict=False)]
        return (f"{bounds[0]} 分以下", *inner, f"{bounds[-1]} 分及以上")

    def light(self, value: float | None, target: float | None) -> str:
        """``green`` at or above the target, ``amber`` from amber_from × target, ``red`` below, else ``unknown``."""
        if value is None or target is None or _nan(value) or _nan(target) or target <= 0:
            return "unknown"
        if value >= target:
            return "green"
        return "amber" if value >= self.amber_from * target else "red"


def _nan(value: Any) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _categories(path: Path, raw: Any) -> tuple[Category, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(path, "standing_team_categories 应为非空列表")
    seen: set[str] = set()
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise _fail(path, f"standing_team_categories[{i}] 缺少 name")
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise _fail(path, f"standing_team_categories[{i}].aliases 应为名称列表")
        names = [item["name"].strip(), *(a.strip() for a in aliases)]
        repeated = [name for name in names if name in seen]
        if repeated:
            raise _fail(path, f"队伍类别名称 {repeated} 重复")
        seen.update(names)
        out.append(Category(names[0], tuple(names[1:])))
    return tuple(out)


def _bounds(path: Path, raw: Any) -> tuple[int, ...]:
    if (
        not isinstance(raw, list)
        or not raw
        or not all(isinstance(b, int) and not isinstance(b, bool) and b > 0 for b in raw)
        or any(b >= c for b, c in zip(raw, raw[1:], strict=False))
    ):
        raise _fail(path, "points_band_bounds 应为递增的正整数列表")
    return tuple(raw)


def _team_levels(path: Path, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or sorted(raw) != sorted(TEAM_LEVELS):
        raise _fail(path, f"team_levels 应恰好包含 {list(TEAM_LEVELS)}")
    if not all(isinstance(name, str) and name.strip() for name in raw.values()):
        raise _fail(path, "team_levels 的名称不能为空")
    return {level: raw[level].strip() for level in TEAM_LEVELS}


def _colours(path: Path, raw: Any, needed: int) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(c, str) and _COLOUR.match(c) for c in raw):
        raise _fail(path, "ordered_colours 应为 #RRGGBB 颜色列表")
    if len(raw) < needed:
        raise _fail(path, f"ordered_colours 至少要有 {needed} 种颜色")
    return tuple(raw)


def _light(path: Path, raw: Any) -> tuple[float, dict[str, str], dict[str, str]]:
    if not isinstance(raw, dict):
        raise _fail(path, "缺少 traffic_light")
    amber = raw.get("amber_from")
    if isinstance(amber, bool) or not isinstance(amber, int | float) or not 0 < amber < 1:
        raise _fail(path, "traffic_light.amber_from 应为 0 与 1 之间的数")
    colours, names = raw.get("colours"), raw.get("labels")
    if not isinstance(colours, dict) or sorted(colours) != sorted(LIGHTS):
        raise _fail(path, f"traffic_light.colours 应恰好包含 {list(LIGHTS)}")
    if not all(isinstance(c, str) and _COLOUR.match(c) for c in colours.values()):
        raise _fail(path, "traffic_light.colours 的颜色应为 #RRGGBB")
    if not isinstance(names, dict) or sorted(names) != sorted(LIGHTS):
        raise _fail(path, f"traffic_light.labels 应恰好包含 {list(LIGHTS)}")
    if not all(isinstance(n, str) and n.strip() for n in names.values()):
        raise _fail(path, "traffic_light.labels 不能为空")
    return float(amber), dict(colours), {k: v.strip() for k, v in names.items()}


def load(path: Path = VOLUNTEERS_FILE) -> Volunteering:
    """Read and validate a volunteers file."""
    raw = read_mapping(path)
    level = raw.get("corps_level")
    if level not in TEAM_LEVELS:
        raise _fail(path, f"corps_level 应为 {list(TEAM_LEVELS)} 之一")
    amber, colours, names = _light(path, raw.get("traffic_light"))
    bounds = _bounds(path, raw.get("points_band_bounds"))
    return Volunteering(
        _categories(path, raw.get("standing_team_categories")),
        level,
        _team_levels(path, raw.get("team_levels")),
        bounds,
        _colours(path, raw.get("ordered_colours"), max(STAR_LEVELS, len(bounds) + 1)),
        amber,
        colours,
        names,
    )


@lru_cache(maxsize=1)
def volunteering() -> Volunteering:
    """The project's volunteers.yaml, loaded once per process."""
    return load()
