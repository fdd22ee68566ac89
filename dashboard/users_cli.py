"""Command line for the users file: hash a password, and the demo's accounts.

``python -m dashboard.users_cli hash``
    asks for a password twice and prints its bcrypt hash, for the ``password`` of an account.
``python -m dashboard.users_cli demo-env``
    for ``scripts/run.sh`` on the embedded demo only: when no users file or cookie key is
    configured, creates ``data/demo_users.yaml`` (the demo accounts of :data:`DEMO_ACCOUNTS`, whose
    passwords the README publishes: demo only, never for real data) and ``data/demo_cookie_key``
    (random), and prints the ``export`` lines that point the app at them. Prints nothing when the
    configured database is not the demo, so a real deployment never gets demo accounts.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import shlex
import sys
from pathlib import Path

import bcrypt
import yaml

from dashboard import accounts, settings

DEMO_USERS_FILE = settings.ROOT / "data" / "demo_users.yaml"
DEMO_COOKIE_KEY_FILE = settings.ROOT / "data" / "demo_cookie_key"
# username: (name, role, leader_id, password) — published in the README, for the demo only.
DEMO_ACCOUNTS: dict[str, tuple[str, str, int | None, str]] = {
    "wall": ("指挥大厅大屏", "wall", None, "wall-demo-2026"),
    "publicity": ("市委宣传部（文明办）", "publicity", None, "publicity-demo-2026"),
    "lixinchun": ("李新春", "leader", 1, "leader-demo-2026"),
    "yangjicheng": ("杨继承", "leader", 2, "leader-demo-2026"),
    "admin": ("系统管理员", "admin", None, "admin-demo-2026"),
}


def hash_password(password: str, rounds: int = 12) -> str:
    """The bcrypt hash of a password."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


def users_document(entries: dict[str, tuple[str, str, int | None, str]], rounds: int = 12, **sections) -> dict:
    """A users file as a dict: ``entries`` maps username → (name, role, leader_id, plain password)."""
    usernames = {}
    for username, (name, role, leader_id, password) in entries.items():
        entry = {"name": name, "password": hash_password(password, rounds), "roles": [role]}
        if leader_id is not None:
            entry["leader_id"] = leader_id
        usernames[username] = entry
    return {**sections, "credentials": {"usernames": usernames}}


def write_users_file(path: Path, document: dict) -> None:
    """Write a users file readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    path.chmod(0o600)


def _configured(read) -> bool:
    try:
        read()
    except accounts.UsersFileError:
        return False
    return True


def demo_env() -> list[str]:
    """Create the demo's users file and cookie key where missing; the ``export`` lines for the shell."""
    if not settings.is_demo(settings.database_url()):
        return []
    lines = []
    if accounts.users_file_path() is None:
        if not DEMO_USERS_FILE.is_file():
            write_users_file(DEMO_USERS_FILE, users_document(DEMO_ACCOUNTS))
        lines.append(f"export {accounts.USERS_FILE_ENV}={shlex.quote(str(DEMO_USERS_FILE))}")
    if not _configured(accounts.cookie_key):
        if not DEMO_COOKIE_KEY_FILE.is_file():
            DEMO_COOKIE_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
            DEMO_COOKIE_KEY_FILE.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            DEMO_COOKIE_KEY_FILE.chmod(0o600)
        key = DEMO_COOKIE_KEY_FILE.read_text(encoding="utf-8").strip()
        lines.append(f"export {accounts.COOKIE_KEY_ENV}={shlex.quote(key)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m dashboard.users_cli``."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.users_cli", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("hash", "demo-env"))
    args = parser.parse_args(argv)
    if args.command == "hash":
        password = getpass.getpass("密码：")
        if not password or password != getpass.getpass("再输入一次："):
            print("两次输入的密码不一致（或为空）。", file=sys.stderr)
            return 1
        print(hash_password(password))
        return 0
    for line in demo_env():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
