"""What each summary table counts: the one definition of each figure the summaries feed.

Each function returns the SELECT that fills a summary table from the platform's tables (or from a
finer summary), for the rows dated ``since`` or later (all rows when ``since`` is None), grouped by
the table's key and ordered by it, period and county first (:func:`grouped`). The refresh deletes the
table's rows from that date on and inserts these.

- registered volunteers: volunteers per county, township, unit and month of ``registered_on``
  (:func:`volunteer_unit_months`), rolled up per county and township (:func:`volunteer_area_months`);
- activities held: per county, township and day of ``held_on`` (:func:`activity_days`); per county,
  township, unit, month of ``held_on`` and content area, with what each activity counts for
  (:data:`ACTIVITY_COUNTS`: materials, upload, theory lecture, participants; :func:`activity_content_months`),
  rolled up without the content area (:func:`activity_unit_months`);
- orders placed: per county, township, category and month of ``placed_at`` (:func:`order_months`);
- orders by current status: per county, township, category, month of ``placed_at``, status, team and rating,
  with what each order counts for on the orders page (:func:`order_flow_sums`; :func:`order_status_months`),
  rolled up without the township and category (:func:`order_status_county_months`), and the orders of the recent
  months not in a final status (:func:`order_open`), which the orders page reads from the platform by id;
- service hours: per volunteer, month of ``served_on`` and the service row's county, with the volunteer's
  county, township, unit, team and in-service party flag (:func:`volunteer_hours_months`), per day for the
  recent days (:func:`volunteer_hours_days`), rolled up without the volunteer and team
  (:func:`volunteer_hours_unit_months`), per year instead of month (:func:`volunteer_hours_years`), and the
  volunteers of one row in a year counted without the volunteer (:func:`volunteer_active_years`), rolled up
  without the team (:func:`volunteer_active_unit_years`);
- star levels and points: volunteers per county, township, month of ``registered_on``, star level and points
  band (:func:`points_band`, bounds of volunteers.yaml) as the platform has them at the refresh
  (:func:`volunteer_grade_months`), rolled up without the township (:func:`volunteer_grade_county_months`);
- team members: the volunteers in a team and their team as the platform has them at the refresh
  (:func:`team_members`), what the orders' team (:data:`ORDER_TEAM`) reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Integer, Select, and_, case, func, literal, not_, null, or_, select

from dashboard.order_flow import order_flow
from dashboard.summaries.tables import ACTIVITY_COUNTS, ORDER_SUMS
from dashboard.summaries.tables import activity_content_months as content_months
from dashboard.summaries.tables import order_open as open_orders
from dashboard.summaries.tables import order_status_months as status_months
from dashboard.summaries.tables import team_members as team_members_table
from dashboard.summaries.tables import volunteer_active_years as active_years
from dashboard.summaries.tables import volunteer_grade_months as grade_months
from dashboard.summaries.tables import volunteer_hours_months as hours_months
from dashboard.summaries.tables import volunteer_hours_years as years
from dashboard.summaries.tables import volunteer_unit_months as unit_months
from dashboard.volunteering import volunteering
from queries.common import RATING_RANGE, TABLES, activity, month_of, region, service_order, volunteer, wait_began

service_hours = TABLES["service_hours"]
# The volunteer's columns copied beside each volunteer's hours (``volunteer.county_code`` under another name:
# the table's own ``county_code`` is the service row's, as in ``service_hours``).
HOURS_VOLUNTEER_COLUMNS = {
    "volunteer_county_code": volunteer.c.county_code,
    "township_code": volunteer.c.township_code,
    "unit_id": volunteer.c.unit_id,
    "team_id": volunteer.c.team_id,
    "is_in_service_party_member": volunteer.c.is_in_service_party_member,
}
# what dash.volunteer_hours_months keeps beside the volunteer, the period and the sums
HOURS_KEPT = ("county_code", *HOURS_VOLUNTEER_COLUMNS)
MATERIALS = ("plan", "record", "photos", "results")  # an activity's materials, columns has_<name>
ACTIVITY_PLACE = ("county_code", "township_code", "unit_id")  # the activity's, as the platform records them


REGION_COUNTIES = select(region.c.code).where(region.c.level == "county")  # what every page shows


def in_region(county_code: ColumnElement) -> ColumnElement[bool]:
    """``county_code`` is a county of the region table (:data:`REGION_COUNTIES`)."""
    return county_code.in_(REGION_COUNTIES)


def grouped(stmt: Select, *keys: ColumnElement) -> Select:
    """``stmt`` grouped by ``keys`` and ordered by the same list (the period first, then the county), so that a
    period's rows, and a district's within it, lie together on disk. Ordered by exactly its grouping, SQLite sorts
    once for both; ordered by a part of it, it sorts the groups a second time (bench/demo_build.md)."""
    return stmt.group_by(*keys).order_by(*keys)


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month (a date, also for a datetime)."""
    return dt.date(day.year, day.month, 1)


def month_key(day: dt.date) -> str:
    """``day``'s month as the summaries store it, ``'YYYY-MM'``."""
    return f"{day:%Y-%m}"


def year_key(day: dt.date) -> str:
    """``day``'s year as the summaries store it, ``'YYYY'``."""
    return f"{day:%Y}"


def volunteer_unit_months(since: dt.date | None) -> Select:
    """Volunteers registered per county, township, unit and month (``'YYYY-MM'``) of ``registered_on``."""
    month = month_of(volunteer.c.registered_on)
    keys = (volunteer.c.county_code, volunteer.c.township_code, volunteer.c.unit_id)
    stmt = grouped(select(*keys, month.label("month"), func.count().label("volunteers")), month, *keys)
    if since is not None:
        stmt = stmt.where(volunteer.c.registered_on >= month_start(since))
    return stmt


def volunteer_area_months(since: dt.date | None) -> Select:
    """:func:`volunteer_unit_months` summed per county, township and month (what area totals read)."""
    keys = (unit_months.c.month, unit_months.c.county_code, unit_months.c.township_code)
    stmt = grouped(select(*keys, func.sum(unit_months.c.volunteers).label("volunteers")), *keys)
    if since is not None:
        stmt = stmt.where(unit_months.c.month >= month_key(since))
    return stmt


def activity_days(since: dt.date | None) -> Select:
    """Activities held per county, township and day (``held_on``)."""
    keys = (activity.c.held_on, activity.c.county_code, activity.c.township_code)
    stmt = grouped(select(*keys, func.count().label("activities")), *keys)
    if since is not None:
        stmt = stmt.where(activity.c.held_on >= since)
    return stmt


def activity_counts(require: Sequence[str] = MATERIALS) -> dict[str, ColumnElement]:
    """What one activity adds to each count of the activity summaries, by name: ``activities`` (1),
    ``complete`` (every material of ``require`` uploaded: 1, else 0), ``uploaded`` (on the platform with
    photos or a record), ``theory_lectures`` (of kind theory_lecture) and ``participants``."""
    complete = and_(*(activity.c[f"has_{name}"] for name in require)) if require else literal(True)
    uploaded = and_(activity.c.uploaded_at.is_not(None), or_(activity.c.has_photos, activity.c.has_record))
    return {
        "activities": literal(1),
        "complete": case((complete, 1), else_=0),
        "uploaded": case((uploaded, 1), else_=0),
        "theory_lectures": case((activity.c.kind == "theory_lecture", 1), else_=0),
        "participants": activity.c.participants,
    }


def activity_recent_from(today: dt.date) -> dt.date:
    """The first day of the month before ``today``'s: the activities a refresh on ``today`` leaves recent
    (the platform may still change them in place), which the readers take from ``activity`` itself; the
    first refresh after they stop being recent rebuilds them in the summaries.

    ``activity`` has no ``updated_at``, and the platform sets an activity's materials and upload after it
    was held: the demo uploads it 10 hours plus an exponential delay of 1.5 to 5.5 days on average after
    the activity (``dashboard.demo.activities``). An activity stays recent for at least 28 days (held on
    the last day of a month, until the first refresh two months on), so all but e^-5 (0.6 %) of the
    uploads of the slowest units, and a few in ten thousand on average, fall within; the nightly full
    refresh brings in the rest.
    """
    first = month_start(today)
    return month_start(first - dt.timedelta(days=1))


def activity_content_months(since: dt.date | None) -> Select:
    """Activities per county, township, unit, month (``'YYYY-MM'``) of ``held_on`` and content area, with
    each of :data:`ACTIVITY_COUNTS` summed. Every activity is counted, whatever its county (as the pages count)."""
    month = month_of(activity.c.held_on)
    keys = (*(activity.c[k] for k in ACTIVITY_PLACE), activity.c.content_area)
    sums = [func.sum(value).label(name) for name, value in activity_counts().items()]
    stmt = grouped(select(*keys[:-1], month.label("month"), keys[-1], *sums), month, *keys)
    if since is not None:
        stmt = stmt.where(activity.c.held_on >= month_start(since))
    return stmt


def activity_unit_months(since: dt.date | None) -> Select:
    """:func:`activity_content_months` summed per county, township, unit and month (what the unit-month
    figures read: ~5 times fewer rows)."""
    keys = (content_months.c.month, *(content_months.c[k] for k in ACTIVITY_PLACE))
    stmt = grouped(select(*keys, *(func.sum(content_months.c[name]).label(name) for name in ACTIVITY_COUNTS)), *keys)
    if since is not None:
        stmt = stmt.where(content_months.c.month >= month_key(since))
    return stmt


def order_months(since: dt.date | None) -> Select:
    """Orders placed (群众点单) per county, township, category and month (``'YYYY-MM'``) of ``placed_at``.

    Placing an order is counted once and for good: its later steps (status, dispatch, rating) change
    nothing here, so the summary needs no ``updated_at`` handling, only the new ids. The platform writes
    an order's county, township and category once, when it is placed (the demo feeder's ``MUTABLE``
    columns leave them alone); a platform that moved an order would be seen at the nightly full rebuild.
    """
    month = month_of(service_order.c.placed_at)
    keys = (service_order.c.county_code, service_order.c.township_code, service_order.c.category)
    stmt = grouped(select(*keys, month.label("month"), func.count().label("orders")), month, *keys)
    if since is not None:
        stmt = stmt.where(service_order.c.placed_at >= dt.datetime.combine(month_start(since), dt.time.min))
    return stmt


def team_members(since: dt.date | None) -> Select:
    """The volunteers in a team: ``volunteer_id`` and ``team_id``, as the platform has them at the refresh (it moves
    volunteers between teams in place, which is why the refresh rebuilds this summary whole, ``since`` None)."""
    v = volunteer.c
    return select(v.id.label("volunteer_id"), v.team_id).where(v.team_id.is_not(None))


# The team of an order: the team that took it, else the team of the volunteer who took it, as of the last
# refresh (dash.team_members; the order status summary is refreshed after it, so it counts the same teams).
# Only volunteers in a team can give one, and their narrow copy is what PostgreSQL hashes: picking them out of
# ``volunteer`` (5 M rows at the province) was most of the time of reading a month of orders (bench/team_members.md).
ORDER_MEMBER = team_members_table.c.volunteer_id == service_order.c.volunteer_id
ORDER_TEAM = func.coalesce(service_order.c.team_id, team_members_table.c.team_id)
ORDERS_WITH_MEMBER = service_order.outerjoin(team_members_table, ORDER_MEMBER)


def rated(rating: ColumnElement) -> ColumnElement[bool]:
    """A rating column holds a rating of the range (1–5): the order was rated."""
    return rating.between(*RATING_RANGE)


def satisfied(rating: ColumnElement, satisfied_rating: int) -> ColumnElement[bool]:
    """A rating column holds a satisfied rating: ``satisfied_rating`` or more, within the range."""
    return rating.between(satisfied_rating, RATING_RANGE[1])


def order_waiting_since() -> ColumnElement:
    """The time an order's current wait began (per status, from assets/order_flow.yaml,
    :func:`queries.common.wait_began`: never before its placing); NULL when not waiting. The late waits of the
    summaries (:func:`late_waiting_since`) would be the same without that rule."""
    return case(*((service_order.c.status == w.status, wait_began(w)) for w in order_flow().waits.values()))


def order_flow_sums(satisfied_rating: int | None) -> dict[str, ColumnElement]:
    """The sums over a group of orders, by name: ``orders``, ``reached_<step>`` for each step of order_flow.yaml
    (orders whose step time is set), ``rated`` (a rating of 1–5), ``satisfied`` (a rating of ``satisfied_rating``
    or more; left out when None: the summaries keep the rating instead), ``reversed_<duration>`` for each
    duration (both times set, the end before the start: left out of the step times)."""
    o = service_order.c
    sums = {
        "orders": func.count(),
        **{f"reached_{step.code}": func.count(o[step.at]) for step in order_flow().steps},
        "rated": func.sum(case((rated(o.rating), 1), else_=0)),
    }
    if satisfied_rating is not None:
        sums["satisfied"] = func.sum(case((satisfied(o.rating, satisfied_rating), 1), else_=0))
    for d in order_flow().durations.values():
        sums[f"reversed_{d.key}"] = func.sum(case((o[d.end] < o[d.start], 1), else_=0))
    return sums


def late_waiting_since() -> ColumnElement:
    """:func:`order_waiting_since` when the wait began after the month the order was placed in, else NULL.

    An order whose wait began within its month is overdue for good from that month's end plus the longest
    limit of order_flow.yaml (unless it moves on): the summaries count those as ``waiting`` alone, and keep
    the start of the few other waits (~0.5 % of a year's orders in the city demo), so that the readers
    tell which are overdue at any time.
    """
    since = order_waiting_since()
    return case((month_of(since) > month_of(service_order.c.placed_at), since))


def order_status_months(since: dt.date | None) -> Select:
    """Orders per county, township, category, month (``'YYYY-MM'``) of ``placed_at``, current status, team
    (:data:`ORDER_TEAM`), rating and :func:`late_waiting_since`, with each of :func:`order_flow_sums` (but
    ``satisfied``: the rating is kept) and ``waiting`` (in a waiting status with the time its wait began)
    summed.

    An order's status, step times, rating and team change in place for days after it is placed, which only
    the rebuild of its month sees (every refresh for the recent months, ``order_recent_from``, and the nightly
    full refresh for older months).
    """
    o = service_order.c
    month, late = month_of(o.placed_at), late_waiting_since()  # one object each: the same SQL in the GROUP BY
    keys = (month, o.county_code, o.township_code, o.category, o.status, ORDER_TEAM, o.rating, late)
    names = ("month", *(key.name for key in keys[1:4]), "status", "team_id", "rating", "waiting_since")
    sums = {**order_flow_sums(None), "waiting": func.count(order_waiting_since())}
    stmt = grouped(
        select(*(key.label(name) for key, name in zip(keys, names, strict=True)))
        .add_columns(*(value.label(name) for name, value in sums.items()))
        .select_from(ORDERS_WITH_MEMBER),
        *keys,
    )
    if since is not None:
        stmt = stmt.where(o.placed_at >= dt.datetime.combine(month_start(since), dt.time.min))
    return stmt


def order_status_county_months(since: dt.date | None) -> Select:
    """:func:`order_status_months` summed per county, month, status, team, rating and late wait start (what the
    orders page reads without a township or category filter: ~20 times fewer rows)."""
    s = status_months.c
    keys = (s.month, s.county_code, s.status, s.team_id, s.rating, s.waiting_since)
    stmt = grouped(select(*keys, *(func.sum(s[name]).label(name) for name in ORDER_SUMS)), *keys)
    if since is not None:
        stmt = stmt.where(s.month >= month_key(since))
    return stmt


def final(status: ColumnElement) -> ColumnElement[bool]:
    """A status column holds a final status (assets/order_flow.yaml ``final``): the order never moves on."""
    return status.in_(order_flow().final)


def order_open(since: dt.date | None) -> Select:
    """The orders not in a final status (:func:`final`; no status or an unknown one included): their id, county,
    township, category, ``placed_at`` and its month (``'YYYY-MM'``).

    The refresh keeps those of the recent months (:func:`order_recent_from`) only and rebuilds them with the
    order status summaries, in the same snapshot: an order of those months is either here or in a summary row of
    a final status, which it never leaves. So the orders page takes the summary's final rows and reads only
    these orders (and the ones placed since) from ``service_order`` (``queries.summaries.order_cube``).
    """
    o = service_order.c
    columns = [o[column.name] for column in open_orders.c if column.name != "month"]
    stmt = (
        select(*columns, month_of(o.placed_at).label("month"))
        .where(or_(o.status.is_(None), not_(final(o.status))))
        .order_by(o.id)
    )
    if since is not None:
        stmt = stmt.where(o.placed_at >= dt.datetime.combine(month_start(since), dt.time.min))
    return stmt


def order_recent_from(today: dt.date) -> dt.date:
    """The first day of the orders a refresh on ``today`` leaves recent: :func:`activity_recent_from`'s rule
    (the month of the refresh and the one before). Every refresh rebuilds their order status summary rows and
    :func:`order_open`; the readers take their orders of a final status from the summary and the others from
    ``service_order`` itself.

    The platform moves an order on (status, step times, team, rating) after it is placed: in the demo
    (``dashboard.demo.pace``, the feeder and the builder alike) its last change comes a day after placing
    at the median, 5 days at the 99th percentile, 11 days at the 99.9th and 48 days at most (bench_city,
    the orders of January to September 2026). A month stays recent for at least 28 days, so all but about
    one in a thousand changes fall within; the nightly full refresh brings in the rest.
    """
    return activity_recent_from(today)


def volunteer_hours_months(since: dt.date | None) -> Select:
    """Service hours and rows (``hours``, ``entries``) per volunteer, month (``'YYYY-MM'``) of ``served_on`` and
    the service row's county, with the volunteer's county, township, unit, team and in-service party flag.

    Rows of volunteers unknown to ``volunteer`` are left out (as the pages' join leaves them out), and so
    are rows of a county the region table does not have (as ``queries.summaries`` counts). The
    volunteer's columns are copied as they are at the refresh: the platform may change them in place
    (a volunteer joins another team or becomes a party member in service), which only a full refresh
    copies into months already summarised.
    """
    first_day = None if since is None else month_start(since)
    return _volunteer_hours(month_of(service_hours.c.served_on), "month", first_day)


def volunteer_hours_days(since: dt.date | None) -> Select:
    """:func:`volunteer_hours_months` per day (``served_on``) instead of month, from ``since`` on: the refresh
    keeps the recent days only (:func:`hours_recent_from`), rebuilt with the months that hold them, so that a
    partial month's days are read with the very columns its month's rows were counted with."""
    return _volunteer_hours(service_hours.c.served_on, "served_on", since)


def _volunteer_hours(period: ColumnElement, name: str, since: dt.date | None) -> Select:
    """Service hours and rows per volunteer, ``period`` of ``served_on`` (named ``name``) and the service row's
    county, with the volunteer's columns (:data:`HOURS_VOLUNTEER_COLUMNS`), of the rows served from ``since`` on."""
    copied = [column.label(key) for key, column in HOURS_VOLUNTEER_COLUMNS.items()]
    county, volunteer_id = service_hours.c.county_code, service_hours.c.volunteer_id
    stmt = grouped(
        select(volunteer_id, period.label(name), county, *copied)
        .add_columns(func.sum(service_hours.c.hours).label("hours"), func.count().label("entries"))
        .select_from(service_hours.join(volunteer, volunteer.c.id == volunteer_id))
        .where(in_region(county)),
        period,
        county,
        volunteer_id,
        *HOURS_VOLUNTEER_COLUMNS.values(),
    )
    if since is not None:
        stmt = stmt.where(service_hours.c.served_on >= since)
    return stmt


def hours_recent_from(today: dt.date) -> dt.date:
    """The first day of the service hours a refresh on ``today`` keeps per day (:func:`volunteer_hours_days`):
    :func:`activity_recent_from`'s rule, the month of the refresh and the one before, which is where the partial
    months of "this month", "last month" and the 30 days up to today fall."""
    return activity_recent_from(today)


def volunteer_hours_unit_months(since: dt.date | None) -> Select:
    """:func:`volunteer_hours_months` summed per month, the service row's county and the volunteer's county,
    township, unit and party flag (what the hours per area, unit or month read: ~20 times fewer rows)."""
    keys = (
        hours_months.c.month,
        hours_months.c.county_code,
        hours_months.c.volunteer_county_code,
        hours_months.c.township_code,
        hours_months.c.unit_id,
        hours_months.c.is_in_service_party_member,
    )
    stmt = grouped(
        select(*keys, func.sum(hours_months.c.hours).label("hours"), func.sum(hours_months.c.entries).label("entries")),
        *keys,
    )
    if since is not None:
        stmt = stmt.where(hours_months.c.month >= month_key(since))
    return stmt


def volunteer_hours_years(since: dt.date | None) -> Select:
    """:func:`volunteer_hours_months` summed per year (``'YYYY'``) instead of month, with the volunteer's rows
    in the year (``year_rows``): the years from ``since``'s on are recounted (a whole year, whichever of its
    months changed)."""
    year = func.substr(hours_months.c.month, 1, 4)
    kept = [hours_months.c[k] for k in HOURS_KEPT]  # the service row's county first
    stmt = grouped(
        select(
            hours_months.c.volunteer_id,
            year.label("year"),
            *kept,
            func.sum(hours_months.c.hours).label("hours"),
            func.sum(hours_months.c.entries).label("entries"),
            func.count().over(partition_by=(hours_months.c.volunteer_id, year)).label("year_rows"),
        ),
        year,
        kept[0],
        hours_months.c.volunteer_id,
        *kept[1:],
    )
    if since is not None:
        stmt = stmt.where(hours_months.c.month >= month_key(since.replace(month=1, day=1)))
    return stmt


def volunteer_active_years(since: dt.date | None) -> Select:
    """The volunteers of one row in a year of :func:`volunteer_hours_years` (``year_rows`` 1), their hours and
    rows, per year, the service row's county and the volunteer's county, township, unit, team and party flag:
    what the distinct count of a whole year's volunteers who served reads, summed by any of these keys."""
    keys = (years.c.year, *(years.c[k] for k in HOURS_KEPT))
    stmt = grouped(
        select(
            *keys,
            func.count().label("volunteers"),
            func.sum(years.c.hours).label("hours"),
            func.sum(years.c.entries).label("entries"),
        ).where(years.c.year_rows == 1),
        *keys,
    )
    if since is not None:
        stmt = stmt.where(years.c.year >= year_key(since))
    return stmt


def volunteer_active_unit_years(since: dt.date | None) -> Select:
    """:func:`volunteer_active_years` summed without the team (what the figures per area or unit read)."""
    keys = (active_years.c.year, *(active_years.c[k] for k in HOURS_KEPT if k != "team_id"))
    sums = (func.sum(active_years.c[name]).label(name) for name in ("volunteers", "hours", "entries"))
    stmt = grouped(select(*keys, *sums), *keys)
    if since is not None:
        stmt = stmt.where(active_years.c.year >= year_key(since))
    return stmt


def _per_band(points: ColumnElement, bounds: Sequence[int], values: Sequence[int | None]) -> ColumnElement:
    """``values[i]`` for the points (NULL as 0) of band i of ``bounds`` (see :func:`points_band`); None is NULL."""
    value = func.coalesce(points, 0)
    chosen = [null() if v is None else literal(v, Integer) for v in values]
    return case(*((value < bound, chosen[i]) for i, bound in enumerate(bounds)), else_=chosen[-1])


def points_band(points: ColumnElement, bounds: Sequence[int]) -> ColumnElement:
    """The band of ``points`` (NULL as 0) among ``bounds``: 0 below ``bounds[0]``, i for
    ``bounds[i-1] <= points < bounds[i]``, ``len(bounds)`` from the last bound."""
    return _per_band(points, bounds, range(len(bounds) + 1))


def band_ends(bounds: Sequence[int]) -> list[tuple[int | None, int | None]]:
    """(points_from, points_below) of each band of ``bounds``, in band order (None: an open end)."""
    return list(zip((None, *bounds), (*bounds, None), strict=True))


def volunteer_grade_months(since: dt.date | None) -> Select:
    """Volunteers registered per county, township, month (``'YYYY-MM'``) of ``registered_on``, star level and
    points band of volunteers.yaml's bounds (``points_from``, ``points_below``: :func:`band_ends`), with the
    star level and points the platform has at the refresh (it updates them in place, which is why the refresh
    rebuilds this summary whole, ``since`` None)."""
    bounds = volunteering().points_band_bounds
    ends = band_ends(bounds)
    month = month_of(volunteer.c.registered_on)
    points_from = _per_band(volunteer.c.points, bounds, [low for low, _ in ends])
    points_below = _per_band(volunteer.c.points, bounds, [high for _, high in ends])
    keys = (volunteer.c.county_code, volunteer.c.township_code, volunteer.c.star_level)
    stmt = grouped(
        select(
            *keys[:2],
            month.label("month"),
            keys[2],
            points_from.label("points_from"),
            points_below.label("points_below"),
            func.count().label("volunteers"),
        ),
        month,
        *keys,
        points_from,
        points_below,
    )
    if since is not None:
        stmt = stmt.where(volunteer.c.registered_on >= month_start(since))
    return stmt


def volunteer_grade_county_months(since: dt.date | None) -> Select:
    """:func:`volunteer_grade_months` summed without the township (what views without a township filter read)."""
    keys = (
        grade_months.c.month,
        grade_months.c.county_code,
        grade_months.c.star_level,
        grade_months.c.points_from,
        grade_months.c.points_below,
    )
    stmt = grouped(select(*keys, func.sum(grade_months.c.volunteers).label("volunteers")), *keys)
    if since is not None:
        stmt = stmt.where(grade_months.c.month >= month_key(since))
    return stmt
