"""用户 (admin only): the accounts of the users file, their roles and districts, and who is locked out."""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import streamlit as st

from dashboard import accounts, auth, data, ui
from dashboard.accounts import Account, UsersFile
from dashboard.clock import LOCAL_TZ
from dashboard.lockout import Lockout, Status
from dashboard.scope import current_scope
from queries import access

HASH_COMMAND = "python -m dashboard.users_cli hash"
log = logging.getLogger(__name__)


def _clock_time(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, LOCAL_TZ).strftime("%m-%d %H:%M:%S")


def _state(status: Status, users: UsersFile) -> str:
    if status.locked_until is not None:
        return f"已锁定，{_clock_time(status.locked_until)} 解锁"
    if status.failures:
        return f"近 {users.window_minutes:g} 分钟登录失败 {status.failures} 次"
    return "正常"


def _scope_columns(account: Account, assignments: pd.DataFrame) -> tuple[str, str]:
    """(the leader in the database, the districts seen) of an account."""
    if account.role != "leader":
        return "—", "全部区县（仅大屏页面）" if account.role == "wall" else "全部区县"
    rows = assignments[assignments["leader_id"] == account.leader_id]
    if rows.empty:
        return f"（数据库中没有编号 {account.leader_id} 的领导）", "（无）"
    first = rows.iloc[0]
    names = [name for name in rows["county_name"] if isinstance(name, str)]
    return f"{first['leader_name']}（{first['title']}）", "、".join(names) or "（未分配区县）"


def _table(users: UsersFile, assignments: pd.DataFrame, statuses: dict[str, Status]) -> pd.DataFrame:
    rows = []
    for username, account in users.accounts.items():
        leader, districts = _scope_columns(account, assignments)
        rows.append(
            {
                "用户名": username,
                "姓名": account.name,
                "角色": auth.role_label(account.role),
                "挂点领导": leader,
                "查看范围": districts,
                "登录有效期（小时）": users.session_hours[account.role],
                "登录状态": _state(statuses[username], users),
            }
        )
    return pd.DataFrame(rows)


def _unlock(book: Lockout, statuses: dict[str, Status]) -> None:
    locked = [username for username, status in statuses.items() if status.locked_until is not None]
    if not locked:
        return
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    chosen = left.selectbox("已锁定的账户", locked)
    if right.button("解除锁定", key="auth_unlock", icon=":material/lock_open:"):
        book.clear(chosen)
        log.info("unlocked %s (by %s)", chosen, auth.require_account().username)
        st.rerun()


def render() -> None:
    """Draw the page."""
    scope = current_scope()
    users = accounts.configured()
    book = auth.lockout_of(users)
    statuses = book.status(list(users.accounts))
    assignments = data.run(access.leader_assignments, scope)

    st.caption(
        f"账户来自用户文件 {ui.escape(users.path)}（不在代码仓库中）。新增或修改账户请编辑该文件，密码须为 bcrypt"
        f" 哈希（在服务器上运行 `{HASH_COMMAND}` 生成）；保存后下一次操作即生效。"
    )
    ui.kpi_row(
        [
            ui.Kpi("账户数", ui.fmt_int(len(users.accounts)), access.DEFINITIONS["accounts"]),
            ui.Kpi(
                "挂点领导账户",
                ui.fmt_int(sum(a.role == "leader" for a in users.accounts.values())),
                access.DEFINITIONS["leader_accounts"],
            ),
            ui.Kpi(
                "当前锁定",
                ui.fmt_int(sum(s.locked_until is not None for s in statuses.values())),
                access.DEFINITIONS["locked"].format(window=f"{users.window_minutes:g}", failures=users.max_failures),
            ),
        ]
    )
    st.dataframe(
        _table(users, assignments, statuses),
        hide_index=True,
        column_config={"查看范围": st.column_config.TextColumn(help=access.DEFINITIONS["leader_scope"])},
    )
    _unlock(book, statuses)


ui.run_page("用户", render)
