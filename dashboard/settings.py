"""Where the dashboard finds its database and how often it refreshes: the one connection setting.

The database URL is read, first match wins, from
1. the environment variable ``DASHBOARD_DB_URL``;
2. ``.streamlit/secrets.toml``, section ``[connections.dispatch]``, key ``url`` (the same section
   ``st.connection("dispatch", type="sql")`` reads);
3. the embedded demo, ``sqlite:///data/demo.sqlite`` in the project folder.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
DEMO_DB = ROOT / "data" / "demo.sqlite"
DB_URL_ENV = "DASHBOARD_DB_URL"
REFRESH_ENV = "DASHBOARD_REFRESH_SECONDS"
DEFAULT_REFRESH_SECONDS = 30
REFERENCE_ENV = "DASHBOARD_REFERENCE_SECONDS"
DEFAULT_REFERENCE_SECONDS = 3600


def demo_url(path: Path = DEMO_DB) -> str:
    """SQLAlchemy URL of an SQLite file."""
    return f"sqlite:///{path}"


def _secrets_url(secrets_file: Path) -> str | None:
    if not secrets_file.is_file():
        return None
    with secrets_file.open("rb") as fh:
        data = tomllib.load(fh)
    return data.get("connections", {}).get("dispatch", {}).get("url")


def database_url(secrets_file: Path | None = None) -> str:
    """The database URL the dashboard reads, from the environment, the secrets file or the demo."""
    url = os.environ.get(DB_URL_ENV)
    if url:
        return url
    secrets = secrets_file or Path.cwd() / ".streamlit" / "secrets.toml"
    return _secrets_url(secrets) or _secrets_url(ROOT / ".streamlit" / "secrets.toml") or demo_url()


def is_demo(url: str) -> bool:
    """True when the URL points at the embedded demo file."""
    return url == demo_url()


def refresh_seconds() -> int:
    """Seconds between automatic refreshes, also the cache lifetime of query results."""
    return int(os.environ.get(REFRESH_ENV, DEFAULT_REFRESH_SECONDS))


def reference_seconds() -> int:
    """Cache lifetime of reference lists (districts, townships, order categories), which change rarely."""
    return int(os.environ.get(REFERENCE_ENV, DEFAULT_REFERENCE_SECONDS))
