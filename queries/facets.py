"""Counts beside the options of the global filter bar (faceted search), read once per period.

Definition (:data:`DEFINITION`, shown in the bar's help tooltips): the number beside an option is the
number of orders (群众点单) in the user's scope, placed within the chosen period, that the view would
count if that option were chosen and every other global filter stayed as it is. So the districts'
counts respect the chosen category, the townships' counts the chosen district and category, the
categories' counts the chosen district and township, and the periods' counts (each preset up to
today) the chosen district, township and category. "全部" counts with that one filter lifted. The
orders page's own filters (station, step, team, rated) do not change these counts.

Cost: :func:`order_facets` counts the chosen period's orders once, grouped by district, township and
category (at most a few thousand rows), with one conditional count for each preset that starts inside
the period: its whole months from the dashboard's summary ``dash.order_months``, and from
``service_order`` through its indexes the orders placed since the summary's refresh and the partial
months at either end, added day by day or as a whole month less its other days, whichever reads fewer
days (``queries.summaries.placed``: the same counts as reading every order). It does not depend on the
chosen district or category, so changing them is served by the cache. The days before today are
read by :func:`closed_order_facets`, cached for an hour, so a refresh only reads today's orders again.
The presets that start before the period only need the orders between their start and the period's,
with the filters applied (:func:`earlier_orders`, one row of closed days, the same way, cached for an
hour).
The option lists and counts are pandas on those small results (:func:`count_facets`, :func:`period_counts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, select

from dashboard.scope import Scope
from queries import summaries
from queries.common import frame, reference, scope_clause, service_order

if TYPE_CHECKING:
    from dashboard.filters import Filters

ALL = ""  # the key of the "no restriction" option in every count mapping

DEFINITION = (
    "选项后括号里的数字：在您的查看范围内、所选时间段内下单（点单）的订单数，"
    "按“只把本项换成该选项、其余筛选条件（时间范围、区县、乡镇（街道）、服务类别）不变”计算；"
    "“全部”即不按本项筛选。时间范围各选项按各自的起止日期（至今天）计算。"
    "订单页自身的站点、环节、队伍、评价筛选不影响这些数字。"
)

COLUMNS = ["since", "county_code", "township_code", "category", "orders"]


def order_facets(conn: Connection, scope: Scope, starts: Sequence[dt.date], end: dt.date) -> pd.DataFrame:
    """Orders in scope placed from each of ``starts`` to ``end`` (both days included), per ``county_code``,
    ``township_code`` and ``category``: columns :data:`COLUMNS`, one row per start (``since``) and group.

    One statement (``queries.summaries.placed``): whole months from the summary ``dash.order_months``,
    the partial months' days from the orders, with one conditional count per start (grouping by the
    period instead misleads PostgreSQL's estimate into a serial plan).
    """
    bounds = sorted(set(starts))
    stmt = summaries.placed(conn, scope, bounds, end + dt.timedelta(days=1), summaries.ORDER_KEYS)
    wide = frame(conn, stmt)
    parts = [
        wide[COLUMNS[1:4]].assign(since=day, orders=pd.to_numeric(wide[f"n{i}"]).astype("int64"))
        for i, day in enumerate(bounds)
    ]
    return pd.concat(parts, ignore_index=True)[COLUMNS]


@reference
def closed_order_facets(conn: Connection, scope: Scope, starts: Sequence[dt.date], end: dt.date) -> pd.DataFrame:
    """:func:`order_facets` of days that are over (``end`` before today): their orders no longer change, so
    it is a reference query (cached for an hour; an order the platform adds with a past date counts within
    the hour). The filter bar adds today's orders from a fresh :func:`order_facets` of today."""
    return order_facets(conn, scope, starts, end)


def with_today(closed: pd.DataFrame | None, todays: pd.DataFrame | None, starts: Sequence[dt.date]) -> pd.DataFrame:
    """The :func:`order_facets` rows of a period from those of its closed days (None: none) and of today
    (None: the period ends before today), for the same ``starts``."""
    parts = [] if closed is None else [closed]
    if todays is not None:
        parts += [todays.assign(since=day) for day in sorted(set(starts))]
    if not parts:  # a period after today
        return pd.DataFrame({column: pd.Series(dtype="int64" if column == "orders" else object) for column in COLUMNS})
    rows = pd.concat(parts, ignore_index=True)
    keys = ["since", "county_code", "township_code", "category"]
    return rows.groupby(keys, dropna=False, as_index=False, sort=False)["orders"].sum()[COLUMNS]


def within(rows: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """The rows of an :func:`order_facets` result that count the orders placed from ``start`` on."""
    return rows[rows["since"] == start]


@dataclass(frozen=True)
class FacetCounts:
    """Orders per option of each global filter (see :data:`DEFINITION`); key :data:`ALL` for "全部"."""

    counties: dict[str, int]
    townships: dict[str, int]
    categories: dict[str, int]


def _matching(rows: pd.DataFrame, filters: Filters, lifted: str) -> pd.Series:
    """True for the rows the global filters select, with the filter ``lifted`` (and what hangs on it) not applied."""
    keep = pd.Series(True, index=rows.index)
    if filters.category and lifted != "category":
        keep &= rows["category"] == filters.category
    if filters.county and lifted != "county":
        keep &= rows["county_code"] == filters.county
    if filters.township and lifted not in ("county", "township"):
        keep &= rows["township_code"] == filters.township
    return keep


def _per(rows: pd.DataFrame, column: str) -> dict[str, int]:
    counts = {str(key): int(n) for key, n in rows.groupby(column)["orders"].sum().items()}
    return {ALL: int(rows["orders"].sum()), **counts}


def count_facets(rows: pd.DataFrame, filters: Filters) -> FacetCounts:
    """The counts of the district, township and category options, from the chosen period's rows."""
    rows = within(rows, filters.start)
    return FacetCounts(
        counties=_per(rows[_matching(rows, filters, "county")], "county_code"),
        townships=_per(rows[_matching(rows, filters, "township")], "township_code"),
        categories=_per(rows[_matching(rows, filters, "category")], "category"),
    )


@reference
def earlier_orders(
    conn: Connection,
    scope: Scope,
    county: str | None,
    township: str | None,
    category: str | None,
    starts: Sequence[dt.date],
    stop: dt.date,
) -> dict[dt.date, int]:
    """Orders in scope, district, township and category (None: any) placed from each of ``starts`` up to
    the day before ``stop``: start → count. One pass from the earliest start, one conditional count each.

    Marked a reference query (cached for an hour): it counts closed days only (``stop`` is at most today),
    whose orders do not change; an order the platform adds with a past date counts within the hour.
    """
    bounds = sorted(set(starts))
    area = {"county_code": county, "township_code": township, "category": category}
    equal = {column: value for column, value in area.items() if value is not None}
    row = conn.execute(summaries.placed(conn, scope, bounds, stop, (), equal)).one()
    return {day: int(n or 0) for day, n in zip(bounds, row, strict=True)}


def marks(start: dt.date, end: dt.date, presets: Mapping[str, dt.date], today: dt.date) -> tuple[dt.date, ...]:
    """The starts :func:`order_facets` counts from for the period ``start``–``end``: its own, and when it
    ends today the later preset starts (``presets``: key → first day), whose counts it then gives too."""
    inner = [day for day in presets.values() if day > start] if end == today else []
    return tuple(sorted({start, *inner}))


def outside(start: dt.date, end: dt.date, presets: Mapping[str, dt.date], today: dt.date) -> tuple[dt.date, ...]:
    """The preset starts whose counts :func:`order_facets` of that period does not give (:func:`earlier_orders`
    counts them up to ``start`` when the period ends today, else up to today, and today's orders are added)."""
    return tuple(sorted({day for day in presets.values() if end != today or day < start}))


def period_counts(
    rows: pd.DataFrame,
    filters: Filters,
    presets: Mapping[str, dt.date],
    earlier: Mapping[dt.date, int],
    today: dt.date,
) -> dict[str, int]:
    """Orders per preset period with the district, township and category filters applied, from the chosen
    period's :func:`order_facets` rows and the :func:`earlier_orders` of the :func:`outside` starts."""
    ends_today = filters.end == today
    base = total(within(rows, filters.start), filters) if ends_today else 0
    return {
        key: total(within(rows, day), filters) if ends_today and day >= filters.start else base + earlier[day]
        for key, day in presets.items()
    }


def total(rows: pd.DataFrame, filters: Filters) -> int:
    """Orders of the rows that every global filter selects (the count of the chosen view)."""
    return int(rows.loc[_matching(rows, filters, "period"), "orders"].sum())


@reference
def category_exists(conn: Connection, scope: Scope, category: str) -> bool:
    """Whether any order in scope has this category (a link's category without orders in its period)."""
    stmt = (
        select(service_order.c.id)
        .where(scope_clause(service_order.c.county_code, scope))
        .where(service_order.c.category == category)
    )
    return conn.execute(stmt.limit(1)).first() is not None
