"""The rubric standards behind the targets and points other pages show, so that each has one definition.

A computed standard of ``assets/rubrics/`` carries its rule (``projects_per_year`` with its target,
``chaxiang_coverage``, ``media_points`` with its points per level …). :func:`standard_of` finds the
standard of a rule kind for a tier of units; :func:`target_of` gives its target and where it is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard import rubrics
from dashboard.errors import AssetError
from dashboard.review_config import rubric_catalog
from dashboard.rubrics import Standard


@dataclass(frozen=True)
class RubricTarget:
    """A target a rubric's computed standard sets: its value and where it is written."""

    value: float
    rubric_id: str
    standard_id: str
    source: str


def standard_of(kind: str, tier: str) -> tuple[rubrics.Rubric, Standard] | None:
    """The rubric and first computed standard of rule ``kind`` in the rubric of ``tier``; None if there is none."""
    for rubric in rubric_catalog().values():
        if rubric.tier != tier:
            continue
        for standard in rubrics.standards(rubric):
            if standard.rule is not None and standard.rule.kind == kind:
                return rubric, standard
    return None


def target_of(kind: str, tier: str) -> RubricTarget:
    """The ``target`` of the standard of rule ``kind`` for ``tier``; AssetError when no rubric sets one."""
    found = standard_of(kind, tier)
    if found is None or found[1].rule.get("target") is None:
        raise AssetError(f"评分细则中没有层级 {tier} 的 {kind} 目标")
    rubric, standard = found
    source = f"{rubric.name} {standard.id}（{rubric.source.file} 第 {standard.source_line} 行）"
    return RubricTarget(float(standard.rule.get("target")), rubric.id, standard.id, source)
