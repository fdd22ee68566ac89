"""The review's charts as Altair specs (drawn by the pages) and as PNG bytes (for downloads and the PDF).

:func:`png` renders a chart with vl-convert, without a browser, in the CJK font of assets/review.yaml
(Debian's fonts-noto-cjk). Every chart takes frames of ``queries.scorecard`` and the rubric.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import vl_convert

from dashboard.review_config import review_config
from dashboard.rubrics import Rubric

PNG_SCALE = 2


def _category_names(rubric: Rubric) -> dict[str, str]:
    return {c.id: c.name for c in rubric.categories}


def ranking_chart(ranked: pd.DataFrame, title: str = "") -> alt.Chart:
    """Horizontal bars of the units' totals, best first."""
    colours = review_config().colours
    data = pd.DataFrame(
        {"单位": ranked["unit_name"], "总分": ranked["total"].astype(float), "名次": ranked["rank"].astype(int)}
    )
    return (
        alt.Chart(data, title=title)
        .mark_bar(color=colours["points"])
        .encode(
            y=alt.Y("单位:N", sort=None, title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
            x=alt.X("总分:Q", title="总分"),
            tooltip=["名次:Q", "单位:N", alt.Tooltip("总分:Q", format=".1f")],
        )
        .properties(height=max(120, 22 * len(data)), width=520)
    )


def category_chart(ranked: pd.DataFrame, rubric: Rubric, title: str = "") -> alt.Chart:
    """Heat map: units (rows, in rank order) × categories, coloured by the share of the category's points."""
    names = _category_names(rubric)
    rows = []
    for _, row in ranked.iterrows():
        for category in rubric.categories:
            points = float(row[category.id])
            rows.append(
                {
                    "单位": row["unit_name"],
                    "类别": names[category.id],
                    "得分": points,
                    "分值": category.points,
                    "得分率": points / category.points if category.points else 0.0,
                }
            )
    data = pd.DataFrame(rows, columns=["单位", "类别", "得分", "分值", "得分率"])
    order = [names[c.id] for c in rubric.categories]
    base = alt.Chart(data, title=title).encode(
        y=alt.Y(
            "单位:N", sort=list(ranked["unit_name"]), title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)
        ),
        x=alt.X("类别:N", sort=order, title=None, axis=alt.Axis(labelAngle=0, orient="top")),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("得分率:Q", scale=alt.Scale(domain=[0, 1], scheme="reds"), legend=alt.Legend(format=".0%")),
        tooltip=[
            "单位:N",
            "类别:N",
            alt.Tooltip("得分:Q", format=".1f"),
            "分值:Q",
            alt.Tooltip("得分率:Q", format=".0%"),
        ],
    )
    labels = base.mark_text(fontSize=11).encode(
        text=alt.Text("得分:Q", format=".1f"),
        color=alt.condition("datum['得分率'] > 0.6", alt.value("white"), alt.value("black")),
    )
    return (cells + labels).properties(height=max(120, 22 * len(ranked)), width=max(420, 80 * len(order)))


def category_average_chart(ranked: pd.DataFrame, rubric: Rubric, title: str = "") -> alt.Chart:
    """Per category: the units' average share of the category's points (for more units than a heat map holds)."""
    colours = review_config().colours
    rows = [
        {
            "类别": category.name,
            "平均得分": float(ranked[category.id].mean()) if len(ranked) else 0.0,
            "分值": category.points,
        }
        for category in rubric.categories
    ]
    data = pd.DataFrame(rows, columns=["类别", "平均得分", "分值"])
    data["平均得分率"] = data["平均得分"] / data["分值"]
    return (
        alt.Chart(data, title=title)
        .mark_bar(color=colours["points"])
        .encode(
            x=alt.X("类别:N", sort=list(data["类别"]), title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("平均得分率:Q", title="平均得分率", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                "类别:N",
                alt.Tooltip("平均得分:Q", format=".1f"),
                "分值:Q",
                alt.Tooltip("平均得分率:Q", format=".0%"),
            ],
        )
        .properties(height=300, width=max(420, 90 * len(data)))
    )


def categories_chart(ranked: pd.DataFrame, rubric: Rubric, title: str = "") -> alt.Chart:
    """The category chart of the review: the heat map when it holds every unit, else the category averages."""
    if len(ranked) <= review_config().chart_max_units:
        return category_chart(ranked, rubric, title)
    return category_average_chart(ranked, rubric, title)


def benchmark_chart(bench: pd.DataFrame, unit_name: str, title: str = "") -> alt.Chart:
    """Per category: the unit's share of the points beside the tier's average and the best unit's."""
    colours = review_config().colours
    series = {unit_name: "unit", "同层级平均": "average", "第一名": "best"}
    rows = [
        {
            "类别": r["category"],
            "对象": label,
            "得分率": r[column] / r["nominal"] if r["nominal"] else 0.0,
            "得分": r[column],
        }
        for _, r in bench.iterrows()
        for label, column in series.items()
    ]
    data = pd.DataFrame(rows, columns=["类别", "对象", "得分率", "得分"])
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X("类别:N", sort=list(bench["category"]), title=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("对象:N", sort=list(series)),
            y=alt.Y("得分率:Q", title="得分率", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "对象:N",
                sort=list(series),
                scale=alt.Scale(domain=list(series), range=[colours["points"], colours["average"], colours["best"]]),
                legend=alt.Legend(orient="top", title=None),
            ),
            tooltip=["类别:N", "对象:N", alt.Tooltip("得分:Q", format=".1f"), alt.Tooltip("得分率:Q", format=".0%")],
        )
        .properties(height=300, width=max(420, 90 * len(bench)))
    )


def compare_chart(compared: pd.DataFrame, first_label: str, second_label: str, title: str = "") -> alt.Chart:
    """Each unit's total in two periods, side by side, in the second period's rank order."""
    colours = review_config().colours
    rows = [
        {"单位": r["unit_name"], "期间": label, "总分": r[column]}
        for _, r in compared.iterrows()
        for label, column in ((first_label, "total_1"), (second_label, "total_2"))
        if pd.notna(r[column])
    ]
    data = pd.DataFrame(rows, columns=["单位", "期间", "总分"])
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y(
                "单位:N",
                sort=list(compared["unit_name"]),
                title=None,
                axis=alt.Axis(labelLimit=260, labelOverlap=False),
            ),
            yOffset=alt.YOffset("期间:N", sort=[first_label, second_label]),
            x=alt.X("总分:Q", title="总分"),
            color=alt.Color(
                "期间:N",
                scale=alt.Scale(domain=[first_label, second_label], range=[colours["previous"], colours["points"]]),
                legend=alt.Legend(orient="top", title=None),
            ),
            tooltip=["单位:N", "期间:N", alt.Tooltip("总分:Q", format=".1f")],
        )
        .properties(height=max(120, 44 * len(compared)), width=520)
    )


def png(chart: alt.TopLevelMixin) -> bytes:
    """The chart as PNG bytes, rendered by vl-convert (no browser) in the configured CJK font."""
    face = review_config().fonts.chart_face
    spec = chart.configure(font=face).configure_view(stroke=None).to_dict()
    return vl_convert.vegalite_to_png(spec, scale=PNG_SCALE)
