"""Settings of the semi-annual review as data: star thresholds, review options and the rubrics, validated.

``assets/stars.yaml`` maps a unit's share of its rubric's total to 一星 … 五星; ``assets/review.yaml``
holds the monthly-summary deadline, the ranking's minimum of rated orders, chart and export limits, the
CJK fonts and chart colours. Both are validated on load; a broken file raises
:class:`dashboard.errors.AssetError` with a Chinese message. :func:`rubric_catalog` loads
``assets/rubrics`` and turns a broken rubric into an ``AssetError`` carrying the rubric loader's
message (which names the file and the line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dashboard import rubrics
from dashboard.asset_file import asset_error as _fail
from dashboard.asset_file import read_mapping
from dashboard.errors import AssetError
from dashboard.settings import ASSETS

STARS_FILE = ASSETS / "stars.yaml"
REVIEW_FILE = ASSETS / "review.yaml"
COLOUR_KEYS = ("points", "lost", "average", "best", "previous")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class StarLevel:
    """One star level: awarded from ``min_share`` of the rubric's total upwards."""

    stars: int
    label: str
    min_share: float


@dataclass(frozen=True)
class StarScale:
    """The five levels, five stars first."""

    levels: tuple[StarLevel, ...]

    def stars(self, total: float, rubric_total: float) -> int:
        """Stars for ``total`` points out of ``rubric_total`` (the highest level whose threshold is reached)."""
        share = total / rubric_total if rubric_total else 0.0
        for level in self.levels:
            if share >= level.min_share:
                return level.stars
        return self.levels[-1].stars

    def label(self, stars: int | None) -> str:
        """一星 … 五星, ``—`` for none."""
        for level in self.levels:
            if level.stars == stars:
                return level.label
        return "—"

    def describe(self) -> str:
        """The thresholds in one Chinese line, for help tooltips."""
        parts = [f"{lv.label}：不低于总分的 {lv.min_share:.0%}" for lv in self.levels[:-1]]
        return "；".join([*parts, f"{self.levels[-1].label}：其余"])


@dataclass(frozen=True)
class Fonts:
    """CJK fonts: the file and face embedded in the PDF, the face the chart PNGs are drawn in."""

    pdf_file: Path
    pdf_face: str
    chart_face: str


@dataclass(frozen=True)
class ReviewConfig:
    """The validated contents of review.yaml."""

    summary_due_day: int
    ranking_min_rated: int
    chart_max_units: int
    excel_max_unit_sheets: int
    pdf_max_unit_pages: int
    fonts: Fonts
    colours: dict[str, str]


def _read(path: Path) -> dict[str, Any]:
    raw = read_mapping(path)
    return raw


def load_stars(path: Path = STARS_FILE) -> StarScale:
    """Read and validate a star-threshold file."""
    raw = _read(path).get("levels")
    if not isinstance(raw, list) or len(raw) != 5:
        raise _fail(path, "levels 应列出五个星级（五星到一星）")
    levels = []
    previous = None
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) != {"stars", "label", "min_share"}:
            raise _fail(path, f"levels[{i}] 应有且只有 stars、label、min_share")
        stars, label, share = item["stars"], item["label"], item["min_share"]
        if stars != 5 - i:
            raise _fail(path, f"levels[{i}].stars 应为 {5 - i}（从五星到一星依次排列）")
        if not isinstance(label, str) or not label.strip():
            raise _fail(path, f"levels[{i}].label 应为非空文字")
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise _fail(path, f"levels[{i}].min_share 应为 0 到 1 之间的比例")
        if previous is not None and share >= previous:
            raise _fail(path, f"levels[{i}].min_share 应小于上一级的 {previous}")
        previous = share
        levels.append(StarLevel(stars, label.strip(), float(share)))
    if levels[-1].min_share != 0:
        raise _fail(path, "一星的 min_share 应为 0（得分再低也至少评为一星）")
    return StarScale(tuple(levels))


def _positive_int(path: Path, raw: dict, key: str, high: int | None = None) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0 or (high is not None and value > high):
        limit = f"1 到 {high} 之间的" if high else "正"
        raise _fail(path, f"{key} 应为{limit}整数")
    return value


def load_review(path: Path = REVIEW_FILE) -> ReviewConfig:
    """Read and validate a review-settings file."""
    raw = _read(path)
    fonts = raw.get("fonts")
    keys = ("pdf_file", "pdf_face", "chart_face")
    if not isinstance(fonts, dict) or set(fonts) != set(keys) or not all(isinstance(fonts[k], str) for k in keys):
        raise _fail(path, "fonts 应写明 pdf_file（字体文件路径）、pdf_face 和 chart_face（字体名称）")
    colours = raw.get("colours")
    if not isinstance(colours, dict) or set(colours) != set(COLOUR_KEYS):
        raise _fail(path, f"colours 应有且只有 {'、'.join(COLOUR_KEYS)}")
    for key, colour in colours.items():
        if not isinstance(colour, str) or not _COLOUR.match(colour):
            raise _fail(path, f"colours.{key} 应为 #RRGGBB")
    return ReviewConfig(
        summary_due_day=_positive_int(path, raw, "summary_due_day", 28),
        ranking_min_rated=_positive_int(path, raw, "ranking_min_rated"),
        chart_max_units=_positive_int(path, raw, "chart_max_units"),
        excel_max_unit_sheets=_positive_int(path, raw, "excel_max_unit_sheets"),
        pdf_max_unit_pages=_positive_int(path, raw, "pdf_max_unit_pages"),
        fonts=Fonts(Path(fonts["pdf_file"]), fonts["pdf_face"].strip(), fonts["chart_face"].strip()),
        colours=dict(colours),
    )


@lru_cache(maxsize=1)
def star_scale() -> StarScale:
    """The project's star thresholds (assets/stars.yaml), loaded once per process."""
    return load_stars()


@lru_cache(maxsize=1)
def review_config() -> ReviewConfig:
    """The project's review settings (assets/review.yaml), loaded once per process."""
    return load_review()


@lru_cache(maxsize=1)
def rubric_catalog() -> dict[str, rubrics.Rubric]:
    """Every rubric of assets/rubrics by id; a broken file raises AssetError naming the file and line."""
    try:
        return rubrics.load_all(rubrics.RUBRICS_DIR)
    except rubrics.RubricError as exc:
        raise AssetError(str(exc)) from exc


def rubric_for_tier(tier: str) -> rubrics.Rubric:
    """The rubric that scores units of ``tier`` (centre, platform, institute, station)."""
    for rubric in rubric_catalog().values():
        if rubric.tier == tier:
            return rubric
    raise AssetError(f"没有适用于层级 {tier} 的评分细则")
