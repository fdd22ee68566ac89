"""The pages of the dashboard, as data: a later page is one more row in :data:`PAGES`.

``app.py`` turns each row into an ``st.Page``; the first row is the default page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """One page: its script in ``pages/``, Chinese title, URL path and Material icon."""

    file: str
    title: str
    url_path: str
    icon: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "总览", "overview", ":material/dashboard:"),
    PageSpec("pages/units.py", "阵地", "units", ":material/location_on:"),
    PageSpec("pages/quality.py", "数据质量", "quality", ":material/fact_check:"),
)
