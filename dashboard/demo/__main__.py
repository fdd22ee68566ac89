"""Command line of the embedded demo.

    python -m dashboard.demo build [--scale city] [--seed 20201] [--years 2] [--volume 1.0]
                                   [--now 2026-11-22T10:00] [--bad-rows 12] [--url URL] [--force]
    python -m dashboard.demo ensure      # build data/demo.sqlite only if it is missing (and any summary it lacks)
    python -m dashboard.demo feed [--url URL] [--interval 5] [--seed N] [--once]   # keep the demo moving

Without ``--url`` the demo goes to ``data/demo.sqlite``; with a PostgreSQL URL the database must
exist and be empty.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sqlite3
import sys

from dashboard.demo import feeder_run
from dashboard.demo.build import BuildOptions, build, build_demo_file
from dashboard.settings import DEMO_DB, demo_url
from dashboard.summaries.refresh import SUMMARIES, refresh
from dashboard.summaries.storage import summary_file


def _missing_summaries(url: str) -> list[str]:
    """The summaries (``refresh.SUMMARIES``) a demo file has never refreshed: all of them when it has no
    summary file (built before they existed), the newer ones when its file is from an older version."""
    names = [summary.name for summary in SUMMARIES]
    path = summary_file(url)
    if path is None or not path.is_file():
        return names
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        done = {row[0] for row in conn.execute("SELECT name FROM refresh_state")}
    return [name for name in names if name not in done]


def _ensure_summaries(url: str) -> None:
    """Build the summaries an existing demo file lacks (the others are left to the feeder's refresh)."""
    missing = _missing_summaries(url)
    if missing:
        refresh(url)  # a summary never refreshed is built in full; the others catch up
        print(f"已补建看板汇总表：{'、'.join(missing)}（{summary_file(url)}）")


def _options(args: argparse.Namespace) -> BuildOptions:
    now = dt.datetime.fromisoformat(args.now) if args.now else None
    return BuildOptions(
        scale=args.scale, seed=args.seed, years=args.years, volume=args.volume, now=now, bad_rows=args.bad_rows
    )


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and build."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.demo", description="生成内置演示数据库")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="生成演示数据")
    sub.add_parser("ensure", help="演示数据库不存在时才生成")
    b.add_argument("--scale", default="city", choices=["county", "city", "province"])
    b.add_argument("--seed", type=int, default=20201)
    b.add_argument("--years", type=int, default=2)
    b.add_argument("--volume", type=float, default=1.0, help="事实表数据量倍数（结构不变）")
    b.add_argument("--now", help="数据截止时刻（ISO 格式，北京时间），默认当前时间")
    b.add_argument("--bad-rows", type=int, default=12, help="故意写入的异常数据条数（每类）")
    b.add_argument("--url", help="目标数据库 URL；默认 data/demo.sqlite")
    b.add_argument("--force", action="store_true", help="覆盖已存在的 data/demo.sqlite")
    f = sub.add_parser("feed", help="喂数进程：持续写入新订单并推进在途订单（演示用）")
    f.add_argument("--url", help="目标数据库 URL；默认 data/demo.sqlite")
    f.add_argument("--interval", type=float, default=5.0, help="每隔多少秒推进一次（默认 5）")
    f.add_argument("--seed", type=int, help="随机种子（默认每次不同）")
    f.add_argument("--once", action="store_true", help="只推进到当前时刻一次，然后退出")
    f.add_argument("--catch-up-days", type=float, default=7.0, help="启动时最多追补多少天的数据（默认 7）")
    f.add_argument("--per-day", type=float, help="每天新订单数（默认沿用最近四周的日均）")
    args = parser.parse_args(argv)

    if args.command == "feed":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        try:
            feeder_run.run(
                args.url or demo_url(),
                interval=args.interval,
                seed=args.seed,
                once=args.once,
                catch_up=dt.timedelta(days=args.catch_up_days),
                per_day=args.per_day,
            )
        except feeder_run.FeederError as exc:
            print(exc, file=sys.stderr)
            return 1
        return 0
    if args.command == "ensure":
        if DEMO_DB.exists():
            print(f"演示数据库已存在：{DEMO_DB}")
            _ensure_summaries(demo_url())
            return 0
        report = build_demo_file()
    elif args.url:
        report = build(args.url, _options(args))
    else:
        if DEMO_DB.exists() and not args.force:
            print(f"演示数据库已存在：{DEMO_DB}（加 --force 重新生成）")
            return 0
        report = build_demo_file(opts=_options(args))
    total = sum(report.rows.values())
    print(f"完成：{total:,} 行，用时 {report.seconds:.1f} 秒（{report.rows_per_second:,.0f} 行/秒）")
    for table, n in sorted(report.rows.items()):
        print(f"  {table:<20} {n:>12,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
