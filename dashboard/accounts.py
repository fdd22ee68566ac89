"""The users file: who may log in, with which role, and the log-in settings; validated on load.

The file is YAML kept outside git. Its path comes from the environment variable
``DASHBOARD_USERS_FILE`` or from ``.streamlit/secrets.toml`` (``[auth] users_file``); the key that
signs the log-in cookie from ``DASHBOARD_COOKIE_KEY`` or ``[auth] cookie_key`` (never from the
users file, never from the repository). ``.streamlit/users.example.yaml`` shows the format::

    session:
      cookie_name: wenming_dashboard_auth
      hours: {wall: 720, publicity: 12, leader: 12, admin: 8}   # how long a log-in lasts
    lockout: {max_failures: 5, window_minutes: 15}
    credentials:
      usernames:
        lixinchun: {name: 李新春, password: <bcrypt hash>, roles: [leader], leader_id: 1}

Roles: ``wall`` (the wall screen only), ``publicity`` (all districts, all pages), ``leader`` (only
the districts of ``leader_id`` in the database's ``leader_assignment`` table), ``admin`` (all of it
and the user list). Passwords are bcrypt hashes (``python -m dashboard.users_cli hash``).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from dashboard.settings import ROOT

ROLES = ("wall", "publicity", "leader", "admin")
USERS_FILE_ENV = "DASHBOARD_USERS_FILE"
COOKIE_KEY_ENV = "DASHBOARD_COOKIE_KEY"
MIN_COOKIE_KEY_LENGTH = 32
DEFAULT_COOKIE_NAME = "wenming_dashboard_auth"
DEFAULT_SESSION_HOURS = {"wall": 720.0, "publicity": 12.0, "leader": 12.0, "admin": 8.0}
DEFAULT_MAX_FAILURES = 5
DEFAULT_WINDOW_MINUTES = 15.0

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
_BCRYPT = re.compile(r"^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$")
_USER_KEYS = {"name", "password", "roles", "leader_id", "email"}


class UsersFileError(ValueError):
    """The users file or the cookie key is missing or invalid; ``message`` is the Chinese sentence to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Account:
    """One person who may log in: username, display name, role and (for a leader) the leader's id."""

    username: str
    name: str
    role: str
    leader_id: int | None = None


@dataclass(frozen=True)
class UsersFile:
    """The validated users file."""

    path: Path
    accounts: dict[str, Account]
    password_hashes: dict[str, str]
    cookie_name: str
    session_hours: dict[str, float]
    max_failures: int
    window_minutes: float

    @property
    def cookie_expiry_days(self) -> float:
        """The cookie lives as long as the longest session of any role; shorter ones are cut by the app."""
        return max(self.session_hours.values()) / 24

    def session_seconds(self, role: str) -> float:
        """How long a log-in of this role lasts."""
        return self.session_hours[role] * 3600

    def credentials(self) -> dict[str, Any]:
        """A fresh credentials dict in streamlit-authenticator's format (it mutates what it is given)."""
        return {
            "usernames": {
                username: {
                    "name": account.name,
                    "password": self.password_hashes[username],
                    "roles": [account.role],
                }
                for username, account in self.accounts.items()
            }
        }


def _fail(path: Path, problem: str) -> UsersFileError:
    return UsersFileError(f"用户文件 {path.name} 有误：{problem}")


def _positive(path: Path, where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise _fail(path, f"{where} 应为正数，实为 {value!r}")
    return float(value)


def _session(path: Path, raw: Any) -> tuple[str, dict[str, float]]:
    raw = {} if raw is None else raw
    if not isinstance(raw, dict) or set(raw) - {"cookie_name", "hours"}:
        raise _fail(path, "session 只能包含 cookie_name 和 hours")
    name = raw.get("cookie_name", DEFAULT_COOKIE_NAME)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
        raise _fail(path, "session.cookie_name 只能由字母、数字、下划线和连字符组成")
    hours_raw = raw.get("hours", {})
    if not isinstance(hours_raw, dict) or set(hours_raw) - set(ROLES):
        raise _fail(path, f"session.hours 的键只能是 {list(ROLES)}")
    hours = dict(DEFAULT_SESSION_HOURS)
    hours.update({role: _positive(path, f"session.hours.{role}", value) for role, value in hours_raw.items()})
    return name, hours


def _lockout(path: Path, raw: Any) -> tuple[int, float]:
    raw = {} if raw is None else raw
    if not isinstance(raw, dict) or set(raw) - {"max_failures", "window_minutes"}:
        raise _fail(path, "lockout 只能包含 max_failures 和 window_minutes")
    failures = raw.get("max_failures", DEFAULT_MAX_FAILURES)
    if isinstance(failures, bool) or not isinstance(failures, int) or failures < 1:
        raise _fail(path, f"lockout.max_failures 应为正整数，实为 {failures!r}")
    return failures, _positive(path, "lockout.window_minutes", raw.get("window_minutes", DEFAULT_WINDOW_MINUTES))


def _account(path: Path, username: Any, raw: Any) -> tuple[Account, str]:
    if not isinstance(username, str) or not _USERNAME.match(username):
        raise _fail(path, f"用户名 {username!r} 只能由小写字母、数字和 _.- 组成（2–32 个字符）")
    where = f"用户 {username}"
    if not isinstance(raw, dict):
        raise _fail(path, f"{where} 应为映射")
    unknown = set(raw) - _USER_KEYS
    if unknown:
        raise _fail(path, f"{where} 含未知字段 {sorted(unknown)}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(path, f"{where} 缺少 name")
    password = raw.get("password")
    if not isinstance(password, str) or not _BCRYPT.match(password):
        raise _fail(path, f"{where} 的 password 必须是 bcrypt 哈希（用 python -m dashboard.users_cli hash 生成）")
    roles = raw.get("roles")
    if not isinstance(roles, list) or len(roles) != 1 or roles[0] not in ROLES:
        raise _fail(path, f"{where} 的 roles 应恰好含一个角色：{list(ROLES)} 之一")
    role = roles[0]
    leader_id = raw.get("leader_id")
    if role == "leader" and (isinstance(leader_id, bool) or not isinstance(leader_id, int)):
        raise _fail(path, f"{where} 是挂点领导，须填写 leader_id（数据库 leader 表的编号）")
    if role != "leader" and leader_id is not None:
        raise _fail(path, f"{where} 不是挂点领导，不应填写 leader_id")
    return Account(username, name.strip(), role, leader_id), password


def load(path: Path) -> UsersFile:
    """Read and validate a users file; raises :class:`UsersFileError` naming the problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise _fail(path, f"无法读取（{type(exc).__name__}）") from exc
    if not isinstance(raw, dict) or set(raw) - {"session", "lockout", "credentials"}:
        raise _fail(path, "顶层只能包含 session、lockout 和 credentials")
    cookie_name, hours = _session(path, raw.get("session"))
    max_failures, window = _lockout(path, raw.get("lockout"))
    credentials = raw.get("credentials")
    users = credentials.get("usernames") if isinstance(credentials, dict) else None
    if not isinstance(users, dict) or not users:
        raise _fail(path, "credentials.usernames 中没有任何用户")
    accounts: dict[str, Account] = {}
    hashes: dict[str, str] = {}
    for username, entry in users.items():
        account, password = _account(path, username, entry)
        accounts[username] = account
        hashes[username] = password
    return UsersFile(path, accounts, hashes, cookie_name, hours, max_failures, window)


@lru_cache(maxsize=8)
def _load_version(path: str, mtime_ns: int, size: int) -> UsersFile:
    return load(Path(path))


def _secrets_auth() -> dict[str, Any]:
    """The ``[auth]`` table of .streamlit/secrets.toml (working directory first, then the project)."""
    for secrets in (Path.cwd() / ".streamlit" / "secrets.toml", ROOT / ".streamlit" / "secrets.toml"):
        if secrets.is_file():
            with secrets.open("rb") as fh:
                auth = tomllib.load(fh).get("auth", {})
            if isinstance(auth, dict) and auth:
                return auth
    return {}


def users_file_path() -> Path | None:
    """Where the users file is: ``DASHBOARD_USERS_FILE``, else secrets.toml ``[auth] users_file``."""
    raw = os.environ.get(USERS_FILE_ENV) or _secrets_auth().get("users_file")
    if not raw:
        return None
    path = Path(str(raw)).expanduser()
    return path if path.is_absolute() else ROOT / path


def configured() -> UsersFile:
    """The configured users file, re-read when it changes on disk; raises UsersFileError."""
    path = users_file_path()
    if path is None:
        raise UsersFileError(
            f"尚未配置用户文件：请设置环境变量 {USERS_FILE_ENV}，或在 .streamlit/secrets.toml 的 [auth] 中"
            "填写 users_file（格式见 .streamlit/users.example.yaml）。"
        )
    try:
        stat = path.stat()
    except OSError as exc:
        raise UsersFileError(f"找不到用户文件 {path}。") from exc
    return _load_version(str(path), stat.st_mtime_ns, stat.st_size)


def cookie_key() -> str:
    """The key that signs the log-in cookie: ``DASHBOARD_COOKIE_KEY``, else secrets.toml ``[auth] cookie_key``."""
    key = os.environ.get(COOKIE_KEY_ENV) or _secrets_auth().get("cookie_key")
    if not isinstance(key, str) or len(key) < MIN_COOKIE_KEY_LENGTH:
        raise UsersFileError(
            f"尚未配置登录密钥：请设置环境变量 {COOKIE_KEY_ENV}，或在 .streamlit/secrets.toml 的 [auth] 中填写"
            f" cookie_key（至少 {MIN_COOKIE_KEY_LENGTH} 个字符的随机字符串）。"
        )
    return key
