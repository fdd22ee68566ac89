"""dashboard.data: reference lists live in their own, longer-lived cache; figures in the refresh cache."""

from __future__ import annotations

import pytest

from dashboard import data, settings
from dashboard.errors import DashboardError
from dashboard.scope import Scope
from queries import regions, units


def test_reference_lists_outlive_the_refresh_interval():
    assert settings.reference_seconds() > settings.refresh_seconds()


def test_reference_queries_use_the_reference_cache_and_figures_do_not(small_demo, monkeypatch):
    url, _ = small_demo
    monkeypatch.setenv(settings.DB_URL_ENV, url)

    def refresh_cache_unavailable(*_args):
        raise RuntimeError("the refresh cache was asked")

    monkeypatch.setattr(data, "cached_query", refresh_cache_unavailable)
    monkeypatch.setattr(data, "_note_fetch", lambda _fetched: None)
    names = data.run(regions.counties, Scope(("140110",)))["name"].tolist()
    assert names == ["晋源区"]
    assert set(data.run(regions.townships, Scope(("140110",)))["county_code"]) == {"140110"}
    with pytest.raises(DashboardError):
        data.run(units.tier_counts, Scope(None), None)
