"""The tabs of the 评估考核 page: each function draws one tab from a :class:`View` (what the page chose).

Scores come from ``queries.scorecard`` (through ``dashboard.data``), charts from
``dashboard.exports.charts``; nothing here builds SQL or scores anything itself.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import data, lights, ui
from dashboard.clock import local_now
from dashboard.exports import charts, excel, pdf
from dashboard.filters import Filters
from dashboard.labels import labels
from dashboard.review_config import review_config, star_scale
from dashboard.rubrics import Rubric, standards
from dashboard.scope import Scope
from dashboard.scoring import Period, fmt_points, window
from dashboard.targets import targets
from dashboard.volunteering import volunteering
from queries import centre_targets, evidence, regions, scorecard, volunteers

DEFS = scorecard.DEFINITIONS
MODES = {"computed": "计算", "entered": "录入"}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class View:
    """What the page chose and the scorecards it read."""

    scope: Scope
    area: Filters
    rubric: Rubric
    period: Period
    previous: Period | None
    cards: pd.DataFrame
    prev_cards: pd.DataFrame | None
    ranked: pd.DataFrame
    unit_id: int
    periods: list[Period]

    @property
    def unit(self) -> pd.Series:
        """The chosen unit's row of the ranking."""
        return self.ranked[self.ranked["unit_id"] == self.unit_id].iloc[0]


def _stars(n: int) -> str:
    return f"{star_scale().label(n)} {'★' * n}{'☆' * (5 - n)}"


def _stars_help() -> str:
    return DEFS["stars"].format(stars=star_scale().describe())


# ---------------------------------------------------------------------------------------------
# 排行


def ranking(view: View) -> None:
    """The ranking of the tier with totals, rank change, stars and a small bar per category."""
    ranked, rubric = view.ranked, view.rubric
    best = ranked.iloc[0]
    ui.kpi_row(
        [
            ui.Kpi("参评单位", ui.fmt_int(len(ranked)), DEFS["units"]),
            ui.Kpi("平均分", f"{ranked['total'].mean():.1f}", DEFS["total"]),
            ui.Kpi(
                "最高分",
                fmt_points(float(best["total"])),
                DEFS["total"],
                delta=ui.escape(best["unit_name"]),
                delta_color="off",
                delta_arrow="off",
            ),
            ui.Kpi("平均可挽回分", f"{ranked['lost'].mean():.1f}", DEFS["lost"]),
        ]
    )
    counts = ranked["stars"].value_counts()
    st.caption("星级分布：" + "，".join(f"{star_scale().label(n)} {int(counts.get(n, 0))} 个" for n in range(5, 0, -1)))
    recorded = data.run(scorecard.recorded_stars, view.scope, view.area, view.period.id, rubric.tier)
    platform_stars = dict(zip(recorded["unit_id"], recorded["stars"], strict=True))
    table = pd.DataFrame(
        {
            "名次": ranked["rank"],
            "变化": [scorecard.change_text(c) for c in ranked["change"]],
            "单位": ranked["unit_name"],
            "区县": ranked["county_name"],
            "乡镇（街道）": ranked["township_name"],
            "总分": ranked["total"],
            "星级": [_stars(int(n)) for n in ranked["stars"]],
            "平台评定星级": [star_scale().label(platform_stars.get(uid)) for uid in ranked["unit_id"]],
            "可挽回分": ranked["lost"],
        }
    )
    config = {
        "名次": st.column_config.NumberColumn(help=DEFS["rank"]),
        "变化": st.column_config.TextColumn(help=DEFS["rank_change"]),
        "总分": st.column_config.NumberColumn(help=DEFS["total"], format="%.1f"),
        "星级": st.column_config.TextColumn(help=_stars_help()),
        "平台评定星级": st.column_config.TextColumn(help=DEFS["recorded_stars"]),
        "可挽回分": st.column_config.NumberColumn(help=DEFS["lost"], format="%.1f"),
    }
    for category in rubric.categories:
        name = f"{category.name}（{category.points:g}）"
        table[name] = ranked[category.id].to_numpy()
        config[name] = st.column_config.ProgressColumn(
            help=DEFS["categories"], min_value=0.0, max_value=float(category.points), format="%.1f"
        )
    if ranked["township_name"].isna().all():
        table = table.drop(columns="乡镇（街道）")
    st.dataframe(table, hide_index=True, column_config=config, height=min(36 * len(table) + 40, 720))


# ---------------------------------------------------------------------------------------------
# 单位评分: unit → category → item → standard → evidence


def scorecard_tab(view: View) -> None:
    """The chosen unit's scorecard by category, and the evidence behind any one standard."""
    unit, rubric = view.unit, view.rubric
    unit_cards = view.cards[view.cards["unit_id"] == view.unit_id]
    st.subheader(ui.escape(unit["unit_name"]))
    ui.kpi_row(
        [
            ui.Kpi("总分", f"{float(unit['total']):g} / {rubric.total:g}", DEFS["total"]),
            ui.Kpi(
                "名次",
                f"{int(unit['rank'])} / {len(view.ranked)}",
                DEFS["rank"] + DEFS["rank_change"],
                delta=scorecard.change_text(unit["change"]),
                delta_color="off",
                delta_arrow="off",
            ),
            ui.Kpi("星级", _stars(int(unit["stars"])), _stars_help()),
            ui.Kpi("可挽回分", f"{float(unit['lost']):g}", DEFS["lost"]),
        ]
    )
    names = {s.id: s for s in standards(rubric)}
    items = {i.id: i.name for c in rubric.categories for i in c.items}
    for category in rubric.categories:
        rows = unit_cards[unit_cards["category_id"] == category.id]
        got = float(rows["points"].sum())
        with st.expander(f"{category.id} {category.name}：{fmt_points(got)} / {category.points:g} 分", expanded=False):
            st.dataframe(
                pd.DataFrame(
                    {
                        "编号": rows["standard_id"],
                        "标准": [names[sid].name for sid in rows["standard_id"]],
                        "条目": [items[iid] for iid in rows["item_id"]],
                        "方式": [MODES[m] for m in rows["mode"]],
                        "分值": rows["nominal"],
                        "得分": rows["points"],
                        "依据": rows["detail"],
                        "录入人": rows["entered_by"],
                        "录入时间": pd.to_datetime(rows["entered_at"]),
                    }
                ),
                hide_index=True,
                column_config={
                    "依据": st.column_config.TextColumn(width="large"),
                    "录入时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                },
            )
    _evidence_section(view, unit_cards)


def _evidence_section(view: View, unit_cards: pd.DataFrame) -> None:
    rubric = view.rubric
    st.subheader("逐项依据", help="计算分列出得分所依据的平台记录；录入分列出录入人和录入时间。")
    by_id = {s.id: s for s in standards(rubric)}
    standard_id = st.selectbox(
        "标准",
        list(by_id),
        format_func=lambda sid: f"{sid} {by_id[sid].name}",
        key="standard",
        bind="query-params",
    )
    standard = by_id[standard_id]
    line = f"{rubric.source.file} 第 {standard.source_line} 行"
    title = f"**{ui.escape(standard.id)} {ui.escape(standard.name)}**（{standard.points:g} 分）"
    st.markdown(f"{title}：{ui.escape(standard.description)}")
    st.caption(f"核查方式：{'、'.join(standard.methods)}；出处：{line}")
    if standard.rule is not None:
        rule_text = evidence.DEFINITIONS[standard.rule.kind].format(summary_due_day=review_config().summary_due_day)
        st.caption(f"计算规则：{rule_text}")
    if standard.notes:
        st.caption(f"说明：{standard.notes}")
    summary, table = data.run(
        scorecard.standard_evidence, view.scope, view.area, rubric.id, view.period, view.unit_id, standard_id
    )
    st.info(ui.escape(summary))
    st.dataframe(table, hide_index=True)


# ---------------------------------------------------------------------------------------------
# 对标补短


def lost_tab(view: View) -> None:
    """自查自评 / 对标补短: the standards where the unit lost points, most recoverable first, with what is missing."""
    lost = scorecard.lost_points(view.cards, view.rubric, view.unit_id)
    st.subheader(f"{ui.escape(view.unit['unit_name'])}：对标补短", help=DEFS["lost"])
    computed = float(lost.loc[lost["mode"] == "computed", "lost"].sum())
    entered = float(lost.loc[lost["mode"] == "entered", "lost"].sum())
    ui.kpi_row(
        [
            ui.Kpi("可挽回分合计", fmt_points(computed + entered), DEFS["lost"]),
            ui.Kpi("其中平台数据可补", fmt_points(computed), "计算分：按月开展并上传活动、按时报送小结等即可补回。"),
            ui.Kpi("其中督查扣分", fmt_points(entered), "录入分：督查组现场核查扣的分或尚未录入的分。"),
            ui.Kpi("失分标准", ui.fmt_int(len(lost)), DEFS["lost_count"]),
        ]
    )
    if lost.empty:
        st.success("本期各项标准均得满分。")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "标准": lost["standard_id"] + " " + lost["standard"],
                "类别": lost["category"],
                "方式": [MODES[m] for m in lost["mode"]],
                "得分": [f"{fmt_points(p)} / {n:g}" for p, n in zip(lost["points"], lost["nominal"], strict=True)],
                "可挽回分": lost["lost"],
                "缺什么": lost["missing"],
            }
        ),
        hide_index=True,
        column_config={
            "标准": st.column_config.TextColumn(width="medium"),
            "类别": st.column_config.TextColumn(width="small"),
            "方式": st.column_config.TextColumn(width="small"),
            "得分": st.column_config.TextColumn(width="small"),
            "可挽回分": st.column_config.NumberColumn(format="%.1f", help=DEFS["lost"], width="small"),
            "缺什么": st.column_config.TextColumn(width="large"),
        },
        height=min(36 * len(lost) + 40, 720),
    )


# ---------------------------------------------------------------------------------------------
# 对比


def _other_ranking(view: View, other: Period) -> pd.DataFrame:
    cards = data.run(scorecard.scorecards, view.scope, view.area, view.rubric.id, other)
    return scorecard.ranking(cards, None, view.rubric, star_scale())


def compare_tab(view: View) -> None:
    """Two periods side by side, and the unit against the tier's average and best unit."""
    st.subheader("两期对比", help=DEFS["compare"])
    others = [p for p in view.periods if p.id != view.period.id]
    if others:
        default = others.index(view.previous) if view.previous in others else len(others) - 1
        by_id = {p.id: p for p in others}
        other_id = st.selectbox(
            "对比的评估期", list(by_id), index=default, format_func=lambda pid: by_id[pid].label, key="compare_with"
        )
        other = by_id[other_id]
        first, second = sorted([other, view.period], key=lambda p: p.start)
        rank_1 = view.ranked if first == view.period else _other_ranking(view, first)
        rank_2 = view.ranked if second == view.period else _other_ranking(view, second)
        compared = scorecard.compare_periods(rank_1, rank_2)
        st.dataframe(
            pd.DataFrame(
                {
                    "单位": compared["unit_name"],
                    "区县": compared["county_name"],
                    f"{first.label}总分": compared["total_1"],
                    f"{first.label}名次": compared["rank_1"],
                    f"{second.label}总分": compared["total_2"],
                    f"{second.label}名次": compared["rank_2"],
                    "总分变化": compared["delta"],
                    "名次变化": [scorecard.change_text(c) for c in compared["rank_change"]],
                }
            ),
            hide_index=True,
            height=min(36 * len(compared) + 40, 560),
        )
        if len(compared) <= review_config().chart_max_units:
            st.altair_chart(charts.compare_chart(compared, first.label, second.label), width="stretch")
    else:
        st.info("只有一个评估期，暂无可对比的上一期。")
    st.subheader(f"{ui.escape(view.unit['unit_name'])}与同层级对比", help=DEFS["benchmark"])
    bench = scorecard.benchmark(view.cards, view.ranked, view.rubric, view.unit_id)
    st.altair_chart(charts.benchmark_chart(bench, str(view.unit["unit_name"])), width="stretch")
    st.dataframe(
        bench.rename(
            columns={"category": "类别", "nominal": "分值", "unit": "本单位", "average": "同层级平均", "best": "第一名"}
        ).drop(columns="category_id"),
        hide_index=True,
    )


# ---------------------------------------------------------------------------------------------
# 目标达成


def targets_tab(view: View) -> None:
    """Each county centre against the 13% / 80% / 20-hour targets, staff ≥ 6 and the media minimums."""
    goals = targets()
    year = window(12, view.period)
    span = dataclasses.replace(view.area, start=year.start, end=year.end, township=None)
    st.subheader("各中心目标达成", help=centre_targets.DEFINITIONS["window"])
    st.caption(f"{year.start:%Y-%m-%d} 至 {year.end:%Y-%m-%d}")
    people = data.run(volunteers.participation, view.scope, span, "county")
    centres = data.run(centre_targets.centres, view.scope, span)
    if centres.empty:
        st.info("所选区域内没有文明实践中心。")
        return
    table = centre_targets.light_table(centres, people, goals)
    shown = pd.DataFrame({"文明实践中心": table["name"]})
    colours: dict[str, list[str]] = {}
    columns = {
        "volunteer_share": ("志愿者占常住人口", lambda v: ui.fmt_pct(v)),
        "party_participation": ("在职党员参与率", lambda v: ui.fmt_pct(v)),
        "hours_per_party_member": ("党员人均时长（小时）", lambda v: "—" if pd.isna(v) else f"{v:.1f}"),
        "staff": ("专职人员", ui.fmt_int),
        "media_province": ("省级报道", ui.fmt_int),
        "media_city": ("市级报道", ui.fmt_int),
        "media_county": ("县级报道", ui.fmt_int),
    }
    config = {}
    for measure, (title, fmt) in columns.items():
        target = goals[centre_targets.MEASURES[measure]]
        name = f"{title}（目标 {target.shown}）"
        shown[name] = [fmt(v) for v in table[measure]]
        codes = list(table[f"{measure}_light"])
        colours[name] = [lights.colour(code) for code in codes]
        help_key = "media" if measure.startswith("media") else measure
        config[name] = st.column_config.TextColumn(help=goals.fill(centre_targets.DEFINITIONS[help_key]))
    st.dataframe(lights.styled(shown, colours), hide_index=True, column_config=config)
    st.caption(centre_targets.DEFINITIONS["light"].format(amber_from=f"{volunteering().amber_from:.0%}"))


# ---------------------------------------------------------------------------------------------
# 导出


def _heading(view: View, area_name: str) -> list[str]:
    lab = labels()
    title = f"{area_name}新时代文明实践{lab.label('tiers', view.rubric.tier)}{view.period.label}评估"
    return [
        title,
        f"评分细则：{view.rubric.name}（{view.rubric.total:g} 分）",
        f"评估期：{view.period.label}（{view.period.start:%Y-%m-%d} 至 {view.period.end:%Y-%m-%d}）；"
        f"{evidence.DEFINITIONS['window']}",
        f"范围：{area_name}；导出时间：{local_now():%Y-%m-%d %H:%M}",
    ]


def _area_name(view: View) -> str:
    counties = data.run(regions.counties, view.scope)
    townships = data.run(regions.townships, view.scope)
    names = dict(zip(counties["code"], counties["name"], strict=True))
    names.update(zip(townships["code"], townships["name"], strict=True))
    if view.area.township:
        return names.get(view.area.county, "") + names.get(view.area.township, view.area.township)
    if view.area.county:
        return names.get(view.area.county, view.area.county)
    return "全市" if view.scope.counties is None else "所辖区县"


def _logged(build: Callable[[], bytes], what: str) -> Callable[[], bytes]:
    """``build`` for a deferred download button, with a log line when it fails."""

    def run() -> bytes:
        try:
            return build()
        except Exception:
            log.exception("export %s failed", what)
            raise

    return run


def exports_tab(view: View) -> None:
    """Excel workbook, PDF review pack (for the area or one district) and chart PNGs."""
    rubric, cfg, scale = view.rubric, review_config(), star_scale()
    stem = f"{view.period.id}_{rubric.tier}"
    area_name = _area_name(view)
    st.subheader("Excel：排行与各单位评分表")
    heading = _heading(view, area_name)
    if len(view.ranked) > cfg.excel_max_unit_sheets:
        st.caption(f"单位多于 {cfg.excel_max_unit_sheets} 个，只导出排行表；选择区县或乡镇（街道）后可逐个导出评分表。")
    st.download_button(
        "下载 Excel",
        _logged(
            lambda: excel.workbook(view.ranked, view.cards, rubric, heading, scale, cfg.excel_max_unit_sheets), "excel"
        ),
        file_name=f"评估排行_{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click="ignore",
        key="download_excel",
    )

    st.subheader("PDF：评估会材料")
    packs = _pack_choices(view, area_name)
    choice = st.selectbox(
        "范围",
        list(packs),
        format_func=lambda key: packs[key][0],
        key="pdf_area",
        help="所选区域一份，或每个区县一份。",
    )
    pack_name, pack_cards, pack_prev = packs[choice]
    if not cfg.fonts.pdf_file.is_file():
        st.warning(f"找不到 PDF 用的中文字体 {cfg.fonts.pdf_file}：请安装 Debian 的 fonts-wqy-microhei 后再导出 PDF。")
    else:
        st.download_button(
            "下载 PDF",
            _logged(lambda: _pack(view, pack_name, pack_cards, pack_prev), "pdf"),
            file_name=f"评估材料_{stem}_{choice}.pdf",
            mime="application/pdf",
            icon=":material/picture_as_pdf:",
            on_click="ignore",
            key="download_pdf",
        )

    st.subheader("图表 PNG")
    unit_name = str(view.unit["unit_name"])
    bench = scorecard.benchmark(view.cards, view.ranked, rubric, view.unit_id)
    most = cfg.chart_max_units
    pictures = {
        "总分排行": lambda: charts.ranking_chart(view.ranked.head(most), "总分排行"),
        "各类别得分率": lambda: charts.categories_chart(view.ranked, rubric, "各类别得分率"),
        f"{unit_name}与同层级对比": lambda: charts.benchmark_chart(bench, unit_name, f"{unit_name}与同层级对比"),
    }
    columns = st.columns(len(pictures))
    for n, (column, (label, chart)) in enumerate(zip(columns, pictures.items(), strict=True)):
        column.download_button(
            label,
            _logged(lambda chart=chart: charts.png(chart()), "png"),
            file_name=f"{stem}_{n + 1}.png",
            mime="image/png",
            icon=":material/image:",
            on_click="ignore",
            key=f"download_png_{n}",
        )
    if len(view.ranked) > most:
        st.caption(f"排行图只画前 {most} 名；类别图画各类别的平均得分率。")


def _pack_choices(view: View, area_name: str) -> dict[str, tuple[str, pd.DataFrame, pd.DataFrame | None]]:
    """``area`` (everything shown) and one entry per county: (name, cards, previous cards)."""
    choices: dict[str, tuple[str, pd.DataFrame, pd.DataFrame | None]] = {
        "area": (area_name, view.cards, view.prev_cards)
    }
    if view.area.county is None:
        counties = view.ranked.drop_duplicates("county_code")[["county_code", "county_name"]]
        for code, name in zip(counties["county_code"], counties["county_name"], strict=True):
            prev = view.prev_cards[view.prev_cards["county_code"] == code] if view.prev_cards is not None else None
            choices[code] = (str(name), view.cards[view.cards["county_code"] == code], prev)
    return choices


def _pack(view: View, name: str, cards: pd.DataFrame, prev: pd.DataFrame | None) -> bytes:
    rubric, cfg, scale = view.rubric, review_config(), star_scale()
    ranked = scorecard.ranking(cards, prev, rubric, scale)
    heading = _heading(view, name)
    chart = charts.png(charts.categories_chart(ranked, rubric))
    return pdf.review_pack(
        ranked, cards, rubric, heading[0] + "材料", heading[1:], scale, chart, cfg.pdf_max_unit_pages
    )
