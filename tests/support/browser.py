"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, with request/error recording.

Usage::

    with streamlit_server("app.py", env) as base_url, chromium_page() as (page, recorded):
        page.goto(base_url + "/units")
        wait_for_app(page)
        assert exceptions_on_page(page) == []
        assert external_requests(recorded) == []
        assert recorded.errors == []
        screenshot(page, "units")

``chromium_page()`` yields a :class:`BrowserSession`; it unpacks to ``(page, recorded)`` and also
has ``.page`` / ``.recorded`` / ``.context`` / ``.browser`` attributes.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, WebSocket, sync_playwright

from tests.support import users

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "tests" / "artifacts"
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-gl=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
IGNORED_SCHEMES = frozenset({"data", "blob", "about", "chrome-extension", "devtools", "chrome", "chrome-untrusted"})

APP_SETTLED_JS = """
(quietMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const settled = app !== null
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelector('[data-testid="stSkeleton"]') === null;
  const now = performance.now();
  if (!settled) { window.__stSettledSince = undefined; return false; }
  if (window.__stSettledSince === undefined) { window.__stSettledSince = now; }
  return now - window.__stSettledSince >= quietMs;
}
"""

EXCEPTIONS_JS = """
() => {
  const texts = [];
  for (const el of document.querySelectorAll('[data-testid="stException"]')) {
    texts.push(el.innerText.trim());
  }
  for (const el of document.querySelectorAll('[data-testid="stAlertContentError"]')) {
    if (el.closest('[data-testid="stException"]') === null) { texts.push(el.innerText.trim()); }
  }
  return texts;
}
"""


@dataclass
class Recorded:
    """Everything the page asked for or complained about, in order."""

    requests: list[str] = field(default_factory=list)  # every request URL (incl. websockets)
    failed_requests: list[str] = field(default_factory=list)  # "URL -> failure text"
    console_errors: list[str] = field(default_factory=list)  # console.error(...) messages
    page_errors: list[str] = field(default_factory=list)  # uncaught exceptions in the page

    @property
    def errors(self) -> list[str]:
        """Console errors and uncaught page errors together."""
        return [*self.console_errors, *self.page_errors]

    def clear(self) -> None:
        for bucket in (self.requests, self.failed_requests, self.console_errors, self.page_errors):
            bucket.clear()


@dataclass
class BrowserSession:
    browser: Browser
    context: BrowserContext
    page: Page
    recorded: Recorded

    def __iter__(self) -> Iterator[Page | Recorded]:
        return iter((self.page, self.recorded))


def _attach_recorder(context: BrowserContext, page: Page, recorded: Recorded) -> None:
    def on_request(request: Request) -> None:
        recorded.requests.append(request.url)

    def on_request_failed(request: Request) -> None:
        recorded.failed_requests.append(f"{request.url} -> {request.failure}")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location or {}
            where = location.get("url", "")
            if where:
                where = f" ({where}:{location.get('lineNumber', '?')})"
            recorded.console_errors.append(f"{message.text}{where}")

    def on_page_error(error: Exception) -> None:
        recorded.page_errors.append(str(error))

    def on_websocket(ws: WebSocket) -> None:
        recorded.requests.append(ws.url)

    # Context-level events also cover popups and other pages of the context.
    context.on("request", on_request)
    context.on("requestfailed", on_request_failed)
    context.on("console", on_console)
    context.on("weberror", lambda web_error: on_page_error(web_error.error))
    page.on("websocket", on_websocket)


@contextlib.contextmanager
def chromium_page(
    width: int = 1920, height: int = 1080, *, locale: str | None = None, user: str | None = users.DEFAULT_USER
) -> Iterator[BrowserSession]:
    """Launch headless Debian Chromium and yield a fresh page with request/error recording.

    The browser carries the log-in cookie of the test account ``user`` (``tests.support.users``; the
    server of ``streamlit_server`` accepts it), so pages open logged in; ``user=None``: logged out.
    """
    if not Path(CHROMIUM_PATH).exists():
        raise FileNotFoundError(f"{CHROMIUM_PATH} is missing: apt-get install -y chromium fonts-noto-cjk")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
            if user is not None:
                context.add_cookies([users.browser_cookie(user)])
            page = context.new_page()
            recorded = Recorded()
            _attach_recorder(context, page, recorded)
            yield BrowserSession(browser=browser, context=context, page=page, recorded=recorded)
        finally:
            browser.close()


def wait_for_app(page: Page, timeout_ms: float = 60000, quiet_ms: int = 500) -> None:
    """Wait until Streamlit has finished running the script and no skeleton is left.

    The state must hold continuously for ``quiet_ms`` (the script state flips briefly between
    reruns, e.g. right after connecting).
    """
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)
    page.wait_for_function(APP_SETTLED_JS, arg=quiet_ms, timeout=timeout_ms, polling=100)


def _urls(recorded: Recorded | BrowserSession | Iterable[str]) -> Iterable[str]:
    if isinstance(recorded, BrowserSession):
        return recorded.recorded.requests
    if isinstance(recorded, Recorded):
        return recorded.requests
    return recorded


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in IGNORED_SCHEMES or scheme.endswith("-extension"):
        return False
    return (parts.hostname or "").lower() not in LOCAL_HOSTS


def external_requests(recorded: Recorded | BrowserSession | Iterable[str]) -> list[str]:
    """Request URLs whose host is not 127.0.0.1/localhost (data:, blob:, about:, extensions ignored)."""
    return [url for url in _urls(recorded) if is_external(url)]


def exceptions_on_page(page: Page) -> list[str]:
    """Texts of ``stException`` elements and of error alerts (``st.error``) outside them."""
    return page.evaluate(EXCEPTIONS_JS)


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save ``tests/artifacts/<name>.png`` (folder created; it is git-ignored) and return its path."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "_", name).strip("_") or f"screenshot-{int(time.time())}"
    path = ARTIFACTS_DIR / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def log_in(page: Page, username: str, password: str) -> None:
    """Fill the dashboard's log-in form (用户名, 密码), press 登录 and wait for the app to settle."""
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    wait_for_app(page)
