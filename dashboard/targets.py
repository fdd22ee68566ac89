"""Targets from the seed documents (13% volunteers, 80% party members, …), from ``assets/targets.yaml``.

Each target has a value, a kind (share | hours | count | rating), a Chinese label and its source
in the seeds; the file is validated on load (:class:`dashboard.errors.AssetError` if broken).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dashboard.asset_file import asset_error as _fail
from dashboard.asset_file import read_mapping
from dashboard.settings import ASSETS

TARGETS_FILE = ASSETS / "targets.yaml"
REQUIRED = (
    "volunteer_share",
    "party_member_participation",
    "hours_per_person_year",
    "centre_full_time_staff",
    "satisfied_rating",
    "media_min_province",
    "media_min_city",
    "media_min_county",
)
_KINDS = {"share", "hours", "count", "rating"}


@dataclass(frozen=True)
class Target:
    """One target: its value and how to show it."""

    name: str
    value: float
    kind: str
    label: str
    source: str

    @property
    def shown(self) -> str:
        """The value as people write it: ``13%``, ``20 小时``, ``6``, ``4``."""
        if self.kind == "share":
            return f"{self.value:.0%}"
        if self.kind == "hours":
            return f"{self.value:g} 小时"
        return f"{self.value:g}"


@dataclass(frozen=True)
class Targets:
    """All targets by name."""

    items: dict[str, Target]

    def __getitem__(self, name: str) -> Target:
        return self.items[name]

    def fill(self, text: str) -> str:
        """Replace ``{name}`` placeholders in a metric definition with the targets' shown values."""
        return text.format(**{name: target.shown for name, target in self.items.items()})


def _target(path: Path, name: str, raw: object) -> Target:
    if not isinstance(raw, dict):
        raise _fail(path, f"{name} 应为映射")
    value, kind = raw.get("value"), raw.get("kind")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, f"{name}.value 应为数字")
    if kind not in _KINDS:
        raise _fail(path, f"{name}.kind 应为 {sorted(_KINDS)} 之一")
    if kind == "share" and not 0 < value <= 1:
        raise _fail(path, f"{name}.value 是比例，应在 0 与 1 之间")
    if kind == "rating" and (value != int(value) or not 1 <= value <= 5):
        raise _fail(path, f"{name}.value 是评分，应为 1 至 5 的整数")
    if kind in ("hours", "count") and value <= 0:
        raise _fail(path, f"{name}.value 应为正数")
    for field in ("label", "source"):
        if not isinstance(raw.get(field), str) or not raw[field].strip():
            raise _fail(path, f"{name} 缺少 {field}")
    return Target(name, float(value), kind, raw["label"].strip(), raw["source"].strip())


def load(path: Path = TARGETS_FILE) -> Targets:
    """Read and validate a targets file."""
    raw = read_mapping(path)
    missing = [name for name in REQUIRED if name not in raw]
    if missing:
        raise _fail(path, f"缺少 {missing}")
    return Targets({name: _target(path, name, value) for name, value in raw.items()})


@lru_cache(maxsize=1)
def targets() -> Targets:
    """The project's targets (assets/targets.yaml), loaded once per process."""
    return load()
