"""The rubrics' rules applied to the evidence: pure functions, no database and no Streamlit.

A computed standard is scored by the function of its rule kind (``monthly_activity``,
``media_points`` …) from plain evidence (month → counts, one level per news item, …) and gives an
:class:`Outcome`: the points, one line saying what the evidence shows, one line saying what is
missing (for 自查自评 / 对标补短) and the evidence rows behind the points. An entered standard is
scored by :func:`entered` from the inspectors' row. ``queries.evidence`` reads the evidence and
``queries.scorecard`` puts units, standards and outcomes together.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dashboard.labels import labels
from dashboard.rubrics import PERIOD_MONTHS, Rule, Standard

MEDIA_LEVELS = ("county", "city", "province", "national")


@dataclass(frozen=True)
class Period:
    """An evaluation period (a half-year), as in table ``evaluation_period``."""

    id: str
    start: dt.date
    end: dt.date
    label: str


@dataclass(frozen=True)
class Window:
    """The dates a rubric's computed rules look at: ``months`` are ``'YYYY-MM'``, oldest first."""

    start: dt.date
    end: dt.date
    months: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """The score of one standard for one unit, with what it rests on."""

    points: float
    detail: str
    missing: str = ""
    columns: tuple[str, ...] = ()
    rows: tuple[tuple, ...] = ()


@dataclass(frozen=True)
class ActivityMonth:
    """A unit's activities in one month: held, with all required materials, uploaded, theory lectures."""

    activities: int = 0
    complete: int = 0
    uploaded: int = 0
    theory_lectures: int = 0


NO_ACTIVITY = ActivityMonth()  # a month without any activity


@dataclass(frozen=True)
class Story:
    """A news item counted once, at ``level`` (its highest), with its first date and title."""

    level: str
    title: str = ""
    published: dt.date | None = None
    reports: int = 1


@dataclass(frozen=True)
class ProjectStart:
    """A project established in the window; ``implementing_on`` None when not carried out yet."""

    name: str
    established_on: dt.date
    implementing_on: dt.date | None = None


@dataclass(frozen=True)
class UnitEvidence:
    """Everything a unit's computed standards are scored from (absent kinds are empty)."""

    activities: Mapping[str, ActivityMonth] = field(default_factory=dict)
    summaries: Mapping[str, dt.datetime] = field(default_factory=dict)
    meetings: Mapping[str, int] = field(default_factory=dict)
    stories: Sequence[Story] = ()
    volunteers: int = 0
    population: float | None = None
    villages: Sequence[tuple[str, int]] = ()
    projects: Sequence[ProjectStart] = ()


# ---------------------------------------------------------------------------------------------
# Periods, months, numbers


def window(period_months: int | None, period: Period) -> Window:
    """The months a rubric looks at: its period's length (6 or 12 months) ending with ``period``'s last month.

    ``period_months`` None means the evaluation period itself.
    """
    end_month = period.end.year * 12 + period.end.month - 1
    if period_months is None:
        period_months = end_month - (period.start.year * 12 + period.start.month - 1) + 1
    first = end_month - period_months + 1
    months = tuple(f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, end_month + 1))
    return Window(dt.date(first // 12, first % 12 + 1, 1), period.end, months)


def rubric_window(rubric_period: str | None, period: Period) -> Window:
    """The window of a rubric whose ``period`` is ``half_year``, ``year`` or None (see :func:`window`)."""
    return window(PERIOD_MONTHS.get(rubric_period) if rubric_period else None, period)


@functools.lru_cache(maxsize=256)
def _one_year(months: tuple[str, ...]) -> bool:
    return len({m[:4] for m in months}) <= 1


@functools.lru_cache(maxsize=4096)
def _month_label(month: str, one_year: bool) -> str:
    year, number = month.split("-")
    return f"{int(number)}月" if one_year else f"{year}年{int(number)}月"


def month_name(month: str, months: Sequence[str]) -> str:
    """``'2026-02'`` → ``2月``, or ``2026年2月`` when the window spans two years."""
    return _month_label(month, _one_year(tuple(months)))


def month_list(chosen: Sequence[str], months: Sequence[str]) -> str:
    """Months joined by 、 for a sentence."""
    return "、".join(month_name(m, months) for m in chosen)


def quarter_key(month: str) -> str:
    """``'2026-05'`` → ``'2026-Q2'``."""
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def quarter_name(quarter: str) -> str:
    """``'2026-Q2'`` → ``2026年第2季度``."""
    year, q = quarter.split("-Q")
    return f"{year}年第{q}季度"


@functools.lru_cache(maxsize=4096)
def fmt_points(value: float) -> str:
    """Points as people write them: ``1.5``, ``12``, ``0``. (Cached: a scorecard writes the same few values
    hundreds of thousands of times.)"""
    rounded = round(value, 2)
    return f"{rounded:g}"


def _cap(value: float, points: float, may_exceed: bool) -> float:
    value = max(value, 0.0)
    return round(value if may_exceed else min(value, points), 4)


# ---------------------------------------------------------------------------------------------
# Computed rules, one function per rule kind


def monthly_activity(
    tally: Mapping[str, ActivityMonth], months: Sequence[str], rule: Rule, points: float, may_exceed: bool = False
) -> Outcome:
    """Points for each month with at least one activity whose required materials are all there."""
    per_month = float(rule.get("points_per_month"))
    good = [m for m in months if tally.get(m, NO_ACTIVITY).complete >= 1]
    empty = [m for m in months if tally.get(m, NO_ACTIVITY).activities == 0]
    incomplete = [m for m in months if m not in good and m not in empty]
    score = _cap(len(good) * per_month, points, may_exceed)
    missing = []
    if score < points:
        if empty:
            missing.append(f"{len(empty)} 个月没有活动记录：{month_list(empty, months)}")
        if incomplete:
            missing.append(
                f"{len(incomplete)} 个月的活动材料不全（方案、记录、图片、成效）：{month_list(incomplete, months)}"
            )
    rows = tuple(
        (
            month_name(m, months),
            tally.get(m, NO_ACTIVITY).activities,
            tally.get(m, NO_ACTIVITY).complete,
            "是" if m in good else "否",
            fmt_points(per_month if m in good else 0),
        )
        for m in months
    )
    return Outcome(
        score,
        f"{len(months)} 个月中 {len(good)} 个月有材料齐全的活动，每月 {fmt_points(per_month)} 分",
        "；".join(missing),
        ("月份", "活动场次", "材料齐全的场次", "计分", "得分"),
        rows,
    )


def monthly_upload(
    tally: Mapping[str, ActivityMonth], months: Sequence[str], rule: Rule, points: float, may_exceed: bool = False
) -> Outcome:
    """Points for each month in which an activity held that month was uploaded with photos or a record."""
    per_month = float(rule.get("points_per_month"))
    good = [m for m in months if tally.get(m, NO_ACTIVITY).uploaded >= 1]
    bad = [m for m in months if m not in good]
    score = _cap(len(good) * per_month, points, may_exceed)
    missing = f"{len(bad)} 个月没有上传图文资料：{month_list(bad, months)}" if score < points and bad else ""
    rows = tuple(
        (
            month_name(m, months),
            tally.get(m, NO_ACTIVITY).activities,
            tally.get(m, NO_ACTIVITY).uploaded,
            "是" if m in good else "否",
            fmt_points(per_month if m in good else 0),
        )
        for m in months
    )
    return Outcome(
        score,
        f"{len(months)} 个月中 {len(good)} 个月上传了图文资料，每月 {fmt_points(per_month)} 分",
        missing,
        ("月份", "活动场次", "已上传图文的场次", "计分", "得分"),
        rows,
    )


def monthly_theory_lecture(
    tally: Mapping[str, ActivityMonth], months: Sequence[str], rule: Rule, points: float, may_exceed: bool = False
) -> Outcome:
    """Months with at least ``min_per_month`` theory lectures: points per month, or pro rata of the months."""
    needed = int(rule.get("min_per_month", 1))
    good = [m for m in months if tally.get(m, NO_ACTIVITY).theory_lectures >= needed]
    bad = [m for m in months if m not in good]
    per_month = rule.get("points_per_month")
    if per_month is not None:
        score = _cap(len(good) * float(per_month), points, may_exceed)
        how = f"每月 {fmt_points(float(per_month))} 分"
    else:
        score = _cap(points * len(good) / len(months) if months else 0.0, points, may_exceed)
        how = "按达标月份比例计分"
    shortfall = "没有理论宣讲" if needed == 1 else f"理论宣讲不足 {needed} 场"
    missing = f"{len(bad)} 个月{shortfall}：{month_list(bad, months)}" if score < points and bad else ""
    got = {m: (float(per_month) if per_month is not None else points / len(months)) for m in good}
    rows = tuple(
        (
            month_name(m, months),
            tally.get(m, NO_ACTIVITY).theory_lectures,
            "是" if m in good else "否",
            fmt_points(got.get(m, 0.0)),
        )
        for m in months
    )
    return Outcome(
        score,
        f"{len(months)} 个月中 {len(good)} 个月开展了理论宣讲（每月至少 {needed} 场），{how}",
        missing,
        ("月份", "理论宣讲场次", "达标", "得分"),
        rows,
    )


def summary_deadline(month: str, due_day: int) -> dt.datetime:
    """The moment a month's summary is late: the start of the day after ``due_day`` of the next month."""
    year, number = (int(x) for x in month.split("-"))
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return dt.datetime(year, number, due_day) + dt.timedelta(days=1)


def monthly_summary(
    submitted: Mapping[str, dt.datetime],
    months: Sequence[str],
    rule: Rule,
    points: float,
    due_day: int,
    may_exceed: bool = False,
) -> Outcome:
    """Points for each month whose progress summary came in by ``due_day`` of the next month."""
    per_month = float(rule.get("points_per_month"))
    on_time = [m for m in months if m in submitted and submitted[m] < summary_deadline(m, due_day)]
    late = [m for m in months if m in submitted and m not in on_time]
    absent = [m for m in months if m not in submitted]
    score = _cap(len(on_time) * per_month, points, may_exceed)
    missing = []
    if score < points:
        if absent:
            missing.append(f"{len(absent)} 个月未报送小结：{month_list(absent, months)}")
        if late:
            missing.append(f"{len(late)} 个月小结逾期报送：{month_list(late, months)}")
    rows = tuple(
        (
            month_name(m, months),
            submitted[m].strftime("%Y-%m-%d %H:%M") if m in submitted else "未报送",
            (summary_deadline(m, due_day) - dt.timedelta(days=1)).strftime("%Y-%m-%d"),
            "是" if m in on_time else "否",
            fmt_points(per_month if m in on_time else 0),
        )
        for m in months
    )
    return Outcome(
        score,
        f"{len(months)} 个月中 {len(on_time)} 个月按时报送小结，每月 {fmt_points(per_month)} 分",
        "；".join(missing),
        ("月份", "报送时间", "截止日期", "按时", "得分"),
        rows,
    )


def quarterly_meeting(
    meetings: Mapping[str, int], months: Sequence[str], rule: Rule, points: float, may_exceed: bool = False
) -> Outcome:
    """Points for each quarter of the window with at least ``min_per_quarter`` meetings."""
    per_quarter = float(rule.get("points_per_quarter"))
    needed = int(rule.get("min_per_quarter", 1))
    quarters: dict[str, int] = {}
    for m in months:
        quarters[quarter_key(m)] = quarters.get(quarter_key(m), 0) + meetings.get(m, 0)
    good = [q for q, n in quarters.items() if n >= needed]
    bad = [q for q in quarters if q not in good]
    score = _cap(len(good) * per_quarter, points, may_exceed)
    meeting = rule.get("meeting", "评议会")
    missing = ""
    if score < points and bad:
        missing = f"{len(bad)} 个季度没有召开{meeting}：{'、'.join(quarter_name(q) for q in bad)}"
    rows = tuple(
        (quarter_name(q), n, "是" if q in good else "否", fmt_points(per_quarter if q in good else 0))
        for q, n in quarters.items()
    )
    return Outcome(
        score,
        f"{len(quarters)} 个季度中 {len(good)} 个季度召开了{meeting}，每季度 {fmt_points(per_quarter)} 分",
        missing,
        ("季度", "召开次数", "计分", "得分"),
        rows,
    )


def media_points(stories: Sequence[Story], rule: Rule, points: float, may_exceed: bool = False) -> Outcome:
    """Each news item scores once at its highest level (the rule's level points); capped unless may_exceed."""
    level_points = {level: float(rule.get("levels")[level]) for level in MEDIA_LEVELS}
    total = sum(level_points[s.level] for s in stories)
    score = _cap(total, points, may_exceed)
    counts = {level: sum(1 for s in stories if s.level == level) for level in MEDIA_LEVELS}
    lab = labels()
    shown = "、".join(f"{lab.label('media_levels', level)} {counts[level]} 条" for level in MEDIA_LEVELS)
    rate = "、".join(
        f"{lab.label('media_levels', level)}每条 {fmt_points(level_points[level])} 分" for level in MEDIA_LEVELS
    )
    missing = ""
    if score < points:
        missing = f"媒体上稿还差 {fmt_points(points - score)} 分（{rate}；同一新闻只按最高级别计一次）"
    ordered = sorted(stories, key=lambda s: (s.published or dt.date.min, s.title))
    rows = tuple(
        (
            s.published.isoformat() if s.published else "",
            s.title,
            lab.label("media_levels", s.level),
            s.reports,
            fmt_points(level_points[s.level]),
        )
        for s in ordered
    )
    return Outcome(
        score,
        f"{len(stories)} 条新闻（{shown}），合计 {fmt_points(total)} 分",
        missing,
        ("首次刊发", "标题", "最高级别", "报道次数", "得分"),
        rows,
    )


def _share_points(achieved: float, target: float, points: float, scoring: str) -> float:
    if scoring == "pro_rata":
        return round(points * min(achieved / target, 1.0), 4) if target else 0.0
    return points if achieved >= target else 0.0


def volunteer_share(volunteers: int, population: float | None, rule: Rule, points: float) -> Outcome:
    """Registered volunteers against the resident population; full points at the target (or pro rata)."""
    target = float(rule.get("target"))
    columns = ("注册志愿者", "常住人口", "占比", "目标")
    if population is None or (isinstance(population, float) and math.isnan(population)) or population <= 0:
        return Outcome(
            0.0,
            f"注册志愿者 {volunteers:,} 人，缺少常住人口数据",
            "缺少常住人口数据，无法计算注册志愿者占比（请在区划资料中补充常住人口）",
            columns,
            ((f"{volunteers:,}", "—", "—", f"{target:.0%}"),),
        )
    share = volunteers / population
    score = _share_points(share, target, points, rule.get("scoring", "all_or_nothing"))
    wanted = math.ceil(population * target)
    missing = ""
    if score < points:
        missing = f"注册志愿者占常住人口 {share:.1%}，目标 {target:.0%}，还差 {max(wanted - volunteers, 0):,} 人"
    return Outcome(
        score,
        f"注册志愿者 {volunteers:,} 人，占常住人口 {population:,.0f} 的 {share:.1%}（目标 {target:.0%}）",
        missing,
        columns,
        ((f"{volunteers:,}", f"{population:,.0f}", f"{share:.1%}", f"{target:.0%}"),),
    )


def chaxiang_coverage(villages: Sequence[tuple[str, int]], rule: Rule, points: float) -> Outcome:
    """Share of the township's villages whose stations held a 茶乡微讲堂; full points at the target, else pro rata."""
    target = float(rule.get("target"))
    covered = [name for name, lectures in villages if lectures > 0]
    columns = ("村（社区）", "茶乡微讲堂场次", "已开展")
    rows = tuple((name, lectures, "是" if lectures > 0 else "否") for name, lectures in villages)
    if not villages:
        return Outcome(0.0, "辖区没有登记村（社区）", "辖区没有登记村（社区），无法计算覆盖率", columns, rows)
    share = len(covered) / len(villages)
    score = _share_points(share, target, points, rule.get("scoring", "pro_rata"))
    missing = ""
    if score < points:
        needed = max(math.ceil(len(villages) * target) - len(covered), 0)
        sample = [name for name, lectures in villages if lectures == 0][:5]
        more = "等" if needed > len(sample) else ""
        missing = (
            f"茶乡微讲堂覆盖 {len(covered)}/{len(villages)} 个村（社区）（{share:.0%}），目标 {target:.0%}，"
            f"还需 {needed} 个，可从{'、'.join(sample[:needed])}{more}开始"
        )
    return Outcome(
        score,
        f"{len(villages)} 个村（社区）中 {len(covered)} 个开展了茶乡微讲堂（{share:.0%}，目标 {target:.0%}）",
        missing,
        columns,
        rows,
    )


def projects_per_year(projects: Sequence[ProjectStart], months: int, rule: Rule, points: float) -> Outcome:
    """Projects established in the window and carried out, against the yearly target (scaled to the window)."""
    target = float(rule.get("target")) * months / 12
    done = [p for p in projects if p.implementing_on is not None]
    score = _share_points(len(done), target, points, rule.get("scoring", "pro_rata"))
    waiting = len(projects) - len(done)
    missing = ""
    if score < points:
        missing = f"实施项目 {len(done)} 项，目标 {target:g} 项，还差 {math.ceil(target - len(done))} 项"
        if waiting:
            missing += f"（另有 {waiting} 项已发布、尚未进入实施）"
    rows = tuple(
        (
            p.name,
            p.established_on.isoformat(),
            p.implementing_on.isoformat() if p.implementing_on else "未实施",
            "是" if p.implementing_on else "否",
        )
        for p in projects
    )
    return Outcome(
        score,
        f"发布项目 {len(projects)} 项，其中已实施 {len(done)} 项（目标 {target:g} 项）",
        missing,
        ("项目", "发布日期", "进入实施", "计入"),
        rows,
    )


def computed(standard: Standard, evidence: UnitEvidence, win: Window, due_day: int) -> Outcome:
    """The outcome of a computed standard for one unit: dispatch on the rule kind."""
    rule = standard.rule
    if rule is None:
        raise ValueError(f"standard {standard.id} has no rule")
    kind, points, exceed = rule.kind, standard.points, standard.may_exceed
    if kind == "monthly_activity":
        return monthly_activity(evidence.activities, win.months, rule, points, exceed)
    if kind == "monthly_upload":
        return monthly_upload(evidence.activities, win.months, rule, points, exceed)
    if kind == "monthly_theory_lecture":
        return monthly_theory_lecture(evidence.activities, win.months, rule, points, exceed)
    if kind == "monthly_summary":
        return monthly_summary(evidence.summaries, win.months, rule, points, due_day, exceed)
    if kind == "quarterly_meeting":
        return quarterly_meeting(evidence.meetings, win.months, rule, points, exceed)
    if kind == "media_points":
        return media_points(evidence.stories, rule, points, exceed)
    if kind == "volunteer_share":
        return volunteer_share(evidence.volunteers, evidence.population, rule, points)
    if kind == "chaxiang_coverage":
        return chaxiang_coverage(evidence.villages, rule, points)
    if kind == "projects_per_year":
        return projects_per_year(evidence.projects, len(win.months), rule, points)
    raise ValueError(f"unknown rule kind {kind!r}")


# ---------------------------------------------------------------------------------------------
# Entered standards


def entered_cap(standard: Standard) -> float:
    """The most an inspector may enter: the points, plus the seed's bonus where it grants one."""
    return standard.points + (standard.bonus.points if standard.bonus else 0.0)


def entered(standard: Standard, value: float | None, by: str | None = None, at: dt.datetime | None = None) -> Outcome:
    """An inspector's score: clipped to 0 … :func:`entered_cap`; no row means 0 points, not entered yet."""
    columns = ("录入分值", "录入人", "录入时间")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Outcome(
            0.0,
            "督查组尚未录入",
            f"督查组尚未录入分数（核查方式：{'、'.join(standard.methods)}）",
            columns,
            (("未录入", "—", "—"),),
        )
    cap = entered_cap(standard)
    score = round(min(max(float(value), 0.0), cap), 4)
    note = (
        ""
        if score == float(value)
        else f"（录入 {fmt_points(float(value))} 分超出 0–{fmt_points(cap)}，按 {fmt_points(score)} 分计）"
    )
    when = at.strftime("%Y-%m-%d %H:%M") if at is not None else "—"
    missing = (
        f"督查扣 {fmt_points(standard.points - score)} 分：{standard.description}" if score < standard.points else ""
    )
    return Outcome(
        score,
        f"{by or '督查组'}于 {when} 录入 {fmt_points(score)} 分{note}",
        missing,
        columns,
        ((fmt_points(float(value)), by or "—", when),),
    )
