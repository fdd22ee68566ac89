"""bench.compare's source trees and tables: a commit taken back or a file taken from another commit
gives exactly those files, the harness is the working copy's, and the table's ratios are each tree ÷ the first.

The trees come from a small git repository the test makes, so it needs none of this repository's history."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bench import compare

PATH = "queries/projects.py"
TEST_FILE = "tests/test_projects_queries.py"
LINES = [f"line {i}\n" for i in range(1, 9)]


def _git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]
    return subprocess.run([*command, *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def _commit(repo: Path, message: str, files: dict[str, str]) -> str:
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text, encoding="utf-8")
    _git(repo, "add", *files)
    _git(repo, "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "--short", "HEAD")


def _with(line: int, text: str) -> str:
    return "".join(text if i == line else old for i, old in enumerate(LINES))


@pytest.fixture
def repo(tmp_path) -> dict[str, object]:
    """Three commits: the base, the change (line 2 of PATH and the test file), a later one (line 7 of PATH);
    the working copy's bench/compare.py differs from the committed one."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    harness = {path: f"committed {path}\n" for path in compare.HARNESS}
    base = _commit(root, "base", {PATH: "".join(LINES), TEST_FILE: "old test\n", **harness})
    change = _commit(root, "the change", {PATH: _with(1, "changed 2\n"), TEST_FILE: "new test\n"})
    later = _commit(root, "later", {PATH: _with(1, "changed 2\n").replace("line 7\n", "later 7\n")})
    (root / "bench" / "compare.py").write_text("working copy\n", encoding="utf-8")
    return {"root": root, "base": base, "change": change, "later": later}


def test_a_commit_taken_back_keeps_what_came_after_it(repo, tmp_path):
    folder = tmp_path / "tree"
    described = compare.extract(f"HEAD-{repo['change']}", folder, repo["root"])
    assert (folder / PATH).read_text() == "".join(LINES).replace("line 7\n", "later 7\n")
    assert (folder / TEST_FILE).read_text() == "old test\n"
    assert described == f"{repo['later']} later; without {repo['change']} the change"
    assert (folder / "bench" / "compare.py").read_text() == "working copy\n"
    assert (folder / "bench" / "timing.py").read_text() == "committed bench/timing.py\n"


def test_files_taken_from_another_commit(repo, tmp_path):
    folder = tmp_path / "tree"
    described = compare.extract(f"{repo['base']}+{repo['change']}:{PATH}", folder, repo["root"])
    assert (folder / PATH).read_text() == _with(1, "changed 2\n")
    assert (folder / TEST_FILE).read_text() == "old test\n"
    assert described == f"{repo['base']} base; with {PATH} from {repo['change']}"


def test_table_gives_each_trees_milliseconds_and_its_ratio_to_the_first():
    lines = compare.ratio_table(
        "页面 | 视图", ["before", "after"], [("quality | city·month", [0.25, 0.1]), ("x | y", [None, 0.2])]
    )
    assert lines[0] == "| 页面 | 视图 | before ms | after ms | after÷before |"
    assert lines[2] == "| quality | city·month | 250.0 | 100.0 | 0.40 |"
    assert lines[3] == "| x | y | — | 200.0 | — |"
