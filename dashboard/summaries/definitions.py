"""What each summary table counts: the one definition of each figure the summaries feed.

Each function returns the SELECT that fills a summary table from the platform's tables (or from a
finer summary), for the rows dated ``since`` or later (all rows when ``since`` is None), grouped by
the table's key. The refresh deletes the table's rows from that date on and inserts these.

- registered volunteers: volunteers per county, township, unit and month of ``registered_on``
  (:func:`volunteer_unit_months`), rolled up per county and township (:func:`volunteer_area_months`);
- activities held: per county, township and day of ``held_on`` (:func:`activity_days`); per county,
  township, unit, month of ``held_on`` and content area, with what each activity counts for
  (:data:`ACTIVITY_COUNTS`: materials, upload, theory lecture, participants; :func:`activity_content_months`),
  rolled up without the content area (:func:`activity_unit_months`);
- orders placed: per county, township, category and month of ``placed_at`` (:func:`order_months`);
- service hours: per volunteer, month of ``served_on`` and the service row's county, with the volunteer's
  county, township, unit, team and in-service party flag (:func:`volunteer_hours_months`), rolled up
  without the volunteer and team (:func:`volunteer_hours_unit_months`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select

from dashboard.summaries.tables import ACTIVITY_COUNTS
from dashboard.summaries.tables import activity_content_months as content_months
from dashboard.summaries.tables import volunteer_hours_months as hours_months
from dashboard.summaries.tables import volunteer_unit_months as unit_months
from queries.common import TABLES, activity, month_of, region, service_order, volunteer

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
MATERIALS = ("plan", "record", "photos", "results")  # an activity's materials, columns has_<name>
ACTIVITY_PLACE = ("county_code", "township_code", "unit_id")  # the activity's, as the platform records them


def in_region(county_code: ColumnElement) -> ColumnElement[bool]:
    """``county_code`` is a county of the region table (what every page shows)."""
    return county_code.in_(select(region.c.code).where(region.c.level == "county"))


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month (a date, also for a datetime)."""
    return dt.date(day.year, day.month, 1)


def month_key(day: dt.date) -> str:
    """``day``'s month as the summaries store it, ``'YYYY-MM'``."""
    return f"{day:%Y-%m}"


def volunteer_unit_months(since: dt.date | None) -> Select:
    """Volunteers registered per county, township, unit and month (``'YYYY-MM'``) of ``registered_on``."""
    month = month_of(volunteer.c.registered_on)
    keys = (volunteer.c.county_code, volunteer.c.township_code, volunteer.c.unit_id)
    stmt = select(*keys, month.label("month"), func.count().label("volunteers")).group_by(*keys, month)
    if since is not None:
        stmt = stmt.where(volunteer.c.registered_on >= month_start(since))
    return stmt


def volunteer_area_months(since: dt.date | None) -> Select:
    """:func:`volunteer_unit_months` summed per county, township and month (what area totals read)."""
    keys = (unit_months.c.county_code, unit_months.c.township_code, unit_months.c.month)
    stmt = select(*keys, func.sum(unit_months.c.volunteers).label("volunteers")).group_by(*keys)
    if since is not None:
        stmt = stmt.where(unit_months.c.month >= month_key(since))
    return stmt


def activity_days(since: dt.date | None) -> Select:
    """Activities held per county, township and day (``held_on``)."""
    keys = (activity.c.county_code, activity.c.township_code, activity.c.held_on)
    stmt = select(*keys, func.count().label("activities")).group_by(*keys)
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
    stmt = select(*keys[:-1], month.label("month"), keys[-1], *sums).group_by(*keys, month)
    if since is not None:
        stmt = stmt.where(activity.c.held_on >= month_start(since))
    return stmt


def activity_unit_months(since: dt.date | None) -> Select:
    """:func:`activity_content_months` summed per county, township, unit and month (what the unit-month
    figures read: ~5 times fewer rows)."""
    keys = (*(content_months.c[k] for k in ACTIVITY_PLACE), content_months.c.month)
    stmt = select(*keys, *(func.sum(content_months.c[name]).label(name) for name in ACTIVITY_COUNTS)).group_by(*keys)
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
    stmt = select(*keys, month.label("month"), func.count().label("orders")).group_by(*keys, month)
    if since is not None:
        stmt = stmt.where(service_order.c.placed_at >= dt.datetime.combine(month_start(since), dt.time.min))
    return stmt


def volunteer_hours_months(since: dt.date | None) -> Select:
    """Service hours and rows (``hours``, ``entries``) per volunteer, month (``'YYYY-MM'``) of ``served_on`` and
    the service row's county, with the volunteer's county, township, unit, team and in-service party flag.

    Rows of volunteers unknown to ``volunteer`` are left out (as the pages' join leaves them out), and so
    are rows of a county the region table does not have (as ``queries.summaries`` counts). The
    volunteer's columns are copied as they are at the refresh: the platform may change them in place
    (a volunteer joins another team or becomes a party member in service), which only a full refresh
    copies into months already summarised.
    """
    month = month_of(service_hours.c.served_on)
    copied = [column.label(name) for name, column in HOURS_VOLUNTEER_COLUMNS.items()]
    keys = (service_hours.c.volunteer_id, month.label("month"), service_hours.c.county_code, *copied)
    stmt = (
        select(*keys, func.sum(service_hours.c.hours).label("hours"), func.count().label("entries"))
        .select_from(service_hours.join(volunteer, volunteer.c.id == service_hours.c.volunteer_id))
        .where(in_region(service_hours.c.county_code))
        .group_by(service_hours.c.volunteer_id, month, service_hours.c.county_code, *HOURS_VOLUNTEER_COLUMNS.values())
    )
    if since is not None:
        stmt = stmt.where(service_hours.c.served_on >= month_start(since))
    return stmt


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
    stmt = select(
        *keys, func.sum(hours_months.c.hours).label("hours"), func.sum(hours_months.c.entries).label("entries")
    ).group_by(*keys)
    if since is not None:
        stmt = stmt.where(hours_months.c.month >= month_key(since))
    return stmt
