"""Shared fixtures: the backends every database test runs on, and the small demo built once per backend.

With ``DASHBOARD_REQUIRE_PG=1`` (set by .ci/run) an unreachable PostgreSQL, or any skipped
PostgreSQL test, fails the run instead of being skipped.
"""

from __future__ import annotations

import pytest

from tests.fixtures import REQUIRE_PG, build_small_demo, database, pg_available

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)]


def pytest_collection_modifyitems(items):
    """Tests parametrised with the postgresql backend carry the ``pg`` mark."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec and "postgresql" in callspec.id.split("-"):
            item.add_marker(pytest.mark.pg)


def require_pg() -> None:
    """Skip (or, in CI, fail) when the PostgreSQL server is not there."""
    reason = pg_available()
    if reason:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL tests are required (DASHBOARD_REQUIRE_PG=1) but {reason}")
        pytest.skip(reason)


_pg_outcomes = {"passed": 0, "skipped": 0}


def pytest_runtest_logreport(report):
    """Count PostgreSQL tests by outcome, to refuse a run that skipped them."""
    if "pg" in report.keywords and (report.when == "call" or report.skipped):
        if report.skipped:
            _pg_outcomes["skipped"] += 1
        elif report.passed:
            _pg_outcomes["passed"] += 1


def pytest_sessionfinish(session, exitstatus):
    """With DASHBOARD_REQUIRE_PG=1, a run that skipped or never ran PostgreSQL tests fails."""
    if REQUIRE_PG and (_pg_outcomes["skipped"] or not _pg_outcomes["passed"]) and session.testscollected:
        print(f"\nPostgreSQL tests required: {_pg_outcomes['passed']} passed, {_pg_outcomes['skipped']} skipped")
        session.exitstatus = 1


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    """'sqlite' or 'postgresql'."""
    if request.param == "postgresql":
        require_pg()
    return request.param


@pytest.fixture(scope="session")
def small_demo(backend, tmp_path_factory):
    """(url, build report) of the small demo on this backend, built once per session."""
    with database(backend, tmp_path_factory.mktemp(f"demo-{backend}")) as url:
        report = build_small_demo(url)
        yield url, report


@pytest.fixture(scope="module")
def demo(backend, request, tmp_path_factory):
    """URL of a small demo (1 % of city volume) of the requesting test module's own, which its tests may write
    to (the summary tests add and change rows, then refresh)."""
    with database(backend, tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2])) as url:
        build_small_demo(url, volume=0.01)
        yield url


@pytest.fixture
def empty_db(backend, tmp_path):
    """URL of an empty database of this backend, dropped after the test."""
    with database(backend, tmp_path) as url:
        yield url
