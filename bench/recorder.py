"""What a page asks for: run it once in AppTest and record every ``dashboard.data.run`` call it makes.

``dashboard.data.run`` is replaced, for the recorded run only, by a wrapper that notes
``(query_fn, args)`` and then calls the real one, so the recording is exactly the page's own calls
(filter bar, log-in scope and the page body), in order, without duplicates (a repeated call is
served by the cache). A page whose run fails is recorded as failed with its message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from streamlit.testing.v1 import AppTest

from dashboard import data
from tests.support import users
from tests.support.apptest import ROOT, default_user, open_url_path, temporary_env


@dataclass(frozen=True)
class Call:
    """One call a page makes: ``query_fn(conn, *args)``."""

    query_fn: Callable[..., Any]
    args: tuple

    @property
    def name(self) -> str:
        """``module.function`` without the ``queries.`` prefix."""
        return f"{self.query_fn.__module__}.{self.query_fn.__qualname__}".removeprefix("queries.")


@dataclass
class Recording:
    """The calls of one page in one view, or why the page could not be run."""

    page: str
    view: str
    calls: list[Call] = field(default_factory=list)
    error: str | None = None


def _failure(at: AppTest) -> str | None:
    if at.exception:
        return str(at.exception[0].value).splitlines()[0][:200]
    if at.error:
        return str(at.error[0].value)[:200]
    return None


def record(url_path: str, view: str, db_url: str, params: Mapping[str, str], timeout: float = 900) -> Recording:
    """Run the page at ``url_path`` on ``db_url`` with URL ``params`` (logged in as the page's default
    test account) and return the calls it made through ``dashboard.data.run``."""
    rec = Recording(url_path, view)
    real_run = data.run
    seen: set[tuple] = set()

    def recording_run(query_fn, *args):
        key = (query_fn.__module__, query_fn.__qualname__, args)
        if key not in seen:
            seen.add(key)
            rec.calls.append(Call(query_fn, args))
        return real_run(query_fn, *args)

    with temporary_env({"DASHBOARD_DB_URL": db_url, **users.env()}):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        for key, value in params.items():
            at.query_params[key] = value
        try:
            users.log_in(at, default_user(url_path))
            at.run()  # the first run opens the user's default page; the recorded one is the next
            data.run = recording_run
            open_url_path(at, url_path).run()
            rec.error = _failure(at)
        except Exception as exc:  # noqa: BLE001 - a page that cannot be run is reported, not fatal
            rec.error = f"{exc.__class__.__name__}: {exc}"[:200]
        finally:
            data.run = real_run
    return rec
