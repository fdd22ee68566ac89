"""Command line of the summaries: ``python -m dashboard.summaries refresh [--url URL] [--full]``."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from dashboard.errors import classify
from dashboard.settings import database_url
from dashboard.summaries.refresh import refresh

HOW = {"full": "全部重算", "incremental": "增量更新", "unchanged": "无新数据"}


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and refresh; prints one line per summary, or one Chinese error."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.summaries", description="看板汇总表（dash 模式）")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("refresh", help="更新汇总表（默认增量）")
    r.add_argument("--url", help="数据库 URL；默认与看板相同（DASHBOARD_DB_URL、secrets 或演示库）")
    r.add_argument("--full", action="store_true", help="全部重算（平台改动或删除了旧数据时）")
    args = parser.parse_args(argv)
    try:
        outcomes = refresh(args.url or database_url(), full=args.full)
    except SQLAlchemyError as exc:
        print(f"汇总表更新失败：{classify(exc)}", file=sys.stderr)
        return 1
    for outcome in outcomes:
        since = f"（自 {outcome.since:%Y-%m-%d} 起）" if outcome.since else ""
        print(f"{outcome.name}: {HOW[outcome.how]}{since}，来源 {outcome.source_rows:,} 行")
    return 0


if __name__ == "__main__":
    sys.exit(main())
