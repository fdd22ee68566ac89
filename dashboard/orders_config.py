"""Settings of the orders page as data (``assets/orders_page.yaml``), validated on load.

The board's columns (which statuses each groups), the funnel's steps (codes of
``assets/order_flow.yaml``), the bins of the step-time distribution, the trend's default
granularity, the demand map and the list lengths. A broken file raises
:class:`dashboard.errors.AssetError` with a Chinese message naming the problem.
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
from queries.common import GRAINS, ORDER_STATUSES

CONFIG_FILE = ASSETS / "orders_page.yaml"
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Column:
    """A column of the board: its key (used in the URL), label and the statuses it groups."""

    key: str
    label: str
    statuses: tuple[str, ...]


@dataclass(frozen=True)
class GrainRule:
    """Use ``grain`` for periods of at most ``up_to_days`` days (None: any length)."""

    up_to_days: int | None
    grain: str


@dataclass(frozen=True)
class DemandMap:
    """The demand map: SQL grid cell in degrees, hexagon radius in metres, colour ramp."""

    cell_degrees: float
    hexagon_radius_m: int
    colours: tuple[str, ...]


@dataclass(frozen=True)
class OrdersConfig:
    """Everything in orders_page.yaml, checked."""

    board: tuple[Column, ...]
    funnel: tuple[str, ...]
    duration_bins_minutes: tuple[int, ...]
    trend_grain: tuple[GrainRule, ...]
    demand_map: DemandMap
    rating_colours: dict[int, str]
    list_rows: int

    def column(self, key: str) -> Column | None:
        """The board column with this key, None if there is none."""
        return next((column for column in self.board if column.key == key), None)

    def grain_for(self, days: int) -> str:
        """The default trend granularity of a period ``days`` long."""
        for rule in self.trend_grain:
            if rule.up_to_days is None or days <= rule.up_to_days:
                return rule.grain
        return self.trend_grain[-1].grain


def _board(path: Path, raw: Any) -> tuple[Column, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(path, "board 应为非空列表")
    columns, seen = [], []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("key", "label")):
            raise _fail(path, f"board[{i}] 缺少 key 或 label")
        statuses = item.get("statuses")
        if not isinstance(statuses, list) or not statuses:
            raise _fail(path, f"board[{i}].statuses 应为非空列表")
        unknown = [s for s in statuses if s not in ORDER_STATUSES]
        if unknown:
            raise _fail(path, f"board[{i}] 含未知状态 {unknown}")
        seen += statuses
        columns.append(Column(item["key"], item["label"], tuple(statuses)))
    missing = [s for s in ORDER_STATUSES if s not in seen]
    twice = sorted({s for s in seen if seen.count(s) > 1})
    if missing or twice:
        raise _fail(path, f"每个订单状态应恰好属于一列：缺少 {missing}，重复 {twice}")
    keys = [column.key for column in columns]
    if len(set(keys)) != len(keys):
        raise _fail(path, "board 的 key 不能重复")
    return tuple(columns)


def _funnel(path: Path, raw: Any) -> tuple[str, ...]:
    steps = [step.code for step in order_flow().steps]
    if not isinstance(raw, list) or len(raw) < 2 or any(code not in steps for code in raw):
        raise _fail(path, f"funnel 应为 order_flow.yaml 中的步骤（{steps}）组成的列表")
    if [steps.index(code) for code in raw] != sorted(steps.index(code) for code in set(raw)):
        raise _fail(path, "funnel 的步骤应按流程顺序排列且不重复")
    return tuple(raw)


def _bins(path: Path, raw: Any) -> tuple[int, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(v, int) and v > 0 for v in raw):
        raise _fail(path, "duration_bins_minutes 应为正整数列表")
    if raw != sorted(set(raw)):
        raise _fail(path, "duration_bins_minutes 应严格递增")
    return tuple(raw)


def _grains(path: Path, raw: Any) -> tuple[GrainRule, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(path, "trend_grain 应为非空列表")
    rules = []
    for i, item in enumerate(raw):
        days = item.get("up_to_days") if isinstance(item, dict) else None
        grain = item.get("grain") if isinstance(item, dict) else None
        last = i == len(raw) - 1
        if grain not in GRAINS:
            raise _fail(path, f"trend_grain[{i}].grain 应为 {list(GRAINS)} 之一")
        if last != (days is None) or (days is not None and (not isinstance(days, int) or days <= 0)):
            raise _fail(path, "trend_grain 除最后一条外都应有正整数 up_to_days，最后一条不应有")
        rules.append(GrainRule(days, grain))
    return tuple(rules)


def _colour_list(path: Path, name: str, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or len(raw) < 2 or not all(isinstance(c, str) and _COLOUR.match(c) for c in raw):
        raise _fail(path, f"{name} 应为至少两个 #RRGGBB 颜色")
    return tuple(raw)


def _demand_map(path: Path, raw: Any) -> DemandMap:
    if not isinstance(raw, dict):
        raise _fail(path, "缺少 demand_map")
    cell, radius = raw.get("cell_degrees"), raw.get("hexagon_radius_m")
    if not isinstance(cell, int | float) or isinstance(cell, bool) or not 0 < cell <= 1:
        raise _fail(path, "demand_map.cell_degrees 应在 0 与 1 之间")
    if not isinstance(radius, int) or radius <= 0:
        raise _fail(path, "demand_map.hexagon_radius_m 应为正整数")
    return DemandMap(float(cell), radius, _colour_list(path, "demand_map.colours", raw.get("colours")))


def _rating_colours(path: Path, raw: Any) -> dict[int, str]:
    if not isinstance(raw, dict) or sorted(raw) != [1, 2, 3, 4, 5]:
        raise _fail(path, "rating_colours 应给出 1 至 5 分各自的颜色")
    if not all(isinstance(c, str) and _COLOUR.match(c) for c in raw.values()):
        raise _fail(path, "rating_colours 的颜色应为 #RRGGBB")
    return {int(k): v for k, v in sorted(raw.items())}


def load(path: Path = CONFIG_FILE) -> OrdersConfig:
    """Read and validate an orders page file."""
    raw = read_mapping(path)
    rows = raw.get("list_rows")
    if not isinstance(rows, int) or not 0 < rows <= 10000:
        raise _fail(path, "list_rows 应为 1 至 10000 的整数")
    return OrdersConfig(
        board=_board(path, raw.get("board")),
        funnel=_funnel(path, raw.get("funnel")),
        duration_bins_minutes=_bins(path, raw.get("duration_bins_minutes")),
        trend_grain=_grains(path, raw.get("trend_grain")),
        demand_map=_demand_map(path, raw.get("demand_map")),
        rating_colours=_rating_colours(path, raw.get("rating_colours")),
        list_rows=rows,
    )


@lru_cache(maxsize=1)
def orders_config() -> OrdersConfig:
    """The orders page settings of the running app (loaded once)."""
    return load()
