"""Chinese labels and colours of the database's codes, from ``assets/labels.yaml`` (validated on load).

Sections map a code to ``{label, colour?, map_radius?}``: tiers, order_statuses, pilot_levels,
content_areas, activity_kinds, media_levels, periods and roles (log-in accounts); each must list
exactly the codes the schema (or the filter bar) knows. ``volunteer_share_bands`` colours a district
by its volunteer share measured against the target. A broken file raises
:class:`dashboard.errors.AssetError` with a Chinese message.
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
from queries import common

LABELS_FILE = ASSETS / "labels.yaml"
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
# Sections whose colours are required (they are drawn on maps and charts).
_COLOURED = ("tiers", "order_statuses")


def _required_codes() -> dict[str, tuple[str, ...]]:
    from dashboard.accounts import ROLES
    from dashboard.filters import PERIOD_KEYS  # local import: filters itself reads the labels

    return {
        "tiers": common.TIERS,
        "order_statuses": common.ORDER_STATUSES,
        "pilot_levels": common.PILOT_LEVELS,
        "content_areas": common.CONTENT_AREAS,
        "activity_kinds": common.ACTIVITY_KINDS,
        "media_levels": common.MEDIA_LEVELS,
        "periods": PERIOD_KEYS,
        "roles": ROLES,
    }


@dataclass(frozen=True)
class Code:
    """The label of one code, with its colour (``#RRGGBB``) and map radius in metres where given."""

    label: str
    colour: str | None = None
    map_radius: int | None = None


@dataclass(frozen=True)
class Band:
    """A colour band of the volunteer-share map: applies below ``below`` × target (None: the rest)."""

    below: float | None
    label: str
    colour: str


@dataclass(frozen=True)
class Labels:
    """All sections of labels.yaml, validated."""

    sections: dict[str, dict[str, Code]]
    share_bands: tuple[Band, ...]

    def section(self, name: str) -> dict[str, Code]:
        """Code → :class:`Code` of one section, in file order."""
        return self.sections[name]

    def label(self, section: str, code: str | None) -> str:
        """The Chinese label of a code; ``—`` for none, ``未知（code）`` for a code not in the file."""
        if _missing(code):
            return "—"
        entry = self.sections[section].get(code)
        return entry.label if entry else f"未知（{code}）"

    def colour(self, section: str, code: str | None, default: str = "#9E9E9E") -> str:
        """The colour of a code, ``default`` for unknown codes."""
        entry = None if _missing(code) else self.sections[section].get(code)
        return entry.colour if entry and entry.colour else default

    def share_band(self, share: float | None, target: float) -> Band | None:
        """The band of a volunteer share against the target share; None when the share is unknown."""
        if share is None or share != share:  # None or NaN
            return None
        for band in self.share_bands:
            if band.below is None or share < band.below * target:
                return band
        return self.share_bands[-1]


def _missing(code: object) -> bool:
    """True for None, an empty string and NaN (how pandas shows a NULL)."""
    return code is None or code == "" or (isinstance(code, float) and math.isnan(code))


def rgb(colour: str, alpha: int | None = None) -> list[int]:
    """``#RRGGBB`` → ``[r, g, b]`` (or ``[r, g, b, a]``), the form pydeck wants."""
    values = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return [*values, alpha] if alpha is not None else values


def _code(path: Path, section: str, code: str, raw: Any) -> Code:
    if not isinstance(raw, dict) or not isinstance(raw.get("label"), str) or not raw["label"].strip():
        raise _fail(path, f"{section}.{code} 缺少 label")
    colour = raw.get("colour")
    if colour is not None and (not isinstance(colour, str) or not _COLOUR.match(colour)):
        raise _fail(path, f"{section}.{code}.colour 应为 #RRGGBB，实为 {colour!r}")
    if section in _COLOURED and colour is None:
        raise _fail(path, f"{section}.{code} 缺少 colour")
    radius = raw.get("map_radius")
    if radius is not None and (not isinstance(radius, int) or radius <= 0):
        raise _fail(path, f"{section}.{code}.map_radius 应为正整数")
    unknown = set(raw) - {"label", "colour", "map_radius"}
    if unknown:
        raise _fail(path, f"{section}.{code} 含未知字段 {sorted(unknown)}")
    return Code(raw["label"].strip(), colour, radius)


def _bands(path: Path, raw: Any) -> tuple[Band, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(path, "volunteer_share_bands 应为非空列表")
    bands = []
    previous = 0.0
    for i, item in enumerate(raw):
        last = i == len(raw) - 1
        if not isinstance(item, dict) or not isinstance(item.get("label"), str):
            raise _fail(path, f"volunteer_share_bands[{i}] 缺少 label")
        colour = item.get("colour")
        if not isinstance(colour, str) or not _COLOUR.match(colour):
            raise _fail(path, f"volunteer_share_bands[{i}].colour 应为 #RRGGBB")
        below = item.get("below")
        if last and below is not None:
            raise _fail(path, "volunteer_share_bands 的最后一档不应有 below")
        if not last and (not isinstance(below, int | float) or below <= previous):
            raise _fail(path, f"volunteer_share_bands[{i}].below 应为递增的正数")
        previous = below if below is not None else previous
        bands.append(Band(float(below) if below is not None else None, item["label"], colour))
    return tuple(bands)


def load(path: Path = LABELS_FILE) -> Labels:
    """Read and validate a labels file."""
    raw = read_mapping(path)
    sections: dict[str, dict[str, Code]] = {}
    for section, required in _required_codes().items():
        entries = raw.get(section)
        if not isinstance(entries, dict):
            raise _fail(path, f"缺少 {section} 部分")
        missing = [code for code in required if code not in entries]
        extra = [code for code in entries if code not in required]
        if missing or extra:
            raise _fail(path, f"{section} 缺少 {missing}，多出 {extra}")
        sections[section] = {code: _code(path, section, code, entries[code]) for code in entries}
    return Labels(sections, _bands(path, raw.get("volunteer_share_bands")))


@lru_cache(maxsize=1)
def labels() -> Labels:
    """The project's labels (assets/labels.yaml), loaded once per process."""
    return load()
