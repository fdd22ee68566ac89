"""Run a page of the app in ``streamlit.testing.v1.AppTest`` against a given database, logged in.

``run_page(..., user=...)`` logs the run in as one of the test accounts of ``tests.support.users``
(``wall``, ``publicity``, ``leader`` = 李新春 of 晋源区, ``admin``); by default as ``publicity`` when
that role may open the page (every district, personal data masked), else as an account that may.
``user=None`` runs it logged out (the log-in form).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard.navigation import PAGES
from tests.support import users

ROOT = Path(__file__).resolve().parents[2]
PAGE_FILES = {spec.url_path: spec.file for spec in PAGES}


@contextmanager
def temporary_env(values: Mapping[str, str]):
    """Set the environment variables ``values`` inside the ``with`` block; restore the earlier ones after it."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


PAGE_DEFAULT = "<an account that may open the page>"


def default_user(url_path: str) -> str:
    """``publicity`` when that role may open the page, else the first test account whose role may."""
    roles = next(spec.roles for spec in PAGES if spec.url_path == url_path)
    candidates = [users.DEFAULT_USER, *users.TEST_ACCOUNTS]
    return next(name for name in candidates if users.TEST_ACCOUNTS[name][1] in roles)


def open_url_path(at: AppTest, url_path: str) -> AppTest:
    """Make the next run open the page at ``/url_path``, as a browser does for that URL (st.Page hashes
    its url_path; unlike ``switch_page`` this also reaches pages that show a refusal instead of a file)."""
    at._page_hash = calc_hash(url_path)
    return at


def run_page(
    url_path: str,
    db_url: str,
    params: Mapping[str, str] | None = None,
    timeout: float = 120,
    user: str | None = PAGE_DEFAULT,
    env: Mapping[str, str] | None = None,
) -> AppTest:
    """The app after one run of the page at ``url_path``, reading ``db_url``, with URL ``params``,
    logged in as the test account ``user`` (see the module docstring); ``env`` adds variables."""
    if user == PAGE_DEFAULT:
        user = default_user(url_path)
    with temporary_env({"DASHBOARD_DB_URL": db_url, **users.env(), **(env or {})}):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        if user is not None:
            users.log_in(at, user)
        at.run()
        if user is None or url_path != _first_page_of(user):  # the first run showed the default page
            open_url_path(at, url_path).run()
    return at


def _first_page_of(user: str) -> str | None:
    role = users.TEST_ACCOUNTS[user][1]
    return next((spec.url_path for spec in PAGES if role in spec.roles), None)


def texts(at: AppTest) -> str:
    """Every text the page shows in markdown, captions, metrics, alerts and titles, joined by newlines."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label}: {m.value}" for m in at.metric]
    return "\n".join(parts)


def metric(at: AppTest, label: str) -> str:
    """The value shown by the metric called ``label``."""
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}; metrics: {[m.label for m in at.metric]}")
