"""Start ``streamlit run`` on a free local port for the duration of a test.

Usage::

    with streamlit_server("app.py", {"DASHBOARD_DB_URL": url}) as base_url:
        page.goto(base_url + "/units")

The yielded value is a ``str`` (the base URL, no trailing slash) that also carries
``log_path`` and ``log_tail()`` for the server's combined stdout/stderr.
If the ``with`` body raises, the tail of the server log is attached to the
exception as a note, so pytest prints it together with the failure.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

from tests.support import users

REPO_ROOT = Path(__file__).resolve().parents[2]
HEALTH_TIMEOUT_S = 60.0
LOG_TAIL_CHARS = 6000


def venv_python() -> str:
    """The project's virtualenv interpreter, or the current one if there is no ``.venv``."""
    candidate = REPO_ROOT / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, limit: int = LOG_TAIL_CHARS) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"<cannot read {path}: {exc}>"
    return text if len(text) <= limit else "…" + text[-limit:]


class RunningServer(str):
    """The base URL of a running Streamlit server, plus access to its log."""

    log_path: Path
    process: subprocess.Popen[bytes]

    def __new__(cls, url: str, log_path: Path, process: subprocess.Popen[bytes]) -> RunningServer:
        obj = super().__new__(cls, url)
        obj.log_path = log_path
        obj.process = process
        return obj

    def log_tail(self, limit: int = LOG_TAIL_CHARS) -> str:
        return _tail(self.log_path, limit)


def _command(app_path: str | os.PathLike[str], port: int) -> list[str]:
    return [
        venv_python(),
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the whole process group: SIGTERM, then SIGKILL after a grace period."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    # The leader may be gone while children of the group linger: sweep the group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200 and response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _wait_healthy(process: subprocess.Popen[bytes], base_url: str, log_path: Path, timeout: float) -> None:
    health = base_url + "/_stcore/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with code {process.returncode} before {health} answered.\n"
                f"--- server log ({log_path}) ---\n{_tail(log_path)}"
            )
        if _health_ok(health):
            return
        time.sleep(0.2)
    raise TimeoutError(
        f"streamlit did not answer 'ok' on {health} within {timeout:.0f} s.\n"
        f"--- server log ({log_path}) ---\n{_tail(log_path)}"
    )


@contextlib.contextmanager
def streamlit_server(
    app_path: str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
    port: int | None = None,
    *,
    timeout: float = HEALTH_TIMEOUT_S,
) -> Iterator[RunningServer]:
    """Run ``streamlit run app_path`` (cwd = repo root) and yield its base URL.

    ``env`` is added to (and overrides) the current environment, which already points the app at
    the test accounts of ``tests.support.users`` (users file and cookie key). With ``port=None`` a free
    port is chosen; if another process grabs it first, startup is retried on a new port.
    """
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **users.env(), **(env or {})}
    attempts = 1 if port is not None else 3
    log_fd, log_name = tempfile.mkstemp(prefix="streamlit-server-", suffix=".log")
    os.close(log_fd)
    log_path = Path(log_name)
    failed = False
    process: subprocess.Popen[bytes] | None = None
    try:
        for attempt in range(1, attempts + 1):
            chosen = port if port is not None else free_port()
            base_url = f"http://127.0.0.1:{chosen}"
            with log_path.open("ab") as log:
                log.write(f"$ {' '.join(_command(app_path, chosen))}\n".encode())
                log.flush()
                process = subprocess.Popen(
                    _command(app_path, chosen),
                    cwd=REPO_ROOT,
                    env=full_env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # own process group, so we can kill all of it
                )
            try:
                _wait_healthy(process, base_url, log_path, timeout)
                break
            except RuntimeError:
                _stop(process)
                log_text = _tail(log_path, 2000)
                port_taken = f"Port {chosen} is not available" in log_text or "already in use" in log_text
                if attempt < attempts and port_taken:
                    continue
                raise
            except BaseException:
                _stop(process)
                raise
        assert process is not None
        server = RunningServer(base_url, log_path, process)
        try:
            yield server
        except BaseException as exc:
            failed = True
            if not isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
                exc.add_note(f"--- streamlit server log ({log_path}) ---\n{server.log_tail()}")
            raise
    except BaseException:
        failed = True
        raise
    finally:
        if process is not None:
            _stop(process)
        if not failed:
            with contextlib.suppress(OSError):
                log_path.unlink()
