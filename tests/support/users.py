"""Test accounts: a users file with one account per role, the environment that points the app at it,
and ways to be logged in without the form (AppTest session state, a signed cookie for Chromium).

The file is written once per test process into a temporary folder (bcrypt cost 4, for speed).
``leader`` is 李新春, leader 1 of the demo: 晋源区 (140110).
"""

from __future__ import annotations

import tempfile
import time
from functools import lru_cache
from pathlib import Path

import jwt

from dashboard import accounts
from dashboard.users_cli import users_document, write_users_file

COOKIE_KEY = "test-cookie-key-0123456789-abcdefghijklmnopqrstuvwxyz"
COOKIE_NAME = "wenming_test_auth"
DEFAULT_USER = "publicity"  # sees every district and page but the user list, with personal data masked
JINYUAN = "140110"
# username: (name, role, leader_id, password)
TEST_ACCOUNTS: dict[str, tuple[str, str, int | None, str]] = {
    "wall": ("大屏测试", "wall", None, "wall-pass-1"),
    "publicity": ("宣传部测试", "publicity", None, "publicity-pass-1"),
    "leader": ("李新春", "leader", 1, "leader-pass-1"),
    "admin": ("管理员测试", "admin", None, "admin-pass-1"),
}
SESSION = {"cookie_name": COOKIE_NAME, "hours": {"wall": 720, "publicity": 12, "leader": 12, "admin": 8}}
LOCKOUT = {"max_failures": 3, "window_minutes": 10}


def write(path: Path, entries: dict | None = None, **sections) -> Path:
    """Write a users file of test accounts (default: :data:`TEST_ACCOUNTS`) with the test settings."""
    settings = {"session": SESSION, "lockout": LOCKOUT, **sections}
    document = users_document(entries or TEST_ACCOUNTS, rounds=4, **settings)
    write_users_file(path, document)
    return path


@lru_cache(maxsize=1)
def users_file() -> Path:
    """The shared test users file (written on first use)."""
    return write(Path(tempfile.mkdtemp(prefix="dashboard-users-")) / "users.yaml")


def env(path: Path | None = None) -> dict[str, str]:
    """Environment variables that make the app read a users file (default: the shared one) and the test key."""
    return {accounts.USERS_FILE_ENV: str(path or users_file()), accounts.COOKIE_KEY_ENV: COOKIE_KEY}


def log_in(at, username: str) -> None:
    """Make an AppTest session logged in as ``username``, as the authenticator leaves it after a log-in."""
    name, role, _leader, _password = TEST_ACCOUNTS[username]
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["name"] = name
    at.session_state["roles"] = [role]
    at.session_state["logout"] = None


def cookie(username: str, issued: float | None = None, days: float = 30) -> str:
    """A log-in cookie value for ``username`` signed with the test key, as streamlit-authenticator makes it."""
    issued = time.time() if issued is None else issued
    return jwt.encode({"username": username, "exp_date": issued + days * 86400}, COOKIE_KEY, algorithm="HS256")


def browser_cookie(username: str) -> dict:
    """The cookie for Playwright's ``context.add_cookies`` (host 127.0.0.1, every path)."""
    days = max(SESSION["hours"].values()) / 24
    return {"name": COOKIE_NAME, "value": cookie(username, days=days), "url": "http://127.0.0.1"}
