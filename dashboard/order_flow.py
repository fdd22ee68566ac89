"""The order flow as data (assets/order_flow.yaml): steps, waiting statuses with overdue limits, durations.

Loaded and checked once; the wall screen and the orders page both read their definitions here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from dashboard.models import Base
from dashboard.settings import ASSETS

FLOW_FILE = ASSETS / "order_flow.yaml"
ORDER_COLUMNS = set(Base.metadata.tables["service_order"].c.keys())


class OrderFlowError(ValueError):
    """assets/order_flow.yaml is inconsistent; the message says what, in Chinese."""


@dataclass(frozen=True)
class Step:
    """A step of the flow and the order column holding its time."""

    code: str
    label: str
    at: str


@dataclass(frozen=True)
class Wait:
    """An order waiting at ``status`` since column ``since`` for ``waiting_for``; overdue past the limit.

    ``actionable``: the wait is work the centre can act on; overdue orders of other waits (the resident's
    rating) are not part of the headline overdue count (超时).
    """

    status: str
    since: str
    waiting_for: str
    overdue_minutes: int
    actionable: bool


@dataclass(frozen=True)
class Duration:
    """Time from column ``start`` to column ``end`` of one order."""

    key: str
    label: str
    start: str
    end: str


@dataclass(frozen=True)
class OrderFlow:
    """Steps in order, waits by status, durations by key, and the final statuses (an order never leaves them)."""

    steps: tuple[Step, ...]
    waits: dict[str, Wait]
    durations: dict[str, Duration]
    final: tuple[str, ...]

    def overdue_waits(self, actionable: bool) -> tuple[Wait, ...]:
        """The waits whose overdue orders are 超时 (``actionable``) or are counted apart (not ``actionable``)."""
        return tuple(w for w in self.waits.values() if w.actionable == actionable)


def _column(path: Path, name: str, where: str) -> str:
    if name not in ORDER_COLUMNS:
        raise OrderFlowError(f"{path.name}：{where} 引用了订单表中不存在的列 {name}")
    return name


def load(path: Path = FLOW_FILE) -> OrderFlow:
    """Read and check the flow file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    steps = tuple(Step(s["code"], s["label"], _column(path, s["at"], f"步骤 {s['code']}")) for s in raw["steps"])
    waits = {}
    for status, w in raw["waits"].items():
        minutes = w["overdue_minutes"]
        if not isinstance(minutes, int) or minutes <= 0:
            raise OrderFlowError(f"{path.name}：状态 {status} 的超时分钟数必须是正整数，现为 {minutes!r}")
        actionable = w.get("actionable")
        if not isinstance(actionable, bool):
            raise OrderFlowError(f"{path.name}：状态 {status} 的 actionable 必须是 true 或 false，现为 {actionable!r}")
        since = _column(path, w["since"], f"状态 {status}")
        waits[status] = Wait(status, since, w["waiting_for"], minutes, actionable)
    durations = {
        key: Duration(key, d["label"], _column(path, d["start"], key), _column(path, d["end"], key))
        for key, d in raw["durations"].items()
    }
    final = raw.get("final")
    if not isinstance(final, list) or not final or not all(isinstance(status, str) for status in final):
        raise OrderFlowError(f"{path.name}：final 必须是状态代码的列表，现为 {final!r}")
    waiting = sorted(set(final) & set(waits))
    if waiting:
        raise OrderFlowError(f"{path.name}：final 中的状态 {waiting} 也是等待状态，订单不会停在那里")
    return OrderFlow(steps=steps, waits=waits, durations=durations, final=tuple(final))


@cache
def order_flow() -> OrderFlow:
    """The flow of the running app (loaded once)."""
    return load()
