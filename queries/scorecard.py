"""Scorecards of the semi-annual review: every unit of a tier scored on its rubric, then totals and ranks.

:func:`scorecards` is the one query: for a rubric, a period and an area it reads the evidence
(``queries.evidence``) and the inspectors' entered scores, scores every standard of every unit
(``dashboard.scoring``) and returns one row per unit and standard. The rest of this module works on
that frame without SQL: :func:`ranking` (totals, ranks, change against the previous half-year,
stars, category points), :func:`compare_periods`, :func:`benchmark` (a unit against the tier's
average and best) and :func:`lost_points` (自查自评 / 对标补短). Definitions are in :data:`DEFINITIONS`.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, func, select

from dashboard import scoring
from dashboard.review_config import StarScale, review_config, rubric_catalog
from dashboard.rubrics import Rubric, standards
from dashboard.scope import Scope
from queries import evidence
from queries.common import TABLES, area_clause, frame, scope_clause, unit, with_place_names

if TYPE_CHECKING:
    from dashboard.filters import Filters

evaluation_period = TABLES["evaluation_period"]
rubric_score = TABLES["rubric_score"]
star_rating = TABLES["star_rating"]

ACTIVITY_KINDS = ("monthly_activity", "monthly_upload", "monthly_theory_lecture")
CARD_COLUMNS = [
    "unit_id",
    "unit_name",
    "county_code",
    "county_name",
    "township_name",
    "category_id",
    "item_id",
    "standard_id",
    "mode",
    "nominal",
    "points",
    "lost",
    "detail",
    "missing",
    "entered_by",
    "entered_at",
]

DEFINITIONS = {
    "units": "所选区域（侧栏的区县、乡镇筛选，以及您的查看范围）内该层级的全部单位。",
    "lost_count": "得分低于标准分值的标准个数。",
    "total": (
        "评估总分 = 各项标准得分之和。计算分由平台数据按细则规则算出（依据可逐项查看），录入分取督查组在本期最后一次"
        "录入的分数；尚未录入的标准计 0 分。细则允许的项目（如媒体上稿）可超出标准分。"
    ),
    "rank": "所选区域内同一层级的单位按总分从高到低排名，总分相同名次相同。",
    "rank_change": "与上一个半年相比名次的变化：↑ 上升、↓ 下降、— 持平；上一期没有该单位时显示“新”。",
    "stars": "按总分占细则总分的比例评定（assets/stars.yaml）：{stars}。",
    "recorded_stars": "平台 star_rating 表中本期评定的星级（评定工作组录入，供对照）。",
    "categories": "各类别的得分占该类别分值的比例。",
    "lost": "可挽回分 = 标准分值 − 得分（只计未得满分的标准）；按可挽回分从大到小排列，并写明缺什么。",
    "benchmark": "本单位各类别得分，与所选区域内同一层级全部单位的平均分、总分第一的单位的得分对照。",
    "compare": "同一批单位在两个半年的总分与名次；变化 = 后一期 − 前一期。",
    "entered_rows": (
        "督查组录入的分数：同一单位同一标准有多条记录时取录入时间最晚的一条；分值超出 0 至标准分（含加分）时按边界计。"
    ),
}


def periods(conn: Connection) -> pd.DataFrame:
    """Evaluation periods, oldest first: ``id``, ``starts_on``, ``ends_on``, ``label`` (the same for every
    district, so not scoped)."""
    stmt = select(evaluation_period).order_by(evaluation_period.c.starts_on)
    return frame(conn, stmt)


def roster(conn: Connection, scope: Scope, filters: Filters, tier: str, unit_id: int | None = None) -> pd.DataFrame:
    """Units of ``tier`` in scope and area: ``unit_id``, ``unit_name``, ``county_code``, ``county_name``,
    ``township_name``, ordered by county, township and id."""
    places = with_place_names(unit, "card")
    clauses = [unit.c.tier == tier, area_clause(unit, scope, filters)]
    if unit_id is not None:
        clauses.append(unit.c.id == unit_id)
    stmt = (
        select(
            unit.c.id.label("unit_id"),
            unit.c.name.label("unit_name"),
            unit.c.county_code,
            places.county_name,
            places.township_name,
        )
        .select_from(places.source)
        .where(*clauses)
        .order_by(unit.c.county_code, unit.c.township_code, unit.c.id)
    )
    return frame(conn, stmt)


def entered_scores(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    rubric_id: str,
    period_id: str,
    tier: str,
    unit_id: int | None = None,
) -> pd.DataFrame:
    """The inspectors' latest entry per unit and standard of the rubric in the period.

    Columns: ``unit_id``, ``standard_id``, ``points``, ``entered_by``, ``entered_at``, ``note``,
    ``entries`` (how many rows were entered for that unit and standard; the latest counts).
    """
    owner = unit.alias("owner")
    clauses = [
        rubric_score.c.period_id == period_id,
        rubric_score.c.rubric_id == rubric_id,
        scope_clause(rubric_score.c.county_code, scope),
        owner.c.tier == tier,
        area_clause(owner, scope, filters),
    ]
    if unit_id is not None:
        clauses.append(rubric_score.c.unit_id == unit_id)
    key = (rubric_score.c.unit_id, rubric_score.c.standard_id)
    latest = func.row_number().over(
        partition_by=key, order_by=(rubric_score.c.entered_at.desc(), rubric_score.c.id.desc())
    )
    rows = (
        select(
            rubric_score.c.unit_id,
            rubric_score.c.standard_id,
            rubric_score.c.points,
            rubric_score.c.entered_by,
            rubric_score.c.entered_at,
            rubric_score.c.note,
            latest.label("latest"),
            func.count().over(partition_by=key).label("entries"),
        )
        .select_from(rubric_score.join(owner, owner.c.id == rubric_score.c.unit_id))
        .where(*clauses)
        .subquery("entries")
    )
    stmt = select(*(c for c in rows.c if c.name != "latest")).where(rows.c.latest == 1)
    df = frame(conn, stmt)
    df["points"] = pd.to_numeric(df["points"], errors="coerce").astype("float64")
    df["entries"] = df["entries"].astype("int64")
    return df


def recorded_stars(conn: Connection, scope: Scope, filters: Filters, period_id: str, tier: str) -> pd.DataFrame:
    """Stars the platform recorded for the period (table star_rating): ``unit_id``, ``stars``, ``rated_on``."""
    stmt = (
        select(star_rating.c.unit_id, star_rating.c.stars, star_rating.c.rated_on)
        .select_from(star_rating.join(unit, unit.c.id == star_rating.c.unit_id))
        .where(
            star_rating.c.period_id == period_id,
            scope_clause(star_rating.c.county_code, scope),
            unit.c.tier == tier,
            area_clause(unit, scope, filters),
        )
    )
    return frame(conn, stmt)


def _evidence(
    conn: Connection, scope: Scope, win_filters: Filters, rubric: Rubric, unit_id: int | None
) -> dict[int, scoring.UnitEvidence]:
    """The evidence of every unit of the rubric's tier, read with one query per kind of record."""
    tier = rubric.tier
    records = "county" if tier == "centre" else "unit"
    rules = [s.rule for s in standards(rubric) if s.rule is not None]
    kinds = {rule.kind for rule in rules}
    parts: dict[str, dict[int, object]] = defaultdict(dict)
    if kinds & set(ACTIVITY_KINDS):
        require = sorted({m for rule in rules if rule.kind == "monthly_activity" for m in rule.get("require", ())})
        df = evidence.activity_months(conn, scope, win_filters, tier, unit_id, tuple(require), records)
        columns = (df[name].tolist() for name in ("unit_id", "month", *evidence.ACTIVITY_COUNTS))
        for uid, month, *counts in zip(*columns, strict=True):  # plain lists: itertuples cost 0.1 s per 10,000
            parts["activities"].setdefault(uid, {})[month] = scoring.ActivityMonth(*counts)
    if "monthly_summary" in kinds:
        df = evidence.summary_months(conn, scope, win_filters, tier, unit_id, records)
        for row in df.itertuples(index=False):
            parts["summaries"].setdefault(row.unit_id, {})[row.month] = row.submitted_at.to_pydatetime()
    if "quarterly_meeting" in kinds:
        df = evidence.meeting_months(conn, scope, win_filters, tier, unit_id, records)
        for row in df.itertuples(index=False):
            parts["meetings"].setdefault(row.unit_id, {})[row.month] = row.meetings
    if "media_points" in kinds:
        df = evidence.media_stories(conn, scope, win_filters, tier, unit_id, records)
        for row in df.itertuples(index=False):
            story = scoring.Story(row.level, row.title, row.first_published, row.reports)
            parts["stories"].setdefault(row.unit_id, []).append(story)
    if "volunteer_share" in kinds:
        df = evidence.volunteer_shares(conn, scope, win_filters, tier, unit_id)
        for row in df.itertuples(index=False):
            parts["volunteers"][row.unit_id] = row.volunteers
            parts["population"][row.unit_id] = None if pd.isna(row.population) else float(row.population)
    if "chaxiang_coverage" in kinds:
        df = evidence.chaxiang_villages(conn, scope, win_filters, unit_id)
        for row in df.itertuples(index=False):
            parts["villages"].setdefault(row.unit_id, []).append((row.village_name, row.lectures))
    if "projects_per_year" in kinds:
        df = evidence.projects_started(conn, scope, win_filters, tier, unit_id, records)
        for row in df.itertuples(index=False):
            started = scoring.ProjectStart(row.name, row.established_on, row.implementing_on)
            parts["projects"].setdefault(row.unit_id, []).append(started)
    units = set().union(*(p.keys() for p in parts.values())) if parts else set()
    return {
        uid: scoring.UnitEvidence(**{name: values[uid] for name, values in parts.items() if uid in values})
        for uid in units
    }


def _window_filters(filters: Filters, win: scoring.Window) -> Filters:
    return dataclasses.replace(filters, start=win.start, end=win.end, period_key="custom")


def scorecards(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    rubric_id: str,
    period: scoring.Period,
    unit_id: int | None = None,
) -> pd.DataFrame:
    """One row per unit of the rubric's tier (in scope and area) and standard, scored for ``period``.

    Columns: see :data:`CARD_COLUMNS` — unit and area names, ``category_id``, ``item_id``,
    ``standard_id``, ``mode`` (computed/entered), ``nominal`` (the standard's points), ``points``,
    ``lost`` (nominal − points, at least 0), ``detail`` (what the evidence shows), ``missing`` (what
    would recover the lost points), ``entered_by`` and ``entered_at`` for entered standards.
    ``filters`` gives the area only; the window follows from the rubric and the period.
    """
    rubric = rubric_catalog()[rubric_id]
    win = scoring.rubric_window(rubric.period, period)
    units = roster(conn, scope, filters, rubric.tier, unit_id)
    proofs = _evidence(conn, scope, _window_filters(filters, win), rubric, unit_id)
    scores = entered_scores(conn, scope, filters, rubric.id, period.id, rubric.tier, unit_id)
    keys = zip(scores["unit_id"].tolist(), scores["standard_id"].tolist(), strict=True)
    values = zip(scores["points"].tolist(), scores["entered_by"].tolist(), scores["entered_at"].tolist(), strict=True)
    entries = dict(zip(keys, values, strict=True))  # (unit, standard) → (points, by, at)
    due_day = review_config().summary_due_day
    lines = standards(rubric)
    not_entered = {s.id: scoring.entered(s, None) for s in lines if not s.computed}  # the same for every unit
    rows = []
    empty = scoring.UnitEvidence()
    for u in units.itertuples(index=False):
        proof = proofs.get(u.unit_id, empty)
        for s in lines:
            entry = entries.get((u.unit_id, s.id))
            if s.computed:
                outcome = scoring.computed(s, proof, win, due_day)
            elif entry is None:
                outcome = not_entered[s.id]
            else:
                outcome = scoring.entered(s, *entry)
            rows.append(
                (
                    u.unit_id,
                    u.unit_name,
                    u.county_code,
                    u.county_name,
                    u.township_name,
                    s.category_id,
                    s.item_id,
                    s.id,
                    s.mode,
                    s.points,
                    outcome.points,
                    round(max(s.points - outcome.points, 0.0), 4),
                    outcome.detail,
                    outcome.missing,
                    None if entry is None or s.computed else entry[1],
                    None if entry is None or s.computed else entry[2],
                )
            )
    return pd.DataFrame(rows, columns=CARD_COLUMNS)


def standard_evidence(
    conn: Connection,
    scope: Scope,
    filters: Filters,
    rubric_id: str,
    period: scoring.Period,
    unit_id: int,
    standard_id: str,
) -> tuple[str, pd.DataFrame]:
    """The evidence rows behind one unit's score on one standard: (one-line summary, table).

    Computed standards list the months, quarters, news items, villages or projects the points rest
    on; entered standards show the inspectors' entry (who, when), with the note if one was written.
    """
    rubric = rubric_catalog()[rubric_id]
    standard = next(s for s in standards(rubric) if s.id == standard_id)
    win = scoring.rubric_window(rubric.period, period)
    if standard.computed:
        proof = _evidence(conn, scope, _window_filters(filters, win), rubric, unit_id)
        outcome = scoring.computed(
            standard, proof.get(unit_id, scoring.UnitEvidence()), win, review_config().summary_due_day
        )
        return outcome.detail, pd.DataFrame(list(outcome.rows), columns=list(outcome.columns))
    scores = entered_scores(conn, scope, filters, rubric.id, period.id, rubric.tier, unit_id)
    row = scores[scores["standard_id"] == standard_id]
    if row.empty:
        outcome = scoring.entered(standard, None)
        return outcome.detail, pd.DataFrame(list(outcome.rows), columns=list(outcome.columns))
    first = row.iloc[0]
    outcome = scoring.entered(standard, first["points"], first["entered_by"], first["entered_at"])
    table = pd.DataFrame(list(outcome.rows), columns=list(outcome.columns))
    table["备注"] = "" if pd.isna(first["note"]) else str(first["note"])
    table["录入条数"] = int(first["entries"])
    return outcome.detail, table


# ---------------------------------------------------------------------------------------------
# Frames built from scorecards (no SQL)


def ranking(cards: pd.DataFrame, previous: pd.DataFrame | None, rubric: Rubric, scale: StarScale) -> pd.DataFrame:
    """One row per unit, best first: ``unit_id``, names, ``total``, ``lost``, ``rank``, ``stars``,
    ``prev_total``, ``prev_rank``, ``change`` (previous rank − rank; NA when new) and one column per
    category id with the category's points."""
    columns = ["unit_id", "unit_name", "county_code", "county_name", "township_name"]
    category_ids = [c.id for c in rubric.categories]
    if cards.empty:
        return pd.DataFrame(
            columns=[*columns, "total", "lost", "rank", "stars", "prev_total", "prev_rank", "change", *category_ids]
        )
    units = cards.drop_duplicates("unit_id")[columns].set_index("unit_id")
    totals = _totals(cards)
    by_category = (
        cards.pivot_table(index="unit_id", columns="category_id", values="points", aggfunc="sum")
        .reindex(columns=category_ids, fill_value=0.0)
        .round(2)
    )
    df = units.join(totals).join(by_category)
    df["stars"] = [scale.stars(t, rubric.total) for t in df["total"]]
    prev = _totals(previous) if previous is not None and not previous.empty else None
    df["prev_total"] = prev["total"].reindex(df.index) if prev is not None else float("nan")
    df["prev_rank"] = (prev["rank"].reindex(df.index) if prev is not None else pd.Series(index=df.index)).astype(
        "Int64"
    )
    df["change"] = (df["prev_rank"] - df["rank"]).astype("Int64")
    df = df.reset_index().sort_values(["rank", "county_code", "unit_id"], kind="stable")
    return df[[*columns, "total", "lost", "rank", "stars", "prev_total", "prev_rank", "change", *category_ids]]


def _totals(cards: pd.DataFrame) -> pd.DataFrame:
    """Total and lost points per unit, with the competition rank (ties share the better rank)."""
    grouped = cards.groupby("unit_id")[["points", "lost"]].sum().round(2)
    grouped = grouped.rename(columns={"points": "total"})
    grouped["rank"] = grouped["total"].rank(method="min", ascending=False).astype("int64")
    return grouped


def change_text(change) -> str:
    """↑2, ↓1, — (same rank) or 新 (no previous rank)."""
    if change is None or pd.isna(change):
        return "新"
    change = int(change)
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "—"


def compare_periods(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Two rankings side by side (outer join on unit): ``unit_id``, ``unit_name``, ``county_name``,
    ``total_1``, ``rank_1``, ``total_2``, ``rank_2``, ``delta`` (total_2 − total_1), ``rank_change``
    (rank_1 − rank_2: positive = moved up), ordered by the second period's rank."""
    keep = ["unit_id", "unit_name", "county_name", "total", "rank"]
    merged = first[keep].merge(
        second[keep], on=["unit_id", "unit_name", "county_name"], how="outer", suffixes=("_1", "_2")
    )
    merged["delta"] = (merged["total_2"] - merged["total_1"]).round(2)
    merged["rank_1"] = merged["rank_1"].astype("Int64")
    merged["rank_2"] = merged["rank_2"].astype("Int64")
    merged["rank_change"] = (merged["rank_1"] - merged["rank_2"]).astype("Int64")
    return merged.sort_values(["rank_2", "rank_1", "unit_id"], na_position="last", kind="stable").reset_index(drop=True)


def benchmark(cards: pd.DataFrame, ranked: pd.DataFrame, rubric: Rubric, unit_id: int) -> pd.DataFrame:
    """Per category: ``category_id``, ``category``, ``nominal``, ``unit`` (this unit's points),
    ``average`` (the tier's mean in the area) and ``best`` (the points of the unit ranked first)."""
    per = cards.pivot_table(index="unit_id", columns="category_id", values="points", aggfunc="sum")
    best_id = ranked.iloc[0]["unit_id"] if not ranked.empty else unit_id
    rows = []
    for category in rubric.categories:
        column = per[category.id] if category.id in per else pd.Series(0.0, index=per.index)
        rows.append(
            {
                "category_id": category.id,
                "category": category.name,
                "nominal": category.points,
                "unit": round(float(column.get(unit_id, 0.0)), 2),
                "average": round(float(column.mean()), 2) if len(column) else 0.0,
                "best": round(float(column.get(best_id, 0.0)), 2),
            }
        )
    return pd.DataFrame(rows)


def lost_points(cards: pd.DataFrame, rubric: Rubric, unit_id: int) -> pd.DataFrame:
    """The unit's standards that lost points, most recoverable first: ``standard_id``, ``standard``,
    ``category``, ``item``, ``mode``, ``nominal``, ``points``, ``lost``, ``missing``."""
    names = {s.id: s.name for s in standards(rubric)}
    categories = {c.id: c.name for c in rubric.categories}
    items = {i.id: i.name for c in rubric.categories for i in c.items}
    order = {s.id: n for n, s in enumerate(standards(rubric))}
    rows = cards[(cards["unit_id"] == unit_id) & (cards["lost"] > 0)].copy()
    rows["order"] = rows["standard_id"].map(order)
    rows = rows.sort_values(["lost", "order"], ascending=[False, True], kind="stable")
    return pd.DataFrame(
        {
            "standard_id": rows["standard_id"],
            "standard": rows["standard_id"].map(names),
            "category": rows["category_id"].map(categories),
            "item": rows["item_id"].map(items),
            "mode": rows["mode"],
            "nominal": rows["nominal"],
            "points": rows["points"],
            "lost": rows["lost"],
            "missing": rows["missing"],
        }
    ).reset_index(drop=True)
