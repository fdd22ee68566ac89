"""Memory of the app over many wall-screen refreshes: ``python -m bench.wall_memory URL [N]``.

Runs the wall page in one AppTest session, logged in as the ``wall`` account, ``N`` times (default
1,000). Each refresh moves the wall's tick on by one refresh interval, as a real refresh does, so
the tick-keyed queries miss the cache and hit the database every time while the month-keyed ones
are served from it. Prints one JSON line: seconds per refresh and the process RSS (MiB) after
10 refreshes and every 100th.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import clock, settings, wall_live
from tests.support import users
from tests.support.apptest import ROOT, open_url_path, temporary_env


def rss_mib() -> float:
    """Resident set size of this process in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(url: str, refreshes: int) -> dict:
    """Run the wall ``refreshes`` times; the RSS curve and the time per refresh."""
    start_tick = wall_live.current_tick()
    step = dt.timedelta(seconds=settings.refresh_seconds())
    count = {"n": 0}
    wall_live.current_tick = lambda: start_tick + count["n"] * step
    samples: dict[int, float] = {}
    with temporary_env({"DASHBOARD_DB_URL": url, **users.env()}):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        users.log_in(at, "wall")
        at.run()
        open_url_path(at, "wall")
        began = time.perf_counter()
        for n in range(1, refreshes + 1):
            count["n"] = n
            at.run()
            if at.exception:
                exc = at.exception[0]
                return {"error": f"{exc.message} {' '.join(exc.stack_trace[-3:])}"[:600], "after": n}
            if n == 10 or n % 100 == 0:
                samples[n] = round(rss_mib(), 1)
        seconds = (time.perf_counter() - began) / refreshes
    return {"refreshes": refreshes, "seconds_per_refresh": seconds, "rss_mib": samples, "now": str(clock.local_now())}


if __name__ == "__main__":
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000)))
