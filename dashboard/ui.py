"""Shared page helpers: header with data time, KPI cards, error guard, escaping, CSV export, formats.

A page is ``run_page(title, render)``: the title, a "数据更新于 HH:MM:SS" line showing when the
oldest data on the page was read, and ``render()`` run under :func:`guarded`, which turns every
failure into one Chinese ``st.error`` (the cause goes to the log, never a traceback on screen).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from openpyxl import Workbook
from openpyxl.styles import Font
from streamlit.delta_generator import DeltaGenerator

from dashboard import data, filters
from dashboard.clock import local_now
from dashboard.errors import AssetError, DashboardError
from dashboard.scope import Scope
from dashboard.shell import require_app_shell
from queries import regions

log = logging.getLogger(__name__)
PAGE_FAILED_MESSAGE = "页面加载失败，请稍后重试。"
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Square brackets as character references: markdown shows them as the characters and never reads them as
# the brackets of a link, an image or a link definition; HTML, attributes included, decodes them too.
_MARKDOWN_LINKS = str.maketrans({"[": "&#91;", "]": "&#93;"})
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def escape(value: Any) -> str:
    """Text from the database made safe for HTML and markdown (None → empty string): HTML's special
    characters and the brackets of markdown links and images become character references, which HTML and
    markdown alike show as the characters typed (no backslashes), so no name becomes a tag or a link."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True).translate(_MARKDOWN_LINKS)


def markdown_literal(text: str) -> str:
    """Text from the database made literal for markdown that is never HTML (button labels, markdown without
    ``unsafe_allow_html``): a backslash before every markdown punctuation character, so ``*``, ``_``, ``[`` or ``#``
    show as typed instead of making emphasis, a link or a heading. :func:`escape` is for HTML (where these
    backslashes would show) and leaves emphasis alone: a name like ``甲_乙_站`` needs this one in a label."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def fmt_int(value: Any) -> str:
    """An integer with thousands separators, ``—`` when missing."""
    if value is None or pd.isna(value):
        return "—"
    return f"{int(value):,}"


def fmt_pct(value: Any, digits: int = 1) -> str:
    """A share as a percentage, ``—`` when missing."""
    if value is None or pd.isna(value):
        return "—"
    return f"{float(value):.{digits}%}"


def page_header(title: str, caption: str | None = None) -> DeltaGenerator:
    """Show the page title and return the slot for the data time; starts tracking this run's fetches."""
    data.start_page()
    st.title(title)
    if caption:
        st.caption(caption)
    return st.empty()


def show_updated(slot: DeltaGenerator) -> None:
    """Fill the header slot with when the oldest data on the page was read."""
    fetched = data.oldest_fetch() or local_now()
    slot.caption(f"数据更新于 {fetched:%H:%M:%S}")


def guarded(render_fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Run ``render_fn``; on failure show one Chinese error and log the cause. True when it succeeded."""
    try:
        render_fn(*args, **kwargs)
    except DashboardError as exc:  # already logged by dashboard.data
        st.error(exc.message, icon="🚫")
        return False
    except AssetError as exc:
        log.error("asset error: %s", exc)
        st.error(str(exc), icon="🚫")
        return False
    except Exception:
        log.exception("page %s failed", getattr(render_fn, "__qualname__", render_fn))
        st.error(PAGE_FAILED_MESSAGE, icon="🚫")
        return False
    return True


def run_page(title: str, render_fn: Callable[[], Any], caption: str | None = None) -> None:
    """The frame of every page: header, guarded body, data time (always inside app.py's shell)."""
    require_app_shell()
    slot = page_header(title, caption)
    guarded(render_fn)
    show_updated(slot)


@dataclass(frozen=True)
class Kpi:
    """One metric card."""

    label: str
    value: str
    help: str | None = None
    delta: str | None = None
    delta_color: str = "normal"
    delta_arrow: str = "auto"


def kpi_row(kpis: Sequence[Kpi]) -> None:
    """A row of bordered metric cards, one column each."""
    for column, kpi in zip(st.columns(len(kpis)), kpis, strict=True):
        with column:
            st.metric(
                kpi.label,
                kpi.value,
                kpi.delta,
                delta_color=kpi.delta_color,
                delta_arrow=kpi.delta_arrow,
                help=kpi.help,
                border=True,
            )


def _defuse(value: Any) -> Any:
    """Keep spreadsheet programs from running text cells as formulas."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(df: pd.DataFrame, header_line: str) -> bytes:
    """CSV (UTF-8 with BOM, for Excel) whose first line is ``header_line``, then the table."""
    safe = df.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_defuse)
    body = safe.to_csv(index=False, lineterminator="\n")
    return ("\ufeff" + header_line.replace("\n", " ") + "\n" + body).encode("utf-8")


def _csv_button(slot: Any, label: str, df: pd.DataFrame, header: str, file_stem: str, now: dt.datetime) -> None:
    """The CSV download button of ``df`` in ``slot`` (``st`` or a column), ``header`` as its first line."""
    slot.download_button(
        label,
        csv_bytes(df, header),
        file_name=f"{file_stem}_{now:%Y%m%d_%H%M%S}.csv",
        mime="text/csv",
        key=f"download_{file_stem}",
        icon=":material/download:",
        on_click="ignore",
    )


def download_csv(
    df: pd.DataFrame, file_stem: str, current: filters.Filters, scope: Scope, label: str = "下载 CSV"
) -> None:
    """A download button for ``df`` as CSV, its first line the :func:`export_header` line."""
    now = local_now()
    _csv_button(st, label, df, export_header(current, scope, now), file_stem, now)


def export_header(current: filters.Filters, scope: Scope, now: dt.datetime, extra: str | None = None) -> str:
    """The first line of an export: the global filters, ``extra`` (a page's own filters), the export time."""
    counties = data.run(regions.counties, scope)
    townships = data.run(regions.townships, scope)
    described = filters.describe(
        current,
        dict(zip(counties["code"], counties["name"], strict=True)),
        dict(zip(townships["code"], townships["name"], strict=True)),
    )
    page_filters = f"；{extra}" if extra else ""
    return f"筛选条件：{described}{page_filters}；导出时间：{now:%Y-%m-%d %H:%M:%S}"


def excel_bytes(df: pd.DataFrame, header_line: str, sheet: str = "数据") -> bytes:
    """An .xlsx workbook: ``header_line`` in the first row, then the table with its column names in bold.

    Text is always stored as text (never as a formula); missing values are empty cells.
    """
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append([header_line.replace("\n", " ")])
    ws.append([str(column) for column in df.columns])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in df.itertuples(index=False):
        ws.append([None if _is_missing(value) else value for value in row])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # a text that starts with "=": keep it as text
                cell.data_type = "s"
    for i, column in enumerate(df.columns, start=1):
        width = max([len(str(column)), *(len(str(v)) for v in df[column].head(200))], default=8)
        ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = min(max(width, 6) * 1.6, 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _is_missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def download_table(
    df: pd.DataFrame, file_stem: str, current: filters.Filters, scope: Scope, extra: str | None = None
) -> None:
    """CSV and Excel download buttons side by side for ``df``; both begin with the :func:`export_header` line."""
    now = local_now()
    header = export_header(current, scope, now, extra)
    csv_col, xlsx_col, _ = st.columns([1, 1, 4])
    _csv_button(csv_col, "下载 CSV", df, header, file_stem, now)
    xlsx_col.download_button(
        "下载 Excel",
        excel_bytes(df, header),
        file_name=f"{file_stem}_{now:%Y%m%d_%H%M%S}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"download_xlsx_{file_stem}",
        icon=":material/table_view:",
        on_click="ignore",
    )
