"""Before and after, side by side in one run: the same pages' calls timed on several source trees.

    .venv/bin/python -m bench.compare --url postgresql+psycopg2://postgres@127.0.0.1:5432/bench_city \\
        --pages quality,publicity --tree before=cf55cab --tree after=HEAD [--runs 5] [--out bench/x.md]

A tree is ``LABEL=REV`` (``git archive`` of that commit), ``LABEL=REV+FROM:PATH,PATH`` (REV with those
files taken from commit FROM) or ``LABEL=REV-C1,C2`` (REV with the changes of commits C1, C2 taken back):
one change isolated from everything else that landed around it. ``--on LABEL=URL`` gives a tree a database of
its own (the same data with other statistics or settings, say; the views are those of its own busiest
district and station). Every
tree gets the benchmark harness of the working tree (this file, :mod:`bench.timing`,
:mod:`bench.recorder`, :mod:`bench.views`, and ``tests/support/apptest.py``, which the recorder runs pages
with), so only the product code differs between them.

Each tree runs in a process of its own, which records its pages' calls in AppTest once (the typical
views of :mod:`bench.views`) and then, on every request of this process, times one cold pass of them
(:func:`bench.timing.cold_once`: a fresh connection of the tree's own reader engine, no cache). The
passes of the trees alternate, in a rotating order, so that every tree sees the same load; each
call's figure is the median of ``--runs`` passes. Warm (cached) times are not compared: the cache
does not depend on the query code.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ("bench/compare.py", "bench/timing.py", "bench/recorder.py", "bench/views.py", "tests/support/apptest.py")
MARK = "@@"  # prefix of the worker's protocol lines on stdout (the rest of stdout is the app's noise)


def extract(spec: str, folder: Path, repo: Path = ROOT) -> str:
    """Write the source tree ``spec`` (``REV``, ``REV+FROM:PATH,PATH`` or ``REV-C1,C2``) of the git work tree
    ``repo`` into ``folder``, with ``repo``'s working copy of the harness; a description."""

    def git(*args: str) -> bytes:
        return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True).stdout

    rev, _, overlay = spec.partition("+")
    rev, _, reverted = rev.partition("-")
    folder.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=git("archive", rev), check=True)
    described = git("log", "-1", "--format=%h %s", rev).decode().strip()
    if overlay:
        source, _, paths = overlay.partition(":")
        for path in filter(None, paths.split(",")):
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(git("show", f"{source}:{path}"))
        described += f"; with {paths} from {git('log', '-1', '--format=%h', source).decode().strip()}"
    for commit in reversed([c for c in reverted.split(",") if c]):
        patch = git("diff", f"{commit}^", commit)
        subprocess.run(["git", "apply", "-R", "-C1"], cwd=folder, input=patch, check=True)
        described += f"; without {git('log', '-1', '--format=%h %s', commit).decode().strip()}"
    for path in HARNESS:
        (folder / path).write_bytes((repo / path).read_bytes())
    return described


def _send(message: dict) -> None:
    print(MARK + json.dumps(message, ensure_ascii=False), flush=True)


def worker(url: str, pages: list[str]) -> None:
    """Record the pages' calls in this tree, then time one cold pass per line read from stdin."""
    import logging

    from sqlalchemy import create_engine

    from bench import recorder, timing, views
    from dashboard import data
    from dashboard.clock import local_today

    for noisy in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.caching"):
        logging.getLogger(noisy).setLevel(logging.ERROR)  # one warning per cached call outside a server
    with create_engine(url).connect() as conn:
        county, station = views.busiest(conn)
    recordings: list[recorder.Recording] = []
    errors: list[list[str]] = []
    for page in pages:
        kept: list[list[tuple[str, str]]] = []
        for view in views.typical_views(county, station, local_today()):
            rec = recorder.record(page, view.name, url, view.params)
            key = [(call.name, repr(call.args)) for call in rec.calls]
            if rec.error:
                errors.append([page, view.name, rec.error])
            if rec.error or key in kept:  # most pages have no station filter: their station view repeats
                continue
            kept.append(key)
            recordings.append(rec)
    engine = data.engine(url)
    _send({"views": [[rec.page, rec.view, [call.name for call in rec.calls]] for rec in recordings], "errors": errors})
    for _ in sys.stdin:
        _send({"times": [[rec.page, rec.view, timing.cold_once(engine, rec.calls)] for rec in recordings]})


class Tree:
    """A worker process on one extracted tree."""

    def __init__(self, label: str, folder: Path, url: str, pages: list[str]) -> None:
        self.label = label
        env = {**os.environ, "DASHBOARD_REFRESH_SECONDS": "3600", "STREAMLIT_LOGGER_LEVEL": "error"}
        command = [sys.executable, "-m", "bench.compare", "--worker", "--url", url, "--pages", ",".join(pages)]
        self.process = subprocess.Popen(
            command, cwd=folder, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        ready = self._read()
        self.views = ready["views"]
        for page, view, error in ready["errors"]:  # such a view is left out of this tree's figures
            print(f"tree {label}: {page} {view} failed: {error}", file=sys.stderr, flush=True)
        self.times: dict[tuple[str, str, str], list[float]] = {}

    def _read(self) -> dict:
        for line in self.process.stdout:
            if line.startswith(MARK):
                return json.loads(line[len(MARK) :])
        raise RuntimeError(f"tree {self.label}: the worker stopped (exit {self.process.wait()})")

    def run_once(self) -> None:
        """One cold pass of every recorded view; each call's seconds are appended to :attr:`times`."""
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        for page, view, per_call in self._read()["times"]:
            for name, seconds in per_call.items():
                self.times.setdefault((page, view, name), []).append(seconds)

    def close(self) -> None:
        """End the worker."""
        self.process.stdin.close()
        self.process.wait()

    def median(self, key: tuple[str, str, str]) -> float | None:
        """Median seconds of one call in one view, None when this tree does not make that call."""
        return statistics.median(self.times[key]) if key in self.times else None


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.1f}"


def _ratio(after: float | None, before: float | None) -> str:
    return "—" if after is None or not before else f"{after / before:.2f}"


def ratio_table(head: str, labels: list[str], rows: list[tuple[str, list[float | None]]]) -> list[str]:
    """A markdown table: ``head`` columns, each label's milliseconds, then each label's ratio to the first."""
    columns = [f"{label} ms" for label in labels] + [f"{label}÷{labels[0]}" for label in labels[1:]]
    lines = [f"| {head} | " + " | ".join(columns) + " |", "|---|---|" + "---:|" * len(columns)]
    for title, values in rows:
        cells = [_ms(v) for v in values] + [_ratio(v, values[0]) for v in values[1:]]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    return lines


def report(trees: list[Tree], described: dict[str, str], url: str, runs: int, loads: list[str]) -> str:
    """The markdown of one comparison: page totals, then every call, each tree's median and its ratio."""
    labels = [tree.label for tree in trees]
    keys = list(dict.fromkeys(key for tree in trees for key in tree.times))
    views = list(dict.fromkeys(key[:2] for key in keys))
    totals = [
        (f"{page} | {view}", [sum(filter(None, (t.median(k) for k in keys if k[:2] == (page, view)))) for t in trees])
        for page, view in views
    ]
    calls = [(f"{name} | {page} · {view}", [t.median((page, view, name)) for t in trees]) for page, view, name in keys]
    lines = [
        f"数据库 `{url.rsplit('/', 1)[-1]}`；每个树 {runs} 次冷运行取中位数，各树轮流交替运行；"
        f"负载（1/5/15 min）开始 {loads[0]}，结束 {loads[1]}。比值 = 该树 ÷ {labels[0]}。",
        "",
        *(f"- **{tree.label}**：{described[tree.label]}" for tree in trees),
        "",
        *ratio_table("页面 | 视图", labels, totals),
        "",
        *ratio_table("调用 | 页面 · 视图", labels, calls),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Parse the command line; run the comparison (or, with ``--worker``, be one tree's worker)."""
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description="同一批页面调用在不同版本上的冷耗时")
    parser.add_argument("--url", required=True)
    parser.add_argument("--pages", required=True, help="逗号分隔的页面 url_path")
    parser.add_argument("--tree", action="append", default=[], help="LABEL=REV 或 LABEL=REV+FROM:PATH,PATH")
    parser.add_argument("--on", action="append", default=[], help="LABEL=URL：该树读这个数据库，而不是 --url")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", help="把结果（markdown）追加到此文件")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    pages = [page for page in args.pages.split(",") if page]
    if args.worker:
        worker(args.url, pages)
        return 0
    if len(args.tree) < 2:
        parser.error("至少需要两个 --tree")
    urls = dict(spec.split("=", 1) for spec in args.on)
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        described, trees = {}, []
        try:
            for spec in args.tree:
                label, _, rev = spec.partition("=")
                described[label] = extract(rev, Path(tmp) / label)
                if label in urls:
                    described[label] += f"; on `{urls[label].rsplit('/', 1)[-1]}`"
                trees.append(Tree(label, Path(tmp) / label, urls.get(label, args.url), pages))
                print(f"[{time.strftime('%H:%M:%S')}] {label}: {described[label]}", flush=True)
            loads = [", ".join(f"{x:.2f}" for x in os.getloadavg())]
            for run in range(args.runs):
                for i in range(len(trees)):
                    trees[(run + i) % len(trees)].run_once()
                print(f"[{time.strftime('%H:%M:%S')}] run {run + 1}/{args.runs} done", flush=True)
            loads.append(", ".join(f"{x:.2f}" for x in os.getloadavg()))
        finally:
            for tree in trees:
                tree.close()
        text = report(trees, described, args.url, args.runs, loads)
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as out:
            out.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
