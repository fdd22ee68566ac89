"""The pages of the dashboard, as data: a later page is one more row in :data:`PAGES`.

``app.py`` turns each row into an ``st.Page``; the first row is the default page.
``roles`` says who may open a page (``dashboard.auth`` builds each visitor's menu from it): by
default the office roles (publicity, leader, admin); the wall screen also the ``wall`` role.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.accounts import ROLES

ALL_ROLES: tuple[str, ...] = ROLES  # the wall screen's row: every role may open it
OFFICE_ROLES: tuple[str, ...] = ("publicity", "leader", "admin")
ADMIN_ONLY: tuple[str, ...] = ("admin",)


@dataclass(frozen=True)
class PageSpec:
    """One page: its script in ``pages/``, Chinese title, URL path, Material icon and the roles that may open it."""

    file: str
    title: str
    url_path: str
    icon: str
    roles: tuple[str, ...] = OFFICE_ROLES


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "总览", "overview", ":material/dashboard:"),
    PageSpec("pages/units.py", "阵地", "units", ":material/location_on:"),
    PageSpec("pages/quality.py", "数据质量", "quality", ":material/fact_check:"),
    PageSpec("pages/wall.py", "大屏", "wall", ":material/tv:", roles=ALL_ROLES),
    PageSpec("pages/orders.py", "订单", "orders", ":material/assignment:"),
    PageSpec("pages/volunteers.py", "志愿者", "volunteers", ":material/volunteer_activism:"),
    PageSpec("pages/projects.py", "项目", "projects", ":material/account_tree:"),
    PageSpec("pages/activities.py", "活动", "activities", ":material/event_available:"),
    PageSpec("pages/publicity.py", "宣传", "publicity", ":material/campaign:"),
    PageSpec("pages/scorecards.py", "评估考核", "scorecards", ":material/military_tech:"),
    PageSpec("pages/rankings.py", "实践排行", "rankings", ":material/leaderboard:"),
    PageSpec("pages/users.py", "用户", "users", ":material/manage_accounts:", roles=ADMIN_ONLY),
)
