"""Local time of the platform: the database stores Asia/Shanghai times without a zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_now() -> dt.datetime:
    """Current local time (Asia/Shanghai), without a zone, comparable with the platform's timestamps."""
    return dt.datetime.now(LOCAL_TZ).replace(tzinfo=None)


def local_today() -> dt.date:
    """Today's date in Asia/Shanghai."""
    return local_now().date()
