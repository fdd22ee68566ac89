"""The users file (dashboard.accounts), the lock-out book (dashboard.lockout) and the demo accounts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from dashboard import accounts, lockout, users_cli
from dashboard.accounts import Account, UsersFileError
from dashboard.lockout import Lockout
from tests.support import users

EXAMPLE = Path(__file__).resolve().parents[1] / ".streamlit" / "users.example.yaml"
HASH = users_cli.hash_password("x", rounds=4)


def _write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "users.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def _user(**changes) -> dict:
    return {"name": "李新春", "password": HASH, "roles": ["leader"], "leader_id": 1, **changes}


def test_a_valid_file_gives_accounts_settings_and_credentials(tmp_path):
    path = users.write(tmp_path / "u.yaml")
    loaded = accounts.load(path)
    assert loaded.accounts["leader"] == Account("leader", "李新春", "leader", 1)
    assert loaded.accounts["wall"] == Account("wall", "大屏测试", "wall", None)
    assert (loaded.cookie_name, loaded.max_failures, loaded.window_minutes) == ("wenming_test_auth", 3, 10.0)
    assert loaded.session_seconds("publicity") == 12 * 3600
    assert loaded.cookie_expiry_days == 30  # the longest role (wall, 720 h)
    credentials = loaded.credentials()
    assert credentials["usernames"]["admin"]["roles"] == ["admin"]
    assert credentials is not loaded.credentials()  # a fresh dict each time: the authenticator mutates it


def test_defaults_apply_when_settings_are_left_out(tmp_path):
    loaded = accounts.load(_write(tmp_path, {"credentials": {"usernames": {"lixinchun": _user()}}}))
    assert loaded.max_failures == accounts.DEFAULT_MAX_FAILURES
    assert loaded.window_minutes == accounts.DEFAULT_WINDOW_MINUTES
    assert loaded.session_hours == accounts.DEFAULT_SESSION_HOURS
    assert loaded.cookie_name == accounts.DEFAULT_COOKIE_NAME


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (_user(password="secret"), "bcrypt"),
        (_user(roles=["leader", "admin"]), "恰好含一个角色"),
        (_user(roles=["boss"]), "恰好含一个角色"),
        (_user(leader_id=None), "leader_id"),
        (_user(roles=["publicity"]), "不应填写 leader_id"),
        (_user(name=""), "缺少 name"),
        (_user(leaderid=1), "未知字段"),
    ],
)
def test_a_bad_account_is_refused_with_a_message_naming_it(tmp_path, entry, problem):
    with pytest.raises(UsersFileError) as caught:
        accounts.load(_write(tmp_path, {"credentials": {"usernames": {"lixinchun": entry}}}))
    assert "lixinchun" in caught.value.message and problem in caught.value.message


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"credentials": {"usernames": {"Li Xinchun": _user()}}}, "用户名"),
        ({"credentials": {"usernames": {}}}, "没有任何用户"),
        ({"lockout": {"max_failures": 0}, "credentials": {"usernames": {"a1": _user()}}}, "max_failures"),
        ({"lockout": {"window_minutes": -5}, "credentials": {"usernames": {"a1": _user()}}}, "window_minutes"),
        ({"session": {"hours": {"guest": 1}}, "credentials": {"usernames": {"a1": _user()}}}, "session.hours"),
        ({"api_key": "x", "credentials": {"usernames": {"a1": _user()}}}, "顶层"),
    ],
)
def test_bad_settings_are_refused(tmp_path, document, problem):
    with pytest.raises(UsersFileError, match=re.escape(problem)):
        accounts.load(_write(tmp_path, document))


def test_the_example_file_is_valid_once_its_passwords_are_replaced(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8")
    with pytest.raises(UsersFileError, match="bcrypt"):  # as shipped it cannot be used
        accounts.load(EXAMPLE)
    path = tmp_path / "users.yaml"
    path.write_text(text.replace("REPLACE_ME", HASH), encoding="utf-8")
    loaded = accounts.load(path)
    assert {a.role for a in loaded.accounts.values()} == set(accounts.ROLES)


def test_the_users_file_and_cookie_key_come_from_the_environment_or_secrets(tmp_path, monkeypatch):
    monkeypatch.delenv(accounts.USERS_FILE_ENV, raising=False)
    monkeypatch.delenv(accounts.COOKIE_KEY_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    if (accounts.ROOT / ".streamlit" / "secrets.toml").exists():
        pytest.skip("the project has a secrets.toml of its own")
    with pytest.raises(UsersFileError, match="尚未配置用户文件"):
        accounts.configured()
    with pytest.raises(UsersFileError, match="尚未配置登录密钥"):
        accounts.cookie_key()
    path = users.write(tmp_path / "from-secrets.yaml")
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        f'[auth]\nusers_file = "{path}"\ncookie_key = "{"k" * 40}"\n', encoding="utf-8"
    )
    assert accounts.configured().path == path
    assert accounts.cookie_key() == "k" * 40
    monkeypatch.setenv(accounts.COOKIE_KEY_ENV, "short")
    with pytest.raises(UsersFileError, match="至少 32 个字符"):
        accounts.cookie_key()


def test_a_changed_users_file_is_read_again(tmp_path, monkeypatch):
    path = users.write(tmp_path / "u.yaml")
    monkeypatch.setenv(accounts.USERS_FILE_ENV, str(path))
    assert "admin" in accounts.configured().accounts
    users.write(path, {"only": ("只有一个", "publicity", None, "p")})
    assert set(accounts.configured().accounts) == {"only"}


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_lockout_counts_failures_within_the_window_and_locks_for_the_window():
    clock = FakeClock()
    book = Lockout(max_failures=3, window_seconds=600, clock=clock)
    book.record_failure("a")
    clock.now += 100
    book.record_failure("a")
    assert not book.is_locked("a")
    clock.now += 100
    book.record_failure("a")  # third failure within 600 s: locked until now + 600
    assert book.locked_until("a") == clock.now + 600
    assert not book.is_locked("b")  # per username
    clock.now += 599
    book.record_failure("a")  # refused attempts while locked are not counted and do not extend the lock
    assert book.is_locked("a")
    clock.now += 1
    assert not book.is_locked("a")
    assert book.status(["a"])["a"].failures == 0  # the count starts again after the lock


def test_failures_spread_beyond_the_window_never_lock():
    clock = FakeClock()
    book = Lockout(max_failures=3, window_seconds=600, clock=clock)
    for _ in range(10):
        book.record_failure("a")
        clock.now += 301  # at most two failures within any 600 s
    assert not book.is_locked("a")
    assert book.status(["a"])["a"].failures == 1  # 301 s ago; the one before is 602 s old


def test_clear_forgets_failures_and_lock():
    book = Lockout(max_failures=1, window_seconds=60, clock=FakeClock())
    book.record_failure("a")
    assert book.is_locked("a")
    book.clear("a")
    assert book.status(["a"])["a"].locked_until is None


def test_the_shared_book_is_one_per_users_file_and_settings():
    first = lockout.shared("/tmp/test-shared-a.yaml", 3, 600)
    assert lockout.shared("/tmp/test-shared-a.yaml", 3, 600) is first
    assert lockout.shared("/tmp/test-shared-b.yaml", 3, 600) is not first
    assert lockout.shared("/tmp/test-shared-a.yaml", 4, 600) is not first  # settings changed: a new book


def test_demo_accounts_are_created_only_for_the_demo_database(tmp_path, monkeypatch):
    monkeypatch.setattr(users_cli, "DEMO_USERS_FILE", tmp_path / "demo_users.yaml")
    monkeypatch.setattr(users_cli, "DEMO_COOKIE_KEY_FILE", tmp_path / "demo_cookie_key")
    monkeypatch.delenv(accounts.USERS_FILE_ENV, raising=False)
    monkeypatch.delenv(accounts.COOKIE_KEY_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DASHBOARD_DB_URL", "postgresql+psycopg2://ro@db.example/dispatch")
    assert users_cli.demo_env() == []
    assert not (tmp_path / "demo_users.yaml").exists()

    monkeypatch.delenv("DASHBOARD_DB_URL")
    if accounts.users_file_path() is not None:
        pytest.skip("a users file is configured in the project's secrets.toml")
    lines = users_cli.demo_env()
    assert lines[0] == f"export {accounts.USERS_FILE_ENV}={tmp_path / 'demo_users.yaml'}"
    assert lines[1].startswith(f"export {accounts.COOKIE_KEY_ENV}=") and len(lines[1]) > 60
    demo = accounts.load(tmp_path / "demo_users.yaml")
    assert demo.accounts["lixinchun"] == Account("lixinchun", "李新春", "leader", 1)
    assert {a.role for a in demo.accounts.values()} == set(accounts.ROLES)
    assert (tmp_path / "demo_users.yaml").stat().st_mode & 0o077 == 0  # readable by its owner only
    assert users_cli.demo_env() == lines  # the second run reuses both files
