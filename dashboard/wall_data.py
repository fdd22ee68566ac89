"""Everything one refresh of the wall reads, in one place: the page runs it through the shared cache
(:class:`dashboard.wall_live.Refresh`), ``bench/wall_refresh.py`` straight on a connection, so the
benchmark measures exactly the page's queries.

Month figures reuse the overview's and the units page's queries (this month up to today), so each
keeps its one definition; registered volunteers and activities come from the dashboard's summaries
(``queries.summaries``), whose refresh time the page shows. Today's flow comes from ``queries.wall``.
Every query is read at every refresh: all of them fit the wall's 100 ms budget (bench/wall_refresh.md).
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
from queries import overview, quality, summaries, units, wall

Getter = Callable[..., Any]  # get(query_fn, scope, *args) -> the query's result


@dataclass(frozen=True)
class WallData:
    """The results of one refresh (see the query functions for their columns)."""

    summary: pd.DataFrame  # overview.district_summary, this month
    tiers: pd.DataFrame  # units.tier_counts
    activities: int  # overview.activity_count, this month
    summarised: dt.datetime  # queries.summaries.refreshed_at: when the volunteer and activity summaries were refreshed
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
    month = this_month(now)
    return WallData(
        summary=get(overview.district_summary, scope, month, satisfied_rating),
        tiers=get(units.tier_counts, scope, month),
        activities=get(overview.activity_count, scope, month),
        summarised=get(summaries.refreshed_at, scope),
        units=get(units.map_units, scope, month),
        units_without_coordinates=get(quality.units_without_coordinates, scope, month)["count"],
        steps=get(wall.steps_today, scope, now),
        medians=get(wall.step_medians, scope, now),
        open_orders=get(wall.open_orders, scope, now, config.in_flight),
        latest=get(wall.latest_orders, scope, now, config.ticker_rows),
        today=get(wall.orders_today, scope, now),
    )
