"""What the wall screen shows and how it looks, from ``assets/wall.yaml`` (validated on load).

Flow steps and in-flight statuses must exist in ``assets/order_flow.yaml``; tiers and statuses must
list exactly the codes of the schema; colours are ``#RRGGBB``. A broken file raises
:class:`dashboard.errors.AssetError` with a Chinese message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dashboard.asset_file import asset_error as _fail
from dashboard.asset_file import read_mapping
from dashboard.order_flow import order_flow
from dashboard.settings import ASSETS
from queries.common import ORDER_STATUSES, TIERS

WALL_FILE = ASSETS / "wall.yaml"
PALETTE_KEYS = ("background", "panel", "border", "text", "muted", "accent", "gold", "alert", "good")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class WallConfig:
    """The wall's settings: see the comments of assets/wall.yaml."""

    flow_steps: tuple[str, ...]
    in_flight: tuple[str, ...]
    ticker_rows: int
    ranking_size: int
    ranking_min_rated: int
    fill_low: str
    fill_high: str
    palette: dict[str, str]
    tiers: dict[str, str]
    statuses: dict[str, str]


def _colour(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str) or not _COLOUR.match(value):
        raise _fail(path, f"{where} 应为 #RRGGBB，实为 {value!r}")
    return value


def _colours(path: Path, raw: dict, section: str, codes: tuple[str, ...]) -> dict[str, str]:
    entries = raw.get(section)
    if not isinstance(entries, dict):
        raise _fail(path, f"缺少 {section} 部分")
    missing = [code for code in codes if code not in entries]
    extra = [code for code in entries if code not in codes]
    if missing or extra:
        raise _fail(path, f"{section} 缺少 {missing}，多出 {extra}")
    return {code: _colour(path, f"{section}.{code}", entries[code]) for code in codes}


def _codes(path: Path, raw: dict, key: str, known: tuple[str, ...], what: str) -> tuple[str, ...]:
    values = raw.get(key)
    if not isinstance(values, list) or not values:
        raise _fail(path, f"{key} 应为非空列表")
    unknown = [v for v in values if v not in known]
    if unknown:
        raise _fail(path, f"{key} 含 {what}中没有的代码 {unknown}")
    return tuple(values)


def _positive(path: Path, where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _fail(path, f"{where} 应为正整数，实为 {value!r}")
    return value


def load(path: Path = WALL_FILE) -> WallConfig:
    """Read and validate a wall file."""
    raw = read_mapping(path)
    flow = order_flow()
    ranking = raw.get("ranking") if isinstance(raw.get("ranking"), dict) else {}
    fill = raw.get("fill") if isinstance(raw.get("fill"), dict) else {}
    return WallConfig(
        flow_steps=_codes(path, raw, "flow_steps", tuple(s.code for s in flow.steps), "order_flow.yaml 的步骤"),
        in_flight=_codes(path, raw, "in_flight", tuple(flow.waits), "order_flow.yaml 的等待状态"),
        ticker_rows=_positive(path, "ticker_rows", raw.get("ticker_rows")),
        ranking_size=_positive(path, "ranking.size", ranking.get("size")),
        ranking_min_rated=_positive(path, "ranking.min_rated", ranking.get("min_rated")),
        fill_low=_colour(path, "fill.low", fill.get("low")),
        fill_high=_colour(path, "fill.high", fill.get("high")),
        palette=_colours(path, raw, "palette", PALETTE_KEYS),
        tiers=_colours(path, raw, "tiers", TIERS),
        statuses=_colours(path, raw, "statuses", ORDER_STATUSES),
    )


@lru_cache(maxsize=1)
def wall_config() -> WallConfig:
    """The project's wall settings (assets/wall.yaml), loaded once per process."""
    return load()
