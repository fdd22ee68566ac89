"""Service projects as data: the closed loop's stages, limits, kinds and modes, from ``assets/projects.yaml``.

The yearly number of projects an institute must run is the rubric's (``dashboard.rubric_rules``).
A broken file raises :class:`dashboard.errors.AssetError` with a Chinese message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dashboard.asset_file import asset_error as _fail
from dashboard.asset_file import read_mapping
from dashboard.settings import ASSETS

PROJECTS_FILE = ASSETS / "projects.yaml"
STAGE_CODES = ("established", "recruiting", "implementing", "evaluating", "optimising")
CLOSED = "closed"
UNIT_TIERS = ("centre", "institute", "station", "platform")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Stage:
    """A stage of the loop: its code, label, date column, colour and limit in days (None: no limit)."""

    code: str
    label: str
    column: str
    colour: str
    stuck_after_days: int | None


@dataclass(frozen=True)
class ProjectRules:
    """The validated contents of projects.yaml."""

    stages: tuple[Stage, ...]  # the loop in order, then ``closed``
    kinds: tuple[str, ...]
    service_modes: tuple[str, ...]
    brand_per_year: int
    brand_tiers: tuple[str, ...]
    brand_source: str
    low_demand_below: float

    def stage(self, code: str) -> Stage | None:
        """The stage of a code, None for a code the loop does not know."""
        return next((stage for stage in self.stages if stage.code == code), None)

    def label(self, code: str | None) -> str:
        """The Chinese label of a stage code; ``未知（code）`` for an unknown one."""
        stage = self.stage(code) if code else None
        return stage.label if stage else f"未知（{code}）"


def _stage(path: Path, raw: Any, code: str, limited: bool) -> Stage:
    if not isinstance(raw, dict) or raw.get("code") != code:
        raise _fail(path, f"阶段应为 {code}")
    for key in ("label", "column", "colour"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _fail(path, f"阶段 {code} 缺少 {key}")
    if raw["column"] != f"{code}_on":
        raise _fail(path, f"阶段 {code} 的 column 应为 {code}_on")
    if not _COLOUR.match(raw["colour"]):
        raise _fail(path, f"阶段 {code} 的 colour 应为 #RRGGBB")
    days = raw.get("stuck_after_days")
    if limited and (isinstance(days, bool) or not isinstance(days, int) or days <= 0):
        raise _fail(path, f"阶段 {code} 的 stuck_after_days 应为正整数")
    if not limited and days is not None:
        raise _fail(path, f"阶段 {code} 不应有 stuck_after_days")
    return Stage(code, raw["label"].strip(), raw["column"], raw["colour"], days)


def _names(path: Path, raw: Any, key: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) and x.strip() for x in raw):
        raise _fail(path, f"{key} 应为非空名称列表")
    if len(set(raw)) != len(raw):
        raise _fail(path, f"{key} 有重复")
    return tuple(raw)


def load(path: Path = PROJECTS_FILE) -> ProjectRules:
    """Read and validate a projects file."""
    raw = read_mapping(path)
    stages = raw.get("stages")
    if not isinstance(stages, list) or len(stages) != len(STAGE_CODES):
        raise _fail(path, f"stages 应依次列出 {list(STAGE_CODES)}")
    loop = [_stage(path, item, code, True) for item, code in zip(stages, STAGE_CODES, strict=True)]
    brand = raw.get("brand_projects_per_year")
    if not isinstance(brand, dict):
        raise _fail(path, "缺少 brand_projects_per_year")
    value, tiers = brand.get("value"), brand.get("tiers")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _fail(path, "brand_projects_per_year.value 应为正整数")
    if not isinstance(tiers, list) or not tiers or not set(tiers) <= set(UNIT_TIERS):
        raise _fail(path, f"brand_projects_per_year.tiers 应取自 {list(UNIT_TIERS)}")
    if not isinstance(brand.get("source"), str) or not brand["source"].strip():
        raise _fail(path, "brand_projects_per_year 缺少 source")
    low = raw.get("low_demand_below")
    if isinstance(low, bool) or not isinstance(low, int | float) or not 0 < low <= 100:
        raise _fail(path, "low_demand_below 应为 0 至 100 之间的数")
    return ProjectRules(
        (*loop, _stage(path, raw.get("closed"), CLOSED, False)),
        _names(path, raw.get("kinds"), "kinds"),
        _names(path, raw.get("service_modes"), "service_modes"),
        value,
        tuple(tiers),
        brand["source"].strip(),
        float(low),
    )


@lru_cache(maxsize=1)
def project_rules() -> ProjectRules:
    """The project's projects.yaml, loaded once per process."""
    return load()
