"""The service-hours summary ``dash.volunteer_hours_months`` and the figures read through it.

On a small demo of its own (one year up to tests.fixtures.FIXED_NOW, 20 November 2026), on SQLite and
PostgreSQL, :func:`queries.summaries.served` (per volunteer, county, month, unit, team, township) and the
figures built on it — the volunteers page's participation, monthly hours and top lists, and the hours
rankings — are compared with the service-hours rows joined to their volunteers in pandas: for periods of
whole months, of partial months at either end, within one month, across the new year, for a leader's
district and with the district and township filters; then again with a stale summary (rows added after
the refresh: today, with an old date inside the periods, for a volunteer who had never served, on the
last day of a partial month, with a date still to come, also next month), and after the incremental refresh
that follows. Per volunteer, whole years are read from ``dash.volunteer_hours_years`` (this year less the
months after the refresh's, whose rows are dated in the future).
The periods cover every way queries.summaries._plan reads a partial month: added day by day, or a whole
month less its other days (which must also take off the volunteers who served only on those days).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

import pandas as pd
import pytest
from sqlalchemy import Connection, func, insert, select

from dashboard.db import reader_engine, writer_engine
from dashboard.filters import Filters
from dashboard.scope import Scope
from dashboard.summaries import refresh as refresh_module
from dashboard.summaries.refresh import refresh
from dashboard.summaries.tables import (
    volunteer_active_unit_years,
    volunteer_active_years,
    volunteer_hours_days,
    volunteer_hours_months,
    volunteer_hours_years,
)
from queries import rankings, summaries, volunteers
from queries.common import TABLES, region, volunteer
from tests.fixtures import FIXED_NOW

D = dt.date
service_hours = TABLES["service_hours"]
PERIODS = [  # (start, end)
    (D(2026, 1, 1), D(2026, 11, 20)),  # the default view: this year to "today"
    (D(2026, 11, 1), D(2026, 11, 20)),  # this month: the whole month less the days to come
    (D(2026, 11, 8), D(2026, 11, 20)),  # most of this month: the whole month less its first days (the rest is to come)
    (D(2026, 3, 15), D(2026, 8, 10)),  # a custom range: partial months at both ends
    (D(2026, 2, 1), D(2026, 4, 30)),  # whole months only
    (D(2026, 5, 3), D(2026, 5, 27)),  # within one month, its days added
    (D(2025, 12, 10), D(2026, 2, 5)),  # across the new year
    (D(2026, 4, 28), D(2026, 10, 25)),  # a late start added, a late end taken off a whole month
    (D(2026, 11, 20), D(2026, 11, 20)),  # today alone
    (D(2025, 1, 1), D(2026, 11, 20)),  # whole years: last year's and this year's rows per volunteer and year
    (D(2025, 1, 1), D(2025, 12, 31)),  # last year: one whole year, its volunteers counted without them
]
KEY_SETS = [
    ["volunteer_id"],
    ["county_code", "volunteer_id", "is_in_service_party_member"],
    ["month", "is_in_service_party_member"],
    ["unit_id"],
    ["team_id", "volunteer_id"],
    ["township_code", "month"],
]
ACTIVE_KEY_SETS = [  # summaries.active: one whole year from dash.volunteer_active_years, else per volunteer
    ["county_code", "is_in_service_party_member"],
    ["township_code"],
    ["unit_id", "team_id"],
    ["team_id"],
]


def _rows(conn: Connection) -> pd.DataFrame:
    """Every service-hours row of a known county, with its volunteer's columns (what the pages count)."""
    h, v = service_hours.c, volunteer.c
    counties = select(region.c.code).where(region.c.level == "county")
    stmt = (
        select(
            h.volunteer_id,
            h.county_code.label("service_county"),
            h.served_on,
            h.hours,
            v.county_code,
            v.township_code,
            v.unit_id,
            v.team_id,
            v.is_in_service_party_member,
        )
        .select_from(service_hours.join(volunteer, v.id == h.volunteer_id))
        .where(h.county_code.in_(counties))
    )
    rows = pd.DataFrame([tuple(r) for r in conn.execute(stmt).all()], columns=list(stmt.selected_columns.keys()))
    rows["served_on"] = pd.to_datetime(rows["served_on"])
    rows["month"] = rows["served_on"].dt.strftime("%Y-%m")
    rows["party"] = rows["is_in_service_party_member"].fillna(False).astype(bool)
    return rows


def _chosen(rows: pd.DataFrame, scope: Scope, filters: Filters) -> pd.DataFrame:
    """The rows of the period, the service in scope and district, the volunteer in scope and area."""
    rows = rows[(rows["served_on"] >= pd.Timestamp(filters.start)) & (rows["served_on"] <= pd.Timestamp(filters.end))]
    if scope.counties is not None:
        rows = rows[rows["service_county"].isin(scope.counties) & rows["county_code"].isin(scope.counties)]
    if filters.county:
        rows = rows[(rows["service_county"] == filters.county) & (rows["county_code"] == filters.county)]
    if filters.township:
        rows = rows[rows["township_code"] == filters.township]
    return rows


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool | float | int):
        return str(int(value))
    return str(value)


def _keyed(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = frame[[*keys, "hours", "entries"]].copy()
    for key in keys:
        out[key] = [_text(x) for x in out[key]]
    out = out.astype({"hours": "float64", "entries": "int64"})
    return out.sort_values(keys).reset_index(drop=True)


def _compare(conn: Connection, read, expected: pd.DataFrame, keys: list[str]) -> int:
    """The subquery ``read`` (the keys, then two sums) against ``expected`` (the keys, ``hours``, ``entries``)."""
    got = pd.DataFrame([tuple(r) for r in conn.execute(select(read)).all()], columns=[*keys, "hours", "entries"])
    pd.testing.assert_frame_equal(_keyed(got, keys), _keyed(expected, keys), check_exact=False, atol=1e-6)
    return len(expected)


def _check_served(conn: Connection, rows: pd.DataFrame, scope: Scope, filters: Filters) -> int:
    """summaries.served: the hours and rows per key, against the rows."""
    chosen = _chosen(rows, scope, filters)
    return sum(
        _compare(
            conn,
            summaries.served(conn, scope, filters, keys),
            chosen.groupby(keys, dropna=False).agg(hours=("hours", "sum"), entries=("hours", "size")).reset_index(),
            keys,
        )
        for keys in KEY_SETS
    )


def _check_active(conn: Connection, rows: pd.DataFrame, scope: Scope, filters: Filters) -> int:
    """summaries.active: the volunteers who served (compared under the name of the rows' count) and their hours
    per key, against the rows."""
    chosen = _chosen(rows, scope, filters)
    return sum(
        _compare(
            conn,
            summaries.active(conn, scope, filters, keys),
            chosen.groupby(keys, dropna=False)
            .agg(hours=("hours", "sum"), entries=("volunteer_id", "nunique"))
            .reset_index(),
            keys,
        )
        for keys in ACTIVE_KEY_SETS
    )


def _check_pages(conn: Connection, rows: pd.DataFrame, scope: Scope, filters: Filters) -> None:
    """The volunteers page's hours figures and the hours rankings, against the same rows."""
    chosen = _chosen(rows, scope, filters)
    party = chosen[chosen["party"]]

    counties = volunteers.participation(conn, scope, filters, "county").set_index("code")
    by_county = chosen.groupby("county_code")
    expected = pd.DataFrame(
        {
            "hours": by_county["hours"].sum(),
            "active": by_county["volunteer_id"].nunique(),
            "party_hours": party.groupby("county_code")["hours"].sum(),
            "party_participants": party.groupby("county_code")["volunteer_id"].nunique(),
        }
    ).reindex(counties.index, fill_value=0)
    expected = expected.fillna(0)
    got = counties[["hours", "active", "party_hours", "party_participants"]]
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_exact=False, atol=1e-6)

    monthly = volunteers.hours_by_month(conn, scope, filters)
    months = chosen.groupby("month")
    expected_months = pd.DataFrame(
        {"hours": months["hours"].sum(), "party_hours": party.groupby("month")["hours"].sum()}
    ).fillna(0)
    assert monthly["month"].tolist() == expected_months.index.tolist()
    assert monthly["hours"].tolist() == pytest.approx(expected_months["hours"].tolist())
    assert monthly["party_hours"].tolist() == pytest.approx(expected_months["party_hours"].tolist())

    people = chosen.groupby("volunteer_id")["hours"].sum().reset_index()
    people = people.sort_values(["hours", "volunteer_id"], ascending=[False, True]).head(10)
    top = volunteers.top_volunteers(conn, scope, filters, 10)
    assert top["id"].tolist() == people["volunteer_id"].tolist()
    assert top["hours"].tolist() == pytest.approx(people["hours"].tolist())

    teams = chosen.dropna(subset=["team_id"]).groupby("team_id")
    teams = pd.DataFrame({"hours": teams["hours"].sum(), "members": teams["volunteer_id"].nunique()}).reset_index()
    teams = teams.sort_values(["hours", "team_id"], ascending=[False, True]).head(5)
    top_teams = volunteers.top_teams(conn, scope, filters, 5)
    assert top_teams["id"].tolist() == [int(x) for x in teams["team_id"]]
    assert top_teams["members"].tolist() == teams["members"].tolist()
    assert top_teams["hours"].tolist() == pytest.approx(teams["hours"].tolist())

    for entity, key in (("station", "unit_id"), ("team", "team_id"), ("volunteer", "volunteer_id")):
        ranked = rankings.ranking(conn, scope, filters, entity, "hours", "top", 8, 4, 5)
        sums = chosen.dropna(subset=[key]).groupby(key)["hours"].sum()
        shown = ranked[ranked["value"] > 0]
        assert shown["value"].tolist() == pytest.approx([sums[int(i)] for i in shown["id"]])
        if entity == "volunteer":  # every volunteer of the area with hours takes part
            best = sums.reset_index().sort_values(["hours", key], ascending=[False, True]).head(8)
            assert ranked["id"].tolist() == best[key].tolist()


def _check(url: str) -> int:
    """Compare every period, scope and filter with pandas; returns how many groups were compared."""
    engine = reader_engine(url)
    compared = 0
    try:
        with engine.connect() as conn:
            rows = _rows(conn)
            county, township = rows.groupby(["county_code", "township_code"]).size().idxmax()
            for start, end in PERIODS:
                view = Filters(start, end, period_key="custom")
                for scope, filters in (
                    (Scope(None), view),
                    (Scope(None), replace(view, county=county, township=township)),
                    (Scope(frozenset({county})), replace(view, county=county)),
                ):
                    compared += _check_served(conn, rows, scope, filters)
                    compared += _check_active(conn, rows, scope, filters)
                    _check_pages(conn, rows, scope, filters)
    finally:
        engine.dispose()
    return compared


def _add_hours(url: str, changes: list[dict]) -> None:
    """Copies of the newest service-hours row with the given changes and new ids, written as the platform would."""
    engine = writer_engine(url)
    with engine.begin() as conn:
        newest = conn.execute(select(service_hours).order_by(service_hours.c.id.desc()).limit(1)).mappings().one()
        rows = [{**newest, "id": newest["id"] + i + 1, **change} for i, change in enumerate(changes)]
        conn.execute(insert(service_hours), rows)
    engine.dispose()


def _summarised(url: str) -> tuple[int, int, list[int]]:
    """(rows summed in the summary, service-hours rows of known volunteers, two volunteers who never served)."""
    engine = reader_engine(url)
    with engine.connect() as conn:
        summed = conn.execute(select(func.coalesce(func.sum(volunteer_hours_months.c.entries), 0))).scalar_one()
        known = conn.execute(
            select(func.count()).select_from(
                service_hours.join(volunteer, volunteer.c.id == service_hours.c.volunteer_id)
            )
        ).scalar_one()
        idle = conn.execute(
            select(volunteer.c.id)
            .where(volunteer.c.id.not_in(select(service_hours.c.volunteer_id)))
            .order_by(volunteer.c.id)
            .limit(2)
        ).scalars()
        idle = [int(i) for i in idle]
    engine.dispose()
    return int(summed), int(known), idle


def _other_county(url: str) -> str:
    """A county of the region table other than the newest service-hours row's."""
    engine = reader_engine(url)
    with engine.connect() as conn:
        newest = conn.execute(select(service_hours.c.county_code).order_by(service_hours.c.id.desc()).limit(1))
        other = conn.execute(
            select(func.min(region.c.code)).where(region.c.level == "county", region.c.code != newest.scalar_one())
        ).scalar_one()
    engine.dispose()
    return other


def test_the_summary_path_gives_the_hours_of_the_rows_fresh_stale_and_refreshed(demo, monkeypatch):
    # refreshed "today" as the demo sees it (FIXED_NOW), whatever the date of the run: this year is then read from
    # its year's summary less the days to come, and the rows dated after FIXED_NOW are still to come
    monkeypatch.setattr(refresh_module, "local_now", lambda: FIXED_NOW)
    refresh(demo, full=True)
    summed, known, idle = _summarised(demo)
    assert summed == known > 1000  # fresh: the summary holds every row of a known volunteer
    assert _check(demo) > 1000

    changes = [
        {"served_on": D(2026, 11, 20), "hours": 2.5},  # today, after the refresh
        {"served_on": D(2026, 3, 20), "hours": 7.0},  # an old date, in a summarised month inside the periods
        {"served_on": D(2026, 3, 20), "hours": 1.5, "volunteer_id": idle[0]},  # a volunteer who never served
        {"served_on": D(2026, 10, 31), "hours": 3.0, "volunteer_id": idle[0]},  # on a day taken off a whole month
        {"served_on": D(2026, 11, 28), "hours": 4.0},  # a date still to come, in this month
        {"served_on": D(2026, 12, 5), "hours": 6.0},  # next month: in this year's row, taken off this year
        # in another county: once refreshed, two rows in this year's summary (counted per volunteer, and at the top)
        {"served_on": D(2026, 6, 10), "hours": 300.0, "county_code": _other_county(demo)},
        # only a date to come: once refreshed, the one row of a volunteer who has not served this year (at the top
        # of the year's hours, and counted among its volunteers of one row, both taken off)
        {"served_on": D(2026, 12, 5), "hours": 900.0, "volunteer_id": idle[1]},
    ]
    _add_hours(demo, changes)
    assert _summarised(demo)[0] == summed  # the summary is stale ...
    assert _check(demo) > 1000  # ... and every figure still equals the rows'

    outcome = {o.name: o for o in refresh(demo)}["hours"]
    assert (outcome.how, outcome.since) == ("incremental", D(2026, 3, 1))
    assert _summarised(demo)[0] == summed + len(changes)
    assert _several_rows(demo) > 0
    assert _check(demo) > 1000
    incremental = _recounted(demo)
    refresh(demo, full=True)
    assert _recounted(demo) == incremental  # the years and days the incremental refresh recounted are a full one's

    # a month on, the recent days start a month later: the days no longer recent are dropped, the rest kept
    monkeypatch.setattr(refresh_module, "local_now", lambda: FIXED_NOW + dt.timedelta(days=31))
    outcome = {o.name: o for o in refresh(demo)}["hours"]
    assert (outcome.how, outcome.since) == ("incremental", D(2026, 10, 1))
    moved, days = _recounted(demo), _days(demo)
    assert min(days) == D(2026, 11, 1)
    assert D(2026, 12, 5) in days  # the rows dated in the future are kept with their days
    refresh(demo, full=True)
    assert _recounted(demo) == moved


def _recounted(url: str) -> dict[str, Counter]:
    """The rows of the hours summaries an incremental refresh recounts beyond the months (the yearly ones and the
    recent days; hours rounded: the sums' order may differ), as multisets."""
    engine = reader_engine(url)
    with engine.connect() as conn:
        tables = (volunteer_hours_years, volunteer_active_years, volunteer_active_unit_years, volunteer_hours_days)
        rows = {
            table.name: Counter(
                tuple(round(row.hours, 6) if name == "hours" else value for name, value in row._mapping.items())
                for row in conn.execute(select(table))
            )
            for table in tables
        }
    engine.dispose()
    return rows


def _days(url: str) -> set[dt.date]:
    """The days of ``dash.volunteer_hours_days``."""
    engine = reader_engine(url)
    with engine.connect() as conn:
        days = set(conn.execute(select(volunteer_hours_days.c.served_on).distinct()).scalars())
    engine.dispose()
    return days


def _several_rows(url: str) -> int:
    """The volunteers with several rows in this year's hours summary (read per volunteer by summaries.active)."""
    engine = reader_engine(url)
    with engine.connect() as conn:
        y = volunteer_hours_years.c
        several = select(func.count()).where(y.year == "2026", y.year_rows > 1)
        counted = conn.execute(several).scalar_one()
    engine.dispose()
    return counted
