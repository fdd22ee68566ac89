"""Everything one refresh of the wall reads, in one place: the page runs it through the shared cache
(:class:`dashboard.wall_live.Refresh`), ``bench/wall_refresh.py`` straight on a connection, so the
benchmark measures exactly the page's queries.

Month figures reuse the overview's and the units page's queries (this month up to today), so each
keeps its one definition; they move slowly and cost the most, so they are asked with ``reuse_for``
(re-read at most every ``month_refresh_minutes`` of assets/wall.yaml). Today's flow comes from
``queries.wall`` and is read at every refresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.filters import Filters, preset_range
from dashboard.scope import Scope
from dashboard.wall_config import WallConfig
from queries import overview, quality, units, wall

Getter = Callable[..., Any]  # get(query_fn, scope, *args, reuse_for=None) -> the query's result
MONTH_QUERIES = (
    overview.district_summary,
    units.tier_counts,
    overview.activity_count,
    units.map_units,
    quality.units_without_coordinates,
)


@dataclass(frozen=True)
class WallData:
    """The results of one refresh (see the query functions for their columns)."""

    summary: pd.DataFrame  # overview.district_summary, this month
    tiers: pd.DataFrame  # units.tier_counts
    activities: int  # overview.activity_count, this month
    units: pd.DataFrame  # units.map_units
    units_without_coordinates: int  # quality.units_without_coordinates
    steps: dict[str, int]  # wall.steps_today
    medians: dict[str, float | None]  # wall.step_medians
    open_orders: pd.DataFrame  # wall.open_orders
    latest: pd.DataFrame  # wall.latest_orders
    today: pd.DataFrame  # wall.orders_today


def this_month(now: dt.datetime) -> Filters:
    """The filters of the month of ``now``, from its first day up to ``now``'s day, every district."""
    return Filters(*preset_range("month", now.date()), period_key="month")


def load(get: Getter, scope: Scope, now: dt.datetime, config: WallConfig, satisfied_rating: int) -> WallData:
    """All the data of one refresh at ``now`` for ``scope``, each query through ``get``."""
    month, slow = this_month(now), dt.timedelta(minutes=config.month_refresh_minutes)
    return WallData(
        summary=get(overview.district_summary, scope, month, satisfied_rating, reuse_for=slow),
        tiers=get(units.tier_counts, scope, month, reuse_for=slow),
        activities=get(overview.activity_count, scope, month, reuse_for=slow),
        units=get(units.map_units, scope, month, reuse_for=slow),
        units_without_coordinates=get(quality.units_without_coordinates, scope, month, reuse_for=slow)["count"],
        steps=get(wall.steps_today, scope, now),
        medians=get(wall.step_medians, scope, now),
        open_orders=get(wall.open_orders, scope, now, config.in_flight),
        latest=get(wall.latest_orders, scope, now, config.ticker_rows),
        today=get(wall.orders_today, scope, now),
    )
