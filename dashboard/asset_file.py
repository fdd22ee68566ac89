"""Reading the YAML data files of ``assets/``: one way to read them and one shape of error message."""

from __future__ import annotations

from pathlib import Path

import yaml

from dashboard.errors import AssetError


def asset_error(path: Path, problem: str) -> AssetError:
    """The error for a data file that is wrong: names the file and the problem, in Chinese."""
    return AssetError(f"配置文件 {path.name} 有误：{problem}")


def read_mapping(path: Path) -> dict:
    """The top-level mapping of a YAML file; AssetError when it cannot be read or is not a mapping."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise asset_error(path, f"无法读取（{type(exc).__name__}）") from exc
    if not isinstance(raw, dict):
        raise asset_error(path, "顶层应为映射")
    return raw
