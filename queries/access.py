"""Who may see what: the districts assigned to listed leaders (挂点领导), from ``leader_assignment``.

:func:`leader_counties` is the one query that does not take a scope: its result *is* the scope of
a leader's account (``dashboard.auth``). :func:`leader_assignments` lists the leaders with their
districts for the admin's user list, within the given scope like every other query.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Table, select

from dashboard.scope import Scope
from queries.common import TABLES, frame, region, scope_clause

leader: Table = TABLES["leader"]
leader_assignment: Table = TABLES["leader_assignment"]

DEFINITIONS = {
    "leader_scope": "挂点领导只能查看数据库“挂点指导分工表”（leader_assignment）中分配给他的区县。",
    "accounts": "用户文件中可以登录的账户数（每个账户恰有一个角色）。",
    "leader_accounts": "角色为挂点领导的账户数；每个账户对应数据库中的一位领导（leader_id）。",
    "locked": "{window} 分钟内登录失败 {failures} 次的账户被锁定 {window} 分钟；锁定期间即使密码正确也拒绝登录。",
}


def leader_counties(conn: Connection, leader_id: int) -> tuple[str, ...]:
    """County codes assigned to the leader, sorted; empty when the leader has none (or does not exist)."""
    stmt = (
        select(leader_assignment.c.county_code)
        .where(leader_assignment.c.leader_id == leader_id)
        .order_by(leader_assignment.c.county_code)
    )
    return tuple(row[0] for row in conn.execute(stmt))


def leader_assignments(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Every leader with the districts assigned to him that lie in scope; a leader without any in scope
    appears once with empty district columns when the scope is unrestricted.

    Columns: ``leader_id``, ``leader_name``, ``title``, ``county_code``, ``county_name``; ordered by
    leader id and county code.
    """
    joined = leader.outerjoin(leader_assignment, leader_assignment.c.leader_id == leader.c.id).outerjoin(
        region, region.c.code == leader_assignment.c.county_code
    )
    stmt = (
        select(
            leader.c.id.label("leader_id"),
            leader.c.name.label("leader_name"),
            leader.c.title,
            leader_assignment.c.county_code,
            region.c.name.label("county_name"),
        )
        .select_from(joined)
        .where(scope_clause(leader_assignment.c.county_code, scope))
        .order_by(leader.c.id, leader_assignment.c.county_code)
    )
    return frame(conn, stmt)
