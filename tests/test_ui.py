"""Shared page helpers that need no running app: escaping, number formats, the CSV export."""

from __future__ import annotations

import io

import pandas as pd

from dashboard import ui


def test_escape_and_formats() -> None:
    assert ui.escape('<a href="x">A&B</a>') == "&lt;a href=&quot;x&quot;&gt;A&amp;B&lt;/a&gt;"
    assert ui.escape(None) == "" and ui.escape(float("nan")) == ""
    assert ui.fmt_int(1234567) == "1,234,567" and ui.fmt_int(None) == "—" and ui.fmt_int(pd.NA) == "—"
    assert ui.fmt_pct(0.1304) == "13.0%" and ui.fmt_pct(float("nan")) == "—"


def test_names_become_literal_markdown() -> None:
    assert ui.markdown_literal("徐沟镇100%_站*[x](y)") == "徐沟镇100%\\_站\\*\\[x\\]\\(y\\)"


def test_csv_has_the_filter_line_first_and_defuses_formulas() -> None:
    df = pd.DataFrame({"名称": ["晋祠镇新时代文明实践所", '=HYPERLINK("http://x")'], "数量": [3, 4]})
    data = ui.csv_bytes(df, "筛选条件：时间：本年（2026-01-01 至 2026-11-22）；区县：晋源区")
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    first, rest = text.split("\n", 1)
    assert first == "筛选条件：时间：本年（2026-01-01 至 2026-11-22）；区县：晋源区"
    back = pd.read_csv(io.StringIO(rest))
    assert back.columns.tolist() == ["名称", "数量"]
    assert back["名称"].tolist() == ["晋祠镇新时代文明实践所", '\'=HYPERLINK("http://x")']
    assert back["数量"].tolist() == [3, 4]
