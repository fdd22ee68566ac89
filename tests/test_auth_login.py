"""Log-in through the real form (AppTest): wrong passwords, lock-out with a window, session expiry,
log-out, removed accounts, a broken configuration; logged out, no page shows anything."""

from __future__ import annotations

import time

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from dashboard import auth, data, lockout
from dashboard.navigation import PAGES
from tests.support import users
from tests.support.apptest import ROOT, open_url_path, run_page, temporary_env, texts

WHOLE_YEAR = {"period": "custom", "start": "2026-01-01", "end": "2026-11-20"}


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def like_a_running_server(monkeypatch):
    """AppTest turns Streamlit's legacy pages/ flag back on before every run, so every run of a page
    other than the first starts that page's file directly and reruns it through app.py, losing the
    clicks of that run. A server does so at most once (dashboard/shell.py); keep the flag off here."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def db_url(small_demo):
    return small_demo[0]


@pytest.fixture
def own_users(tmp_path):
    """A users file of this test only (its lock-out book is its own), and the environment using it."""
    path = users.write(tmp_path / "users.yaml")
    return path, {"DASHBOARD_USERS_FILE": str(path)}


def _session(db_url: str, env: dict[str, str] | None = None) -> AppTest:
    """A fresh browser session on the default page, logged out."""
    with temporary_env({"DASHBOARD_DB_URL": db_url, **users.env(), **(env or {})}):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params.update(WHOLE_YEAR)
        at.run()
    return at


def _submit(at: AppTest, db_url: str, username: str, password: str, env: dict[str, str] | None = None) -> AppTest:
    with temporary_env({"DASHBOARD_DB_URL": db_url, **users.env(), **(env or {})}):
        next(t for t in at.text_input if t.label == "用户名").input(username)
        next(t for t in at.text_input if t.label == "密码").input(password)
        next(b for b in at.button if b.label == "登录").click()
        at.run()
    return at


def _rerun(at: AppTest, db_url: str, env: dict[str, str] | None = None) -> AppTest:
    with temporary_env({"DASHBOARD_DB_URL": db_url, **users.env(), **(env or {})}):
        at.run()
    return at


def _shows_form(at: AppTest) -> bool:
    return {t.label for t in at.text_input} >= {"用户名", "密码"}


def _logged_in_as(at: AppTest) -> str | None:
    return at.session_state["username"] if at.session_state["authentication_status"] else None


@pytest.mark.parametrize("page", [spec.url_path for spec in PAGES])
def test_logged_out_every_url_shows_only_the_form_and_reads_no_data(db_url, page, monkeypatch):
    calls = []
    monkeypatch.setattr(data, "run", lambda fn, *args: calls.append(fn) or pytest.fail("data read"))
    at = run_page(page, db_url, WHOLE_YEAR, user=None)
    assert not at.exception
    assert _shows_form(at)
    assert calls == []
    assert not at.metric and not at.dataframe
    assert [e.value for e in at.title] == [auth.APP_NAME] and len(at.sidebar.button) == 0


def test_wrong_password_and_unknown_user_are_refused_with_one_message(db_url):
    at = _submit(_session(db_url), db_url, "publicity", "wrong")
    assert auth.WRONG_PASSWORD in texts(at)
    assert _shows_form(at) and _logged_in_as(at) is None
    at = _submit(_session(db_url), db_url, "nobody", "whatever")
    assert auth.WRONG_PASSWORD in texts(at) and not at.exception


def test_the_right_password_logs_in_and_the_next_run_shows_the_role_pages(db_url):
    at = _submit(_session(db_url), db_url, "Leader ", "leader-pass-1")  # user names are trimmed, lower-cased
    assert "登录成功" in texts(at)
    assert _logged_in_as(at) == "leader"
    at = _rerun(at, db_url)  # in a browser the cookie component reruns the app by itself
    assert not _shows_form(at)
    assert [t.value for t in at.title] == ["总览"]
    assert "李新春" in at.sidebar.markdown[0].value and "查看范围：晋源区" in texts(at)
    assert any(m.label == "中心" and m.value == "1" for m in at.metric)  # one district: 晋源区


def test_lockout_refuses_even_the_right_password_until_the_window_passes(db_url, own_users):
    path, env = own_users
    clock = FakeClock()
    book = lockout.shared(str(path), users.LOCKOUT["max_failures"], users.LOCKOUT["window_minutes"] * 60, clock)
    for attempt in range(users.LOCKOUT["max_failures"]):  # each in a new session: the count is per server
        at = _submit(_session(db_url, env), db_url, "publicity", f"wrong-{attempt}", env)
        assert auth.WRONG_PASSWORD in texts(at)
    assert book.is_locked("publicity")

    at = _submit(_session(db_url, env), db_url, "publicity", "publicity-pass-1", env)
    assert "已暂时锁定" in texts(at) and _logged_in_as(at) is None
    clock.now += users.LOCKOUT["window_minutes"] * 60 - 1
    at = _submit(_session(db_url, env), db_url, "publicity", "publicity-pass-1", env)
    assert "已暂时锁定" in texts(at) and _logged_in_as(at) is None
    at = _submit(_session(db_url, env), db_url, "admin", "admin-pass-1", env)  # other accounts are not locked
    assert _logged_in_as(at) == "admin"

    clock.now += 1  # the window has passed
    at = _submit(_session(db_url, env), db_url, "publicity", "publicity-pass-1", env)
    assert _logged_in_as(at) == "publicity"
    assert book.status(["publicity"])["publicity"].failures == 0


def test_a_success_clears_earlier_failures(db_url, own_users):
    path, env = own_users
    book = lockout.shared(str(path), users.LOCKOUT["max_failures"], users.LOCKOUT["window_minutes"] * 60)
    for _ in range(users.LOCKOUT["max_failures"] - 1):
        _submit(_session(db_url, env), db_url, "leader", "wrong", env)
    assert book.status(["leader"])["leader"].failures == users.LOCKOUT["max_failures"] - 1
    assert _logged_in_as(_submit(_session(db_url, env), db_url, "leader", "leader-pass-1", env)) == "leader"
    assert book.status(["leader"])["leader"].failures == 0


@pytest.mark.parametrize(("user", "hours_ago", "still_in"), [("publicity", 13, False), ("wall", 13, True)])
def test_a_log_in_older_than_its_role_lifetime_ends(db_url, user, hours_ago, still_in):
    with temporary_env({"DASHBOARD_DB_URL": db_url, **users.env()}):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params.update(WHOLE_YEAR)
        users.log_in(at, user)
        at.session_state[auth.SINCE_KEY] = time.time() - hours_ago * 3600
        at.run()
    assert (_logged_in_as(at) == user) is still_in
    if not still_in:
        assert _shows_form(at) and "登录已超过有效期（12 小时）" in texts(at)


def test_log_out_ends_the_session(db_url):
    at = run_page("units", db_url, WHOLE_YEAR, user="leader")
    assert [t.value for t in at.title] == ["阵地"]
    at.sidebar.button(key="auth_logout").click()
    at = _rerun(at, db_url)
    assert _shows_form(at) and auth.LOGGED_OUT in texts(at)
    assert _logged_in_as(at) is None and not at.dataframe
    assert at.session_state["logout"] is True  # the authenticator ignores the cookie for the rest of the session
    at = _rerun(at, db_url)
    assert _shows_form(at)


def test_an_account_removed_from_the_file_is_logged_out(db_url, own_users):
    path, env = own_users
    at = run_page("overview", db_url, WHOLE_YEAR, user="publicity", env=env)
    assert _logged_in_as(at) == "publicity"
    users.write(path, {"admin": users.TEST_ACCOUNTS["admin"]})
    at = _rerun(at, db_url, env)
    assert _shows_form(at) and not at.metric


def test_a_deep_link_opens_after_log_in(db_url):
    with temporary_env({"DASHBOARD_DB_URL": db_url, **users.env()}):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params.update(WHOLE_YEAR)
        at.run()
        open_url_path(at, "quality").run()
    assert _shows_form(at)
    at = _rerun(_submit(at, db_url, "publicity", "publicity-pass-1"), db_url)
    assert [t.value for t in at.title] == ["数据质量"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DASHBOARD_USERS_FILE": "/nonexistent/users.yaml"}, "找不到用户文件"),
        ({"DASHBOARD_COOKIE_KEY": "too-short"}, "尚未配置登录密钥"),
    ],
)
def test_a_broken_configuration_shows_one_message_and_no_page(db_url, env, message):
    at = run_page("overview", db_url, WHOLE_YEAR, env=env)
    assert not at.exception
    assert [e.value for e in at.error] and all(message in e.value for e in at.error)
    assert not at.metric and not _shows_form(at)


def test_a_users_file_with_a_plain_password_is_refused(db_url, tmp_path):
    path = tmp_path / "users.yaml"
    path.write_text("credentials:\n  usernames:\n    a1: {name: 甲, password: secret, roles: [admin]}\n", "utf-8")
    at = run_page("overview", db_url, WHOLE_YEAR, env={"DASHBOARD_USERS_FILE": str(path)})
    assert any("bcrypt" in e.value for e in at.error) and not at.metric


def test_the_user_list_shows_roles_districts_and_locks_and_unlocks(db_url, own_users):
    path, env = own_users
    book = lockout.shared(str(path), users.LOCKOUT["max_failures"], users.LOCKOUT["window_minutes"] * 60)
    for _ in range(users.LOCKOUT["max_failures"]):
        book.record_failure("publicity")
    at = run_page("users", db_url, user="admin", env=env)
    table = at.dataframe[0].value.set_index("用户名")
    assert list(table.index) == list(users.TEST_ACCOUNTS)
    assert table.loc["leader", "挂点领导"] == "李新春（市委副书记）"
    assert table.loc["leader", "查看范围"] == "晋源区"
    assert table.loc["admin", "角色"] == "管理员" and table.loc["admin", "查看范围"] == "全部区县"
    assert table.loc["publicity", "登录状态"].startswith("已锁定")
    assert any(m.label == "当前锁定" and m.value == "1" for m in at.metric)
    at.button(key="auth_unlock").click()
    at = _rerun(at, db_url, env)
    assert not book.is_locked("publicity")
    assert at.dataframe[0].value.set_index("用户名").loc["publicity", "登录状态"] == "正常"
