"""The demo build ends with fresh statistics: on PostgreSQL VACUUM (ANALYZE) of every table it wrote
and of the summaries its refresh rewrote (so index-only scans skip the heap), on SQLite ANALYZE
(dashboard.demo.build, dashboard.summaries.storage.vacuum_analyze)."""

from __future__ import annotations

from sqlalchemy import create_engine, text


def test_the_build_leaves_its_tables_analysed_and_on_postgresql_vacuumed(small_demo, backend):
    url, report = small_demo
    written = sorted(name for name, n in report.rows.items() if n)
    assert "service_order" in written
    engine = create_engine(url)
    with engine.connect() as conn:
        if backend == "sqlite":
            analysed = {row[0] for row in conn.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1"))}
            assert {"service_order", "volunteer", "activity"} <= analysed
            return
        rows = conn.execute(
            text(
                "SELECT s.relname, s.last_vacuum IS NOT NULL, s.last_analyze IS NOT NULL, c.relallvisible, c.relpages"
                " FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
                " WHERE s.schemaname IN ('public', 'dash')"
            )
        ).all()
    engine.dispose()
    state = {name: (vacuumed, analysed, visible, pages) for name, vacuumed, analysed, visible, pages in rows}
    for name in [*written, "order_months", "activity_days", "volunteer_area_months", "refresh_state"]:
        vacuumed, analysed, visible, pages = state[name]
        assert vacuumed and analysed, name
        assert visible == pages, name  # every page all-visible: index-only scans skip the heap
