"""Known databases for the tests: the demo at a small volume, on SQLite files and fresh PostgreSQL databases.

The demo builder refreshes the dashboard's summaries itself; hand-made fixtures call :func:`summarise`.

PostgreSQL tests create a database of their own (``dash_test_<pid>_<n>``) on the server named by
``DASHBOARD_TEST_PG_URL`` and drop it afterwards, so runs never see each other's leftovers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dashboard.demo.build import BuildOptions, build
from dashboard.summaries.refresh import SUMMARIES, refresh

PG_ADMIN_URL = os.environ.get("DASHBOARD_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("DASHBOARD_REQUIRE_PG") == "1"
FIXED_NOW = dt.datetime(2026, 11, 20, 15, 30, 0)
SMALL = BuildOptions(scale="city", seed=7, years=1, volume=0.02, now=FIXED_NOW, bad_rows=0, quiet=True)
_counter = itertools.count(1)


def pg_available() -> str | None:
    """None when the PostgreSQL server answers, else the reason it does not."""
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means: no server for the tests
        return f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc.__class__.__name__}: {exc}"


@contextlib.contextmanager
def fresh_pg_database():
    """Create an empty database on the test server, yield its URL, drop it afterwards."""
    name = f"dash_test_{os.getpid()}_{next(_counter)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def database(backend: str, tmp_dir):
    """An empty database of the given backend ('sqlite' or 'postgresql'); yields its URL."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_dir / f'db{next(_counter)}.sqlite'}"
    else:
        with fresh_pg_database() as url:
            yield url


def summarise(url: str) -> None:
    """Rebuild the dashboard's summaries of a fixture database, as the demo builder does at its end.

    Every fixture that writes the platform's tables calls it once its rows are in.
    """
    refresh(url, full=True)


def hows_with_nothing_new() -> dict[str, str]:
    """What a refresh that finds nothing new does to each summary: recounts the whole ones (``Summary.whole``),
    rebuilds the recent rows of those that keep them for their readers (``Summary.recent_rebuilt``), leaves the
    rest."""
    return {s.name: "full" if s.whole else "incremental" if s.recent_rebuilt else "unchanged" for s in SUMMARIES}


def build_small_demo(url: str, **changes) -> object:
    """The demo at 2% of city volume over one year ending at FIXED_NOW; returns the build report."""
    from dataclasses import replace

    return build(url, replace(SMALL, **changes))
