"""Command line of the benchmark.

    python -m bench build  [--scales city,province] [--backends postgresql,sqlite] [--years 3] [--volume SCALE=V]
    python -m bench run    [--scales city,province] [--backends postgresql,sqlite] [--runs 5] [--naive-runs 5]
                           [--pages overview,wall] [--wall-refreshes 1000] [--reuse-parquet]
    python -m bench copy   [--scales city,province]   # PostgreSQL bench_<scale> → Parquet → bench/data/<scale>.sqlite
    python -m bench wall-memory [--refreshes 1000] [--pg URL]   # RSS over wall refreshes on bench_city
    python -m bench report                      # rewrite bench/results.md from bench/results.json
    python -m bench build-default               # time `python -m dashboard.demo build` (defaults) into a temp file
    python -m bench record-build SCALE BACKEND LOG [--years 3] [--volume 1]   # a build run by dashboard.demo itself

Databases: PostgreSQL ``bench_<scale>`` on ``--pg`` (default postgresql+psycopg2://postgres@127.0.0.1),
SQLite ``bench/data/<scale>.sqlite``. ``run`` merges its scales into ``bench/results.json`` (a scale
run again replaces its earlier figures) and rewrites ``bench/results.md``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

os.environ.setdefault("DASHBOARD_REFRESH_SECONDS", "3600")  # warm timings must not see the cache expire
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no "missing ScriptRunContext" line per cached call

from bench import builds, report, runner  # noqa: E402 - the cache lifetime above is read at import

for _noisy in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.caching.cache_data_api"):
    logging.getLogger(_noisy).setLevel(logging.ERROR)  # one warning per cached call outside a Streamlit server


def _urls(scale: str, backends: list[str], pg: str) -> dict[str, str]:
    out = {}
    for backend in backends:
        if backend == "postgresql":
            out[backend] = f"{pg.rstrip('/')}/bench_{scale}"
        elif backend == "sqlite":
            out[backend] = f"sqlite:///{runner.DATA / f'{scale}.sqlite'}"
        else:
            raise SystemExit(f"unknown backend {backend!r} (postgresql | sqlite)")
    return out


def _volumes(items: list[str]) -> dict[str, float]:
    return {scale: float(v) for scale, v in (item.split("=", 1) for item in items)}


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(prog="python -m bench", description="dashboard benchmark")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("build", "run", "copy"):
        p = sub.add_parser(name)
        p.add_argument("--scales", default="city,province")
        p.add_argument("--backends", default="postgresql,sqlite")
        p.add_argument("--pg", default="postgresql+psycopg2://postgres@127.0.0.1")
    b = sub.choices["build"]
    b.add_argument("--years", type=int, default=3)
    b.add_argument("--volume", action="append", default=[], help="SCALE=V, e.g. province=0.2 (fact tables × V)")
    r = sub.choices["run"]
    r.add_argument("--runs", type=int, default=5)
    r.add_argument("--naive-runs", type=int, default=5)
    r.add_argument("--pages", help="comma-separated url paths (default: every page in dashboard.navigation)")
    r.add_argument("--wall-refreshes", type=int, default=1000, help="0 skips the memory run")
    r.add_argument("--reuse-parquet", action="store_true", help="keep an existing Parquet export")
    sub.add_parser("report")
    sub.add_parser("build-default")
    wm = sub.add_parser("wall-memory")
    wm.add_argument("--refreshes", type=int, default=1000)
    wm.add_argument("--pg", default="postgresql+psycopg2://postgres@127.0.0.1")
    rb = sub.add_parser("record-build")
    rb.add_argument("scale")
    rb.add_argument("backend")
    rb.add_argument("log")
    rb.add_argument("--years", type=int, default=3)
    rb.add_argument("--volume", type=float, default=1.0)
    args = parser.parse_args(argv)

    if args.command == "report":
        report.write()
        return 0
    if args.command == "wall-memory":
        report.merge_memory(builds.wall_memory(_urls("city", ["postgresql"], args.pg)["postgresql"], args.refreshes))
        report.write()
        return 0
    if args.command == "record-build":
        builds.record_log(args.scale, args.backend, args.log, args.years, args.volume)
        report.write()
        return 0
    if args.command == "build-default":
        builds.time_default_build()
        report.write()
        return 0
    scales = [s for s in args.scales.split(",") if s]
    backends = [b for b in args.backends.split(",") if b]
    if args.command == "copy":
        for scale in scales:
            builds.copy_to_sqlite(
                scale, _urls(scale, ["postgresql"], args.pg)["postgresql"], _urls(scale, ["sqlite"], "")["sqlite"]
            )
        report.write()
        return 0
    if args.command == "build":
        volumes = _volumes(args.volume)
        for scale in scales:
            for backend, url in _urls(scale, backends, args.pg).items():
                builds.build(scale, backend, url, args.years, volumes.get(scale, 1.0))
        return 0
    pages = args.pages.split(",") if args.pages else None
    for scale in scales:
        urls = _urls(scale, backends, args.pg)
        result = runner.run_scale(scale, urls, pages, args.runs, args.naive_runs, export=not args.reuse_parquet)
        report.merge(result)
    if args.wall_refreshes and "postgresql" in backends and scales:
        report.merge_memory(
            builds.wall_memory(_urls(scales[0], ["postgresql"], args.pg)["postgresql"], args.wall_refreshes)
        )
    report.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
