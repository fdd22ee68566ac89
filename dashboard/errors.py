"""What can go wrong when a page loads its data, as one plain Chinese sentence each.

:func:`classify` maps an exception from the database layer to the message a user sees;
``dashboard.data.run`` logs the cause and raises :class:`DashboardError` with that message, and
``dashboard.ui.guarded`` shows it with ``st.error`` (never a traceback).
"""

from __future__ import annotations

import re

from sqlalchemy import exc as sa_exc

CONNECT_MESSAGE = "无法连接数据库，请检查连接设置（DASHBOARD_DB_URL 或 .streamlit/secrets.toml）。"
MISSING_TABLE_MESSAGE = "数据库缺少数据表 {table}：请先运行数据库迁移（alembic upgrade head）或重新生成演示数据。"
QUERY_MESSAGE = "查询失败，请稍后重试。"
SUMMARY_MESSAGE = "看板汇总表尚未生成：请运行 python -m dashboard.summaries refresh（生产环境由定时任务运行）。"

_SQLITE_MISSING = re.compile(r"no such table: (?:\w+\.)?(\w+)")
_PG_MISSING = re.compile(r'relation "(?:\w+\.)?([^"]+)" does not exist')
_PG_UNDEFINED_TABLE = "42P01"
# Operational errors that mean the database is out of reach rather than that a query failed.
_SQLITE_UNREACHABLE = ("unable to open database file", "disk I/O error", "file is not a database")


class DashboardError(Exception):
    """A failure to show to the user: ``message`` is the Chinese sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AssetError(ValueError):
    """A configuration file in ``assets/`` is missing or invalid; the message is Chinese and names it."""


class SummaryMissing(Exception):
    """A summary of schema ``dash`` has never been refreshed (``dashboard.summaries``)."""


class ConnectError(Exception):
    """Opening a connection failed (raised by ``dashboard.data`` with the original error as cause)."""


def missing_table(exc: BaseException) -> str | None:
    """The name of the missing table if ``exc`` says a table does not exist, else None."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    match = _SQLITE_MISSING.search(text)
    if match:
        return match.group(1)
    if getattr(orig, "pgcode", None) == _PG_UNDEFINED_TABLE or type(orig).__name__ == "UndefinedTable":
        match = _PG_MISSING.search(text)
        return match.group(1) if match else "（未知）"
    return None


def _unreachable(exc: BaseException) -> bool:
    if isinstance(exc, ConnectError | sa_exc.ArgumentError | sa_exc.NoSuchModuleError):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.OperationalError):
        text = str(getattr(exc, "orig", exc))
        return any(marker in text for marker in _SQLITE_UNREACHABLE)
    return False


def classify(exc: BaseException) -> str:
    """The Chinese message for an exception raised while loading data."""
    table = missing_table(exc)
    if isinstance(exc, SummaryMissing) or (table is not None and "dash." in str(getattr(exc, "orig", exc))):
        return SUMMARY_MESSAGE
    if table is not None:
        return MISSING_TABLE_MESSAGE.format(table=table)
    if _unreachable(exc):
        return CONNECT_MESSAGE
    return QUERY_MESSAGE


def summary(exc: BaseException) -> str:
    """One line describing ``exc`` for the log: its type and the first line of the driver's message."""
    cause = exc.__cause__ if isinstance(exc, ConnectError) and exc.__cause__ else exc
    orig = getattr(cause, "orig", None) or cause
    first_line = str(orig).strip().splitlines()[0] if str(orig).strip() else ""
    return f"{type(cause).__name__}: {first_line}"
