"""The activities page's group totals, counted in SQL, equal the same totals counted unit by unit in pandas.

``coverage_of`` and ``summary_of`` of ``monthly_rule``, ``meeting_coverage`` and ``chaxiang_coverage``
count per county or township in SQL; this test
recounts them from the per-unit rows (``units_of`` and the evidence of ``queries.evidence``) the way the
page first did, for both tiers, both groupings, several areas and periods, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest
from sqlalchemy import Connection

from dashboard import scoring
from dashboard.scope import Scope
from queries import activities, evidence
from queries.common import year_to_end
from tests.targets_fixture import BACKENDS, PERIOD, A, B, connected

VIEWS = [
    (Scope(None), PERIOD),
    (Scope(None), replace(PERIOD, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))),
    (Scope(None), replace(PERIOD, county=A)),
    (Scope((B,)), PERIOD),
]


@pytest.fixture(scope="module", params=BACKENDS)
def conn(request, tmp_path_factory) -> Connection:
    with connected(request.param, tmp_path_factory.mktemp("activity_totals")) as connection:
        yield connection


def _units(conn, scope, filters, tier, group) -> pd.DataFrame:
    units = activities.units_of(conn, scope, filters, (tier,))
    return units.assign(code=units[f"{group}_code"], group_name=units[f"{group}_name"])


def _sizes(units: pd.DataFrame) -> pd.DataFrame:
    return units.groupby("code").agg(name=("group_name", "first"), units=("unit_id", "size"))


def _coverage(conn, scope, filters, tier, group) -> pd.DataFrame:
    units = _units(conn, scope, filters, tier, group)
    cells = evidence.activity_months(conn, scope, filters, tier).merge(units[["unit_id", "code"]], on="unit_id")
    flags = pd.DataFrame(
        {
            "code": cells["code"],
            "month": cells["month"],
            "active": cells["activities"] > 0,
            "met": cells["complete"] >= 1,
            "uploaded": cells["uploaded"] >= 1,
            "theory": cells["theory_lectures"] >= 1,
        }
    )
    counted = flags.groupby(["code", "month"])[["active", "met", "uploaded", "theory"]].sum()
    sizes = _sizes(units)
    grid = pd.MultiIndex.from_product([sizes.index, activities.period_months(filters)], names=["code", "month"])
    out = counted.reindex(grid, fill_value=0).reset_index().merge(sizes.reset_index(), on="code")
    return out[["code", "name", "units", "month", "active", "met", "uploaded", "theory"]]


def _rule_summary(conn, scope, filters, tier, group) -> pd.DataFrame:
    units = _units(conn, scope, filters, tier, group)
    cells = evidence.activity_months(conn, scope, filters, tier)
    met = cells[cells["complete"] >= 1].groupby("unit_id").size()
    months = len(activities.period_months(filters))
    units["met_months"] = units["unit_id"].map(met).fillna(0)
    units["every"] = units["met_months"] >= months
    out = units.groupby("code").agg(
        name=("group_name", "first"),
        units=("unit_id", "size"),
        met_months=("met_months", "sum"),
        every_month=("every", "sum"),
    )
    return out.reset_index()


def _meeting_coverage(conn, scope, filters, group) -> pd.DataFrame:
    units = _units(conn, scope, filters, "station", group)
    meetings = evidence.meeting_months(conn, scope, filters, "station")
    meetings = meetings.assign(quarter=[scoring.quarter_key(m) for m in meetings["month"]])
    held = meetings[meetings["meetings"] > 0].drop_duplicates(["unit_id", "quarter"])
    counted = held.merge(units[["unit_id", "code"]], on="unit_id").groupby(["code", "quarter"]).size().rename("met")
    sizes = _sizes(units)
    quarters = list(dict.fromkeys(scoring.quarter_key(m) for m in activities.period_months(filters)))
    grid = pd.MultiIndex.from_product([sizes.index, quarters], names=["code", "quarter"])
    out = counted.reindex(grid, fill_value=0).reset_index().merge(sizes.reset_index(), on="code")
    return out[["code", "name", "units", "quarter", "met"]]


def _chaxiang_coverage(conn, scope, filters) -> pd.DataFrame:
    year_start, year_end = year_to_end(filters)
    villages = evidence.chaxiang_villages(conn, scope, replace(filters, start=year_start, end=year_end))
    institutes = activities.units_of(conn, scope, filters, ("institute",))[["unit_id", "county_code", "county_name"]]
    villages = villages.merge(institutes, on="unit_id").drop_duplicates("village_code")
    per_county = villages.groupby(["county_code", "county_name"]).agg(
        villages=("village_code", "size"), covered=("lectures", lambda n: int((n > 0).sum()))
    )
    return per_county[per_county["covered"] > 0].reset_index()


def _rows(df: pd.DataFrame) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in df.itertuples(index=False)]


@pytest.mark.parametrize("view", range(len(VIEWS)))
@pytest.mark.parametrize("group", activities.GROUPS)
@pytest.mark.parametrize("tier", ["station", "institute"])
def test_coverage_and_rule_summary_equal_the_unit_by_unit_count(conn, view, group, tier) -> None:
    scope, filters = VIEWS[view]
    expected = _coverage(conn, scope, filters, tier, group)
    assert not expected.empty
    assert _rows(activities.coverage_of(activities.monthly_rule(conn, scope, filters, group, (tier,)), tier)) == _rows(
        expected
    )
    summary = activities.summary_of(
        activities.monthly_rule(conn, scope, filters, group, (tier,)), tier, len(activities.period_months(filters))
    )
    columns = ["code", "name", "units", "met_months", "every_month"]
    assert _rows(summary[columns]) == _rows(_rule_summary(conn, scope, filters, tier, group)[columns])


@pytest.mark.parametrize("view", range(len(VIEWS)))
@pytest.mark.parametrize("group", activities.GROUPS)
def test_meeting_coverage_equals_the_unit_by_unit_count(conn, view, group) -> None:
    scope, filters = VIEWS[view]
    expected = _meeting_coverage(conn, scope, filters, group)
    assert not expected.empty
    assert _rows(activities.meeting_coverage(conn, scope, filters, group)) == _rows(expected)


@pytest.mark.parametrize("view", range(len(VIEWS)))
def test_chaxiang_coverage_equals_the_village_by_village_count(conn, view) -> None:
    scope, filters = VIEWS[view]
    expected = _chaxiang_coverage(conn, scope, filters)
    got = activities.chaxiang_coverage(conn, scope, filters)
    assert _rows(got[["code", "name", "villages", "covered"]]) == _rows(expected)
    assert len(_chaxiang_coverage(conn, Scope(None), PERIOD)) == 1  # the fixture's one county with lectures
