"""The rules applied to evidence (dashboard.scoring), and the star and review settings files, without a database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dashboard import scoring
from dashboard.errors import AssetError
from dashboard.review_config import load_review, load_stars, rubric_catalog, star_scale
from dashboard.rubrics import Rule, standards
from dashboard.scoring import ActivityMonth, Period, ProjectStart, Story

H1 = Period("2026H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30), "2026年上半年")
MONTHS = scoring.window(None, H1).months
ASSETS = Path(__file__).resolve().parents[1] / "assets"


def rule(kind: str, **params) -> Rule:
    return Rule(kind, params)


def standard(rubric_id: str, standard_id: str):
    return next(s for s in standards(rubric_catalog()[rubric_id]) if s.id == standard_id)


def test_windows():
    assert MONTHS == ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06")
    year = scoring.rubric_window("year", H1)
    assert year.start == dt.date(2025, 7, 1) and year.end == dt.date(2026, 6, 30) and len(year.months) == 12
    assert scoring.rubric_window("half_year", H1).months == MONTHS
    h2 = Period("2025H2", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "")
    assert scoring.rubric_window("year", h2).months[0] == "2025-01"
    assert scoring.month_name("2026-02", MONTHS) == "2月"
    assert scoring.month_name("2026-02", year.months) == "2026年2月"
    assert scoring.quarter_key("2026-05") == "2026-Q2" and scoring.quarter_name("2026-Q2") == "2026年第2季度"


def test_monthly_activity_counts_complete_months_and_says_what_is_missing():
    tally = {"2026-01": ActivityMonth(2, 1), "2026-02": ActivityMonth(1, 0), "2026-04": ActivityMonth(3, 3)}
    out = scoring.monthly_activity(tally, MONTHS, rule("monthly_activity", points_per_month=1.5), 9)
    assert out.points == 3.0
    assert out.missing == "3 个月没有活动记录：3月、5月、6月；1 个月的活动材料不全（方案、记录、图片、成效）：2月"
    assert len(out.rows) == 6 and out.rows[0] == ("1月", 2, 1, "是", "1.5")


def test_monthly_rules_are_capped_at_the_points():
    tally = {m: ActivityMonth(1, 1, 1, 1) for m in MONTHS}
    assert scoring.monthly_activity(tally, MONTHS, rule("monthly_activity", points_per_month=1.5), 6).points == 6
    assert scoring.monthly_activity(tally, MONTHS, rule("monthly_activity", points_per_month=1.5), 6).missing == ""
    assert scoring.monthly_upload(tally, MONTHS, rule("monthly_upload", points_per_month=1), 4).points == 4


def test_theory_lectures_per_month_or_pro_rata():
    tally = {"2026-01": ActivityMonth(theory_lectures=2), "2026-02": ActivityMonth(theory_lectures=1)}
    per_month = scoring.monthly_theory_lecture(tally, MONTHS, rule("x", min_per_month=1, points_per_month=0.5), 3)
    assert per_month.points == 1.0
    assert per_month.missing == "4 个月没有理论宣讲：3月、4月、5月、6月"
    pro_rata = scoring.monthly_theory_lecture(tally, MONTHS, rule("x", min_per_month=2, scoring="pro_rata"), 2)
    assert pro_rata.points == pytest.approx(2 / 6, abs=1e-4)
    assert pro_rata.missing.startswith("5 个月理论宣讲不足 2 场")


def test_summary_on_time_by_the_due_day():
    assert scoring.summary_deadline("2026-12", 5) == dt.datetime(2027, 1, 6)
    submitted = {
        "2026-01": dt.datetime(2026, 2, 5, 23, 59),  # on the due day: on time
        "2026-02": dt.datetime(2026, 3, 6, 0, 0),  # a day late
        "2026-03": dt.datetime(2026, 3, 31, 12, 0),
    }
    out = scoring.monthly_summary(submitted, MONTHS, rule("monthly_summary", points_per_month=0.5), 3, due_day=5)
    assert out.points == 1.0
    assert out.missing == "3 个月未报送小结：4月、5月、6月；1 个月小结逾期报送：2月"
    assert out.rows[1][1:4] == ("2026-03-06 00:00", "2026-03-05", "否")


def test_quarterly_meetings():
    out = scoring.quarterly_meeting({"2026-02": 1}, MONTHS, rule("q", points_per_quarter=3, meeting="评议会"), 6)
    assert out.points == 3 and out.missing == "1 个季度没有召开评议会：2026年第2季度"


def test_media_points_once_per_story_and_may_exceed():
    levels = {"county": 1, "city": 2, "province": 3, "national": 5}
    stories = [Story("national"), Story("national"), Story("city")]
    capped = scoring.media_points(stories, rule("media_points", levels=levels), 10)
    assert capped.points == 10
    exceeding = scoring.media_points(stories, rule("media_points", levels=levels), 10, may_exceed=True)
    assert exceeding.points == 12 and exceeding.missing == ""
    few = scoring.media_points([Story("county")], rule("media_points", levels=levels), 10, may_exceed=True)
    assert few.points == 1 and few.missing.startswith("媒体上稿还差 9 分")


def test_volunteer_share():
    all_or_nothing = rule("volunteer_share", target=0.13)
    assert scoring.volunteer_share(130, 1000.0, all_or_nothing, 2).points == 2
    low = scoring.volunteer_share(129, 1000.0, all_or_nothing, 2)
    assert low.points == 0 and low.missing == "注册志愿者占常住人口 12.9%，目标 13%，还差 1 人"
    assert scoring.volunteer_share(65, 1000.0, rule("v", target=0.13, scoring="pro_rata"), 2).points == 1.0
    unknown = scoring.volunteer_share(50, None, all_or_nothing, 2)
    assert unknown.points == 0 and "缺少常住人口数据" in unknown.missing
    assert scoring.volunteer_share(50, float("nan"), all_or_nothing, 2).points == 0


def test_chaxiang_coverage_pro_rata():
    villages = [("甲村", 1), ("乙村", 0), ("丙村", 0), ("丁村", 0), ("戊村", 0), ("己村", 0), ("庚村", 0), ("辛村", 0),
                ("壬村", 0), ("癸村", 0)]  # fmt: skip
    out = scoring.chaxiang_coverage(villages, rule("chaxiang_coverage", target=0.3, scoring="pro_rata"), 4)
    assert out.points == pytest.approx(4 / 3, abs=1e-4)
    assert out.missing.endswith("还需 2 个，可从乙村、丙村开始")
    assert scoring.chaxiang_coverage([], rule("c", target=0.3), 4).points == 0


def test_projects_per_year_scaled_to_the_window():
    projects = [ProjectStart("a", dt.date(2026, 1, 1), dt.date(2026, 2, 1)), ProjectStart("b", dt.date(2026, 3, 1))]
    out = scoring.projects_per_year(projects, 6, rule("projects_per_year", target=10, scoring="pro_rata"), 6)
    assert out.points == pytest.approx(6 * 1 / 5)
    assert out.missing == "实施项目 1 项，目标 5 项，还差 4 项（另有 1 项已发布、尚未进入实施）"


def test_entered_scores_are_clipped_and_missing_ones_are_zero():
    plain = standard("xixiang_station", "S1-1-1")  # 2 points
    bonus = standard("xixiang_station", "S6-1-2")  # 4 points + 10 bonus
    assert scoring.entered(plain, 1.5, "督查组", dt.datetime(2026, 7, 1, 9, 0)).points == 1.5
    assert scoring.entered(plain, 3.0).points == 2.0
    assert scoring.entered(plain, -1.0).points == 0.0
    assert scoring.entered(bonus, 20.0).points == 14.0
    missing = scoring.entered(plain, None)
    assert missing.points == 0 and missing.missing.startswith("督查组尚未录入分数")


def test_computed_dispatches_every_rule_kind_of_the_rubrics():
    evidence = scoring.UnitEvidence()
    for rubric in rubric_catalog().values():
        win = scoring.rubric_window(rubric.period, H1)
        for s in standards(rubric):
            if s.computed:
                assert scoring.computed(s, evidence, win, 5).points == 0, s.id


def test_stars():
    scale = star_scale()
    assert [scale.stars(t, 100) for t in (100, 90, 89.9, 80, 70, 60, 59.9, 0)] == [5, 5, 4, 4, 3, 2, 1, 1]
    assert scale.stars(99, 110) == 5 and scale.stars(98.9, 110) == 4
    assert scale.label(3) == "三星" and scale.label(None) == "—"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("levels: []\n", "五个星级"),
        (
            "levels:\n" + "".join(f"  - {{stars: {5 - i}, label: x, min_share: 0.5}}\n" for i in range(5)),
            "应小于上一级",
        ),
        ("levels:\n" + "".join(f"  - {{stars: {i + 1}, label: x, min_share: 0}}\n" for i in range(5)), "从五星到一星"),
        (
            "levels:\n" + "".join(f"  - {{stars: {5 - i}, label: x, min_share: {0.9 - i / 10}}}\n" for i in range(5)),
            "一星的 min_share 应为 0",
        ),
    ],
)
def test_broken_star_file_names_the_problem(tmp_path, text, fragment):
    path = tmp_path / "stars.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AssetError, match=fragment):
        load_stars(path)


def test_review_settings_load_and_refuse_bad_values(tmp_path):
    shipped = load_review()
    assert shipped.summary_due_day == 5 and shipped.fonts.pdf_face == "WenQuanYi Micro Hei"
    text = (ASSETS / "review.yaml").read_text(encoding="utf-8")
    for old, new, fragment in (
        ("summary_due_day: 5", "summary_due_day: 40", "summary_due_day"),
        ('points: "#C8102E"', 'points: "red"', "colours.points"),
        ("  chart_face: Noto Sans CJK SC\n", "", "fonts"),
    ):
        path = tmp_path / "review.yaml"
        path.write_text(text.replace(old, new), encoding="utf-8")
        with pytest.raises(AssetError, match=fragment):
            load_review(path)
