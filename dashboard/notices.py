"""Notices about dropped URL values that outlast the reruns right after them (log-in cookie, refresh).

A page drops a bad URL value with a notice and writes the cleaned URL back; the rerun that follows at
once (the log-in cookie's, for one) sees a clean URL and would lose the notice. :func:`lasting` keeps
the notices in ``st.session_state`` until the view they were given for changes.
"""

from __future__ import annotations

from collections.abc import Hashable

import streamlit as st


def lasting(key: str, notices: list[str], view: Hashable) -> list[str]:
    """The notices to show in this run: ``notices`` if there are any (kept under ``key`` with ``view``),
    else those kept by an earlier run for the same ``view``; kept notices are forgotten once the view changes."""
    if notices:
        st.session_state[key] = (view, notices)
        return notices
    kept = st.session_state.get(key)
    if kept and kept[0] == view:
        return kept[1]
    st.session_state.pop(key, None)
    return []
