"""Star levels and points bands from the summaries ``dash.volunteer_grade_months`` / ``…_county_months``.

On a small demo of its own (one year up to tests.fixtures.FIXED_NOW, 20 November 2026, refreshed "today",
in November 2026), on SQLite and PostgreSQL, :func:`queries.volunteers.grades` is compared with the
``volunteer`` rows counted in pandas (bands cut with ``numpy.searchsorted``), for period ends in and before
the refresh's month, for every county, a district with its township filter and a leader's district: fresh;
then after the platform changed star levels and points in place and registered volunteers (today, and with
an old date), when the months before the refresh's come from the summary as it was (the volunteers
registered since with their current values); after the next refresh (everything current again); with
other points bounds than the summary's (read from ``volunteer`` itself); and after a refresh with other
bounds in volunteers.yaml (the summary serves those, and the yaml's falls back).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, update

from dashboard.db import reader_engine, writer_engine
from dashboard.filters import Filters
from dashboard.scope import Scope
from dashboard.summaries import definitions
from dashboard.summaries.refresh import refresh
from dashboard.volunteering import volunteering
from queries import summaries, volunteers
from queries.common import region, volunteer

D = dt.date
ENDS = [D(2026, 11, 20), D(2026, 10, 31), D(2026, 3, 15), D(2025, 12, 31)]
BOUNDS = volunteering().points_band_bounds
OTHER_BOUNDS = (50, 200, 2000)
REFRESHED_MONTH = D(2026, 11, 1)  # the tests refresh in November 2026 (the demo ends on the 20th)


def _rows(url: str) -> pd.DataFrame:
    """Every volunteer of a known county as the platform has them now."""
    engine = reader_engine(url)
    v = volunteer.c
    counties = select(region.c.code).where(region.c.level == "county")
    stmt = select(v.id, v.county_code, v.township_code, v.registered_on, v.star_level, v.points).where(
        v.county_code.in_(counties)
    )
    with engine.connect() as conn:
        rows = pd.DataFrame([tuple(r) for r in conn.execute(stmt).all()], columns=list(stmt.selected_columns.keys()))
    engine.dispose()
    rows["registered_on"] = pd.to_datetime(rows["registered_on"])
    return rows


def _as_read(summarised: pd.DataFrame, now: pd.DataFrame, end: dt.date) -> pd.DataFrame:
    """What a reader of a period ending on ``end`` sees between refreshes: the rows as summarised for the
    months before the refresh's and the period end's, the current rows from then on."""
    boundary = pd.Timestamp(min(REFRESHED_MONTH, D(end.year, end.month, 1)))
    return pd.concat([summarised[summarised["registered_on"] < boundary], now[now["registered_on"] >= boundary]])


def _expected(rows: pd.DataFrame, scope: Scope, filters: Filters, bounds) -> dict:
    """(county, star, band) → volunteers registered by the period's end in scope and area."""
    rows = rows[rows["registered_on"] <= pd.Timestamp(filters.end)]
    if scope.counties is not None:
        rows = rows[rows["county_code"].isin(scope.counties)]
    if filters.county:
        rows = rows[rows["county_code"] == filters.county]
    if filters.township:
        rows = rows[rows["township_code"] == filters.township]
    bands = np.searchsorted(np.asarray(bounds), rows["points"].fillna(0).to_numpy(), side="right")
    counted = rows.assign(band=bands).groupby(["county_code", "star_level", "band"]).size()
    return {(county, int(star), int(band)): int(n) for (county, star, band), n in counted.items()}


def _check(url: str, summarised: pd.DataFrame, now: pd.DataFrame | None = None, bounds=BOUNDS) -> int:
    """Compare every period end, scope and filter with the ``summarised`` rows (all of them read from the
    summary) or, given the ``now`` rows, with what a reader sees between refreshes (:func:`_as_read`); returns
    the volunteers compared."""
    rows = summarised if now is None else now
    county, township = rows.groupby(["county_code", "township_code"]).size().idxmax()
    engine = reader_engine(url)
    compared = 0
    with engine.connect() as conn:
        for end in ENDS:
            view = Filters(D(2025, 1, 1), end, period_key="custom")
            for scope, filters in (
                (Scope(None), view),
                (Scope(None), replace(view, county=county, township=township)),
                (Scope(frozenset({county})), replace(view, county=county)),
            ):
                graded = volunteers.grades(conn, scope, filters, bounds)
                got = {(r.county_code, int(r.star_level), r.band): r.volunteers for r in graded.itertuples()}
                expected = _expected(rows if now is None else _as_read(summarised, now, end), scope, filters, bounds)
                assert got == expected, (scope, filters)
                assert graded["county_name"].notna().all()
                compared += sum(expected.values())
    engine.dispose()
    return compared


def _bands_read(url: str, bounds) -> set[int]:
    """The bands of the summary part as read with ``bounds`` (-1: a summarised band that is not one of them)."""
    engine = reader_engine(url)
    with engine.connect() as conn:
        counts = summaries.graded(
            conn, Scope(None), Filters(D(2026, 1, 1), D(2026, 10, 31), period_key="custom"), bounds
        )
        bands = set(conn.execute(select(counts.c.band)).scalars())
    engine.dispose()
    return bands


def _change(url: str, rows: pd.DataFrame) -> None:
    """As the platform would: star levels and points changed in place (of volunteers registered before the
    refresh's month and in it), and three volunteers registered (today, and twice with an old date)."""
    month = pd.Timestamp(REFRESHED_MONTH)
    old = rows[rows["registered_on"] < month].sort_values("id")
    recent = rows[rows["registered_on"] >= month].sort_values("id")
    assert len(old) > 100 and len(recent) > 0
    changed = [*old["id"].iloc[::7].tolist(), recent["id"].iloc[0]]
    engine = writer_engine(url)
    with engine.begin() as conn:
        for i, volunteer_id in enumerate(changed):
            values = {"star_level": (i % 5) + 1, "points": 40 + 997 * (i % 6)}  # bands 0 … 4, some stars up
            conn.execute(update(volunteer).where(volunteer.c.id == int(volunteer_id)).values(**values))
        newest = conn.execute(select(volunteer).order_by(volunteer.c.id.desc()).limit(1)).mappings().one()
        added = [
            {"registered_on": D(2026, 11, 20), "star_level": 5, "points": 5000},
            {"registered_on": D(2026, 3, 10), "star_level": 4, "points": 150},
            {"registered_on": D(2025, 12, 31), "star_level": 0, "points": 0},
        ]
        conn.execute(insert(volunteer), [{**newest, "id": newest["id"] + i + 1, **a} for i, a in enumerate(added)])
    engine.dispose()


def test_grades_follow_the_platform_as_of_the_last_refresh(demo, monkeypatch):
    fresh = _rows(demo)
    assert _check(demo, fresh) > 1000
    assert _bands_read(demo, BOUNDS) == set(range(len(BOUNDS) + 1))  # every band of the yaml's, none unknown

    _change(demo, fresh)
    now = _rows(demo)
    assert len(now) == len(fresh) + 3 and not now.set_index("id").loc[fresh["id"]].equals(fresh.set_index("id"))
    assert _check(demo, fresh, now) > 1000  # the summary keeps the refresh's values ...
    assert _check(demo, now, bounds=OTHER_BOUNDS) > 1000  # ... unless it was cut with other bounds: then all current

    outcome = {o.name: o for o in refresh(demo)}["grades"]
    assert outcome.how == "full"  # rebuilt whole, although no volunteer was added since the incremental ones
    assert _check(demo, now) > 1000

    # volunteers.yaml with other bounds at the refresh: the summary serves those, the old ones fall back
    other = replace(volunteering(), points_band_bounds=OTHER_BOUNDS)
    monkeypatch.setattr(definitions, "volunteering", lambda: other)
    refresh(demo)
    assert _bands_read(demo, OTHER_BOUNDS) <= set(range(len(OTHER_BOUNDS) + 1))
    assert -1 in _bands_read(demo, BOUNDS)
    _change(demo, now)
    latest = _rows(demo)
    assert _check(demo, now, latest, OTHER_BOUNDS) > 1000
    assert _check(demo, latest) > 1000
