"""The benchmark's results: kept in ``bench/results.json``, written as ``bench/results.md``.

``merge*`` add figures to the JSON (a scale measured again replaces its earlier rows); :func:`write`
renders the whole JSON as Markdown: the machine, the data built, page × database × scale → cold
and warm time with the ratios to the naive pandas (a) and DuckDB (b) references, the targets of
``bench/targets.yaml``, the wall screen's memory and every page that failed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml
from sqlalchemy import create_engine

from bench import machine

HERE = Path(__file__).resolve().parent
RESULTS_JSON = HERE / "results.json"
RESULTS_MD = HERE / "results.md"
TARGETS = yaml.safe_load((HERE / "targets.yaml").read_text(encoding="utf-8"))


def load() -> dict:
    """The stored results (empty when there are none yet)."""
    return json.loads(RESULTS_JSON.read_text(encoding="utf-8")) if RESULTS_JSON.exists() else {}


def _save(results: dict) -> None:
    RESULTS_JSON.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def merge(scale_result: dict) -> None:
    """Store one scale's pass with the machine it ran on (replacing an earlier pass's rows of the same backends)."""
    results = load()
    pg = None
    if "postgresql" in scale_result["backends"]:
        pg = create_engine(f"postgresql+psycopg2://postgres@127.0.0.1/bench_{scale_result['scale']}")
    scale_result["machine"] = machine.describe(pg)
    scale_result["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    earlier = results.setdefault("scales", {}).get(scale_result["scale"])
    if earlier:  # keep the other backends' rows of an earlier pass of this scale
        kept = [r for r in earlier["rows"] if r["backend"] not in scale_result["backends"]]
        scale_result["rows"] = kept + scale_result["rows"]
        scale_result["backends"] = sorted({r["backend"] for r in scale_result["rows"]})
        scale_result["parquet_export"] = scale_result["parquet_export"] or earlier.get("parquet_export")
    results["scales"][scale_result["scale"]] = scale_result
    _save(results)


def merge_build(
    scale: str, backend: str, rows: int, seconds: float, years: int, volume: float, how: str = "generated"
) -> None:
    """Store how long generating (or copying, see ``how``) ``scale`` into ``backend`` took."""
    results = load()
    entry = {"rows": rows, "seconds": seconds, "years": years, "volume": volume, "how": how}
    results.setdefault("builds", {})[f"{scale}/{backend}"] = entry
    _save(results)


def merge_default_build(rows: int, seconds: float) -> None:
    """Store the time of the default demo build."""
    results = load()
    results["default_build"] = {"rows": rows, "seconds": seconds}
    _save(results)


def merge_memory(memory: dict) -> None:
    """Store the wall screen's memory run."""
    results = load()
    results["wall_memory"] = memory
    _save(results)


def _ms(seconds: float | None, digits: int = 0) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if not a or not b else f"{a / b:.2f}"


def _verdict(row: dict) -> str:
    if row["backend"] != "postgresql" or row["cold"] is None:
        return ""
    if row["scale"] == "province":
        return "✅" if row["cold"] <= TARGETS["province_cold"] else "❌ 冷"
    misses = []
    limit = TARGETS["wall_refresh"] if row["page"] == "wall" else TARGETS["city_cold"]
    if row["cold"] > limit:
        misses.append("冷")
    if row["warm"] > TARGETS["city_warm"]:
        misses.append("热")
    return "✅" if not misses else "❌ " + "、".join(misses)


def _scale_section(result: dict) -> list[str]:
    lines = [
        f"### {result['scale']}（{'、'.join(result['backends'])}；完成于 {result['finished']}，"
        f"当时负载 {next((v for k, v in result['machine'] if '负载' in k), '?')}）",
        "",
        "典型视图：全市·本年（默认视图）；全市·本月；全市·近 30 天（自定义时段，跨月，一个月的数据量）；"
        "全市·上月（整月，即月末那天的“本月”）；"
        f"区县 {result['district']}（订单最多）·本半年；"
        f"该区县订单最多的站点 {result['station']}·本半年（仅有站点筛选的页面）。冷/热为 {result['runs']} 次的中位数，"
        f"(a) 为 {result['naive_runs']} 次的中位数。",
        "",
        "| 页面 | 视图 | 数据库 | 调用数 | 冷 ms | 热 ms | 最慢调用（冷 ms） | 最慢调用（热 ms） | (a) pandas ms "
        "| (b) DuckDB ms | 冷÷(a) | 冷÷(b) | 目标 |",
        "|---|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|---|",
    ]
    duck_by_view = {(r["page"], r["view"]): (r["duckdb"], r["duckdb_error"]) for r in result["rows"] if r["duckdb"]}
    for row in result["rows"]:
        if row["duckdb"] is None and not row["duckdb_error"]:  # same data, same question: one DuckDB figure
            row["duckdb"], row["duckdb_error"] = duck_by_view.get((row["page"], row["view"]), (None, None))
        if row["error"]:
            lines.append(f"| {row['page']} | {row['view']} | {row['backend']} | — | 失败：{row['error']} ||||||||| |")
            continue
        slowest = f"{row['slowest']} ({_ms(row['slowest_cold'])})" if row["slowest"] else "—"
        slowest_warm = (
            f"{row['slowest_warm']} ({_ms(row['slowest_warm_seconds'], 1)})" if row.get("slowest_warm") else "—"
        )
        duck = _ms(row["duckdb"]) if row["duckdb_error"] is None else "不可运行"
        lines.append(
            f"| {row['page']} | {row['view']} | {row['backend']} | {row['calls']} | {_ms(row['cold'])} "
            f"| {_ms(row['warm'], 1)} | {slowest} | {slowest_warm} | {_ms(row['naive'])} | {duck} "
            f"| {_ratio(row['cold'], row['naive'])} | {_ratio(row['cold'], row['duckdb'])} | {_verdict(row)} |"
        )
    problems = sorted({(r["page"], r["view"], r["duckdb_error"]) for r in result["rows"] if r["duckdb_error"]})
    if problems:
        lines += ["", "DuckDB 未能运行的语句："] + [f"- {p} {v}: `{e}`" for p, v, e in problems]
    export = result.get("parquet_export")
    if export:
        lines += ["", f"Parquet 导出（供 DuckDB）：{export['rows']:,} 行，{export['seconds']:.0f} 秒。"]
    counts = result.get("table_rows") or {}
    if counts:
        lines += ["", "表行数：" + "，".join(f"{t} {n:,}" for t, n in sorted(counts.items(), key=lambda kv: -kv[1]))]
    return lines + [""]


def _data_section(results: dict) -> list[str]:
    lines = [
        "## 数据生成",
        "",
        "| 规模/数据库 | 方式 | 年数 | 体量倍数 | 行数 | 秒 | 行/秒 |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for key, b in sorted(results.get("builds", {}).items()):
        lines.append(
            f"| {key} | {b.get('how', 'generated')} | {b['years'] or '—'} | {b['volume'] or '—'} | {b['rows']:,} "
            f"| {b['seconds']:.0f} | {b['rows'] / b['seconds']:,.0f} |"
        )
    default = results.get("default_build")
    if default:
        ok = "✅" if default["seconds"] <= TARGETS["default_build"] else "❌"
        lines += [
            "",
            f"默认演示构建（`python -m dashboard.demo build`，city 规模，默认参数，临时 SQLite 文件）："
            f"{default['rows']:,} 行，{default['seconds']:.0f} 秒（目标 ≤ {TARGETS['default_build']} 秒）{ok}",
        ]
    return lines + [""]


def _memory_section(memory: dict | None) -> list[str]:
    lines = ["## 大屏内存（RSS）", ""]
    if not memory:
        return lines + ["未测。", ""]
    if "error" in memory:
        return lines + [f"失败：{memory['error']}", ""]
    samples = memory["rss_mib"]
    curve = "，".join(f"第 {n} 次 {mib} MiB" for n, mib in samples.items())
    values = list(samples.values())
    lines += [
        f"{memory['refreshes']} 次刷新（每次推进一个刷新周期，时刻相关的查询每次都访问数据库），"
        f"平均每次 {memory['seconds_per_refresh'] * 1000:.0f} ms（含 AppTest 渲染）。",
        "",
        f"RSS：{curve}。第 10 次到最后增长 {values[-1] - values[0]:+.1f} MiB。",
    ]
    return lines + [""]


def write() -> None:
    """Render ``bench/results.json`` as ``bench/results.md``."""
    results = load()
    scales = results.get("scales", {})
    lines = [
        "# 基准测试结果",
        "",
        "由 `.venv/bin/python -m bench run` 生成（方法见 README.md 与 docs/scaling.md）。",
        "",
    ]
    first = next(iter(scales.values()), None)
    if first:
        lines += ["## 机器", "", "| 项 | 值 |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in first["machine"]]
        lines.append("")
    lines += _data_section(results)
    lines += [
        "## 页面 × 数据库 × 规模",
        "",
        "冷：页面的全部调用在一个新连接上依次直接执行（不经缓存）之和；热：同样的调用经 dashboard.data 的共享缓存"
        "（已命中）之和。(a) 把页面 SQL 涉及的各表（所需列、全部行）读入 pandas 再按区县分组，"
        "各表读一次，页面取其涉及各表之和（下限）；(b) DuckDB 在同一数据的 Parquet 副本上执行页面的同一批 PostgreSQL "
        "语句（SQLite 行沿用同一数字）。目标只对 PostgreSQL 判定（bench/targets.yaml）。机器与其他工程师共用，"
        "负载见各节标题；解读与限制见 docs/scaling.md。",
        "",
    ]
    for result in scales.values():
        lines += _scale_section(result)
    lines += _memory_section(results.get("wall_memory"))
    RESULTS_MD.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {RESULTS_MD}")
