"""Log-in in real headless Chromium: the form, the cookie across a reload, the menu of a role, a
refusal at a forbidden URL, log-out, the lock-out, and hostile names that render as text."""

from __future__ import annotations

import time

import jwt
import pytest

from dashboard import auth
from dashboard.navigation import PAGES
from tests.fixtures import FIXED_NOW, build_small_demo
from tests.support import users
from tests.support.browser import chromium_page, exceptions_on_page, external_requests, log_in, screenshot, wait_for_app
from tests.support.server import streamlit_server
from tests.test_escaping import IMG, make_hostile

pytestmark = pytest.mark.browser

QUERY = f"?period=custom&start=2026-01-01&end={FIXED_NOW.date().isoformat()}"
SETTLE_MS = 1500  # the cookie component reruns the app once after loading; let that pass too


def _settle(page) -> None:
    wait_for_app(page, quiet_ms=SETTLE_MS)


def _auth_cookie(page) -> list[dict]:
    return [c for c in page.context.cookies() if c["name"] == users.COOKIE_NAME]


def _menu(page) -> list[str]:
    nav = page.locator("[data-testid=stSidebarNav]")
    return [line.strip() for line in nav.inner_text().splitlines() if line.strip()] if nav.count() else []


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a fresh SQLite demo with its own users file (its lock-out is this server's)."""
    folder = tmp_path_factory.mktemp("login-browser")
    url = f"sqlite:///{folder / 'demo.sqlite'}"
    build_small_demo(url)
    env = {"DASHBOARD_DB_URL": url, "DASHBOARD_REFRESH_SECONDS": "3600", **users.env(users.write(folder / "u.yaml"))}
    with streamlit_server("app.py", env) as base:
        yield base


def test_log_in_keeps_the_deep_link_survives_a_reload_and_log_out_ends_it(server):
    with chromium_page(user=None) as (page, recorded):
        page.goto(f"{server}/units{QUERY}")
        _settle(page)
        assert page.get_by_label("用户名").is_visible() and _menu(page) == []
        screenshot(page, "login-form")

        log_in(page, "leader", "leader-pass-1")
        page.get_by_role("button", name="退出登录").wait_for()
        _settle(page)
        assert page.locator("h1").first.inner_text() == "阵地"  # the page the link asked for
        sidebar = page.locator("[data-testid=stSidebar]").inner_text()
        assert "李新春" in sidebar and "查看范围：晋源区" in sidebar
        assert "用户" not in _menu(page) and "阵地" in _menu(page)
        assert _auth_cookie(page), "the log-in cookie was not stored"
        screenshot(page, "login-leader-units")

        page.reload()
        _settle(page)
        assert page.get_by_role("button", name="退出登录").is_visible()  # logged back in by the cookie

        page.goto(f"{server}/users")
        _settle(page)
        assert page.locator("h1").first.inner_text() == "无权访问"
        assert "无权打开“用户”页面" in page.locator("[data-testid=stMain]").inner_text()
        screenshot(page, "login-refused")

        page.get_by_role("button", name="退出登录").click()
        # while the log-out run draws the form, the previous form can linger as a stale element for a moment
        page.get_by_label("用户名").first.wait_for()
        _settle(page)
        assert page.get_by_label("用户名").count() == 1  # once the run is over, one form
        assert auth.LOGGED_OUT in page.locator("[data-testid=stMain]").inner_text()
        assert not _auth_cookie(page)
        page.reload()
        _settle(page)
        assert page.get_by_label("用户名").is_visible()  # the cookie is gone: still logged out
        assert exceptions_on_page(page) == []
        assert external_requests(recorded) == []
        assert recorded.page_errors == []


def test_the_admin_sees_the_user_list(server):
    with chromium_page(user=None) as (page, _):
        page.goto(f"{server}/users")
        _settle(page)
        log_in(page, "admin", "admin-pass-1")
        page.get_by_role("button", name="退出登录").wait_for()
        _settle(page)
        assert "用户" in _menu(page)
        assert page.locator("h1").first.inner_text() == "用户"
        assert page.locator("[data-testid=stDataFrame]").count() == 1
        screenshot(page, "login-admin-users")


def test_after_too_many_failures_even_the_right_password_is_refused(server):
    with chromium_page(user=None) as (page, _):
        page.goto(f"{server}/")
        _settle(page)
        for attempt in range(users.LOCKOUT["max_failures"]):
            log_in(page, "wall", f"wrong-{attempt}")
            page.get_by_text(auth.WRONG_PASSWORD).first.wait_for()
        log_in(page, "wall", "wall-pass-1")
        page.get_by_text("已暂时锁定").first.wait_for()
        assert not page.get_by_role("button", name="退出登录").count()
        screenshot(page, "login-locked")


def test_hostile_names_render_as_text_and_run_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'hostile.sqlite'}"
    build_small_demo(url)
    make_hostile(url)
    with streamlit_server("app.py", {"DASHBOARD_DB_URL": url}) as base, chromium_page(user="admin") as (page, _):
        shown_as_text = []
        for spec in PAGES:
            page.goto(f"{base}/{spec.url_path}{QUERY}")
            _settle(page)
            assert page.evaluate("typeof window.xss") == "undefined", spec.url_path
            assert page.locator('img[src="x"], svg[onload]').count() == 0, spec.url_path
            assert page.get_by_role("link", name="点此").count() == 0, spec.url_path  # a name's markdown link
            if IMG in page.locator("[data-testid=stApp]").inner_text():
                shown_as_text.append(spec.url_path)
        assert shown_as_text, "no page shows a hostile name as text"
        assert page.evaluate("typeof window.xss") == "undefined"


def test_the_wall_account_opens_the_wall_screen_at_its_url_and_at_the_root(server):
    with chromium_page(user="wall") as (page, _):
        page.goto(f"{server}/wall?kiosk=1")
        _settle(page)
        assert page.locator("[role=dialog]").count() == 0  # no "page not found"
        assert page.get_by_text("指挥调度大屏").count() and not page.get_by_text("无权访问").count()
        page.goto(f"{server}/")
        _settle(page)
        assert page.url.split("?")[0].endswith("/wall")
        page.goto(f"{server}/overview")
        _settle(page)
        assert page.locator("h1").first.inner_text() == "无权访问"


@pytest.mark.parametrize(
    ("value", "notice"),
    [
        (lambda: users.cookie("publicity", issued=time.time() - 13 * 3600), "登录已超过有效期（12 小时）"),
        (lambda: users.cookie("wall", issued=time.time() - 13 * 3600), None),  # the wall stays for 720 h
        (lambda: jwt.encode({"username": "admin", "exp_date": time.time() + 9e5}, "x" * 40, "HS256"), ""),
    ],
    ids=["office-cookie-too-old", "wall-cookie-13-hours", "forged-cookie"],
)
def test_a_cookie_logs_in_only_within_its_role_lifetime_and_with_our_key(server, value, notice):
    with chromium_page(user=None) as (page, _):
        page.context.add_cookies([{"name": users.COOKIE_NAME, "value": value(), "url": "http://127.0.0.1"}])
        page.goto(f"{server}/wall")
        _settle(page)
        logged_in = page.get_by_role("button", name="退出登录").count() > 0 or page.get_by_text("指挥调度大屏").count()
        assert bool(logged_in) is (notice is None)
        if notice:
            assert notice in page.locator("[data-testid=stMain]").inner_text()
