"""`python -m dashboard.demo ensure` on a demo file built before the dashboard's summaries, or some of them,
existed."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from dashboard.db import reader_engine
from dashboard.demo import __main__ as demo_cli
from dashboard.summaries.storage import summary_file
from tests.fixtures import build_small_demo


def test_ensure_builds_the_missing_summaries_of_an_existing_demo(tmp_path, monkeypatch, capsys):
    db = tmp_path / "demo.sqlite"
    url = f"sqlite:///{db}"
    build_small_demo(url)
    dash = summary_file(url)
    dash.unlink()  # as a demo built by an earlier version: no summaries beside it
    monkeypatch.setattr(demo_cli, "DEMO_DB", db)
    monkeypatch.setattr(demo_cli, "demo_url", lambda: url)

    assert demo_cli.main(["ensure"]) == 0
    assert dash.is_file()
    engine = reader_engine(url)  # attaches the summary file, as the pages' engine does
    with engine.connect() as conn:
        summarised = conn.execute(text("SELECT sum(orders) FROM dash.order_months")).scalar_one()
        orders = conn.execute(text("SELECT count(*) FROM service_order")).scalar_one()
    engine.dispose()
    assert summarised == orders > 0
    assert "已补建看板汇总表" in capsys.readouterr().out

    built = dash.stat().st_mtime_ns
    assert demo_cli.main(["ensure"]) == 0  # summaries present: left to the feeder's refresh
    assert dash.stat().st_mtime_ns == built


def test_ensure_builds_a_summary_added_after_the_demo_was_built(tmp_path, monkeypatch, capsys):
    db = tmp_path / "demo.sqlite"
    url = f"sqlite:///{db}"
    build_small_demo(url)
    dash = summary_file(url)
    with sqlite3.connect(dash) as conn:  # as a summary file of a version without the hours summaries
        conn.execute("DELETE FROM refresh_state WHERE name = 'hours'")
        conn.execute("DROP TABLE volunteer_hours_months")
        conn.execute("DROP TABLE volunteer_hours_unit_months")
    monkeypatch.setattr(demo_cli, "DEMO_DB", db)
    monkeypatch.setattr(demo_cli, "demo_url", lambda: url)

    assert demo_cli.main(["ensure"]) == 0
    assert "已补建看板汇总表：hours" in capsys.readouterr().out
    engine = reader_engine(url)
    with engine.connect() as conn:
        summarised = conn.execute(text("SELECT sum(hours) FROM dash.volunteer_hours_months")).scalar_one()
        hours = conn.execute(text("SELECT sum(hours) FROM service_hours")).scalar_one()
    engine.dispose()
    assert summarised == pytest.approx(hours) and hours > 0
