"""The benchmark's own machinery on the small demo: the recorded calls of a page, the timings'
shape, the tables a page reads, and the Parquet → SQLite copy holding exactly the source's rows."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text

from bench import copy, parquet, recorder, references, timing
from dashboard.models import Base


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in Base.metadata.sorted_tables
        }
    engine.dispose()
    return counts


def test_overview_records_its_calls_and_times_them(small_demo):
    url, _report = small_demo
    rec = recorder.record("overview", "city·month", url, {"period": "month"})
    assert rec.error is None
    names = [c.name for c in rec.calls]
    for expected in ("overview.order_counts", "overview.district_areas", "units.tier_counts"):
        assert expected in names
    assert len(names) == len(set((c.name, repr(c.args)) for c in rec.calls))  # no call recorded twice
    times, captured = timing.time_page(url, rec.calls, runs=2)
    assert times.cold > 0 and times.warm > 0
    assert set(times.per_call) == set(names)
    assert {"service_order", "unit", "region"} <= set(captured.columns)
    assert "category" in captured.columns["service_order"]


def test_unknown_page_is_reported_not_raised(small_demo):
    url, _report = small_demo
    rec = recorder.record("no-such-page", "city·month", url, {"period": "month"})
    assert rec.error is not None


@pytest.mark.parametrize("table", ["service_order", "volunteer", "unit"])
def test_copy_holds_the_same_rows(small_demo, tmp_path, table):
    url, _report = small_demo
    exported, _seconds = parquet.export(create_engine(url), tmp_path / "parquet")
    copied_url = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    rows, _seconds = copy.load_sqlite(tmp_path / "parquet", copied_url)
    source, copied = _counts(url), _counts(copied_url)
    assert rows == exported == sum(source.values())
    assert copied == source
    column = {"service_order": "placed_at", "volunteer": "registered_on", "unit": "opened_on"}[table]
    t = Base.metadata.tables[table]
    query = select(func.min(t.c[column]), func.max(t.c[column]), func.count(t.c[column]))
    with create_engine(url).connect() as a, create_engine(copied_url).connect() as b:
        assert a.execute(query).one() == b.execute(query).one()


def test_duckdb_reference_reads_the_summaries_as_postgresql_does(small_demo, tmp_path):
    """The DuckDB reference replays PostgreSQL's statements, which read the summaries of schema dash."""
    url, _report = small_demo
    engine = create_engine(url)
    parquet.export(engine, tmp_path / "parquet")
    db = parquet.connect(tmp_path / "parquet")
    assert db.execute("SELECT count(*) FROM service_order").fetchone()[0] == _counts(url)["service_order"]
    if engine.dialect.name != "postgresql":  # an SQLite export holds the platform's tables only
        assert not list((tmp_path / "parquet").glob("dash.*"))
        return
    # queries.common.any_of's PostgreSQL form, which DuckDB runs rewritten (references.for_duckdb)
    listed = (
        "SELECT count(*) FROM service_order WHERE station_id = ANY(ARRAY(SELECT id FROM unit WHERE tier = 'station'))"
    )
    with engine.connect() as conn:
        on_pg = conn.execute(text(listed)).scalar_one()
    assert on_pg > 0 and db.execute(references.for_duckdb(listed)).fetchone()[0] == on_pg
    statement = "SELECT month, sum(orders) FROM dash.order_months GROUP BY month ORDER BY month"
    with engine.connect() as conn:
        expected = [tuple(row) for row in conn.execute(text(statement))]
    assert expected  # the small demo's summaries are not empty
    assert [(month, int(n)) for month, n in db.execute(statement).fetchall()] == [(m, int(n)) for m, n in expected]
    engine.dispose()
