"""Traffic lights in tables: a unit's figure against its target as a coloured cell (colours in assets/volunteers.yaml).

:func:`lights` turns figures and targets into light codes (green/amber/red/unknown); :func:`light_labels`
gives their Chinese labels; :func:`styled` colours chosen cells of a table for ``st.dataframe``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from pandas.io.formats.style import Styler

from dashboard.volunteering import volunteering


def lights(values: Sequence, targets: Sequence | float | None) -> list[str]:
    """One light code per value, against one target per value or one target for all."""
    if targets is None or isinstance(targets, int | float):
        targets = [targets] * len(values)
    rules = volunteering()
    return [rules.light(value, target) for value, target in zip(values, targets, strict=True)]


def light_labels(codes: Sequence[str]) -> list[str]:
    """The Chinese label of each light code (``达标``, ``接近目标``, ``未达标``, ``缺少数据``)."""
    names = volunteering().light_labels
    return [names[code] for code in codes]


def colour(code: str) -> str:
    """The colour (#RRGGBB) of a light code."""
    return volunteering().light_colours[code]


def styled(table: pd.DataFrame, colours: Mapping[str, Sequence[str | None]]) -> Styler:
    """``table`` with the cells of each named column filled with the given colours (None: left plain)."""
    styles = pd.DataFrame("", index=table.index, columns=table.columns)
    for column, fills in colours.items():
        styles[column] = [f"background-color: {fill}; color: #FFFFFF" if fill else "" for fill in fills]
    return table.style.apply(lambda _: styles, axis=None)
