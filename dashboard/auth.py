"""Log-in and roles: who the visitor is, which pages they may open, which districts they see.

Once per script run, before ``st.navigation``, ``app.py`` calls :func:`gate`. It builds
streamlit-authenticator's ``Authenticate`` from the users file (``dashboard.accounts``, passwords
pre-hashed, ``auto_hash=False``, no log-in sleep), lets a valid cookie log the visitor back in or
shows the log-in form, refuses log-ins of a locked username (``dashboard.lockout``) and ends a
log-in older than its role's session lifetime. :func:`pages` turns ``navigation.PAGES`` into the
visitor's pages: those of the role are in the menu; every other page keeps its URL but shows a
refusal, so a link to it never shows its content.

Pages never look at the account: ``dashboard.scope.current_scope`` and
``dashboard.privacy.reveal_personal_data`` read it through :func:`current_account`, which fails
closed (no account, no data).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit.delta_generator import DeltaGenerator
from streamlit_authenticator.utilities.exceptions import LoginError

from dashboard import accounts, data, lockout, ui
from dashboard.accounts import Account, UsersFile
from dashboard.labels import labels
from dashboard.navigation import PAGES, PageSpec
from dashboard.scope import Scope
from dashboard.shell import require_app_shell
from queries import access, regions

log = logging.getLogger(__name__)

SINCE_KEY = "_auth_since"  # when this session's log-in happened (seconds since the epoch)
LOGOUT_KEY = "_auth_logout_requested"
NOTICE_KEY = "_auth_notice"  # why the visitor is at the log-in form again (log-out, expiry)
USER_BOX_KEY = "auth_user_box"
APP_NAME = "新时代文明实践指挥调度"
LOGIN_FIELDS = {"Form name": "登录", "Username": "用户名", "Password": "密码", "Login": "登录"}
WRONG_PASSWORD = "用户名或密码不正确。"
LOCKED = "登录失败次数过多，该账户已暂时锁定（最长 {minutes} 分钟，到时自动解锁），请稍后再试。"
LOGIN_REFUSED = "登录被拒绝，请联系管理员。"
EXPIRED = "登录已超过有效期（{hours} 小时），请重新登录。"
LOGGED_OUT = "您已退出登录。"
NOT_LOGGED_IN = "请先登录。"
REFUSED = "您的账户（{role}）无权打开“{title}”页面。如需开通，请联系管理员。"


def role_label(role: str) -> str:
    """The Chinese name of a role (assets/labels.yaml, section ``roles``)."""
    return labels().label("roles", role)


def current_account() -> Account | None:
    """The account logged in in this session; None when nobody is (or the users file cannot be read)."""
    if st.session_state.get("authentication_status") is not True:
        return None
    try:
        users = accounts.configured()
    except accounts.UsersFileError:
        return None
    return users.accounts.get(st.session_state.get("username"))


def require_account() -> Account:
    """The logged-in account; without one, a notice and the end of this run (no page content).

    A page started by Streamlit's legacy ``pages/`` mode (outside app.py, so without log-in, menu or
    role check) is first rerun through app.py (``dashboard.shell``).
    """
    require_app_shell()
    account = current_account()
    if account is None:
        st.warning(NOT_LOGGED_IN, icon="🔒")
        st.stop()
    return account


def scope_of(account: Account) -> Scope:
    """The districts an account sees: a leader's assigned counties (from the database), else all."""
    if account.role == "leader":
        return Scope(data.run(access.leader_counties, account.leader_id))
    return Scope(None)


def current_scope() -> Scope:
    """The scope of the logged-in visitor (see :func:`scope_of`); stops the run when nobody is logged in."""
    return scope_of(require_account())


def lockout_of(users: UsersFile) -> lockout.Lockout:
    """The process-wide lock-out book of a users file, with its settings."""
    return lockout.shared(str(users.path), users.max_failures, users.window_minutes * 60)


def _authenticator(users: UsersFile, key: str, book: lockout.Lockout) -> tuple[stauth.Authenticate, dict]:
    """``Authenticate`` over a fresh credentials dict whose failure counts make locked usernames refused."""
    credentials = users.credentials()
    for username, entry in credentials["usernames"].items():
        entry["failed_login_attempts"] = users.max_failures if book.is_locked(username) else 0
    authenticator = stauth.Authenticate(
        credentials, users.cookie_name, key, users.cookie_expiry_days, auto_hash=False, login_sleep_time=0
    )
    return authenticator, credentials


def _log_out(authenticator: stauth.Authenticate, notice: str | None) -> None:
    """End the session's log-in, delete the cookie in the browser (rendered in this run), leave a notice."""
    if st.session_state.get("authentication_status"):
        log.info("log-out: %s", st.session_state.get("username"))
        authenticator.logout(location="unrendered")
    st.session_state.pop(SINCE_KEY, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _cookie_login_time(users: UsersFile, key: str, now: float) -> float | None:
    """When the log-in of a valid cookie happened; a cookie of an unknown account or older than its
    role's session lifetime is set aside (the authenticator will not use it) and gives None."""
    raw = st.context.cookies.get(users.cookie_name)
    if not raw or st.session_state.get("logout"):  # after a log-out the authenticator ignores the cookie
        return None
    try:
        payload = jwt.decode(raw, key, algorithms=["HS256"])
        expires = float(payload["exp_date"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return None  # not signed with our key: the authenticator ignores it as well
    account = users.accounts.get(payload.get("username"))
    issued = expires - users.cookie_expiry_days * 86400
    if account is None or now >= expires or now - issued >= users.session_seconds(account.role):
        st.session_state["logout"] = True  # streamlit-authenticator's own flag: ignore the cookie
        if account is not None:
            st.session_state[NOTICE_KEY] = EXPIRED.format(hours=f"{users.session_hours[account.role]:g}")
        return None
    return issued


def _count_failures(credentials: dict, seeded: dict[str, int], book: lockout.Lockout) -> None:
    """Record the failed log-in the authenticator counted in ``credentials`` during this run."""
    for username, entry in credentials["usernames"].items():
        if entry.get("failed_login_attempts", 0) > seeded.get(username, 0):
            log.warning("failed log-in: %s", username)
            book.record_failure(username)


def _login_form(authenticator: stauth.Authenticate, users: UsersFile, credentials: dict, book: lockout.Lockout):
    """The authenticator's form (or, with a valid cookie, nothing), with the lock-out applied around it."""
    seeded = {u: e["failed_login_attempts"] for u, e in credentials["usernames"].items()}
    try:
        authenticator.login(location="main", max_login_attempts=users.max_failures, fields=LOGIN_FIELDS, key="login")
    except LoginError as exc:
        locked = "attempts" in str(exc)
        log.warning("log-in refused: %s", "username locked" if locked else exc)
        st.error(LOCKED.format(minutes=f"{users.window_minutes:g}") if locked else LOGIN_REFUSED, icon="🔒")
        return
    _count_failures(credentials, seeded, book)
    if st.session_state.get("authentication_status") is False:
        st.error(WRONG_PASSWORD, icon="🔒")


def _login_column() -> DeltaGenerator:
    """A narrow centred column under the app's name, for the log-in form and its messages."""
    _, middle, _ = st.columns([1, 1, 1])
    middle.title(APP_NAME)
    middle.caption("请使用管理员分配的账户登录。")
    return middle


def gate(clock: Callable[[], float] = time.time) -> Account | None:
    """Log the visitor in for this run; the account to show pages to, or None.

    None means no page this run: the log-in form (or a configuration error) is showing, or the
    form has just succeeded and the browser is storing the cookie (it reruns the app by itself).
    """
    try:
        users = accounts.configured()
        key = accounts.cookie_key()
    except accounts.UsersFileError as exc:
        log.error("log-in unavailable: %s", exc.message)
        st.error(exc.message, icon="🚫")
        return None
    book = lockout_of(users)
    authenticator, credentials = _authenticator(users, key, book)

    if st.session_state.pop(LOGOUT_KEY, False):
        _log_out(authenticator, LOGGED_OUT)
    account = current_account()
    if account is not None:
        since = st.session_state.setdefault(SINCE_KEY, clock())
        if clock() - since < users.session_seconds(account.role):
            return account
        _log_out(authenticator, EXPIRED.format(hours=f"{users.session_hours[account.role]:g}"))
    elif st.session_state.get("authentication_status"):  # the account was removed from the users file
        _log_out(authenticator, None)

    cookie_since = _cookie_login_time(users, key, clock())
    # Logged back in by a valid cookie, the form is not drawn: no column for it then.
    place = st.container() if cookie_since is not None else _login_column()
    with place:
        if NOTICE_KEY in st.session_state:  # kept over the reruns the cookie component causes
            st.info(st.session_state[NOTICE_KEY], icon="🔒")
        _login_form(authenticator, users, credentials, book)
    account = current_account()
    if account is None:
        return None
    st.session_state.pop(NOTICE_KEY, None)
    book.clear(account.username)
    if cookie_since is not None:
        st.session_state[SINCE_KEY] = cookie_since
        return account
    st.session_state[SINCE_KEY] = clock()
    log.info("log-in: %s (%s)", account.username, account.role)
    with place:
        st.success("登录成功，正在进入……", icon="✅")
        st.button("进入", key="auth_enter", type="primary")
    return None


def _request_logout() -> None:
    st.session_state[LOGOUT_KEY] = True


def _scope_caption(account: Account) -> None:
    scope = scope_of(account)
    names = data.run(regions.counties, scope)["name"].tolist()
    shown = "、".join(ui.escape(name) for name in names) if names else "（未分配区县，看不到任何数据）"
    st.caption(f"查看范围：{shown}", help=access.DEFINITIONS["leader_scope"])


def user_box(account: Account) -> None:
    """The sidebar's top: who is logged in, with which role (a leader's districts too), and 退出登录."""
    with st.sidebar.container(key=USER_BOX_KEY):
        st.markdown(f"**{ui.escape(account.name)}**　{ui.escape(role_label(account.role))}")
        if account.role == "leader":
            ui.guarded(_scope_caption, account)
        st.button("退出登录", key="auth_logout", on_click=_request_logout, icon=":material/logout:")


def _nothing() -> None:
    """The page behind the log-in form: empty (the form is drawn by :func:`gate`)."""


def _refusal(spec: PageSpec, account: Account) -> Callable[[], None]:
    def refused() -> None:
        log.warning("refused: %s (%s) opened %s", account.username, account.role, spec.url_path)
        st.title("无权访问")
        st.warning(REFUSED.format(role=role_label(account.role), title=spec.title), icon="🔒")

    return refused


def _no_pages() -> None:
    st.title("暂无可用页面")
    st.info("您的账户目前没有可以打开的页面，请联系管理员。", icon="🔒")


def allowed(account: Account | None, spec: PageSpec) -> bool:
    """True when the account may open the page."""
    return account is not None and account.role in spec.roles


def _redirect(target: st.Page) -> Callable[[], None]:
    def home() -> None:
        st.switch_page(target)

    return home


def pages(account: Account | None, root: Path) -> list[st.Page]:
    """The ``st.Page`` list for ``st.navigation``: one per row of PAGES, each at its own URL.

    Nobody logged in: every URL shows only the log-in form (kept, so the page opens after log-in).
    Logged in: the role's pages are in the menu; every other page is hidden and shows a refusal.
    ``/`` is the first page of PAGES when the role may open it, else it leads to the role's first
    page (a default page answers only at ``/``, so the wall role's ``/wall`` stays a real URL).
    """
    if account is None:
        return [
            st.Page(_nothing, title="登录", url_path=spec.url_path, default=i == 0, visibility="hidden")
            for i, spec in enumerate(PAGES)
        ]
    home_is_first = allowed(account, PAGES[0])
    result = [
        st.Page(root / spec.file, title=spec.title, url_path=spec.url_path, icon=spec.icon, default=i == 0)
        if allowed(account, spec)
        else st.Page(
            _refusal(spec, account), title=spec.title, url_path=spec.url_path, icon=spec.icon, visibility="hidden"
        )
        for i, spec in enumerate(PAGES)
    ]
    if not home_is_first:
        own = [page for page, spec in zip(result, PAGES, strict=True) if allowed(account, spec)]
        if own:
            home = st.Page(_redirect(own[0]), title="首页", url_path="home", default=True, visibility="hidden")
        else:
            home = st.Page(_no_pages, title="暂无可用页面", url_path="no-pages", default=True)
        result.insert(0, home)
    return result
