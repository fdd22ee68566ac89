"""The dashboard's own summary tables, in schema ``dash`` beside the platform's tables (never in them).

PostgreSQL keeps them in a schema ``dash`` of the same database; SQLite in a sibling file attached
as ``dash`` (:mod:`dashboard.summaries.storage`), so the same SQL (``dash.<table>``) runs on both.
What each row counts is written once, in :mod:`dashboard.summaries.definitions`; when each table
was last refreshed, and up to which source row, is in :data:`refresh_state`.
"""

from __future__ import annotations

from sqlalchemy import DDL, Boolean, Column, Date, DateTime, Float, Index, Integer, MetaData, String, Table, event
from sqlalchemy.types import TypeEngine

from dashboard.order_flow import order_flow

SCHEMA = "dash"
metadata = MetaData(schema=SCHEMA)

volunteer_unit_months = Table(
    "volunteer_unit_months",
    metadata,
    Column("county_code", String(6)),
    Column("township_code", String(9)),
    Column("unit_id", Integer),
    Column("month", String(7), nullable=False),  # 'YYYY-MM' of registered_on
    Column("volunteers", Integer, nullable=False),
    Index("ix_volunteer_unit_months_month", "month"),
)

volunteer_area_months = Table(
    "volunteer_area_months",
    metadata,
    Column("county_code", String(6)),
    Column("township_code", String(9)),
    Column("month", String(7), nullable=False),
    Column("volunteers", Integer, nullable=False),
    Index("ix_volunteer_area_months_county_month", "county_code", "month"),
)

activity_days = Table(
    "activity_days",
    metadata,
    Column("county_code", String(6)),
    Column("township_code", String(9)),
    Column("held_on", Date, nullable=False),
    Column("activities", Integer, nullable=False),
    Index("ix_activity_days_held", "held_on"),
    Index("ix_activity_days_county_held", "county_code", "held_on"),
)


# What the activity summaries count per group (each activity's share is definitions.activity_counts).
ACTIVITY_COUNTS = ("activities", "complete", "uploaded", "theory_lectures", "participants")


def _activity_months(name: str, *columns: Column) -> Table:
    """An activity summary: per county, township, unit, month of ``held_on`` and ``columns``, the counts of
    :data:`ACTIVITY_COUNTS`."""
    return Table(
        name,
        metadata,
        Column("county_code", String(6)),
        Column("township_code", String(9)),
        Column("unit_id", Integer),
        Column("month", String(7), nullable=False),  # 'YYYY-MM' of held_on
        *columns,
        *(Column(count, Integer, nullable=False) for count in ACTIVITY_COUNTS),
        Index(f"ix_{name}_month_county", "month", "county_code"),
    )


activity_content_months = _activity_months("activity_content_months", Column("content_area", String(20)))
activity_unit_months = _activity_months("activity_unit_months")

order_months = Table(
    "order_months",
    metadata,
    Column("county_code", String(6)),
    Column("township_code", String(9)),
    Column("category", String(20)),
    Column("month", String(7), nullable=False),  # 'YYYY-MM' of placed_at (Beijing time, as the platform stores it)
    Column("orders", Integer, nullable=False),
    Index("ix_order_months_month", "month"),
)

# What the order status summaries sum per group (each order's share is definitions.order_flow_sums): the orders,
# those that reached each step of assets/order_flow.yaml, rated, with each step time reversed, and waiting.
ORDER_SUMS = (
    "orders",
    *(f"reached_{step.code}" for step in order_flow().steps),
    "rated",
    *(f"reversed_{key}" for key in order_flow().durations),
    "waiting",
)


def _order_status_months(name: str, *columns: Column) -> Table:
    """An order status summary: per county, ``columns``, month of ``placed_at``, current status, team
    (definitions.ORDER_TEAM), rating and late wait start (definitions.late_waiting_since), the sums of
    :data:`ORDER_SUMS`."""
    return Table(
        name,
        metadata,
        Column("county_code", String(6)),
        *columns,
        Column("month", String(7), nullable=False),  # 'YYYY-MM' of placed_at
        Column("status", String(16)),
        Column("team_id", Integer),
        Column("rating", Integer),
        Column("waiting_since", DateTime),
        *(Column(total, Integer, nullable=False) for total in ORDER_SUMS),
        Index(f"ix_{name}_month_county", "month", "county_code"),
    )


order_status_months = _order_status_months(
    "order_status_months", Column("township_code", String(9)), Column("category", String(20))
)
order_status_county_months = _order_status_months("order_status_county_months")

# The orders of the recent months not in a final status at the refresh (definitions.order_open): what the orders
# page reads from the platform by id, the order status summaries' rows of a final status standing for the rest.
# The area, category and time are copied (the platform writes them once) so that a page picks its orders here.
order_open = Table(
    "order_open",
    metadata,
    Column("id", Integer, primary_key=True),  # service_order.id
    Column("county_code", String(6)),
    Column("township_code", String(9)),
    Column("category", String(20)),
    Column("placed_at", DateTime, nullable=False),
    Column("month", String(7), nullable=False),  # 'YYYY-MM' of placed_at
    Index("ix_order_open_month", "month"),
    Index("ix_order_open_county_placed", "county_code", "placed_at"),
)


def _hours_per_volunteer(name: str, period: str, kind: TypeEngine, *extra: Column | Index) -> Table:
    """Service hours and rows per volunteer, ``period`` of ``served_on`` (a column of type ``kind``) and the
    service row's county, with the volunteer's county, township, unit, team and in-service party flag, and
    the ``extra`` columns and indexes."""
    return Table(
        name,
        metadata,
        Column("volunteer_id", Integer, nullable=False),
        Column(period, kind, nullable=False),  # 'YYYY-MM' or 'YYYY' of served_on, or served_on itself
        Column("county_code", String(6)),  # the service row's county
        # the volunteer's, as they were at the refresh that wrote the row
        Column("volunteer_county_code", String(6)),
        Column("township_code", String(9)),
        Column("unit_id", Integer),
        Column("team_id", Integer),
        Column("is_in_service_party_member", Boolean),
        Column("hours", Float, nullable=False),
        Column("entries", Integer, nullable=False),  # service-hours rows summed
        # a district's rows of a period range are found in the index, without visiting the other districts' rows
        Index(f"ix_{name}_{period}_county", period, "county_code"),
        Index(f"ix_{name}_county_{period}", "county_code", period),
        *extra,
    )


volunteer_hours_months = _hours_per_volunteer("volunteer_hours_months", "month", String(7))
# the same per day, for the recent days only (the month of the refresh and the one before): the days a partial
# month adds or takes off, read with the volunteer's columns as the month's rows have them (no join)
volunteer_hours_days = _hours_per_volunteer("volunteer_hours_days", "served_on", Date())
# the same per year (what a period of whole years, such as "this year", reads: ~2 times fewer rows)
volunteer_hours_years = _hours_per_volunteer(
    "volunteer_hours_years",
    "year",
    String(4),
    # the volunteer's rows in the year: more than one when they served in several counties, or their unit, team
    # or party flag changed between refreshes; the volunteers of one row are also counted in volunteer_active_years
    Column("year_rows", Integer, nullable=False),
    Index("ix_volunteer_hours_years_volunteer", "volunteer_id", "year"),  # the volunteers with rows since
)
# a year's volunteers of one row, most hours first (the top list walks it), and those of several rows
Index(
    "ix_volunteer_hours_years_rows_hours",
    volunteer_hours_years.c.year,
    volunteer_hours_years.c.year_rows,
    volunteer_hours_years.c.hours.desc(),
    volunteer_hours_years.c.volunteer_id,
)


def _hours_area() -> tuple[Column, ...]:
    """The columns of an hours roll-up's area: the service row's county, the volunteer's county, township, unit."""
    return (
        Column("county_code", String(6)),
        Column("volunteer_county_code", String(6)),
        Column("township_code", String(9)),
        Column("unit_id", Integer),
    )


def _active_years(name: str, *columns: Column) -> Table:
    """The volunteers of one row in a year of volunteer_hours_years (year_rows 1), their hours and rows, counted
    per year, service county, the volunteer's county, township, unit and party flag and ``columns``: their
    distinct count adds up by any of these keys."""
    return Table(
        name,
        metadata,
        Column("year", String(4), nullable=False),
        *_hours_area(),
        *columns,
        Column("is_in_service_party_member", Boolean),
        Column("volunteers", Integer, nullable=False),
        Column("hours", Float, nullable=False),
        Column("entries", Integer, nullable=False),
        Index(f"ix_{name}_year_county", "year", "county_code"),
        Index(f"ix_{name}_county_year", "county_code", "year"),
    )


volunteer_active_years = _active_years("volunteer_active_years", Column("team_id", Integer))
# the same without the team (what the figures per area or unit read: ~10 times fewer rows)
volunteer_active_unit_years = _active_years("volunteer_active_unit_years")

volunteer_hours_unit_months = Table(
    "volunteer_hours_unit_months",
    metadata,
    Column("month", String(7), nullable=False),
    *_hours_area(),
    Column("is_in_service_party_member", Boolean),
    Column("hours", Float, nullable=False),
    Column("entries", Integer, nullable=False),
    Index("ix_volunteer_hours_unit_months_month_county", "month", "county_code"),
    Index("ix_volunteer_hours_unit_months_county_month", "county_code", "month"),
)

team_members = Table(
    "team_members",
    metadata,
    Column("volunteer_id", Integer, primary_key=True),
    Column("team_id", Integer, nullable=False),
)

# A service row's county is its volunteer's (almost always): told to PostgreSQL's planner, which otherwise takes
# a district's rows for the square of its share and plans a few thousand rows instead of tens of thousands.
for _table in (
    volunteer_hours_months,
    volunteer_hours_days,
    volunteer_hours_unit_months,
    volunteer_hours_years,
    volunteer_active_years,
    volunteer_active_unit_years,
):
    event.listen(
        _table,
        "after_create",
        DDL(
            f"CREATE STATISTICS {SCHEMA}.{_table.name}_counties (dependencies) "
            f"ON county_code, volunteer_county_code FROM {SCHEMA}.{_table.name}"
        ).execute_if(dialect="postgresql"),
    )


def _grade_months(name: str, *columns: Column) -> Table:
    """A summary of registered volunteers per county, ``columns``, month of ``registered_on``, star level and
    points band, as the platform had them at the last refresh (it updates both in place, so the refresh
    rebuilds the table whole). A band is ``points_from <= points < points_below``, NULL for an open end: the
    bounds it was cut with (volunteers.yaml) stay readable, so a reader with other bounds can tell."""
    return Table(
        name,
        metadata,
        Column("county_code", String(6)),
        *columns,
        Column("month", String(7), nullable=False),  # 'YYYY-MM' of registered_on
        Column("star_level", Integer),
        Column("points_from", Integer),  # NULL: the lowest band
        Column("points_below", Integer),  # NULL: the highest band
        Column("volunteers", Integer, nullable=False),
        Index(f"ix_{name}_county_month", "county_code", "month"),
    )


volunteer_grade_months = _grade_months("volunteer_grade_months", Column("township_code", String(9)))
volunteer_grade_county_months = _grade_months("volunteer_grade_county_months")

refresh_state = Table(
    "refresh_state",
    metadata,
    Column("name", String(40), primary_key=True),  # a summary table's name
    Column("refreshed_at", DateTime, nullable=False),  # local time (Asia/Shanghai) of the refresh
    Column("through_id", Integer, nullable=False),  # the highest source row id it has seen
    Column("source_rows", Integer, nullable=False),  # rows of the source table then
)

table_layout = Table(
    "table_layout",
    metadata,
    Column("name", String(80), primary_key=True),  # a table of this schema
    # what its columns and indexes were when it was created (storage.fingerprint): a table created by an
    # earlier version with another layout is dropped and built again (storage.create)
    Column("fingerprint", String(64), nullable=False),
)
