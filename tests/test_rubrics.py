"""Tests for the rubric YAML files in assets/rubrics and dashboard.rubrics."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from dashboard import rubrics
from dashboard.rubrics import RubricError, load_all, load_rubric, standards

REPO_ROOT = Path(__file__).resolve().parents[1]
RUBRIC_DIR = REPO_ROOT / "assets" / "rubrics"
SEEDS_DIR = Path("/work/shared/seeds")
RUBRIC_IDS = ("shanxi_centre", "xixiang_platform", "xixiang_institute", "xixiang_station")

SHANXI_CATEGORIES = {
    "I-1": ("组织保障", 20),
    "I-2": ("阵地建设", 15),
    "I-3": ("资源整合", 10),
    "I-4": ("志愿服务", 20),
    "I-5": ("实践活动", 25),
    "I-6": ("成效评估", 10),
    "I-7": ("特色指标", 10),
}
# 附件4 中每条评估内容的分值（II-1 … II-26）
SHANXI_ITEM_POINTS = {
    "II-1": 7, "II-2": 4, "II-3": 3, "II-4": 6, "II-5": 2, "II-6": 6, "II-7": 1, "II-8": 6,
    "II-9": 2, "II-10": 2, "II-11": 2, "II-12": 2, "II-13": 2, "II-14": 8, "II-15": 6, "II-16": 6,
    "II-17": 5, "II-18": 5, "II-19": 5, "II-20": 5, "II-21": 5, "II-22": 2.5, "II-23": 2.5,
    "II-24": 5, "II-25": 3, "II-26": 7,
}  # fmt: skip
# 每条评估内容下的评估标准个数（合计 65）
SHANXI_STANDARD_COUNTS = {
    "II-1": 4, "II-2": 4, "II-3": 2, "II-4": 3, "II-5": 4, "II-6": 3, "II-7": 1, "II-8": 4,
    "II-9": 1, "II-10": 1, "II-11": 1, "II-12": 1, "II-13": 1, "II-14": 5, "II-15": 3, "II-16": 4,
    "II-17": 3, "II-18": 4, "II-19": 4, "II-20": 3, "II-21": 3, "II-22": 1, "II-23": 1, "II-24": 1,
    "II-25": 1, "II-26": 2,
}  # fmt: skip


def dec(x: float) -> Decimal:
    return Decimal(str(x))


@pytest.fixture(scope="module")
def all_rubrics() -> dict[str, rubrics.Rubric]:
    return load_all(RUBRIC_DIR)


def seed_lines(prefix: str) -> list[str]:
    matches = sorted(SEEDS_DIR.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"seed {prefix} not available at {SEEDS_DIR}")
    return matches[0].read_text(encoding="utf-8").splitlines()


# --- the shipped files ------------------------------------------------------


def test_load_all_finds_the_four_rubrics(all_rubrics):
    assert set(all_rubrics) == set(RUBRIC_IDS)
    assert {r.tier for r in all_rubrics.values()} == {"centre", "platform", "institute", "station"}
    assert load_all().keys() == all_rubrics.keys()  # default directory is assets/rubrics
    for rubric_id, rubric in all_rubrics.items():
        assert rubric.path is not None and rubric.path.stem == rubric_id


def test_shanxi_shape(all_rubrics):
    r = all_rubrics["shanxi_centre"]
    assert r.tier == "centre"
    assert r.source.file.startswith("000_") and r.source.attachment == "附件4"
    assert {c.id: (c.name, c.points) for c in r.categories} == SHANXI_CATEGORIES
    assert [c.id for c in r.categories] == list(SHANXI_CATEGORIES)
    items = rubrics.items(r)
    assert [i.id for i in items] == [f"II-{n}" for n in range(1, 27)]
    assert {i.id: i.points for i in items} == SHANXI_ITEM_POINTS
    assert {i.id: len(i.standards) for i in items} == SHANXI_STANDARD_COUNTS
    assert len(standards(r)) == 65
    assert r.total == 110
    assert dict(r.groups) == {"basic": 100, "featured": 10}
    assert sum(c.points for c in r.categories if c.group == "basic") == 100
    assert [c.id for c in r.categories if c.group == "featured"] == ["I-7"]
    # 标准编号 = 条目编号-序号
    for item in items:
        assert [s.id for s in item.standards] == [f"{item.id}-{k}" for k in range(1, len(item.standards) + 1)]


def test_xixiang_totals(all_rubrics):
    expected = {"xixiang_platform": "platform", "xixiang_institute": "institute", "xixiang_station": "station"}
    for rubric_id, tier in expected.items():
        r = all_rubrics[rubric_id]
        assert r.total == 100, rubric_id
        assert r.tier == tier
        assert r.source.file.startswith("001_")
        assert sum(dec(s.points) for s in standards(r)) == 100, rubric_id


@pytest.mark.parametrize("rubric_id", RUBRIC_IDS)
def test_every_sum_checks(all_rubrics, rubric_id):
    r = all_rubrics[rubric_id]
    assert sum(dec(c.points) for c in r.categories) == dec(r.total)
    for c in r.categories:
        assert sum(dec(i.points) for i in c.items) == dec(c.points), c.id
        for i in c.items:
            assert sum(dec(s.points) for s in i.standards) == dec(i.points), i.id


@pytest.mark.parametrize("rubric_id", RUBRIC_IDS)
def test_ids_unique_and_flat_list_consistent(all_rubrics, rubric_id):
    r = all_rubrics[rubric_id]
    ids = [c.id for c in r.categories] + [i.id for i in rubrics.items(r)] + [s.id for s in standards(r)]
    assert len(ids) == len(set(ids))
    owner = {i.id: c.id for c in r.categories for i in c.items}
    for s in standards(r):
        assert owner[s.item_id] == s.category_id
        assert s.id.startswith(s.item_id + "-")


@pytest.mark.parametrize("rubric_id", RUBRIC_IDS)
def test_standard_fields(all_rubrics, rubric_id):
    r = all_rubrics[rubric_id]
    vocab = rubrics.METHOD_VOCABULARIES[r.methods_vocabulary]
    for s in standards(r):
        assert s.mode in ("computed", "entered")
        assert s.methods and set(s.methods) <= set(vocab), s.id
        assert s.source_line > 0
        assert s.name and s.description
        assert len(s.description) <= 80, f"{s.id}: description should stay short"
        if s.computed:
            assert s.rule is not None and s.rule.kind in rubrics.RULE_KINDS, s.id
        else:
            assert s.rule is None, s.id
        if s.bonus is not None:
            assert s.may_exceed


def test_shanxi_methods_use_the_five_ways(all_rubrics):
    used = {m for s in standards(all_rubrics["shanxi_centre"]) for m in s.methods}
    assert used == {"听取汇报", "座谈了解", "资料审核", "实地考察", "问卷调查"}


def test_computed_lines(all_rubrics):
    def computed(rubric_id):
        return {s.id: s.rule.kind for s in standards(all_rubrics[rubric_id]) if s.computed}

    assert computed("shanxi_centre") == {"II-14-4": "volunteer_share", "II-17-2": "monthly_theory_lecture"}
    assert computed("xixiang_platform") == {
        "P3-1-2": "volunteer_share",
        "P6-2-1": "monthly_activity",
        "P6-3-1": "media_points",
        "P6-4-1": "monthly_summary",
    }
    assert computed("xixiang_institute") == {
        "I2-2-2": "chaxiang_coverage",
        "I3-1-2": "volunteer_share",
        "I3-2-2": "monthly_theory_lecture",
        "I6-2-1": "monthly_activity",
        "I6-2-2": "projects_per_year",
        "I6-3-1": "media_points",
        "I6-4-1": "monthly_summary",
    }
    assert computed("xixiang_station") == {
        "S3-1-3": "volunteer_share",
        "S3-2-2": "monthly_theory_lecture",
        "S5-2-1": "quarterly_meeting",
        "S5-3-1": "monthly_activity",
        "S5-3-2": "monthly_upload",
        "S5-4-1": "media_points",
    }


def test_rule_parameters(all_rubrics):
    by_id = {(r.id, s.id): s for r in all_rubrics.values() for s in standards(r)}
    plat = {"county": 1, "city": 2, "province": 3, "national": 5}
    station = {"county": 2, "city": 3, "province": 4, "national": 6}
    for key, levels in (
        (("xixiang_platform", "P6-3-1"), plat),
        (("xixiang_institute", "I6-3-1"), plat),
        (("xixiang_station", "S5-4-1"), station),
    ):
        s = by_id[key]
        assert dict(s.rule.get("levels")) == levels
        assert s.rule.get("highest_level_once_per_item") is True
        assert s.may_exceed and s.rule.get("may_exceed") is True
    assert by_id["xixiang_platform", "P6-2-1"].rule.get("points_per_month") == 1.5
    assert set(by_id["xixiang_platform", "P6-2-1"].rule.get("require")) == {"plan", "record", "photos", "results"}
    assert by_id["xixiang_institute", "I6-2-1"].rule.get("points_per_month") == 1.5
    assert by_id["xixiang_station", "S5-3-1"].rule.get("points_per_month") == 1
    assert by_id["xixiang_platform", "P6-4-1"].rule.get("points_per_month") == 0.5
    assert by_id["xixiang_institute", "I6-4-1"].rule.get("points_per_month") == 0.5
    assert by_id["xixiang_station", "S3-2-2"].rule.get("points_per_month") == 0.5
    assert by_id["xixiang_station", "S5-2-1"].rule.get("points_per_quarter") == 3
    assert by_id["xixiang_institute", "I2-2-2"].rule.get("target") == 0.30
    assert by_id["xixiang_institute", "I6-2-2"].rule.get("target") == 10
    assert by_id["shanxi_centre", "II-14-4"].rule.get("target") == 0.13


def test_may_exceed_only_where_the_seed_allows(all_rubrics):
    exceed = {(r.id, s.id) for r in all_rubrics.values() for s in standards(r) if s.may_exceed}
    assert exceed == {
        ("xixiang_platform", "P6-3-1"),
        ("xixiang_platform", "P7-1-2"),
        ("xixiang_institute", "I6-3-1"),
        ("xixiang_institute", "I7-1-2"),
        ("xixiang_station", "S5-4-1"),
        ("xixiang_station", "S6-1-2"),
    }
    bonuses = {s.bonus.points for r in all_rubrics.values() for s in standards(r) if s.bonus}
    assert bonuses == {10}


def test_shanxi_source_lines_trace_to_the_seed(all_rubrics):
    lines = seed_lines("000")
    for item in rubrics.items(all_rubrics["shanxi_centre"]):
        text = lines[item.source_line - 1]
        assert f"{item.id} " in text, item.id
        assert f"({item.points}分)" in text, item.id
        cells = text.split("\t")
        assert len(cells) == 5, item.id
        for s in item.standards:
            assert s.source_line == item.source_line
            assert f"({s.points}分)" in lines[s.source_line - 1], s.id
            if cells[3].strip():  # empty cells are merged with the item above (see the item's notes)
                assert s.methods == tuple(cells[3].split()), s.id
            else:
                assert item.notes and "评估方法" in item.notes, item.id


@pytest.mark.parametrize("rubric_id", ["xixiang_platform", "xixiang_institute", "xixiang_station"])
def test_xixiang_source_lines_trace_to_the_seed(all_rubrics, rubric_id):
    lines = seed_lines("001")
    r = all_rubrics[rubric_id]
    for item in rubrics.items(r):
        cells = lines[item.source_line - 1].split("\t")
        assert len(cells) == 5, item.id
        assert dec(cells[2]) == dec(item.points), item.id  # 分值 column
        assert all(s.source_line == item.source_line for s in item.standards)
        for s in item.standards:  # the seed line names each method (line-break spaces removed)
            for m in s.methods:
                assert m in cells[3].replace(" ", ""), (s.id, m)
    lo, hi = (int(x) for x in r.source.lines.split("-"))
    assert "合计" in lines[hi - 1] and "100" in lines[hi - 1]
    assert all(lo <= s.source_line <= hi for s in standards(r))


def test_descriptions_are_not_copied_from_the_seed(all_rubrics):
    seeds = {"000": "\n".join(seed_lines("000")), "001": "\n".join(seed_lines("001"))}
    for r in all_rubrics.values():
        seed = seeds[r.source.file[:3]]
        for s in standards(r):
            assert s.description not in seed, s.id


# --- broken copies ------------------------------------------------------------

SHANXI = RUBRIC_DIR / "shanxi_centre.yaml"


def line_of(text: str, pattern: str, after: str | None = None) -> int:
    """1-based number of the first line matching `pattern` (regex), optionally after a line matching `after`."""
    start = 0
    lines = text.splitlines()
    if after is not None:
        start = next(n for n, line in enumerate(lines) if re.search(after, line)) + 1
    return next(n for n in range(start, len(lines)) if re.search(pattern, lines[n])) + 1


def write_broken(tmp_path: Path, text: str, name: str = "shanxi_centre.yaml") -> Path:
    original = SHANXI.read_text(encoding="utf-8")
    assert text != original, "the edit did not change the file"
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def expect_error(path: Path, line: int, *fragments: str) -> RubricError:
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    err = info.value
    message = str(err)
    assert message.startswith(f"评分细则文件 {path.name} 第 {line} 行："), message
    assert err.line == line and err.file == path.name
    for fragment in fragments:
        assert fragment in message, message
    return err


def test_changed_standard_points_names_the_item_line(tmp_path):
    text = SHANXI.read_text(encoding="utf-8")
    broken = re.sub(r"(- id: II-3-1\n\s+name: .*\n\s+points: )1\n", r"\g<1>1.5\n", text)
    path = write_broken(tmp_path, broken)
    line = line_of(broken, r"^\s+points: 3$", after=r"- id: II-3$")
    expect_error(path, line, "条目 II-3", "3.5", "不符")


def test_changed_item_points_names_the_category_line(tmp_path):
    text = SHANXI.read_text(encoding="utf-8")
    broken = re.sub(r"(- id: II-24\n\s+name: .*\n\s+points: )5\n", r"\g<1>4\n", text)
    broken = re.sub(r"(- id: II-24-1\n\s+name: .*\n\s+points: )5\n", r"\g<1>4\n", broken)
    path = write_broken(tmp_path, broken)
    line = line_of(broken, r"^\s+points: 10$", after=r"- id: I-6$")
    expect_error(path, line, "类别 I-6", "9", "10")


def test_changed_category_points_names_the_total_line(tmp_path):
    text = SHANXI.read_text(encoding="utf-8")
    broken = text.replace("total: 110\n", "total: 111\n")
    path = write_broken(tmp_path, broken)
    expect_error(path, line_of(broken, r"^total: 111$"), "110", "111")


def test_duplicate_id_names_the_second_occurrence(tmp_path):
    text = SHANXI.read_text(encoding="utf-8")
    broken = text.replace("- id: II-4-3\n", "- id: II-4-2\n")
    path = write_broken(tmp_path, broken)
    first = line_of(broken, r"- id: II-4-2$")
    second = line_of(broken, r"- id: II-4-2$", after=r"- id: II-4-2$")
    expect_error(path, second, "II-4-2", "重复", f"第 {first} 行")


def test_unknown_method_names_its_line(tmp_path):
    text = SHANXI.read_text(encoding="utf-8")
    broken = text.replace("methods: [座谈了解]\n", "methods: [电话抽查]\n")
    path = write_broken(tmp_path, broken)
    expect_error(path, line_of(broken, r"电话抽查"), "II-23-1", "电话抽查")


@pytest.mark.parametrize(
    ("old", "new", "pattern", "fragment"),
    [
        ("kind: monthly_theory_lecture", "kind: weekly_lecture", r"kind: weekly_lecture", "weekly_lecture"),
        ("mode: computed\n            rule:\n              kind: volunteer_share",
         "mode: estimated\n            rule:\n              kind: volunteer_share", r"mode: estimated", "mode"),
        ("              target: 0.13\n", "              target: 13\n", r"target: 13$", "target"),
        ("name: 经验转发与媒体报道\n", "name: 经验转发与媒体报道\n            poinst: 3\n", r"poinst", "II-25-1"),
        ("  basic: 100\n", "  basic: 90\n", r"basic: 90", "基本指标"),
    ],
)  # fmt: skip
def test_other_broken_fields(tmp_path, old, new, pattern, fragment):
    text = SHANXI.read_text(encoding="utf-8")
    assert old in text
    broken = text.replace(old, new, 1)
    path = write_broken(tmp_path, broken)
    expect_error(path, line_of(broken, pattern), fragment)


def test_computed_standard_without_rule(tmp_path):
    text = SHANXI.read_text(encoding="utf-8")
    broken = re.sub(r"(- id: II-14-4\n(?:.*\n)*?)\s+rule:\n(?:\s{14}.*\n)+", r"\1", text, count=1)
    path = write_broken(tmp_path, broken)
    line = line_of(broken, r"mode: computed", after=r"- id: II-14-4$")
    expect_error(path, line, "II-14-4", "rule")


def test_per_month_rule_must_match_points_or_explain(tmp_path):
    src = (RUBRIC_DIR / "xixiang_station.yaml").read_text(encoding="utf-8")
    broken = src.replace("points_per_quarter: 3\n", "points_per_quarter: 2\n")
    assert broken != src
    path = tmp_path / "xixiang_station.yaml"
    path.write_text(broken, encoding="utf-8")
    expect_error(path, line_of(broken, r"points_per_quarter: 2"), "S5-2-1", "8", "12")


def test_yaml_syntax_error_reports_a_line(tmp_path):
    text = SHANXI.read_text(encoding="utf-8")
    broken = text.replace("    name: 阵地建设\n", "    name: [阵地建设\n")
    path = write_broken(tmp_path, broken)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert re.match(r"评分细则文件 shanxi_centre\.yaml 第 \d+ 行：YAML 格式有误", str(info.value))


def test_load_all_rejects_duplicate_rubric_ids(tmp_path):
    text = SHANXI.read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    line = line_of(text, r"^id: shanxi_centre$")
    with pytest.raises(RubricError, match=f"b.yaml 第 {line} 行：细则编号 shanxi_centre 与 a.yaml 重复") as info:
        load_all(tmp_path)
    assert info.value.line == line


def test_missing_file(tmp_path):
    with pytest.raises(RubricError, match="nope.yaml 不存在"):
        load_rubric(tmp_path / "nope.yaml")
