"""Vectorised random picks from one of several groups (a county's teams, an area's titles ...)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Pools:
    """Groups of values, padded into one matrix so that a pick for a million rows is one numpy call."""

    def __init__(self, groups: Sequence[Sequence], empty=0):
        width = max([len(g) for g in groups] + [1])
        dtype = object if any(isinstance(v, str) for g in groups for v in g) else np.int64
        self.matrix = np.full((len(groups), width), empty, dtype=dtype)
        for i, g in enumerate(groups):
            self.matrix[i, : len(g)] = list(g)
        self.sizes = np.array([len(g) for g in groups])
        self.empty = empty

    def pick(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        """One random member of ``group[i]``'s pool for every i (``empty`` where that pool has none)."""
        sizes = self.sizes[group]
        col = (rng.random(len(group)) * np.maximum(sizes, 1)).astype(int)
        return np.where(sizes > 0, self.matrix[group, col], self.empty)
