"""The user's scope: which county-level units (区县) the current visitor may see.

Every query takes a :class:`Scope` and applies it in SQL (``queries.common.scope_clause``). Pages
obtain it from :func:`current_scope` only; the log-in (``dashboard.auth``) decides it there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """County codes the user may see; ``None`` means every county, an empty tuple means none."""

    counties: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.counties is not None:
            # Normalise to a sorted tuple of distinct codes, so equal scopes share one cache entry.
            object.__setattr__(self, "counties", tuple(sorted(set(self.counties))))

    def allows(self, county_code: str) -> bool:
        """True when the county is inside the scope."""
        return self.counties is None or county_code in self.counties


def current_scope() -> Scope:
    """The scope of the logged-in visitor: all counties, or a listed leader's assigned ones.

    Nobody logged in: a notice and the end of the run, so a page never reads data without a user.
    """
    from dashboard import auth  # local import: auth reads queries, which import this module

    return auth.current_scope()
