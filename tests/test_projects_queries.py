"""queries.projects and assets/projects.yaml on the hand-made database (tests/targets_fixture.py), both backends.

Running in the period 2026-01-01 … 2026-03-31: projects 1, 2, 4, 5, 6, 7, 8 (3 closed in December).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import yaml
from sqlalchemy import Connection

from dashboard.errors import AssetError
from dashboard.project_rules import PROJECTS_FILE, load, project_rules
from dashboard.rubric_rules import target_of
from dashboard.scope import Scope
from queries import projects
from tests.support.apptest import metric, run_page
from tests.targets_fixture import BACKENDS, PERIOD, PERIOD_PARAMS, TODAY, A, B, connected, filled

ALL = Scope(None)
RULES = project_rules()


@pytest.fixture(scope="module", params=BACKENDS)
def conn(request, tmp_path_factory) -> Connection:
    with connected(request.param, tmp_path_factory.mktemp("projects")) as connection:
        yield connection


def test_stage_counts(conn: Connection) -> None:
    got = [(r.stage, r.projects, r.brand) for r in projects.stage_counts(conn, ALL, PERIOD).itertuples()]
    assert got == [  # ordered by stage code on both backends
        ("closed", 1, 0),
        ("established", 1, 1),
        ("evaluating", 1, 0),
        ("implementing", 2, 1),
        ("paused", 1, 0),
        ("recruiting", 1, 0),
    ]
    only_b = projects.stage_counts(conn, Scope((B,)), PERIOD)
    assert only_b[["stage", "projects"]].values.tolist() == [["paused", 1]]


def test_stuck_projects(conn: Connection) -> None:
    stuck = projects.stuck_projects(conn, ALL, PERIOD, RULES, TODAY)
    assert stuck["id"].tolist() == [2, 4]  # recruiting since 2025-10-05; established 2026-03-01 (limit 45 days)
    assert stuck["days"].tolist() == [207, 60]
    assert stuck["since"].tolist() == [dt.date(2025, 10, 5), dt.date(2026, 3, 1)]
    # on 14 April project 4 has been established for 44 days: within its limit of 45
    assert projects.stuck_projects(conn, ALL, PERIOD, RULES, dt.date(2026, 4, 14))["id"].tolist() == [2]


def test_bad_projects(conn: Connection) -> None:
    assert projects.bad_projects(conn, ALL, PERIOD, RULES) == {"count": 2, "sample": [5, 6]}
    assert projects.bad_projects(conn, Scope((A,)), PERIOD, RULES) == {"count": 1, "sample": [6]}


def test_projects_per_unit(conn: Connection) -> None:
    units = projects.projects_per_unit(conn, ALL, PERIOD, ("institute", "platform"))
    got = {r.unit_id: (r.published, r.implemented, r.brand) for r in units.itertuples()}
    # institute 2: projects 1 (carried out 1 Feb) and 7 (carried out only on 10 April); platform 5: project 4
    assert got == {2: (2, 1, 1), 5: (1, 0, 1), 9: (1, 1, 0), 7: (1, 0, 0)}
    assert set(units["months"]) == {3}
    assert units["unit_id"].tolist()[:1] == [5]  # county-level units first within their county
    township = projects.projects_per_unit(conn, ALL, replace(PERIOD, county=A, township="140110001"), ("institute",))
    assert township["unit_id"].tolist() == [2]


def test_kinds_and_modes(conn: Connection) -> None:
    df = projects.kinds_and_modes(conn, ALL, PERIOD).set_index(["kind", "service_mode"])
    row = df.loc[("普惠", "站点服务")]  # projects 1, 5, 7 (7 has no scores)
    assert (row["projects"], row["brand"], row["scored"], row["rated"]) == (3, 1, 2, 2)
    assert row["demand"] == pytest.approx(70.0)
    assert row["satisfaction"] == pytest.approx(0.8)
    assert df.loc[("特惠", "结对服务"), "rated"] == 0
    assert df["projects"].sum() == 7


def test_county_summary_and_lists(conn: Connection) -> None:
    summary = projects.county_summary(conn, ALL, PERIOD)
    assert summary[["county_code", "projects", "brand", "closed"]].values.tolist() == [[A, 6, 2, 1], [B, 1, 0, 0]]
    assert projects.project_list(conn, ALL, PERIOD, False, RULES.low_demand_below)["id"].tolist() == [2]
    assert sorted(projects.project_list(conn, ALL, PERIOD, True, None)["id"]) == [1, 4]
    assert len(projects.project_list(conn, ALL, PERIOD)) == 7


def test_the_institute_target_is_the_rubrics() -> None:
    target = target_of("projects_per_year", "institute")
    assert (target.value, target.rubric_id) == (10.0, "xixiang_institute")


def test_broken_projects_file_is_refused(tmp_path) -> None:
    raw = yaml.safe_load(PROJECTS_FILE.read_text(encoding="utf-8"))
    raw["stages"][1]["stuck_after_days"] = 0
    broken = tmp_path / "projects.yaml"
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(AssetError, match="recruiting 的 stuck_after_days"):
        load(broken)
    raw["stages"][1]["stuck_after_days"] = 60
    raw["stages"] = raw["stages"][::-1]
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(AssetError, match="阶段应为 established"):
        load(broken)


@pytest.fixture(scope="module", params=BACKENDS)
def url(request, tmp_path_factory) -> str:
    with filled(request.param, tmp_path_factory.mktemp("projects_page")) as db_url:
        yield db_url


def test_page_shows_the_hand_computed_figures(url: str) -> None:
    at = run_page("projects", url, PERIOD_PARAMS)
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert metric(at, "在运行项目") == "7"
    assert metric(at, "品牌项目") == "2"
    assert metric(at, "数据异常的项目") == "2"
    assert metric(at, "平均满意率") == "85.0%"  # 0.9, 0.8, 0.7, 1.0, 0.85 (two projects unrated)
    counties = at.dataframe[0].value
    # 甲区: institutes 甲一所 (1 carried out, target 10 × 3 ÷ 12 = 2.5) and 甲二所 (1): neither meets it
    shown = counties[["区县", "所", "项目达标的所", "本年已实施项目"]].values.tolist()
    assert shown == [["甲区", 2, 0, 2], ["乙县", 1, 0, 0]]
