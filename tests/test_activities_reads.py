"""The activity counts read in SQL (``evidence.activity_months``, ``activities.by_unit``,
``activities.by_area_month``) equal the same counts made in pandas from the raw ``activity`` and ``unit`` rows.

The queries count before they join and list the units' keys for the index (``evidence.any_of``); this test
counts the plain way — every activity row, joined to its unit, filtered, grouped — over the hand-made
database plus rows that only a wrong restructuring would count differently: an activity filed under
another county than its unit's, one whose county is no region at all, one on the period's last day, a
centre's own activity. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest
from sqlalchemy import Connection, insert, select

from dashboard.db import reader_engine, writer_engine
from dashboard.scope import Scope
from queries import activities, evidence
from queries.common import TABLES, activity, unit
from tests.targets_fixture import A1, BACKENDS, PERIOD, A, B, filled

FEBRUARY = replace(PERIOD, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))
VIEWS = [
    (Scope(None), PERIOD),
    (Scope(None), FEBRUARY),
    (Scope(None), replace(PERIOD, county=A)),
    (Scope(None), replace(PERIOD, county=A, township=A1)),
    (Scope((B,)), PERIOD),
    (Scope(()), PERIOD),
]


def _extra(aid: int, unit_id: int, county: str, township: str | None, held: str, kind: str, **flags) -> dict:
    return {
        "id": aid,
        "unit_id": unit_id,
        "county_code": county,
        "township_code": township,
        "held_on": dt.date.fromisoformat(held),
        "title": f"附加{aid}",
        "content_area": "publicise_policy",
        "kind": kind,
        "participants": aid,
        "volunteer_hours": 1.0,
        "has_plan": flags.get("plan", True),
        "has_record": True,
        "has_photos": flags.get("photos", True),
        "has_results": True,
        "uploaded_at": None if flags.get("uploaded") is False else dt.datetime.fromisoformat(f"{held}T09:00:00"),
    }


EXTRA = [
    _extra(101, 4, B, None, "2026-02-11", "general"),  # station S2 of 甲区, filed under 乙县
    _extra(102, 8, "149999", None, "2026-03-31", "theory_lecture"),  # a county that is no region; last day
    _extra(103, 1, A, None, "2026-03-10", "general", plan=False),  # the centre's own, without a plan
    _extra(104, 6, B, None, "2026-02-28", "theory_lecture", uploaded=False),  # 乙县中心
    _extra(105, 9, A, "140110002", "2026-02-03", "general", photos=False),  # 甲二所
]


@pytest.fixture(scope="module", params=BACKENDS)
def conn(request, tmp_path_factory) -> Connection:
    with filled(request.param, tmp_path_factory.mktemp("activity_reads")) as url:
        writer = writer_engine(url)
        with writer.begin() as connection:
            connection.execute(insert(activity), EXTRA)
        writer.dispose()
        engine = reader_engine(url)
        with engine.connect() as connection:
            yield connection
        engine.dispose()


@pytest.fixture(scope="module")
def raw(conn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every activity and unit row, as stored."""
    rows = pd.DataFrame([tuple(r) for r in conn.execute(select(activity))], columns=list(activity.c.keys()))
    rows["held_on"] = pd.to_datetime(rows["held_on"])
    units = pd.DataFrame([tuple(r) for r in conn.execute(select(unit))], columns=list(unit.c.keys()))
    return rows, units


def _in_area(df: pd.DataFrame, scope: Scope, filters, township: bool = True) -> pd.Series:
    keep = pd.Series(True, index=df.index)
    if scope.counties is not None:
        keep &= df["county_code"].isin(scope.counties)
    if filters.county:
        keep &= df["county_code"] == filters.county
    if township and filters.township:
        keep &= df["township_code"] == filters.township
    return keep


def _in_period(rows: pd.DataFrame, filters) -> pd.DataFrame:
    start, end = pd.Timestamp(filters.start), pd.Timestamp(filters.end)
    return rows[(rows["held_on"] >= start) & (rows["held_on"] <= end)]


def _expected_months(raw, scope, filters, tier, unit_id, require, records) -> list[tuple]:
    rows, units = raw
    owners = units[_in_area(units, scope, filters)]
    if tier is not None:
        owners = owners[owners["tier"] == tier]
    if unit_id is not None:
        owners = owners[owners["id"] == unit_id]
    held = _in_period(rows[_in_area(rows, scope, filters, township=False)], filters)
    on = ("county_code", "county_code") if records == "county" else ("unit_id", "owner_id")
    joined = held.merge(owners[["id", "county_code"]].rename(columns={"id": "owner_id"}), left_on=on[0], right_on=on[1])
    if records == "unit":
        joined = joined.rename(columns={"county_code_x": "county_code"})
    complete = pd.Series(True, index=joined.index)
    for name in require:
        complete &= joined[f"has_{name}"].astype(bool)
    uploaded = joined["uploaded_at"].notna() & (joined["has_photos"].astype(bool) | joined["has_record"].astype(bool))
    counted = pd.DataFrame(
        {
            "unit_id": joined["owner_id"],
            "month": joined["held_on"].dt.strftime("%Y-%m"),
            "activities": 1,
            "complete": complete.astype(int),
            "uploaded": uploaded.astype(int),
            "theory_lectures": (joined["kind"] == "theory_lecture").astype(int),
        }
    )
    grouped = counted.groupby(["unit_id", "month"], as_index=False).sum().sort_values(["unit_id", "month"])
    return [tuple(int(v) if i != 1 else v for i, v in enumerate(row)) for row in grouped.itertuples(index=False)]


def _joined(raw, scope, filters) -> pd.DataFrame:
    """Activities of the period in the area, each with its unit (both in the area), as the page's queries read them."""
    rows, units = raw
    held = _in_period(rows[_in_area(rows, scope, filters)], filters)
    area_units = units[_in_area(units, scope, filters)]
    return held.merge(area_units, left_on="unit_id", right_on="id", suffixes=("", "_unit"))


def _rows(df: pd.DataFrame) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in df.itertuples(index=False)]


CASES = [
    ("station", None, evidence.MATERIALS, "unit"),
    ("institute", None, evidence.MATERIALS, "unit"),
    ("centre", None, evidence.MATERIALS, "county"),
    ("centre", None, ("record", "photos"), "county"),
    ("centre", 1, (), "county"),
    ("station", 4, ("plan",), "unit"),
    (None, None, evidence.MATERIALS, "unit"),
]


@pytest.mark.parametrize("view", range(len(VIEWS)))
@pytest.mark.parametrize("case", range(len(CASES)))
def test_activity_months_equal_the_row_by_row_count(conn, raw, view, case) -> None:
    scope, filters = VIEWS[view]
    tier, unit_id, require, records = CASES[case]
    got = evidence.activity_months(conn, scope, filters, tier, unit_id, require, records)
    expected = _expected_months(raw, scope, filters, tier, unit_id, require, records)
    assert [(int(r[0]), r[1], *map(int, r[2:])) for r in _rows(got)] == expected
    assert list(got.columns) == ["unit_id", "month", *evidence.ACTIVITY_COUNTS]


def test_the_extra_rows_count_where_they_belong(conn) -> None:
    """The reference itself: S2's activity filed under 乙县 counts for S2, and for 乙县's centre, not 甲区's."""
    stations = evidence.activity_months(conn, Scope(None), FEBRUARY, "station")
    assert stations[stations["unit_id"] == 4]["activities"].tolist() == [1]
    centres = evidence.activity_months(conn, Scope(None), FEBRUARY, "centre", records="county")
    assert centres.set_index("unit_id")["activities"].to_dict() == {1: 3, 6: 3}


@pytest.mark.parametrize("view", range(len(VIEWS)))
def test_by_area_month_equals_the_row_by_row_count(conn, raw, view) -> None:
    scope, filters = VIEWS[view]
    joined = _joined(raw, scope, filters)
    expected = (
        joined.assign(month=joined["held_on"].dt.strftime("%Y-%m"))
        .groupby(["month", "content_area"])
        .size()
        .rename("activities")
        .reset_index()
        .sort_values(["month", "content_area"])
    )
    assert _rows(activities.by_area_month(conn, scope, filters)) == _rows(expected)


@pytest.mark.parametrize("view", range(len(VIEWS)))
@pytest.mark.parametrize("level", ["county", "township", "unit"])
def test_by_unit_equals_the_row_by_row_count(conn, raw, view, level) -> None:
    scope, filters = VIEWS[view]
    joined = _joined(raw, scope, filters)
    regions = pd.DataFrame([tuple(r) for r in conn.execute(select(TABLES["region"].c.code, TABLES["region"].c.name))])
    names = dict(regions.itertuples(index=False)) if len(regions) else {}
    key = {"county": "county_code_unit", "township": "township_code_unit", "unit": "unit_id"}[level]
    complete = joined[[f"has_{m}" for m in evidence.MATERIALS]].astype(bool).all(axis=1)
    expected = []
    for code, part in joined.assign(complete=complete).groupby(key, dropna=False, sort=False):
        code = None if pd.isna(code) else code
        if level == "unit":
            name, tier = part["name"].iloc[0], part["tier"].iloc[0]
        else:
            name, tier = names.get(code), None
        expected.append(
            (
                "" if code is None else str(code),
                name,
                tier,
                len(part),
                int(part["complete"].sum()),
                int((part["kind"] == "theory_lecture").sum()),
                int(part["participants"].sum()),
            )
        )
    expected.sort(key=lambda row: (row[0] != "", int(row[0]) if level == "unit" else row[0]))
    assert _rows(activities.by_unit(conn, scope, filters, level)) == expected


def _expected_rule(raw, scope, filters, group: str) -> list[tuple]:
    """monthly_rule counted unit by unit: every unit of the tier in the group, every month of the period."""
    _, units = raw
    months = activities.period_months(filters)
    rows = []
    for tier in activities.RULE_TIERS:
        cells = {
            (unit_id, month): counts
            for unit_id, month, *counts in _expected_months(raw, scope, filters, tier, None, evidence.MATERIALS, "unit")
        }
        members = units[_in_area(units, scope, filters) & (units["tier"] == tier)]
        every = {uid for uid in members["id"] if all(cells.get((uid, m), (0, 0, 0, 0))[1] >= 1 for m in months)}
        for code, part in sorted(members.groupby(f"{group}_code"), key=lambda item: item[0]):
            ids = set(part["id"])
            for month in months:
                here = [cells[(uid, month)] for uid in ids if (uid, month) in cells]
                rows.append(
                    (
                        tier,
                        code,
                        None,  # the region's name: taken from the query's rows
                        len(ids),
                        month,
                        sum(c[0] > 0 for c in here),
                        sum(c[1] >= 1 for c in here),
                        sum(c[2] >= 1 for c in here),
                        sum(c[3] >= 1 for c in here),
                        len(ids & every),
                    )
                )
    return rows


@pytest.mark.parametrize("view", range(len(VIEWS)))
@pytest.mark.parametrize("group", activities.GROUPS)
def test_monthly_rule_equals_the_unit_by_unit_count(conn, raw, view, group) -> None:
    scope, filters = VIEWS[view]
    got = activities.monthly_rule(conn, scope, filters, group)
    names = dict(zip(got["code"], got["name"], strict=True))
    expected = [(t, c, names.get(c), *rest) for t, c, _, *rest in _expected_rule(raw, scope, filters, group)]
    assert _rows(got) == expected
    months = len(activities.period_months(filters))
    for tier in activities.RULE_TIERS:  # the page's two views of it
        mine = [row for row in expected if row[0] == tier]
        assert _rows(activities.coverage_of(got, tier)) == [row[1:9] for row in mine]
        summary = activities.summary_of(got, tier, months)
        per_group = {row[1]: row for row in mine}
        assert _rows(summary[["code", "units", "met_months", "every_month"]]) == [
            (code, row[3], sum(r[6] for r in mine if r[1] == code), row[9]) for code, row in per_group.items()
        ]
