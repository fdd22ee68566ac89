"""Run a page of the app in ``streamlit.testing.v1.AppTest`` against a given database."""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.navigation import PAGES

ROOT = Path(__file__).resolve().parents[2]
PAGE_FILES = {spec.url_path: spec.file for spec in PAGES}


@contextmanager
def _env(values: Mapping[str, str]):
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


def run_page(url_path: str, db_url: str, params: Mapping[str, str] | None = None, timeout: float = 120) -> AppTest:
    """The app after one run of the page at ``url_path``, reading ``db_url``, with URL ``params``."""
    with _env({"DASHBOARD_DB_URL": db_url}):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        at.run()
        if PAGES[0].url_path != url_path:
            at.switch_page(PAGE_FILES[url_path])
            at.run()
    return at


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
