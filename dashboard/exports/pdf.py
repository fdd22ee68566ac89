"""The PDF review pack for the meeting (fpdf2): cover, ranking, category chart, each unit's lost points.

The CJK font of assets/review.yaml (Debian's WenQuanYi Micro Hei, TrueType outlines) is embedded as a
subset, so the PDF reads the same on any machine and its text can be searched and copied; charts come
in as PNG bytes from ``dashboard.exports.charts``.
One page per unit lists the standards where it lost points, most recoverable first.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd
from fontTools.ttLib import TTCollection
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace
from PIL import Image

from dashboard.errors import AssetError
from dashboard.review_config import StarScale, review_config
from dashboard.rubrics import Rubric
from queries.scorecard import change_text, lost_points

FAMILY = "cjk"
_MODES = {"computed": "计算", "entered": "录入"}
_HEAD = FontFace(emphasis="BOLD", fill_color=(242, 230, 232))


@lru_cache(maxsize=4)
def _face_index(path: Path, face: str) -> int:
    """Which font of a collection (.ttc) carries the family name ``face`` (0 for a single font file)."""
    if path.suffix.lower() != ".ttc":
        return 0
    for index, font in enumerate(TTCollection(str(path)).fonts):
        if font["name"].getDebugName(1) == face:
            return index
    raise AssetError(f"字体文件 {path} 中没有字体 {face}（见 assets/review.yaml 的 fonts）")


class _Pack(FPDF):
    """A4 portrait with the CJK font and a page-number footer."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        fonts = review_config().fonts
        path = fonts.pdf_file
        if not path.is_file():
            raise AssetError(f"找不到中文字体文件 {path}（请安装 Debian 的 fonts-wqy-microhei，见 scripts/lib.sh）")
        index = _face_index(path, fonts.pdf_face)
        for style in ("", "B"):  # the face has no bold: headings are set apart by size
            self.add_font(FAMILY, style, str(path), collection_font_number=index)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(120, 120, 120)
        self.cell(0, 6, f"{self.footer_text}    第 {self.page_no()} 页", align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: int = 15) -> None:
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.55, text, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def para(self, text: str, size: int = 10) -> None:
        self.set_font(FAMILY, "", size)
        self.multi_cell(0, size * 0.55, text, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")

    def grid(self, columns: Sequence[str], rows: Sequence[Sequence], widths: Sequence[float], size: int = 9) -> None:
        self.set_font(FAMILY, "", size)
        with self.table(
            col_widths=widths,
            headings_style=_HEAD,
            line_height=size * 0.5,
            text_align="LEFT",
            wrapmode=WrapMode.CHAR,
            padding=1,
        ) as table:
            head = table.row()
            for name in columns:
                head.cell(name)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell("" if value is None else str(value))

    def picture(self, png: bytes) -> None:
        """A chart image as wide as the page, or shorter to fit what is left of it."""
        with Image.open(io.BytesIO(png)) as image:
            width_px, height_px = image.size
        width = self.epw
        height = width * height_px / width_px
        room = self.h - self.get_y() - 20
        if height > room:
            width, height = width * room / height, room
        self.image(io.BytesIO(png), x=self.l_margin + (self.epw - width) / 2, w=width, h=height)


def review_pack(
    ranked: pd.DataFrame,
    cards: pd.DataFrame,
    rubric: Rubric,
    title: str,
    heading: Sequence[str],
    scale: StarScale,
    chart_png: bytes,
    max_unit_pages: int,
) -> bytes:
    """The PDF bytes: a cover (``title`` and ``heading`` lines), the ranking, the category chart and, when
    there are at most ``max_unit_pages`` units, one page per unit with the points it lost and why."""
    pdf = _Pack(title)
    pdf.add_page()
    pdf.ln(40)
    pdf.heading(title, 22)
    pdf.ln(6)
    for line in heading:
        pdf.para(line, 11)
    if not ranked.empty:
        best = ranked.iloc[0]
        pdf.ln(4)
        pdf.para(
            f"参评单位 {len(ranked)} 个，平均分 {ranked['total'].mean():.1f}，"
            f"最高 {best['unit_name']} {float(best['total']):g} 分。",
            11,
        )

    pdf.add_page()
    pdf.heading("一、排行")
    rows = [
        (
            int(r["rank"]),
            r["unit_name"],
            r["county_name"] or "",
            f"{float(r['total']):g}",
            scale.label(int(r["stars"])),
            change_text(r["change"]),
            f"{float(r['lost']):g}",
        )
        for _, r in ranked.iterrows()
    ]
    pdf.grid(("名次", "单位", "区县", "总分", "星级", "名次变化", "可挽回分"), rows, (12, 70, 24, 18, 16, 20, 20))

    pdf.add_page()
    pdf.heading("二、各类别得分率")
    if len(ranked) <= review_config().chart_max_units:
        pdf.para("每格为该单位在该类别的得分，颜色越深得分率越高。")
    else:
        pdf.para(f"参评单位 {len(ranked)} 个，图中为各类别的平均得分率。")
    pdf.ln(2)
    pdf.picture(chart_png)

    if len(ranked) > max_unit_pages:
        pdf.add_page()
        pdf.heading("三、各单位失分清单")
        pdf.para(f"单位共 {len(ranked)} 个，超过 {max_unit_pages} 个，未逐个列出；请先选择区县或乡镇（街道）再导出。")
    else:
        for n, (_, r) in enumerate(ranked.iterrows()):
            pdf.add_page()
            prefix = "三、各单位失分清单　" if n == 0 else ""
            pdf.heading(f"{prefix}第 {int(r['rank'])} 名　{r['unit_name']}")
            pdf.para(
                f"总分 {float(r['total']):g} / {rubric.total:g}　{scale.label(int(r['stars']))}　"
                f"名次变化 {change_text(r['change'])}　可挽回 {float(r['lost']):g} 分"
            )
            pdf.ln(2)
            lost = lost_points(cards, rubric, r["unit_id"])
            if lost.empty:
                pdf.para("本期各项标准均得满分。")
                continue
            rows = [
                (
                    f"{x['standard_id']} {x['standard']}",
                    x["category"],
                    _MODES.get(x["mode"], x["mode"]),
                    f"{float(x['points']):g}/{float(x['nominal']):g}",
                    f"{float(x['lost']):g}",
                    x["missing"],
                )
                for _, x in lost.iterrows()
            ]
            pdf.grid(("标准", "类别", "方式", "得分", "失分", "缺什么"), rows, (40, 20, 11, 15, 11, 83), size=8)
    return bytes(pdf.output())
