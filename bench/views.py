"""The typical views the benchmark opens on every page, as URL parameters of the global filter bar.

- ``city·year``: the default view every page opens with, no URL parameters (the whole city or
  province, ``dashboard.filters.DEFAULT_PERIOD``: this year);
- ``city·month``: the whole city (province), this month;
- ``district·half``: the busiest district (most orders), this half-year;
- ``station·half``: the busiest station of that district, this half-year (``station`` is a URL
  parameter only pages with a station filter read; on the others the view is skipped).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from dashboard.models import ServiceOrder


@dataclass(frozen=True)
class View:
    """A named view: the URL parameters a browser would carry."""

    name: str
    params: dict[str, str]
    needs_station_filter: bool = False


def busiest(conn: Connection) -> tuple[str, int]:
    """The county code with the most orders and, in it, the station id with the most orders."""
    o = ServiceOrder.__table__
    county = conn.execute(
        select(o.c.county_code).group_by(o.c.county_code).order_by(func.count().desc()).limit(1)
    ).scalar_one()
    station = conn.execute(
        select(o.c.station_id)
        .where(o.c.county_code == county, o.c.station_id.is_not(None))
        .group_by(o.c.station_id)
        .order_by(func.count().desc())
        .limit(1)
    ).scalar_one()
    return county, int(station)


def typical_views(county: str, station: int) -> list[View]:
    """The four views, the default first, for the given busiest district and station."""
    return [
        View("city·year", {}),
        View("city·month", {"period": "month"}),
        View("district·half", {"period": "half", "county": county}),
        View("station·half", {"period": "half", "county": county, "station": str(station)}, needs_station_filter=True),
    ]
