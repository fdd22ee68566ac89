"""The reader engine's PostgreSQL session: read-only, bounded, without JIT, with a larger work_mem."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dashboard.db import reader_engine
from tests.conftest import require_pg
from tests.fixtures import fresh_pg_database

EXPECTED = {
    "default_transaction_read_only": "on",
    "statement_timeout": "20s",
    "jit": "off",
    "work_mem": "32MB",
}


@pytest.mark.pg
def test_reader_session_settings():
    require_pg()
    with fresh_pg_database() as url:
        engine = reader_engine(url)
        with engine.connect() as conn:
            shown = {name: conn.execute(text(f"SHOW {name}")).scalar_one() for name in EXPECTED}
        engine.dispose()
    assert shown == EXPECTED
