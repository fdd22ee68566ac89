"""The review as an Excel workbook (openpyxl): the ranking, then one sheet per unit with its full scorecard.

Every sheet starts with the rubric, the period and the filters; text from the database is written as
text, never as a formula. Built from the frames of ``queries.scorecard``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dashboard.review_config import StarScale
from dashboard.rubrics import Rubric, standards
from queries.scorecard import change_text

RANKING_SHEET = "排行"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_HEADER_FILL = PatternFill("solid", fgColor="F2E6E8")
_MODES = {"computed": "计算", "entered": "录入"}


def _put(ws: Worksheet, row: int, column: int, value) -> None:
    """Write one cell; text is always text (a leading ``=`` does not make a formula)."""
    if value is not None and not isinstance(value, str) and pd.isna(value):
        value = None
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"


def _heading(ws: Worksheet, lines: Sequence[str]) -> int:
    """The title lines at the top of a sheet; returns the next free row."""
    for i, line in enumerate(lines, start=1):
        _put(ws, i, 1, line)
        ws.cell(row=i, column=1).font = Font(bold=i == 1, size=14 if i == 1 else 10)
    return len(lines) + 2


def _table(
    ws: Worksheet, first_row: int, columns: Sequence[str], rows: Sequence[Sequence], widths: Sequence[int]
) -> None:
    for j, name in enumerate(columns, start=1):
        _put(ws, first_row, j, name)
        cell = ws.cell(row=first_row, column=j)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for i, values in enumerate(rows, start=first_row + 1):
        for j, value in enumerate(values, start=1):
            _put(ws, i, j, value)
            ws.cell(row=i, column=j).alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)


def sheet_name(rank: int, unit_name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (≤ 31 characters) such as ``003 晋祠镇新时代文明实践所``."""
    base = _BAD_SHEET_CHARS.sub("", f"{rank:03d} {unit_name}")[:31]
    name, n = base, 2
    while name in taken:
        suffix = f"~{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def workbook(
    ranked: pd.DataFrame,
    cards: pd.DataFrame,
    rubric: Rubric,
    heading: Sequence[str],
    scale: StarScale,
    max_unit_sheets: int,
) -> bytes:
    """The .xlsx bytes: sheet 排行 (the ranking) and, when there are at most ``max_unit_sheets`` units,
    one sheet per unit in rank order. ``heading``: the lines on top of every sheet (title, period, filters)."""
    wb = Workbook()
    ws = wb.active
    ws.title = RANKING_SHEET
    lines = list(heading)
    per_unit = len(ranked) <= max_unit_sheets
    if not per_unit:
        lines.append(
            f"单位共 {len(ranked)} 个，超过 {max_unit_sheets} 个，未逐个导出评分表；请先选择区县或乡镇（街道）。"
        )
    start = _heading(ws, lines)
    categories = list(rubric.categories)
    columns = ["名次", "单位", "区县", "乡镇（街道）", "总分", "星级", "上期名次", "名次变化", "可挽回分"]
    columns += [f"{c.name}（{c.points:g}）" for c in categories]
    rows = [
        [
            int(r["rank"]),
            r["unit_name"],
            r["county_name"],
            r["township_name"],
            float(r["total"]),
            scale.label(int(r["stars"])),
            None if pd.isna(r["prev_rank"]) else int(r["prev_rank"]),
            change_text(r["change"]),
            float(r["lost"]),
            *(float(r[c.id]) for c in categories),
        ]
        for _, r in ranked.iterrows()
    ]
    _table(ws, start, columns, rows, [6, 30, 10, 14, 8, 6, 9, 9, 9, *([12] * len(categories))])
    if per_unit:
        _unit_sheets(wb, ranked, cards, rubric, heading, scale)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _unit_sheets(
    wb: Workbook, ranked: pd.DataFrame, cards: pd.DataFrame, rubric: Rubric, heading: Sequence[str], scale: StarScale
) -> None:
    names = {s.id: s for s in standards(rubric)}
    categories = {c.id: c.name for c in rubric.categories}
    items = {i.id: i.name for c in rubric.categories for i in c.items}
    by_unit = dict(tuple(cards.groupby("unit_id")))
    taken = {RANKING_SHEET}
    for _, r in ranked.iterrows():
        ws = wb.create_sheet(sheet_name(int(r["rank"]), str(r["unit_name"]), taken))
        summary = (
            f"{r['unit_name']}：总分 {float(r['total']):g}，第 {int(r['rank'])} 名，{scale.label(int(r['stars']))}，"
            f"可挽回 {float(r['lost']):g} 分"
        )
        start = _heading(ws, [*heading, summary])
        unit_cards = by_unit.get(r["unit_id"], cards.iloc[0:0])
        columns = [
            "类别",
            "条目",
            "编号",
            "标准",
            "方式",
            "分值",
            "得分",
            "失分",
            "依据",
            "缺什么",
            "录入人",
            "录入时间",
        ]
        rows = [
            [
                categories[c["category_id"]],
                items[c["item_id"]],
                c["standard_id"],
                names[c["standard_id"]].name,
                _MODES.get(c["mode"], c["mode"]),
                float(c["nominal"]),
                float(c["points"]),
                float(c["lost"]),
                c["detail"],
                c["missing"],
                c["entered_by"],
                None if pd.isna(c["entered_at"]) else pd.Timestamp(c["entered_at"]).strftime("%Y-%m-%d %H:%M"),
            ]
            for _, c in unit_cards.iterrows()
        ]
        _table(ws, start, columns, rows, [12, 18, 10, 22, 6, 6, 6, 6, 48, 48, 16, 17])
