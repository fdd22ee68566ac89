"""Makes sure every page runs inside app.py's shell (page config, navigation, and later log-in and scope).

Streamlit keeps a process-wide flag for the legacy ``pages/`` folder mode: until ``st.navigation`` has
been called once in the process, a session whose first request is a deep link (``/units``) runs
``pages/units.py`` directly and never runs ``app.py``. The first page run that finds the flag still set
clears it and reruns, so the rerun goes through ``app.py`` like every other. This relies on Streamlit's
``PagesManager.uses_pages_directory`` (checked on streamlit 1.67); tests/test_browser_pages.py proves
the behaviour with a deep link as a fresh server's first request.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def require_app_shell() -> None:
    """Rerun through app.py when this page was started by Streamlit's legacy pages/ mode."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
