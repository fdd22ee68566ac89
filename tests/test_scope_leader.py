"""A leader of 晋源区 sees nothing of another district: every page, figure, row, map feature and export.

The oracle is a second database: the same demo with every row of every other district deleted. For
every page the leader may open (iterating navigation.PAGES, so later pages are covered too), the
page 李新春 (leader of 晋源区) sees on the full database must equal, element by element, the page he
sees on the 晋源区-only database: metrics, texts, tables, chart and map specifications, widget
options, and the content of every export (times of day set aside). Any figure that counted another
district, any row or map feature of one, would make them differ.

The same holds query by query: every ``data.run`` call of the leader's page carries his scope (never
a wider one), and its result equals the same query run unscoped on the 晋源区-only database; a query
that takes no scope must give the same on both databases (it reads nothing of any district). The
leader editing the URL to another district, township or station gets a notice and still nothing of it.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import delete, func, or_, select

from dashboard import clock
from dashboard.db import reader_engine, writer_engine
from dashboard.filters import Filters
from dashboard.models import Base
from dashboard.navigation import PAGES
from dashboard.scope import Scope
from tests.fixtures import FIXED_NOW, build_small_demo, database, summarise
from tests.support.apptest import texts
from tests.support.pictures import frame_picture, open_page, whole_picture

JINYUAN, QINGXU = "140110", "140121"
LEADER_SCOPE = Scope((JINYUAN,))
WHOLE_YEAR = {"period": "custom", "start": "2026-01-01", "end": FIXED_NOW.date().isoformat()}
LEADER_PAGES = [spec.url_path for spec in PAGES if "leader" in spec.roles]


def keep_only_county(url: str, county: str) -> None:
    """Delete every row of every other county (children first), and leaders left without a district."""
    tables = Base.metadata.tables
    engine = writer_engine(url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if "county_code" in table.c:
                conn.execute(delete(table).where(or_(table.c.county_code != county, table.c.county_code.is_(None))))
        region = tables["region"]
        conn.execute(delete(region).where(region.c.level != "city", func.substr(region.c.code, 1, 6) != county))
        leader, assignment = tables["leader"], tables["leader_assignment"]
        conn.execute(delete(leader).where(leader.c.id.not_in(select(assignment.c.leader_id))))
    engine.dispose()


@pytest.fixture(scope="module")
def two_databases(small_demo, backend, tmp_path_factory):
    """(the full small demo, the same demo with only 晋源区 left)."""
    full, _ = small_demo
    with database(backend, tmp_path_factory.mktemp(f"jinyuan-{backend}")) as only:
        build_small_demo(only)
        keep_only_county(only, JINYUAN)
        summarise(only)
        yield full, only


@pytest.fixture(scope="module")
def other_district(small_demo):
    """A township and a station of 清徐县, for URLs a leader of 晋源区 edits."""
    engine = reader_engine(small_demo[0])
    unit = Base.metadata.tables["unit"]
    with engine.connect() as conn:
        row = conn.execute(
            select(unit.c.id, unit.c.township_code).where(unit.c.county_code == QINGXU, unit.c.tier == "station")
        ).first()
    return {"county": QINGXU, "township": row.township_code, "station": str(row.id), "unit": str(row.id)}


def _variants(other: dict[str, str]) -> dict[str, dict[str, str]]:
    return {"whole-year": WHOLE_YEAR, "url-of-another-district": {**WHOLE_YEAR, **other}}


# ---------------------------------------------------------------------------------------------
# The comparisons


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):  # rows in any order (a query without
        return _sorted(a) == _sorted(b)  # ORDER BY may return them either way; the page test sees the order)
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "__dataclass_fields__") and type(a) is type(b):
        return _same(vars(a), vars(b))
    return a == b


def _sorted(df: pd.DataFrame) -> Any:
    picture = frame_picture(df)
    return picture["columns"], sorted(picture["data"], key=lambda row: [str(v) for v in row])


def _unscoped(args: tuple) -> tuple:
    return tuple(Scope(None) if isinstance(arg, Scope) else arg for arg in args)


@pytest.mark.parametrize("variant", ["whole-year", "url-of-another-district"])
@pytest.mark.parametrize("page", LEADER_PAGES)
def test_the_leader_page_equals_the_page_of_a_database_with_only_his_district(
    two_databases, other_district, page, variant, monkeypatch
):
    full, only = two_databases
    params = _variants(other_district)[variant]
    # both runs in one minute: the orders page counts and lists overdue orders as of the current minute
    minute = clock.local_now().replace(second=0, microsecond=0)
    monkeypatch.setattr(clock, "local_now", lambda: minute)
    leader, leader_rec = open_page(page, full, params, "leader")
    reference, reference_rec = open_page(page, only, params, "leader")

    assert [t.value for t in leader.title] != ["无权访问"]
    leader_picture = whole_picture(leader)
    reference_picture = whole_picture(reference)
    for i, (mine, theirs) in enumerate(zip(leader_picture, reference_picture, strict=False)):
        assert mine == theirs, f"{page}: element {i} differs"
    assert len(leader_picture) == len(reference_picture)
    assert leader_rec.downloads == reference_rec.downloads
    if variant == "url-of-another-district" and any(box.label == "区县" for box in leader.selectbox):
        assert "不在您的查看范围内" in texts(leader)  # a page with the filter bar says the district was dropped


@pytest.mark.parametrize("page", LEADER_PAGES)
def test_every_query_of_a_leader_page_carries_his_scope_and_reads_only_his_district(
    two_databases, other_district, page
):
    full, only = two_databases
    params = _variants(other_district)["url-of-another-district"]
    _at, recorder = open_page(page, full, params, "leader")
    assert recorder.calls
    full_engine, only_engine = reader_engine(full), reader_engine(only)
    with full_engine.connect() as full_conn, only_engine.connect() as only_conn:
        for fn, args in recorder.calls:
            name = f"{fn.__module__}.{fn.__qualname__}"
            if name == "queries.access.leader_counties":  # the one query that makes the scope
                continue
            if name == "queries.summaries.refreshed_at":  # a time, no district's rows: differs between the copies
                continue
            scopes = [arg for arg in args if isinstance(arg, Scope)]
            assert all(s == LEADER_SCOPE for s in scopes), f"{name} called with {scopes}"
            for arg in args:
                if isinstance(arg, Filters):
                    assert arg.county in (None, JINYUAN), f"{name} got another district's filter"
            assert _same(fn(full_conn, *args), fn(only_conn, *_unscoped(args))), f"{name}{args}"


def test_the_scope_alone_empties_another_district_even_if_a_filter_named_it(two_databases):
    """Defence in depth: were the URL check bypassed, the SQL scope still returns nothing of 清徐县."""
    from queries import overview, quality, units

    full, _ = two_databases
    other = Filters(pd.Timestamp("2026-01-01").date(), FIXED_NOW.date(), county=QINGXU, period_key="custom")
    with reader_engine(full).connect() as conn:
        assert overview.district_summary(conn, LEADER_SCOPE, other, 4).empty
        assert overview.status_totals(overview.order_counts(conn, LEADER_SCOPE, other)).empty
        assert overview.activity_count(conn, LEADER_SCOPE, other) == 0
        assert units.unit_list(conn, LEADER_SCOPE, other).empty
        assert units.map_units(conn, LEADER_SCOPE, other).empty
        assert all(check["count"] == 0 for check in quality.order_checks(conn, LEADER_SCOPE, other).values())
        assert not units.unit_list(conn, Scope(None), other).empty  # the same filter unscoped finds rows
