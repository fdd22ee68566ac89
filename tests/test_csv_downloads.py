"""The CSV download buttons of ``ui.download_csv`` (阵地 page) and ``ui.download_table`` (a page of units):
each file is named after its table and the export time, and its first line is the export header that
names the filters (``ui.export_header``), on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from tests.support.pictures import open_page

PERIOD = {"period": "custom", "start": "2026-01-01", "end": "2026-11-20"}
HEADER = re.compile(r"筛选条件：时间：自定义（2026-01-01 至 2026-11-20）；区县：全部；.*导出时间：[-\d]{10} <time>")


def _first_lines(recorder) -> dict[str, str]:
    """File name → its first line (a CSV's first line, a workbook's first cell)."""
    first = {}
    for name, content in recorder.downloads:
        first[name] = next(iter(content.values()))[0][0] if isinstance(content, dict) else content.split("\n")[0]
    return {name: line.lstrip("\ufeff") for name, line in first.items()}


def test_units_page_csv_buttons(small_demo) -> None:
    url, _ = small_demo
    _, recorder = open_page("units", url, PERIOD, "publicity")
    first = _first_lines(recorder)
    assert sorted(first) == ["各区县阵地数_<stamp>.csv", "阵地列表_<stamp>.csv"]
    assert all(HEADER.fullmatch(line) for line in first.values()), first


def test_table_downloads_carry_the_same_header(small_demo) -> None:
    url, _ = small_demo
    _, recorder = open_page("volunteers", url, PERIOD, "publicity")
    first = _first_lines(recorder)
    assert "志愿者达标情况_区县_<stamp>.csv" in first and "志愿者达标情况_区县_<stamp>.xlsx" in first
    assert all(HEADER.fullmatch(line) for line in first.values()), first
