"""assets/labels.yaml and assets/targets.yaml load, and broken files are refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dashboard import labels as labels_mod
from dashboard import targets as targets_mod
from dashboard.errors import AssetError
from queries.common import ORDER_STATUSES, TIERS


def test_project_labels() -> None:
    lab = labels_mod.load()
    assert [lab.label("tiers", t) for t in TIERS] == [
        "中心",
        "所",
        "站",
        "服务平台",
        "学雷锋志愿服务站",
        "时代新人培养基地",
        "其他站点",
    ]
    assert [lab.label("order_statuses", s) for s in ORDER_STATUSES] == [
        "待派单",
        "已制单",
        "待接单",
        "重新派单",
        "服务中",
        "待评价",
        "已完成",
        "已拒绝",
        "已取消",
    ]
    assert lab.label("pilot_levels", "county") == "县级试点"
    assert lab.label("content_areas", "reform_customs") == "持续深入移风易俗"
    assert lab.label("media_levels", "national") == "国家级"
    assert lab.label("order_statuses", "lost") == "未知（lost）"
    assert lab.label("tiers", None) == "—"
    assert all(lab.colour("tiers", t).startswith("#") for t in TIERS)
    assert labels_mod.rgb("#C8102E", 200) == [200, 16, 46, 200]


def test_share_bands() -> None:
    lab = labels_mod.load()
    assert lab.share_band(0.01, 0.13).label == "不足目标的两成半"
    assert lab.share_band(0.0325, 0.13).label == "目标的两成半至五成"
    assert lab.share_band(0.12, 0.13).label == "目标的七成半以上"
    assert lab.share_band(0.13, 0.13).label == "已达到目标"
    assert lab.share_band(float("nan"), 0.13) is None


def _broken(tmp_path: Path, source: Path, edit) -> Path:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_broken_labels_are_refused(tmp_path: Path) -> None:
    source = labels_mod.LABELS_FILE
    with pytest.raises(AssetError, match="order_statuses 缺少 \\['rated'\\]"):
        labels_mod.load(_broken(tmp_path, source, lambda d: d["order_statuses"].pop("rated")))
    with pytest.raises(AssetError, match="colour"):
        labels_mod.load(_broken(tmp_path, source, lambda d: d["tiers"]["centre"].update(colour="red")))
    with pytest.raises(AssetError, match="labels.yaml"):
        labels_mod.load(tmp_path / "labels.yaml.missing")


def test_project_targets() -> None:
    goals = targets_mod.load()
    assert goals["volunteer_share"].value == 0.13 and goals["volunteer_share"].shown == "13%"
    assert goals["party_member_participation"].value == 0.80
    assert goals["hours_per_person_year"].value == 20 and goals["hours_per_person_year"].shown == "20 小时"
    assert goals["centre_full_time_staff"].value == 6
    assert all(goals[name].source for name in targets_mod.REQUIRED)
    assert goals.fill("目标 {volunteer_share}，满意线 {satisfied_rating} 分") == "目标 13%，满意线 4 分"


def test_broken_targets_are_refused(tmp_path: Path) -> None:
    source = targets_mod.TARGETS_FILE
    with pytest.raises(AssetError, match="volunteer_share.value"):
        targets_mod.load(_broken(tmp_path, source, lambda d: d["volunteer_share"].update(value=13)))
    with pytest.raises(AssetError, match="缺少"):
        targets_mod.load(_broken(tmp_path, source, lambda d: d.pop("hours_per_person_year")))
