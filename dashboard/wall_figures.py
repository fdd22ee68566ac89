"""The wall's figures, computed from the query results: plain functions over small frames, no Streamlit.

Inputs are the results of ``queries.overview.district_summary`` (this month, one row per county),
``queries.units.tier_counts``, ``queries.wall.open_orders`` and ``queries.wall.orders_today``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.order_flow import OrderFlow
from queries.common import ORDER_STATUSES

PER_RESIDENTS = 10_000  # the map's fill: orders per this many residents


@dataclass(frozen=True)
class Headline:
    """The left panel: units by tier, volunteers against the target, satisfaction this month."""

    units: dict[str, int]
    volunteers: int
    population: int
    target_share: float
    rated: int
    satisfied: int

    @property
    def share(self) -> float | None:
        """Registered volunteers ÷ resident population (None without population)."""
        return self.volunteers / self.population if self.population else None

    @property
    def wanted(self) -> int | None:
        """Volunteers the target asks for: population × target share."""
        return round(self.population * self.target_share) if self.population else None

    @property
    def satisfaction(self) -> float | None:
        """Satisfied ÷ rated this month (None when nothing was rated)."""
        return self.satisfied / self.rated if self.rated else None


def headline(summary: pd.DataFrame, tiers: pd.DataFrame, target_share: float) -> Headline:
    """Totals over the counties of ``summary`` and the units of ``tiers``."""
    population = pd.to_numeric(summary["population"], errors="coerce").fillna(0).sum()
    return Headline(
        units={str(tier): int(n) for tier, n in tiers.groupby("tier")["units"].sum().items()},
        volunteers=int(summary["volunteers"].sum()),
        population=int(population),
        target_share=target_share,
        rated=int(summary["rated"].sum()),
        satisfied=int(summary["satisfied"].sum()),
    )


@dataclass(frozen=True)
class Ranked:
    """A centre in the month's ranking."""

    county_name: str
    centre_name: str
    rate: float
    rated: int


def ranking(summary: pd.DataFrame, size: int, min_rated: int) -> tuple[list[Ranked], list[Ranked]]:
    """(top, bottom) centres by satisfaction this month, best first in both lists.

    Only counties with at least ``min_rated`` rated orders are ranked; ties go to the county with more
    rated orders, then by county code. With fewer than ``2 × size`` ranked counties, all of them are
    the top list and the bottom list is empty (no centre appears twice).
    """
    ranked = summary[summary["rated"] >= min_rated].copy()
    ranked["rate"] = ranked["satisfied"] / ranked["rated"]
    ranked = ranked.sort_values(["rate", "rated", "county_code"], ascending=[False, False, True])
    rows = [
        Ranked(
            str(r.county_name),
            str(r.centre_name) if isinstance(r.centre_name, str) else str(r.county_name),
            float(r.rate),
            int(r.rated),
        )
        for r in ranked.itertuples(index=False)
    ]
    if len(rows) < 2 * size:
        return rows, []
    return rows[:size], rows[-size:]


@dataclass(frozen=True)
class Waiting:
    """Orders in flight waiting for one step (statuses sharing an awaited step and limit), and the overdue ones."""

    statuses: tuple[str, ...]
    waiting_for: str
    minutes: int
    orders: int
    overdue: int


def waiting(open_orders: pd.DataFrame, flow: OrderFlow, statuses: tuple[str, ...]) -> list[Waiting]:
    """In-flight and overdue orders of ``queries.wall.open_orders`` grouped by awaited step and limit,
    in the order of ``statuses`` (their waits in the flow)."""
    orders = {str(r.status): int(r.orders) for r in open_orders.itertuples(index=False)}
    late = {str(r.status): int(r.overdue) for r in open_orders.itertuples(index=False)}
    groups: dict[tuple[str, int], list[str]] = {}
    for status in statuses:
        wait = flow.waits[status]
        groups.setdefault((wait.waiting_for, wait.overdue_minutes), []).append(status)
    return [
        Waiting(
            tuple(members),
            waiting_for,
            minutes,
            sum(orders.get(s, 0) for s in members),
            sum(late.get(s, 0) for s in members),
        )
        for (waiting_for, minutes), members in groups.items()
    ]


@dataclass(frozen=True)
class Quality:
    """Today's orders left off the map, by reason (an order may have several), and units without coordinates."""

    no_coordinates: int
    unknown_status: int
    out_of_sequence: int
    left_off: int
    units_without_coordinates: int


def drawable(orders: pd.DataFrame) -> pd.Series:
    """True for the orders of ``queries.wall.orders_today`` the map can show: coordinates, known status,
    steps in order."""
    has_coordinates = orders["lon"].notna() & orders["lat"].notna()
    return has_coordinates & orders["status"].isin(ORDER_STATUSES) & ~orders["out_of_sequence"]


def quality(orders: pd.DataFrame, units_without_coordinates: int) -> Quality:
    """Counts of today's bad orders (see :func:`drawable`) and of units without coordinates."""
    return Quality(
        no_coordinates=int((orders["lon"].isna() | orders["lat"].isna()).sum()),
        unknown_status=int((~orders["status"].isin(ORDER_STATUSES)).sum()),
        out_of_sequence=int(orders["out_of_sequence"].sum()),
        left_off=int((~drawable(orders)).sum()),
        units_without_coordinates=units_without_coordinates,
    )


def orders_per_residents(summary: pd.DataFrame) -> pd.Series:
    """This month's orders per 10,000 residents, per row of ``summary`` (NaN without population)."""
    population = pd.to_numeric(summary["population"], errors="coerce").astype("float64")
    return summary["orders"].astype("float64") / population.where(population > 0) * PER_RESIDENTS
