"""Creates or upgrades the platform schema with Alembic, on SQLite or PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from dashboard.settings import ROOT


def alembic_config(url: str) -> Config:
    """Alembic configuration of this project, pointed at ``url``."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "dashboard" / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (by default the newest)."""
    command.upgrade(alembic_config(url), revision)
