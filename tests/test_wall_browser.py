"""The wall in real headless Chromium: kiosk mode at 1920×1080 and 3840×2160, and an outage it survives by itself.

The screenshots (tests/artifacts/wall-*.png) are of the small demo, brought up to the present by the
demo feeder, so today's flow is not empty. The outage test points the app at a tiny TCP
proxy in front of PostgreSQL and stops and restarts the proxy (never the shared server), with the
page refreshing itself every two seconds.
"""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
from sqlalchemy.engine import make_url

from dashboard.demo import __main__ as demo_cli
from tests import wall_fixture as fx
from tests.conftest import require_pg
from tests.fixtures import build_small_demo, database
from tests.support.browser import chromium_page, exceptions_on_page, external_requests, screenshot, wait_for_app
from tests.support.server import free_port, streamlit_server

pytestmark = pytest.mark.browser
COUNTERS = (
    "step-placed",
    "step-dispatched",
    "step-accepted",
    "step-completed",
    "step-rated",
    "in-flight",
    "volunteers",
)


@pytest.fixture(scope="module")
def fed_demo(tmp_path_factory):
    """The small demo in an SQLite file of its own, fed up to now by the demo feeder at the city's pace."""
    url = f"sqlite:///{tmp_path_factory.mktemp('wall') / 'demo.sqlite'}"
    build_small_demo(url)
    assert demo_cli.main(["feed", "--url", url, "--once", "--seed", "3", "--per-day", "1830"]) == 0
    return url


def _visible(page, selector: str) -> bool:
    locator = page.locator(selector)
    return locator.count() > 0 and locator.first.is_visible()


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_kiosk_wall_in_chromium(fed_demo, width, height):
    env = {"DASHBOARD_DB_URL": fed_demo, "DASHBOARD_REFRESH_SECONDS": "3600"}  # no refresh while we look
    with streamlit_server("app.py", env) as base, chromium_page(width, height, user="wall") as (page, recorded):
        page.goto(f"{base}/wall?kiosk=1")
        wait_for_app(page, timeout_ms=120000)
        page.wait_for_selector("[data-testid=stDeckGlJsonChart] canvas", timeout=60000)
        page.wait_for_timeout(1500)  # let deck.gl draw its first frame before the screenshot
        assert exceptions_on_page(page) == []
        for name in COUNTERS:
            assert page.locator(f'[data-counter="{name}"]').first.is_visible(), name
        assert page.locator('[data-counter="ticker"] .wall-tick').count() == 8
        assert page.get_by_text("新时代文明实践指挥调度大屏").first.is_visible()
        assert page.get_by_text("数据更新于").first.is_visible()
        for chrome in ("stHeader", "stSidebar", "stToolbar", "stDecoration", "stStatusWidget"):
            assert not _visible(page, f"[data-testid={chrome}]"), chrome
        canvas = page.locator("[data-testid=stDeckGlJsonChart] canvas").first.bounding_box()
        assert canvas["width"] > 0.45 * width and canvas["height"] > 0.6 * height  # the map is large
        # the whole wall fits the screen: nothing to scroll to
        assert page.evaluate("document.scrollingElement.scrollHeight") <= height + 2
        screenshot(page, f"wall-{width}x{height}", full_page=False)
        assert external_requests(recorded) == []
        assert recorded.page_errors == []


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target port; ``stop`` drops every connection and refuses new ones."""

    def __init__(self, target_port: int) -> None:
        self.port, self.target_port = free_port(), target_port
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        listener.settimeout(0.2)
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while not self._stop.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
                self._open += [client, upstream]
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        for s in self._open:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self._open.clear()


@pytest.mark.pg
def _card_boxes(page) -> list[dict]:
    """Bounding boxes of the wall's cards of figures and of the flow's steps."""
    cards = page.locator(".wall-card, .wall-step")
    return [cards.nth(i).bounding_box() for i in range(cards.count())]


def _overlap(a: dict, b: dict | None) -> bool:
    """Whether two bounding boxes (Playwright's x, y, width, height) share any area."""
    if b is None:
        return False
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_the_wall_rides_out_an_outage_by_itself(tmp_path):
    require_pg()
    with database("postgresql", tmp_path) as url:
        fx.fill(url)
        real = make_url(url)
        proxy = TcpProxy(real.port or 5432)
        proxy.start()
        via_proxy = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        env = {"DASHBOARD_DB_URL": via_proxy, "DASHBOARD_REFRESH_SECONDS": "2"}
        try:
            with streamlit_server("app.py", env) as base, chromium_page(user="wall") as (page, _):
                page.goto(f"{base}/wall?kiosk=1")
                page.wait_for_selector('[data-counter="units-centre"]', timeout=120000)
                assert page.locator(".wall-banner").count() == 0
                proxy.stop()  # the database goes away
                page.wait_for_selector(".wall-banner", timeout=60000)
                assert "连接中断，正在重试" in page.locator(".wall-banner").inner_text()
                assert page.locator('[data-counter="units-centre"]').inner_text() == "2"  # last good data
                assert exceptions_on_page(page) == []
                # the banner covers neither the data-quality note nor any figure card
                banner = page.locator(".wall-banner").bounding_box()
                covered = [
                    box
                    for box in (page.locator(".wall-legend").last.bounding_box(), *_card_boxes(page))
                    if _overlap(banner, box)
                ]
                assert covered == []
                screenshot(page, "wall-outage", full_page=False)
                proxy.start()  # and comes back: the banner goes at the next refresh
                page.wait_for_selector(".wall-banner", state="detached", timeout=60000)
                assert page.locator('[data-counter="units-centre"]').inner_text() == "2"
                assert exceptions_on_page(page) == []
        finally:
            proxy.stop()
