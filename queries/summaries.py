"""Figures read from the dashboard's summaries (schema ``dash``), topped up with the platform's newest rows.

A summary (see ``dashboard.summaries``) holds the platform's rows up to its last refresh. The figures
below read it for the time it covers in full and the platform's own table (by county and date, so
through its county index) for the rest: the months from the last refresh's month on for volunteers,
the days from the last refresh's day on for activities. So a figure stays exact between refreshes
for rows added with a current date; rows added with an old date, changed or deleted show up at the
next refresh (its time is :func:`refreshed_at`, shown on screen as "汇总于 HH:MM").

Both parts count the counties of the region table only (what every page shows), which also lets
PostgreSQL walk the county index instead of scanning the whole table when the scope is every county.

Orders placed (:func:`placed`, the filter bar's counts) are topped up by id instead, and count every
county as ``service_order`` does: whole months from the summary, which holds the orders up to the id
its refresh recorded, and from ``service_order`` every order above that id (placed after the
refresh, whatever its date) and the partial months at either end (their days added, or a whole month
taken less its other days: the current month is then the summary's less the days still to come).
So they equal a count of ``service_order`` at any time, unless the platform deletes an order or
moves it to another area or category (seen at the next full refresh, nightly in production).

Activities per unit and month (:func:`activities_held`, what the activities page and the scorecards count)
are read from ``dash.activity_unit_months`` (or ``dash.activity_content_months`` per content area) for
the whole months of the period before the recent months of the last refresh, which the platform may
still change in place (``definitions.activity_recent_from``: the refresh's month and the one before), with
the activities of those months above the summary's ``through_id``; the rest of the period (its partial
months, the recent months) from ``activity``. So they equal a count of ``activity`` at any time for new
activities and for the materials and uploads of the recent months; materials changed, or activities
moved or deleted, in the older months (a month stays recent until the first refresh two months after
it, which rebuilds it) show up at the next full refresh (nightly in production).

Service hours (:func:`served`) are read the same way from ``dash.volunteer_hours_months`` (hours per volunteer
and month), per volunteer or coarser, with each part's rows counted (``entries``) so that the days taken off a
whole month also take off the volunteers who served only on them: a volunteer is in the period when their rows
add up to more than none. The days of a partial month in the recent months (the refresh's and the one before:
"this month", the 30 days up to today) come from ``dash.volunteer_hours_days`` and the rows it has not seen,
older ones from ``service_hours`` joined to ``volunteer``. They equal the hours of ``service_hours`` joined to
``volunteer`` at any time, except that the volunteer's county, township, unit, team and party flag are those
of the last refresh for the months it summarised (a volunteer changed in place is seen at the next full
refresh), and that, like the other figures here, they count the counties of the region table only. The
volunteers who served (:func:`active`) and the top volunteers (:func:`most_served`) of one
whole year are counted from the year's summaries, grouping per volunteer only the few with several rows in
the year or with rows outside its summary.

The orders page's cube (:func:`order_cube`: orders per current status, team and rating with the flow's
sums) reads whole months before the recent ones (``definitions.order_recent_from``) from
``dash.order_status_county_months``, or ``dash.order_status_months`` with a township or category filter,
with the orders of those months above the summary's ``through_id``. Every refresh rebuilds the recent
months, so for them it takes the summary's orders of a final status (which the platform never changes)
and reads the orders listed open at the refresh (``dash.order_open``) from ``service_order`` by id; the
partial months it cannot take whole are read from ``service_order``. So it equals a read of
``service_order`` at any time for new orders and for every change in the recent months but the reopening
of a final order (seen at the next refresh); an older order moved on, rated or given to another team in
place (or a volunteer who joined another team) shows up at the next full refresh (nightly in production). Overdue
orders are counted as of the moment asked, exactly: the summaries keep when a wait began whenever it
began after the month the order was placed in (:func:`definitions.late_waiting_since`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Row,
    Select,
    Subquery,
    Table,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)

from dashboard.errors import SummaryMissing
from dashboard.order_flow import order_flow
from dashboard.scope import Scope
from dashboard.summaries.definitions import (
    ACTIVITY_PLACE,
    MATERIALS,
    ORDER_TEAM,
    ORDERS_WITH_MEMBER,
    REGION_COUNTIES,
    activity_counts,
    activity_recent_from,
    band_ends,
    final,
    hours_recent_from,
    in_region,
    month_key,
    month_start,
    order_flow_sums,
    order_recent_from,
    points_band,
    satisfied,
    service_hours,
)
from dashboard.summaries.tables import (
    ACTIVITY_COUNTS,
    activity_content_months,
    activity_days,
    activity_unit_months,
    order_months,
    order_open,
    order_status_county_months,
    order_status_months,
    refresh_state,
    volunteer_active_unit_years,
    volunteer_active_years,
    volunteer_area_months,
    volunteer_grade_county_months,
    volunteer_grade_months,
    volunteer_hours_days,
    volunteer_hours_months,
    volunteer_hours_unit_months,
    volunteer_hours_years,
    volunteer_unit_months,
)
from queries.common import (
    activity,
    any_of,
    area_clause,
    month_of,
    overdue_clause,
    scope_clause,
    service_order,
    volunteer,
)
from queries.common import month_start as sql_month_start

if TYPE_CHECKING:
    from dashboard.filters import Filters

DEFINITIONS = {
    "summarised": (
        "注册志愿者与活动场次取自看板的汇总表，并补上汇总之后新增的数据；汇总于该时刻（定时更新）。"
        "平台补录的旧日期数据、修改或删除的数据，在下一次汇总后计入。"
    ),
    "activity_months": (
        "活动场次、材料齐全、上传与理论宣讲取自看板的汇总表，并补上汇总之后新增的活动；"
        "最近两个月（汇总当月与上月）及所选时间段首尾不满一个月的部分直接取平台数据，材料与上传情况为最新。"
        "更早月份中已汇总的活动，其材料、上传情况的修改和删除，在下一次全部重算（每晚）后计入。"
    ),
    "served": (
        "服务时长取自看板的汇总表，并补上汇总之后新增的记录（含补录的旧日期记录），与平台记录一致；"
        "已汇总月份中志愿者的所属区县、乡镇、站所、队伍和在职党员身份以汇总时的登记为准，"
        "平台修改后在下一次全部重算（每晚）后更新。"
    ),
    "order_status": (
        "订单按当前状态、评分和接单队伍的计数取自看板的汇总表，并补上汇总之后新下的订单：较早的整月全部取自汇总表；"
        "时间段含更早月份时，最近两个月（汇总当月与上月）只有已走完流程的订单（已评价、已拒绝、已取消，平台不会再改动）"
        "取自汇总表，其余订单直接取平台数据，状态为最新；只含最近两个月的时间段全部直接取平台数据；所选时间段首尾不满一个月的部分直接取平台数据。超时按当前时刻计算。"
        "更早月份中已汇总的订单，其状态、时间、评分和接单队伍（含志愿者所属队伍）的修改，"
        "在下一次全部重算（每晚）后计入。"
    ),
    "graded": (
        "星级与积分取自看板的汇总表，为最近一次汇总时（定时更新，生产环境每 10 分钟一次，每次全部重算）平台登记的数值，"
        "平台之后的调整在下一次汇总后计入；汇总当月及以后注册的志愿者直接取平台当前数值。"
    ),
}
ACTIVITY_KEYS = (*ACTIVITY_PLACE, "month", "content_area")
VOLUNTEER_KEYS = ("county_code", "township_code", "unit_id", "month")
ORDER_KEYS = ("county_code", "township_code", "category")
ORDER_CUBE_KEYS = ("status", "team_id", "rating")  # the groups of order_cube (the orders page's)
HOURS_KEYS = (
    "volunteer_id",
    "month",
    "county_code",
    "township_code",
    "unit_id",
    "team_id",
    "is_in_service_party_member",
)
ACTIVE_KEYS = ("county_code", "township_code", "unit_id", "team_id", "is_in_service_party_member")
_DAY = dt.timedelta(days=1)
# Above any id: "id BETWEEN through + 1 AND this" is a two-sided range, which SQLite's planner takes for
# a narrow one and reads on the primary key (for a one-sided "id > ?" it scans the county index instead).
_ID_CEILING = 2**62


def _state(conn: Connection, name: str) -> Row:
    """The summary ``name``'s row of ``dash.refresh_state`` (``refreshed_at``, ``through_id``); SummaryMissing when
    it was never refreshed."""
    state = conn.execute(select(refresh_state).where(refresh_state.c.name == name)).first()
    if state is None:
        raise SummaryMissing(name)
    return state


def _refreshed(conn: Connection, name: str) -> dt.datetime:
    """When the summary ``name`` was last refreshed; SummaryMissing when it never was."""
    return _state(conn, name).refreshed_at


def refreshed_at(conn: Connection, scope: Scope) -> dt.datetime:
    """When the oldest summary was last refreshed (the same for every scope)."""
    when = conn.execute(select(func.min(refresh_state.c.refreshed_at))).scalar()
    if when is None:
        raise SummaryMissing("refresh_state")
    return when


def _summed(parts: Sequence[Select], keys: Sequence[str], name: str) -> Subquery:
    """The parts (each with the ``keys`` and ``n``) summed per key: a subquery with the keys and ``name``."""
    grouped = []
    for i, part in enumerate(parts):  # each part aggregated first: the union then holds a few rows per key
        rows = part.subquery(f"{name}_{i}")
        grouped.append(
            select(*(rows.c[k] for k in keys), func.sum(rows.c.n).label("n")).group_by(*(rows.c[k] for k in keys))
        )
    both = union_all(*grouped).subquery(f"{name}_parts")
    return (
        select(*(both.c[k] for k in keys), func.sum(both.c.n).label(name))
        .group_by(*(both.c[k] for k in keys))
        .subquery(name)
    )


def registered(
    conn: Connection, scope: Scope, filters: Filters, keys: Sequence[str], *, township: bool = True
) -> Subquery:
    """Volunteers registered by ``filters.end`` in scope and area, per ``keys`` (of :data:`VOLUNTEER_KEYS`;
    ``month`` is that of registration, 'YYYY-MM'): a subquery with the keys and ``volunteers``.

    ``township=False`` ignores the township filter (as for units measured on their whole county).
    """
    unknown = set(keys) - set(VOLUNTEER_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    boundary = min(month_start(filters.end), month_start(_refreshed(conn, "volunteers").date()))
    table = volunteer_unit_months if "unit_id" in keys else volunteer_area_months
    summarised = select(*(table.c[k] for k in keys), table.c.volunteers.label("n")).where(
        area_clause(table, scope, filters, township=township),
        in_region(table.c.county_code),
        table.c.month < month_key(boundary),
    )
    month = month_of(volunteer.c.registered_on).label("month")
    recent = select(*(month if k == "month" else volunteer.c[k] for k in keys), literal(1).label("n")).where(
        area_clause(volunteer, scope, filters, township=township),
        in_region(volunteer.c.county_code),
        volunteer.c.registered_on >= boundary,
        volunteer.c.registered_on <= filters.end,
    )
    return _summed([summarised, recent], keys, "volunteers")


def graded(
    conn: Connection, scope: Scope, filters: Filters, bounds: Sequence[int], *, summarised: bool = True
) -> Subquery:
    """Volunteers registered by ``filters.end`` in scope and area, per ``county_code``, ``star_level`` and points
    ``band`` of ``bounds`` (``definitions.points_band``): a subquery with those and ``volunteers``.

    As :func:`registered`: the months before the last refresh's (and the period end's) from
    ``dash.volunteer_grade_county_months`` (``dash.volunteer_grade_months`` with a township filter), with the
    star levels and points the platform had at that refresh (the summary is rebuilt whole at every refresh);
    the volunteers registered since from ``volunteer``, with their current ones. A summarised band that is not
    one of ``bounds``' (volunteers.yaml changed since the refresh) gets band -1: the caller then asks again with
    ``summarised=False``, which reads every volunteer from ``volunteer``.
    """
    keys = ("county_code", "star_level", "band")
    live = select(
        volunteer.c.county_code,
        volunteer.c.star_level,
        points_band(volunteer.c.points, bounds).label("band"),
        literal(1).label("n"),
    ).where(
        area_clause(volunteer, scope, filters),
        in_region(volunteer.c.county_code),
        volunteer.c.registered_on <= filters.end,
    )
    if not summarised:
        return _summed([live], keys, "volunteers")
    boundary = min(month_start(filters.end), month_start(_refreshed(conn, "grades").date()))
    table = volunteer_grade_months if filters.township else volunteer_grade_county_months
    s = table.c
    band = case(
        *(
            (and_(_is(s.points_from, low), _is(s.points_below, high)), i)
            for i, (low, high) in enumerate(band_ends(bounds))
        ),
        else_=-1,
    )
    summed = select(s.county_code, s.star_level, band.label("band"), s.volunteers.label("n")).where(
        area_clause(table, scope, filters),
        in_region(s.county_code),
        s.month < month_key(boundary),
    )
    return _summed([summed, live.where(volunteer.c.registered_on >= boundary)], keys, "volunteers")


def _is(column: ColumnElement, value: int | None) -> ColumnElement[bool]:
    """``column`` holds ``value`` (IS NULL for None)."""
    return column.is_(None) if value is None else column == value


def held(conn: Connection, scope: Scope, filters: Filters) -> Subquery:
    """Activities held in the period in scope and area: a one-row subquery with ``activities``."""
    boundary = _refreshed(conn, "activities").date()  # days before it are complete in the summary
    summarised = select(activity_days.c.activities.label("n")).where(
        area_clause(activity_days, scope, filters),
        in_region(activity_days.c.county_code),
        activity_days.c.held_on >= filters.start,
        activity_days.c.held_on <= min(filters.end, boundary - dt.timedelta(days=1)),
    )
    recent = select(literal(1).label("n")).where(
        area_clause(activity, scope, filters),
        in_region(activity.c.county_code),
        activity.c.held_on >= max(filters.start, boundary),
        activity.c.held_on <= filters.end,
    )
    return _summed([summarised, recent], (), "activities")


def _next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class _Plan:
    """How :func:`placed` and :func:`served` count the rows of ``[start, stop)``: the summary's months
    ``[months[0], months[1])`` (None: none) plus the rows of the ``added`` day ranges and less those of the
    ``subtracted`` ones (each ``[a, b)``, read from the platform's table)."""

    months: tuple[dt.date, dt.date] | None
    added: tuple[tuple[dt.date, dt.date], ...]
    subtracted: tuple[tuple[dt.date, dt.date], ...]


def _plan(start: dt.date, stop: dt.date, empty_from: dt.date | None = None) -> _Plan:
    """The plan for ``[start, stop)`` that reads the fewest days from the platform's table: a partial month
    at either end is either added day by day or taken as a whole month less its other days.

    The days from ``empty_from`` on (the day after the summary's refresh) cost nothing: the platform's table
    holds only the rows written since the refresh for them, and rows dated in the future. So "this month" is
    the summary's month less the days still to come, early in the month too, not each of its days read.
    """
    if start >= stop:
        return _Plan(None, (), ())

    def days(a: dt.date, b: dt.date) -> int:
        return max(((b if empty_from is None else min(b, empty_from)) - a).days, 0)

    first, last = month_start(start), month_start(stop - _DAY)
    end = _next_month(last)
    if first == last:  # within one month
        if days(start, stop) <= days(first, start) + days(stop, end):
            return _Plan(None, ((start, stop),), ())
        return _Plan((first, end), (), tuple((a, b) for a, b in ((first, start), (stop, end)) if a < b))
    added, subtracted = [], []
    if days(first, start) <= days(start, _next_month(first)):
        months_from = first
        subtracted.append((first, start))
    else:
        months_from = _next_month(first)
        added.append((start, months_from))
    if days(stop, end) <= days(last, stop):
        months_to = end
        subtracted.append((stop, end))
    else:
        months_to = last
        added.append((last, stop))
    return _Plan(
        (months_from, months_to) if months_from < months_to else None,
        tuple((a, b) for a, b in added if a < b),
        tuple((a, b) for a, b in subtracted if a < b),
    )


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min)


def placed(
    conn: Connection,
    scope: Scope,
    starts: Sequence[dt.date],
    stop: dt.date,
    keys: Sequence[str] = (),
    equal: Mapping[str, str] | None = None,
) -> Select:
    """Orders in scope placed from each of ``starts`` up to the day before ``stop``, per ``keys`` (of
    :data:`ORDER_KEYS`), where each column of ``equal`` (also of :data:`ORDER_KEYS`) has its value: a
    SELECT of the keys and one count per start, ``n0``, ``n1``, … in the order of the sorted distinct starts.

    Each start's count follows its :func:`_plan`: whole months from ``dash.order_months`` together with
    the orders in those months above the summary's ``through_id`` (placed after its refresh, whatever
    their date; ``service_order``'s primary key), plus or minus the partial months' days (its
    ``placed_at`` index). When no start reads a whole month, only ``service_order`` is read.
    """
    equal = dict(equal or {})
    unknown = (set(keys) | set(equal)) - set(ORDER_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    bounds = sorted(set(starts))
    state = _state(conn, "orders")
    empty_from = state.refreshed_at.date() + _DAY
    plans = [_plan(day, stop, empty_from) for day in bounds]
    o = service_order.c

    def within(a: dt.date, b: dt.date) -> ColumnElement[bool]:
        return and_(o.placed_at >= _moment(a), o.placed_at < _moment(b))

    def orders(counts: Sequence[ColumnElement], *where: ColumnElement[bool]) -> Select:
        """The orders in scope and ``equal`` of ``where``, per key, with the per-start ``counts``."""
        return (
            select(*(o[k] for k in keys), *(n.label(f"n{i}") for i, n in enumerate(counts)))
            .where(scope_clause(o.county_code, scope), *(o[c] == value for c, value in equal.items()), *where)
            .group_by(*(o[k] for k in keys))
        )

    parts = []
    months = [plan.months for plan in plans if plan.months]
    if months:
        lowest, highest = min(m[0] for m in months), max(m[1] for m in months)
        m = order_months.c
        summed = [
            func.sum(
                case((and_(m.month >= month_key(p.months[0]), m.month < month_key(p.months[1])), m.orders), else_=0)
            )
            if p.months
            else literal(0)
            for p in plans
        ]
        parts.append(
            select(*(m[k] for k in keys), *(n.label(f"n{i}") for i, n in enumerate(summed)))
            .where(
                scope_clause(m.county_code, scope),
                *(m[column] == value for column, value in equal.items()),
                m.month >= month_key(lowest),
                m.month < month_key(highest),
            )
            .group_by(*(m[k] for k in keys))
        )
        # the orders the summary has not seen (placed since its refresh), found on the primary key
        unseen = [func.sum(case((within(*p.months), 1), else_=0)) if p.months else literal(0) for p in plans]
        parts.append(orders(unseen, o.id.between(state.through_id + 1, _ID_CEILING)))
    ranges = sorted({span for plan in plans for span in (*plan.added, *plan.subtracted)})
    if ranges or not parts:
        counted = []
        for plan in plans:
            plus = or_(false(), *(within(a, b) for a, b in plan.added))
            minus = or_(false(), *(within(a, b) for a, b in plan.subtracted))
            counted.append(func.sum(case((plus, 1), else_=0) - case((minus, 1), else_=0)))
        parts.append(orders(counted, or_(false(), *(within(a, b) for a, b in ranges))))
    if len(parts) == 1:
        return parts[0]
    both = union_all(*parts).subquery("placed")
    return select(
        *(both.c[k] for k in keys), *(func.sum(both.c[f"n{i}"]).label(f"n{i}") for i in range(len(bounds)))
    ).group_by(*(both.c[k] for k in keys))


def _hours_area(
    scope: Scope, filters: Filters, service_county: ColumnElement, county: ColumnElement, township: ColumnElement
) -> list[ColumnElement[bool]]:
    """The service row in scope and district, the volunteer in scope and area (what every hours figure counts)."""
    wanted = [scope_clause(service_county, scope), scope_clause(county, scope)]
    if filters.county:
        wanted += [service_county == filters.county, county == filters.county]
    if filters.township:
        wanted.append(township == filters.township)
    return wanted


def _summary_hours(
    table: Table,
    keys: Sequence[str],
    scope: Scope,
    filters: Filters,
    *when: ColumnElement[bool],
    sign: int | ColumnElement = 1,
) -> Select:
    """An hours summary ``table``'s rows of the periods ``when`` in scope and area: the keys (``month`` that of a
    table's ``served_on``), ``hours`` and ``entries``, times ``sign`` (-1, or a column that is -1 or 1 per row)."""
    s = table.c
    named = {"county_code": s.volunteer_county_code, **({"month": month_of(s.served_on)} if "served_on" in s else {})}
    chosen = [(named[k] if k in named else s[k]).label(k) for k in keys]
    if isinstance(sign, int):
        sums = (s.hours, s.entries) if sign > 0 else (-s.hours, -s.entries)
    else:
        sums = (s.hours * sign, s.entries * sign)
    return select(*chosen, sums[0].label("hours"), sums[1].label("entries")).where(
        *_hours_area(scope, filters, s.county_code, s.volunteer_county_code, s.township_code), *when
    )


def _day_ranges(day: ColumnElement, plan: _Plan) -> tuple[ColumnElement, ColumnElement[bool]]:
    """For the date column ``day``: the sign of a row in the day ranges of ``plan`` (-1 in those it takes off, 1
    in those it adds), and the condition that the row lies in one of them."""

    def within(a: dt.date, b: dt.date) -> ColumnElement[bool]:
        return and_(day >= a, day < b)

    sign = case((or_(false(), *(within(a, b) for a, b in plan.subtracted)), -1), else_=1)
    return sign, or_(*(within(a, b) for a, b in (*plan.added, *plan.subtracted)))


def _served_parts(
    conn: Connection, scope: Scope, filters: Filters, keys: Sequence[str], *, year_apart: bool = False
) -> tuple[str | None, list[Select]]:
    """The parts :func:`served` sums per key, each with the keys, ``hours`` and ``entries``, and the year left out
    of them: with ``year_apart``, when the summary's months of the period are one whole year read from
    ``dash.volunteer_hours_years`` and no other month, that year (``'YYYY'``) and the other parts (the rows the
    year's summary has not seen, the days or months taken off it); otherwise None and every part."""
    unknown = set(keys) - set(HOURS_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    state = _state(conn, "hours")
    refreshed = state.refreshed_at.date()
    plan = _plan(filters.start, filters.end + _DAY, refreshed + _DAY)
    per_volunteer = bool({"volunteer_id", "team_id"} & set(keys))
    h = service_hours.c
    raw_columns = {
        "volunteer_id": h.volunteer_id,
        "month": month_of(h.served_on),
        **{name: volunteer.c[name] for name in HOURS_KEYS if name not in ("volunteer_id", "month")},
    }
    # the rows the summary has not seen (written since its refresh), found on the primary key
    unseen = h.id.between(state.through_id + 1, _ID_CEILING)

    def rows(hours: ColumnElement, entries: ColumnElement, *where: ColumnElement[bool]) -> Select:
        """``service_hours`` joined to ``volunteer``: the keys, ``hours`` and ``entries`` of each row."""
        return (
            select(*(raw_columns[k].label(k) for k in keys), hours.label("hours"), entries.label("entries"))
            .select_from(service_hours.join(volunteer, volunteer.c.id == h.volunteer_id))
            .where(
                *_hours_area(scope, filters, h.county_code, volunteer.c.county_code, volunteer.c.township_code),
                # as the summary counts; a list, so that PostgreSQL reads a range of days through the county and
                # date index instead of scanning the whole table (any_of)
                any_of(h.county_code, REGION_COUNTIES),
                *where,
            )
        )

    def summarised(table: Table, period: str, low: str, high: str, sign: int = 1) -> Select:
        periods = table.c[period]
        return _summary_hours(table, keys, scope, filters, periods >= low, periods < high, sign=sign)

    parts, year = [], None
    if plan.months:
        years, months, less = None, (plan.months,), None
        if per_volunteer and "month" not in keys:
            years, months, less = _by_years(plan.months, refreshed)
        table = volunteer_hours_months if per_volunteer else volunteer_hours_unit_months
        parts += [summarised(table, "month", month_key(a), month_key(b)) for a, b in months]
        if years and year_apart and years[0] == years[1] and not months:
            year = str(years[0])
        elif years:
            parts.append(summarised(volunteer_hours_years, "year", str(years[0]), str(years[1] + 1)))
        if less:
            parts.append(summarised(volunteer_hours_months, "month", month_key(less[0]), month_key(less[1]), -1))
        parts.append(rows(h.hours, literal(1), unseen, h.served_on >= plan.months[0], h.served_on < plan.months[1]))
    if plan.added or plan.subtracted:
        sign, in_ranges = _day_ranges(h.served_on, plan)
        if min(a for a, _ in (*plan.added, *plan.subtracted)) >= hours_recent_from(refreshed):
            # the recent days from their summary (with the volunteer's columns their month was counted with),
            # and only their rows the summary has not seen from the platform
            day_sign, in_days = _day_ranges(volunteer_hours_days.c.served_on, plan)
            parts.append(_summary_hours(volunteer_hours_days, keys, scope, filters, in_days, sign=day_sign))
            in_ranges = and_(in_ranges, unseen)
        parts.append(rows(h.hours * sign, sign, in_ranges))
    return year, parts


def _per_key(parts: Sequence[Select], keys: Sequence[str], name: str) -> Subquery:
    """The ``parts`` (each with the keys, ``hours`` and ``entries``) summed per key at once, the groups with rows
    (``entries`` above none): a subquery ``name`` with the keys, ``hours`` and ``entries``."""
    both = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery(f"{name}_parts")
    columns = [both.c[k] for k in keys]
    return (
        select(*columns, func.sum(both.c.hours).label("hours"), func.sum(both.c.entries).label("entries"))
        .group_by(*columns)
        .having(func.sum(both.c.entries) > 0)
        .subquery(name)
    )


def served(conn: Connection, scope: Scope, filters: Filters, keys: Sequence[str]) -> Subquery:
    """Service hours of the period (``served_on``), per ``keys`` (of :data:`HOURS_KEYS`: ``month`` that of
    ``served_on``, the others the volunteer's): a subquery with the keys, ``hours`` and ``entries`` (rows),
    holding only the groups with rows in the period.

    The service row is in scope and in the district filter; the volunteer in scope and area. With
    ``volunteer_id`` among the keys each row is one volunteer who served (count them for "active", or read
    :func:`active`). The period follows :func:`_plan`: whole months from ``dash.volunteer_hours_months`` (from its
    roll-up ``dash.volunteer_hours_unit_months`` when the keys need neither volunteer nor team; per volunteer, whole
    years from ``dash.volunteer_hours_years`` where :func:`_by_years` says so) together with the
    rows of those months above the summary's ``through_id`` (``service_hours``' primary key), plus or minus
    the rows of the partial months' days (its county and date index), summed per key at once (grouping
    each part first would group the summary's rows twice: per volunteer they hardly shrink).
    """
    return _per_key(_served_parts(conn, scope, filters, keys)[1], keys, "served")


def _year_rows(keys: Sequence[str], scope: Scope, filters: Filters, year: str) -> Select:
    """The rows of ``dash.volunteer_hours_years`` of ``year`` in scope and area (:func:`_summary_hours`); the year
    as an equality, so that its volunteers of one row are read in the order of hours along its index."""
    return _summary_hours(volunteer_hours_years, keys, scope, filters, volunteer_hours_years.c.year == year)


@dataclass(frozen=True)
class _Apart:
    """What a whole year's readers take per volunteer beside ``dash.volunteer_active_years`` (:func:`_apart`)."""

    rows: Subquery  # the keys, volunteer_id, hours, entries, counted_hours, counted_entries
    touched: Select  # the volunteers with rows outside the year's summary (one column, volunteer_id)


def _apart(parts: Sequence[Select], keys: Sequence[str], scope: Scope, filters: Filters, year: str) -> _Apart:
    """The rows of a period of one whole ``year`` (:func:`_served_parts`) that ``dash.volunteer_active_years``
    does not count, per volunteer (``keys`` end with ``volunteer_id``): the year's rows of the volunteers with
    several (``year_rows``), and of the volunteers ``parts`` touch (the rows outside the year's summary) their one
    row, repeated as ``counted_hours`` and ``counted_entries`` (what the year's counts already hold), and the
    ``parts`` themselves."""
    deltas = (union_all(*parts) if len(parts) > 1 else parts[0]).cte("year_deltas")
    touched = select(deltas.c.volunteer_id)
    y = volunteer_hours_years.c

    def year_rows(counted: bool, *where: ColumnElement[bool]) -> Select:
        return (
            _year_rows(keys, scope, filters, year)
            .add_columns(
                (y.hours if counted else literal(0.0)).label("counted_hours"),
                (y.entries if counted else literal(0)).label("counted_entries"),
            )
            .where(*where)
        )

    rows = union_all(
        year_rows(False, y.year_rows > 1),
        year_rows(True, y.year_rows == 1, any_of(y.volunteer_id, touched)),
        select(deltas, literal(0.0).label("counted_hours"), literal(0).label("counted_entries")),
    ).subquery("apart")
    return _Apart(rows, touched)


def active(conn: Connection, scope: Scope, filters: Filters, keys: Sequence[str]) -> Subquery:
    """The volunteers who served in the period and their hours, per ``keys`` (of :data:`ACTIVE_KEYS`, the
    volunteer's): a subquery with the keys, ``hours`` and ``volunteers``, holding only the groups with volunteers.

    A volunteer counts in a group when their rows of the period with its keys add up to more than none, as
    :func:`served` per volunteer counts them, which is what it reads for most periods. A period whose summarised
    months are one whole year (this year up to today, last year) reads instead the year's counts of
    ``dash.volunteer_active_years`` (the volunteers of one row in the year; without the team from its roll-up
    ``dash.volunteer_active_unit_years``) and, per volunteer, only the others
    (:func:`_apart`): each of these adds what it counts with the rows outside the year's summary, less what the
    year's counts hold for it.
    """
    unknown = set(keys) - set(ACTIVE_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    per_volunteer = [*keys, "volunteer_id"]
    year, parts = _served_parts(conn, scope, filters, per_volunteer, year_apart=True)
    if year is None:
        each = _per_key(parts, per_volunteer, "served")
        columns = [each.c[k] for k in keys]
        return (
            select(*columns, func.sum(each.c.hours).label("hours"), func.count().label("volunteers"))
            .group_by(*columns)
            .subquery("active")
        )
    a = _apart(parts, per_volunteer, scope, filters, year).rows.c
    served_now = func.sum(a.entries) > 0
    corrections = select(
        *(a[k] for k in keys),
        (case((served_now, func.sum(a.hours)), else_=0) - func.sum(a.counted_hours)).label("hours"),
        (case((served_now, 1), else_=0) - case((func.sum(a.counted_entries) > 0, 1), else_=0)).label("volunteers"),
    ).group_by(*(a[k] for k in per_volunteer))
    s = (volunteer_active_years if "team_id" in keys else volunteer_active_unit_years).c
    counted = select(
        *(s[k].label(k) if k != "county_code" else s.volunteer_county_code.label(k) for k in keys),
        s.hours,
        s.volunteers,
    ).where(*_hours_area(scope, filters, s.county_code, s.volunteer_county_code, s.township_code), s.year == year)
    both = union_all(counted, corrections).subquery("active_parts")
    columns = [both.c[k] for k in keys]
    return (
        select(*columns, func.sum(both.c.hours).label("hours"), func.sum(both.c.volunteers).label("volunteers"))
        .group_by(*columns)
        .having(func.sum(both.c.volunteers) > 0)
        .subquery("active")
    )


def most_hours(rows: Subquery, key: str, limit: int) -> Subquery:
    """The ``limit`` rows of ``rows`` (with ``key`` and ``hours``) with most hours, ``key`` not NULL (ties by
    key), chosen before any join: the names are then looked up for those rows only."""
    return (
        select(rows)
        .where(rows.c[key].is_not(None))
        .order_by(rows.c.hours.desc(), rows.c[key])
        .limit(limit)
        .subquery("most_hours")
    )


def most_served(conn: Connection, scope: Scope, filters: Filters, limit: int) -> Subquery:
    """The ``limit`` volunteers with most hours in the period (ties by id), as :func:`served` per volunteer
    counts them: a subquery with ``volunteer_id`` and ``hours``.

    For a period of one whole year (see :func:`active`) the volunteers of one row in the year's summary are
    taken along its index of hours, the first ``limit`` of them, beside the others' totals (:func:`_apart`).
    """
    keys = ["volunteer_id"]
    year, parts = _served_parts(conn, scope, filters, keys, year_apart=True)
    if year is None:
        return most_hours(_per_key(parts, keys, "served"), "volunteer_id", limit)
    apart = _apart(parts, keys, scope, filters, year)
    a, y = apart.rows.c, volunteer_hours_years.c
    others = select(a.volunteer_id, func.sum(a.hours).label("hours")).group_by(a.volunteer_id)
    single = (
        _year_rows(keys, scope, filters, year)
        .with_only_columns(y.volunteer_id, y.hours)
        .where(y.year_rows == 1, not_(any_of(y.volunteer_id, apart.touched)))
        .order_by(y.hours.desc(), y.volunteer_id)
        .limit(limit)
        .subquery("most_single")
    )
    both = union_all(select(single), others.having(func.sum(a.entries) > 0)).subquery("served")
    return most_hours(both, "volunteer_id", limit)


def _by_years(
    months: tuple[dt.date, dt.date], refreshed: dt.date
) -> tuple[tuple[int, int] | None, tuple[tuple[dt.date, dt.date], ...], tuple[dt.date, dt.date] | None]:
    """How :func:`served` reads the summary's whole months ``[a, b)`` per volunteer: (years, months, less) —
    the years ``(first, last)`` from ``dash.volunteer_hours_years`` (None: none), the months left to
    ``dash.volunteer_hours_months`` (ranges ``[a, b)``), and the months after ``b`` of the last year, taken
    off from the monthly summary (None: none).

    A year is read whole when the months start in its January or before and reach its end, or at least the
    month of the summary's refresh (``refreshed``, its day): its months after that hold only the rows dated in
    the future, few to take off. So "this year" reads one
    row per volunteer and service county, not one per month.
    """
    a, b = months
    first = a.year if a.month == 1 else a.year + 1
    last = (b - _DAY).year
    if first <= last and b.month != 1 and b <= month_start(refreshed):  # the last year ends before its refresh
        last -= 1
    if first > last:
        return None, (months,), None
    start, end = dt.date(first, 1, 1), dt.date(last + 1, 1, 1)
    monthly = tuple((lo, hi) for lo, hi in ((a, start), (end, b)) if lo < hi)
    return (first, last), monthly, ((b, end) if b < end else None)


def _counted(value: ColumnElement) -> ColumnElement:
    """A count summed as an INTEGER: PostgreSQL sums integers as BIGINT and BIGINTs as NUMERIC, which the
    union's second sum would then add up much more slowly."""
    return cast(func.sum(value), Integer)


def activities_held(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    keys: Sequence[str],
    *,
    township: bool = True,
    among: tuple[str, Select] | None = None,
    require: Sequence[str] = MATERIALS,
) -> Subquery:
    """Activities held in the period in scope and area (the activity's county and district, and unless
    ``township=False`` its township), per ``keys`` (of :data:`ACTIVITY_KEYS`; ``month`` that of ``held_on``,
    'YYYY-MM'), with ``among`` = (a key column, a one-column SELECT) keeping the activities whose column is
    one of its values (``queries.common.any_of``): a subquery with the keys and the summed counts of
    ``definitions.activity_counts`` (``complete`` with the materials of ``require``), holding only the
    groups with activities.

    Whole months of the period before ``definitions.activity_recent_from`` of the last refresh come from
    the summary (per content area only when the keys ask for it) with the activities of those months
    above its ``through_id``; the rest of the period from ``activity``, through ``among``'s index when
    given. With materials other than the summary's (``require``), ``activity`` alone is read.
    """
    unknown = set(keys) - set(ACTIVITY_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    start, stop = filters.start, filters.end + _DAY
    first = start if start.day == 1 else _next_month(start)  # the period's whole months: [first, last)
    state = _state(conn, "activities")
    last = min(month_start(stop), activity_recent_from(state.refreshed_at.date()))
    if set(require) != set(MATERIALS) or first >= last:
        first = last = start
    a, values = activity.c, activity_counts(require)

    def raw(*where: ColumnElement[bool]) -> Select:
        """``activity``'s rows of ``where`` in scope and area, counted per key (months named afterwards)."""
        columns = [sql_month_start(a.held_on).label(k) if k == "month" else a[k] for k in keys]
        chosen = [area_clause(activity, scope, filters, township=township), *where]
        if among:
            chosen.append(any_of(a[among[0]], among[1]))
        counted = (
            select(*columns, *(_counted(values[name]).label(name) for name in ACTIVITY_COUNTS))
            .where(*chosen)
            .group_by(*columns)
            .subquery()
        )
        named = [month_of(counted.c[k]).label(k) if k == "month" else counted.c[k] for k in keys]
        return select(*named, *(counted.c[name] for name in ACTIVITY_COUNTS))

    parts = [raw(a.held_on >= lo, a.held_on < hi) for lo, hi in ((start, first), (last, stop)) if lo < hi]
    if first < last:
        table = activity_content_months if "content_area" in keys else activity_unit_months
        s = table.c
        chosen = [area_clause(table, scope, filters, township=township), s.month >= month_key(first)]
        if among:  # a hashed semi-join: as a filter, not an index condition, ANY(ARRAY) walks the list per row
            chosen.append(s[among[0]].in_(among[1]))
        parts.append(
            select(*(s[k] for k in keys), *(_counted(s[name]).label(name) for name in ACTIVITY_COUNTS))
            .where(*chosen, s.month < month_key(last))
            .group_by(*(s[k] for k in keys))
        )
        # the activities the summary has not seen (added since its refresh), found on the primary key
        unseen = a.id.between(state.through_id + 1, _ID_CEILING)
        parts.append(raw(unseen, a.held_on >= first, a.held_on < last))
    if len(parts) == 1:  # activity alone: its groups are the figures (and the planner sees one grouping)
        return parts[0].subquery("held")
    both = union_all(*parts).subquery("held_parts")
    columns = [both.c[k] for k in keys]
    return (
        select(*columns, *(func.sum(both.c[name]).label(name) for name in ACTIVITY_COUNTS))
        .group_by(*columns)
        .having(func.sum(both.c.activities) > 0)
        .subquery("held")
    )


def _cube_key(name: str) -> ColumnElement:
    """The ``service_order`` column (or ``definitions.ORDER_TEAM``) a cube groups by under ``name`` (``county_code``,
    ``status``, ``team_id`` or ``rating``)."""
    return ORDER_TEAM if name == "team_id" else service_order.c[name]


def order_cube_live(
    where: ColumnElement[bool],
    satisfied_rating: int | None,
    now: dt.datetime | None,
    keys: Sequence[str] = ORDER_CUBE_KEYS,
    counts_only: bool = False,
) -> Select:
    """The orders of ``where`` read from ``service_order`` (joined to their team's members), per ``keys`` (by
    default ``status``, ``team_id``, ``definitions.ORDER_TEAM``, and ``rating``): the sums of
    ``definitions.order_flow_sums`` (``satisfied`` left out for ``satisfied_rating`` None) and ``overdue`` (as of
    ``now``, 超时 and 超期未评价 alike); with ``counts_only``, ``orders`` alone (``now`` may then be None)."""
    grouped_by = [_cube_key(name).label(name) for name in keys]
    if counts_only:
        sums = [func.count().label("orders")]
    else:
        late = or_(overdue_clause(now), overdue_clause(now, actionable=False))
        sums = [value.label(name) for name, value in order_flow_sums(satisfied_rating).items()]
        sums.append(func.sum(case((late, 1), else_=0)).label("overdue"))
    return select(*grouped_by, *sums).select_from(ORDERS_WITH_MEMBER).where(where).group_by(*grouped_by)


def _negated(cube: Select, keys: Sequence[str]) -> Select:
    """An :func:`order_cube_live` SELECT by ``keys`` with every sum negated: orders to take off."""
    rows = cube.subquery("taken_off")
    return select(*(c if c.name in keys else (-c).label(c.name) for c in rows.c))


def _overdue_summarised(table, now: dt.datetime) -> ColumnElement:
    """The ``waiting`` orders of an order status summary's row overdue as of ``now``: all of them when the row
    keeps no wait start (each wait began in the order's month, which the reader takes only once the longest
    limit has passed since its end), else all or none as its ``waiting_since`` is past the status's limit
    (assets/order_flow.yaml, as ``queries.common.overdue_clause``). Rows of a final status wait for nothing."""
    s = table.c
    waits = order_flow().waits.values()
    past = [and_(s.status == w.status, s.waiting_since < now - dt.timedelta(minutes=w.overdue_minutes)) for w in waits]
    return case((or_(s.waiting_since.is_(None), *past), s.waiting), else_=0)


@dataclass
class _CubeParts:
    """How :func:`order_cube` reads a period: day ranges ``[a, b)`` read whole from ``service_order`` (``live``);
    summary months ``[a, b)`` of every status (``months``) or of the final ones only (``final_months``, with the
    listed open orders of ``opened`` and the summarised orders of the ``subtracted`` days taken off); the orders
    placed in ``unseen`` ranges above the summary's ``through_id``."""

    live: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    months: tuple[dt.date, dt.date] | None = None
    final_months: tuple[dt.date, dt.date] | None = None
    opened: tuple[dt.date, dt.date] | None = None
    subtracted: tuple[tuple[dt.date, dt.date], ...] = ()
    unseen: list[tuple[dt.date, dt.date]] = field(default_factory=list)


def _cube_parts(
    start: dt.date, stop: dt.date, refreshed: dt.datetime, now: dt.datetime | None, counts_only: bool = False
) -> _CubeParts:
    """Where each day of ``[start, stop)`` is read from, for :func:`order_cube` after a refresh at ``refreshed``.

    Whole months before ``definitions.order_recent_from`` of the refresh (and ended before ``now`` less the
    longest overdue limit, so that a row without a wait start is overdue for good) come from the summary with
    every status. The recent months, rebuilt at every refresh, follow a :func:`_plan` (a partial month either
    read day by day or taken whole less its other days): their orders of a final status come from the summary,
    the others (``dash.order_open``) from ``service_order`` by id. Whatever is left is read whole. The recent
    months are read whole too with ``counts_only`` (no sums, no overdue: counting their orders in
    ``service_order`` costs less than picking the open ones by id), and for a period without older months:
    there picking the open orders (a fifth of them) costs as much as reading them all, and the summary's rows
    and the union come on top (1.25× for this month at the province, bench/session6_province.md).
    """
    parts = _CubeParts()
    longest = dt.timedelta(minutes=max(w.overdue_minutes for w in order_flow().waits.values()))
    recent = order_recent_from(refreshed.date())
    older_stop = min(stop, recent) if counts_only else min(stop, recent, month_start(now - longest))
    if start < older_stop:
        first = start if start.day == 1 else _next_month(start)
        last = month_start(older_stop)
        if first < last:
            parts.months = (first, last)
            parts.unseen.append((first, last))
            parts.live += [(start, first), (last, older_stop)]
        else:
            parts.live.append((start, older_stop))
    parts.live.append((max(start, older_stop), min(stop, recent)))  # only when the wait limit outlasts a month
    recent_start = max(start, recent)
    if counts_only or parts.months is None:
        parts.live.append((recent_start, stop))
    elif recent_start < stop:
        plan = _plan(recent_start, stop, refreshed.date() + _DAY)
        parts.live += plan.added
        if plan.months:
            parts.final_months = plan.months
            parts.opened = (max(plan.months[0], recent_start), min(plan.months[1], stop))
            parts.unseen.append(parts.opened)
            parts.subtracted = plan.subtracted
    parts.live = [(a, b) for a, b in parts.live if a < b]
    return parts


def order_cube(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    satisfied_rating: int | None,
    now: dt.datetime | None,
    keys: Sequence[str] = ORDER_CUBE_KEYS,
    counts_only: bool = False,
) -> Select:
    """The orders of the global filters per ``keys`` with the sums of :func:`order_cube_live` (what
    ``queries.orders.order_cube`` reads; ``orders`` alone with ``counts_only``, what
    ``queries.overview.order_counts`` reads per county, status and rating), from the order status summaries.

    Each day of the period is read as :func:`_cube_parts` says: ``dash.order_status_county_months`` (or with a
    township or category filter ``dash.order_status_months``) for its older whole months, and for its recent
    months' orders of a final status; ``service_order`` for the rest, in one read each: the partial months, the
    orders the summary has not seen (placed since its refresh), and the recent months' orders listed open at the
    refresh (``dash.order_open``, by id), less the summarised orders of the days a recent month taken whole has
    outside the period. Overdue is counted as of ``now`` from the summaries' wait starts
    (:func:`_overdue_summarised`) and the orders read.
    """
    start, stop = filters.start, filters.end + _DAY
    state = _state(conn, "order_status")
    parts = _cube_parts(start, stop, state.refreshed_at, now, counts_only)
    o = service_order.c
    chosen = [area_clause(service_order, scope, filters)]
    if filters.category:
        chosen.append(o.category == filters.category)

    def within(a: dt.date, b: dt.date, placed_at: ColumnElement = o.placed_at) -> ColumnElement[bool]:
        return and_(placed_at >= _moment(a), placed_at < _moment(b))

    def live(where: ColumnElement[bool]) -> Select:
        return order_cube_live(where, satisfied_rating, now, keys, counts_only)

    if parts.months is None and parts.final_months is None:
        return live(and_(*chosen, or_(*(within(a, b) for a, b in parts.live))))
    through = state.through_id
    unseen = and_(or_(*(within(a, b) for a, b in parts.unseen)), o.id.between(through + 1, _ID_CEILING))
    cubes = [live(and_(*chosen, or_(unseen, *(within(a, b) for a, b in parts.live))))]
    if parts.opened:  # the listed ids picked first, then read on the primary key (a join is planned as a scan)
        p = order_open.c
        listed = [area_clause(order_open, scope, filters), within(*parts.opened, p.placed_at)]
        if filters.category:
            listed.append(p.category == filters.category)
        cubes.append(live(any_of(o.id, select(p.id).where(*listed))))
    if parts.subtracted:
        listed_open = select(literal(1)).where(order_open.c.id == o.id).exists()
        summarised = and_(*chosen, or_(*(within(a, b) for a, b in parts.subtracted)), o.id <= through, ~listed_open)
        cubes.append(_negated(live(summarised), keys))
    table = order_status_months if filters.township or filters.category else order_status_county_months
    s = table.c
    months = []
    if parts.months:
        months.append(and_(s.month >= month_key(parts.months[0]), s.month < month_key(parts.months[1])))
    if parts.final_months:
        a, b = parts.final_months
        months.append(and_(s.month >= month_key(a), s.month < month_key(b), final(s.status)))
    summarised = [area_clause(table, scope, filters), or_(*months)]
    if filters.category:
        summarised.append(s.category == filters.category)
    if counts_only:
        sums = [func.sum(s.orders)]
    else:
        sums = [
            func.sum(
                case((satisfied(s.rating, satisfied_rating), s.orders), else_=0) if name == "satisfied" else s[name]
            )
            for name in order_flow_sums(satisfied_rating)
        ]
        sums.append(func.sum(_overdue_summarised(table, now)))
    grouped_by = [s[k] for k in keys]
    summary = select(*grouped_by, *sums).where(*summarised).group_by(*grouped_by)
    both = union_all(*cubes, summary).subquery("cube_parts")
    columns = [both.c[k] for k in keys]
    sums = [func.sum(c).label(c.name) for c in both.c if c.name not in keys]
    return select(*columns, *sums).group_by(*columns).having(func.sum(both.c.orders) > 0)
