"""The activity summaries ``dash.activity_unit_months`` / ``dash.activity_content_months`` and the figures read
through them (:func:`queries.summaries.activities_held`).

On a small demo of its own (one year up to tests.fixtures.FIXED_NOW, 20 November 2026), on SQLite and
PostgreSQL, the activities page's figures (``by_unit`` per unit, township and county, ``by_area_month``,
``monthly_rule``) and the scorecards' evidence (``evidence.activity_months`` per unit, per county for the
centres, and with other materials required) are compared with the same counts made in pandas over the
``activity`` and ``unit`` rows: for the default view, whole months, partial months at either end, periods
across the recent months' start (1 October: the refresh is made on 20 November) and across the new year,
for a leader's district and with the district and township filters. Then again with a stale summary
(activities added after the refresh, today and with an old date; this month's and last month's activities
given other materials and uploads after it), after the incremental refresh that follows, and after the
first refresh of the next month, which rebuilds October, no longer recent. A material changed in an older
month waits for the full refresh, as ``queries.summaries.DEFINITIONS`` says on screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from dashboard.db import reader_engine, writer_engine
from dashboard.filters import Filters
from dashboard.scope import Scope
from dashboard.summaries import refresh as refresh_module
from dashboard.summaries.refresh import refresh
from queries import activities, evidence
from queries.common import activity, unit
from tests.fixtures import FIXED_NOW

D = dt.date
MATERIALS = ("plan", "record", "photos", "results")
PERIODS = [  # (start, end)
    (D(2026, 1, 1), D(2026, 11, 20)),  # the default view: this year to "today"
    (D(2026, 11, 1), D(2026, 11, 20)),  # this month
    (D(2026, 3, 15), D(2026, 8, 10)),  # partial months at both ends
    (D(2026, 2, 1), D(2026, 4, 30)),  # whole months only, all summarised
    (D(2026, 8, 1), D(2026, 10, 31)),  # whole months across the recent months' start
    (D(2026, 5, 3), D(2026, 5, 27)),  # within one month
    (D(2025, 12, 10), D(2026, 2, 5)),  # across the new year
]
COUNTS = ("activities", "complete", "uploaded", "theory_lectures", "participants")


def _rows(conn: Connection) -> pd.DataFrame:
    """Every activity with what it counts for and its unit's tier, county and township (``unit_*``)."""
    a, u = activity.c, unit.c
    stmt = select(
        a.id,
        a.unit_id,
        a.county_code,
        a.township_code,
        a.held_on,
        a.content_area,
        a.kind,
        a.participants,
        a.uploaded_at,
        *(a[f"has_{m}"] for m in MATERIALS),
        u.tier,
        u.county_code.label("unit_county"),
        u.township_code.label("unit_township"),
    ).select_from(activity.join(unit, u.id == a.unit_id))
    rows = pd.DataFrame([tuple(r) for r in conn.execute(stmt).all()], columns=list(stmt.selected_columns.keys()))
    rows["held_on"] = pd.to_datetime(rows["held_on"])
    rows["month"] = rows["held_on"].dt.strftime("%Y-%m")
    for m in MATERIALS:
        rows[f"has_{m}"] = rows[f"has_{m}"].astype(bool)
    rows["activities"] = 1
    rows["complete"] = rows[[f"has_{m}" for m in MATERIALS]].all(axis=1).astype(int)
    uploaded = rows["uploaded_at"].notna() & (rows["has_photos"] | rows["has_record"])
    rows["uploaded"] = uploaded.astype(int)
    rows["theory_lectures"] = (rows["kind"] == "theory_lecture").astype(int)
    return rows


def _units(conn: Connection) -> pd.DataFrame:
    stmt = select(unit.c.id.label("unit_id"), unit.c.tier, unit.c.county_code, unit.c.township_code)
    return pd.DataFrame([tuple(r) for r in conn.execute(stmt).all()], columns=list(stmt.selected_columns.keys()))


def _in_area(codes: pd.DataFrame, county: str, township: str, scope: Scope, filters: Filters, *, town=True):
    keep = pd.Series(True, index=codes.index)
    if scope.counties is not None:
        keep &= codes[county].isin(scope.counties)
    if filters.county:
        keep &= codes[county] == filters.county
    if town and filters.township:
        keep &= codes[township] == filters.township
    return keep


def _period(rows: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    return rows[(rows["held_on"] >= pd.Timestamp(filters.start)) & (rows["held_on"] <= pd.Timestamp(filters.end))]


def _held(rows: pd.DataFrame, scope: Scope, filters: Filters) -> pd.DataFrame:
    """The activities the page counts: of the period, in scope and area, by a unit of the area."""
    rows = _period(rows, filters)
    keep = _in_area(rows, "county_code", "township_code", scope, filters)
    return rows[keep & _in_area(rows, "unit_county", "unit_township", scope, filters)]


def _ints(df: pd.DataFrame, columns) -> pd.DataFrame:
    return df.astype({c: "int64" for c in columns})


def _check_page(conn: Connection, rows: pd.DataFrame, scope: Scope, filters: Filters) -> int:
    held = _held(rows, scope, filters)
    for level, key in (("unit", "unit_id"), ("township", "unit_township"), ("county", "unit_county")):
        got = activities.by_unit(conn, scope, filters, level)
        sums = held.groupby(key, dropna=False)[["activities", "complete", "theory_lectures", "participants"]].sum()
        expected = sums.rename(columns={"theory_lectures": "theory"}).reset_index()
        expected["code"] = ["" if pd.isna(c) else str(c) for c in expected[key]]  # as queries.common.text_codes
        columns = ["activities", "complete", "theory", "participants"]
        got = _ints(got.set_index("code")[columns], columns).sort_index()
        want = _ints(expected.set_index("code")[columns], columns).sort_index()
        assert got.to_dict("index") == want.to_dict("index"), level
    areas = activities.by_area_month(conn, scope, filters)
    expected = held.groupby(["month", "content_area"]).size()
    assert areas.set_index(["month", "content_area"])["activities"].to_dict() == expected.to_dict()
    return len(held)


def _expected_cells(rows, units, scope, filters, tiers, records="unit", require=MATERIALS) -> pd.DataFrame:
    """evidence.activity_months made in pandas: the evaluated units, each with its own (or its county's) rows."""
    owners = units[units["tier"].isin(tiers) & _in_area(units, "county_code", "township_code", scope, filters)]
    held = _period(rows, filters)
    held = held[_in_area(held, "county_code", "township_code", scope, filters, town=False)].copy()
    held["complete"] = held[[f"has_{m}" for m in require]].all(axis=1).astype(int)
    if records == "county":
        joined = held.drop(columns="unit_id").merge(owners[["unit_id", "county_code"]], on="county_code")
    else:
        joined = held.merge(owners[["unit_id"]], on="unit_id")
    cells = joined.groupby(["unit_id", "month"])[list(evidence.ACTIVITY_COUNTS)].sum().reset_index()
    return _ints(cells.sort_values(["unit_id", "month"]).reset_index(drop=True), evidence.ACTIVITY_COUNTS)


def _check_cells(conn, rows, units, scope, filters) -> None:
    for tiers, records, require in (
        (("institute", "station"), "unit", MATERIALS),
        (("centre",), "county", MATERIALS),
        (("station",), "unit", ("photos", "plan")),  # other materials: activity alone
    ):
        got = evidence.activity_months(conn, scope, filters, tiers, None, require, records)
        expected = _expected_cells(rows, units, scope, filters, tiers, records, require)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    cells = _expected_cells(rows, units, scope, filters, ("station",))
    cells = cells.merge(units[["unit_id", "county_code"]], on="unit_id")
    rule = activities.monthly_rule(conn, scope, filters, "county", ("station",))
    met = cells[cells["complete"] >= 1].groupby(["county_code", "month"]).size()
    active = cells.groupby(["county_code", "month"]).size()
    rule = rule.set_index(["code", "month"])
    assert rule["met"][rule["met"] > 0].to_dict() == met.to_dict()
    assert rule["active"][rule["active"] > 0].to_dict() == active.to_dict()


def _check(url: str) -> int:
    """Compare every period, scope and filter with pandas; returns how many activities were compared."""
    engine = reader_engine(url)
    compared = 0
    try:
        with engine.connect() as conn:
            rows, units = _rows(conn), _units(conn)
            county, township = rows.groupby(["county_code", "township_code"]).size().idxmax()
            for start, end in PERIODS:
                view = Filters(start, end, period_key="custom")
                for scope, filters in (
                    (Scope(None), view),
                    (Scope(None), replace(view, county=county, township=township)),
                    (Scope(frozenset({county})), replace(view, county=county)),
                ):
                    compared += _check_page(conn, rows, scope, filters)
                    _check_cells(conn, rows, units, scope, filters)
    finally:
        engine.dispose()
    return compared


def _write(url: str, new: list[dict], changed: dict[int, dict]) -> None:
    """Copies of the newest activity with the ``new`` changes and new ids, and the ``changed`` activities
    (id: columns) changed in place, as the platform would."""
    engine = writer_engine(url)
    with engine.begin() as conn:
        newest = conn.execute(select(activity).order_by(activity.c.id.desc()).limit(1)).mappings().one()
        if new:
            conn.execute(insert(activity), [{**newest, "id": newest["id"] + i + 1, **c} for i, c in enumerate(new)])
        for aid, values in changed.items():
            conn.execute(update(activity).where(activity.c.id == aid).values(**values))
    engine.dispose()


def _incomplete(url: str, start: D, end: D) -> int:
    """An activity held between ``start`` and ``end`` that lacks a material and was not uploaded."""
    engine = reader_engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            select(activity.c.id)
            .where(activity.c.held_on.between(start, end), ~activity.c.has_plan, activity.c.uploaded_at.is_(None))
            .order_by(activity.c.id)
            .limit(1)
        ).scalar_one()
    engine.dispose()
    return found


def _unit_month(url: str, aid: int) -> tuple[int, int]:
    """(complete, uploaded) of the activity's unit in its month, as the activities page counts them."""
    engine = reader_engine(url)
    with engine.connect() as conn:
        unit_id, held_on = conn.execute(
            select(activity.c.unit_id, activity.c.held_on).where(activity.c.id == aid)
        ).one()
        first = held_on.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        cells = evidence.activity_months(conn, Scope(None), Filters(first, last, period_key="custom"), unit_id=unit_id)
    engine.dispose()
    return int(cells["complete"].sum()), int(cells["uploaded"].sum())


DONE = {"has_plan": True, "has_record": True, "has_photos": True, "has_results": True}


def test_the_summary_path_gives_the_counts_of_the_rows_fresh_stale_and_refreshed(demo, monkeypatch):
    monkeypatch.setattr(refresh_module, "local_now", lambda: FIXED_NOW)
    assert refresh(demo, full=True)[1].how == "full"  # made "today", 20 November: October on is recent
    assert _check(demo) > 1000

    november, october, june = (
        _incomplete(demo, D(2026, m, 1), D(2026, m, d)) for m, d in ((11, 19), (10, 31), (6, 30))
    )
    uploaded = {**DONE, "uploaded_at": dt.datetime(2026, 11, 20, 9, 0)}
    _write(
        demo,
        [
            {"held_on": D(2026, 11, 20), **DONE},  # today, after the refresh
            {"held_on": D(2026, 3, 20), "kind": "theory_lecture", **DONE},  # an old date, in a summarised month
            {"held_on": D(2026, 6, 30), "content_area": "reform_customs"},  # the last day of a summarised month
        ],
        {november: uploaded, october: uploaded},  # materials and upload set after the refresh
    )
    assert _check(demo) > 1000  # stale: every new row and every figure of the recent months still counts

    outcome = {o.name: o for o in refresh(demo)}["activities"]
    assert (outcome.how, outcome.since) == ("incremental", D(2026, 3, 20))
    assert _check(demo) > 1000

    monkeypatch.setattr(refresh_module, "local_now", lambda: dt.datetime(2026, 12, 2, 8, 0))
    _write(demo, [], {october: {"has_results": False}})  # October, still recent before this refresh
    outcome = {o.name: o for o in refresh(demo)}["activities"]
    assert (outcome.how, outcome.since) == ("incremental", D(2026, 10, 1))  # October rebuilt a last time
    assert _check(demo) > 1000

    june_before = _unit_month(demo, june)
    _write(demo, [], {june: uploaded})
    refresh(demo)
    assert _unit_month(demo, june) == june_before  # an older month's change waits for the full refresh ...
    refresh(demo, full=True)
    assert _unit_month(demo, june) == (june_before[0] + 1, june_before[1] + 1)
    assert _check(demo) > 1000  # ... which counts it
