"""The drill-down of the pages of units (dashboard.drilldown): a chosen table row opens its area in the URL,
a row without a code opens nothing, and each level has its Chinese name. Run in AppTest (no database)."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

from dashboard.drilldown import Drill, drill
from dashboard.filters import Filters

PERIOD = Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31), period_key="custom")


def _pick_script(level: str, codes: list[str], row: int) -> None:
    """A run that plays a table selection of ``row`` and calls the selection callback."""
    import streamlit as st

    from dashboard import drilldown

    st.session_state["t"] = {"selection": {"rows": [row], "columns": []}}
    drilldown.on_pick("t", "table", level, codes)


def _picked(level: str, codes: list[str], row: int, params: dict[str, str]) -> dict[str, str]:
    at = AppTest.from_function(_pick_script, args=(level, codes, row))
    at.query_params.update(params)
    at.run()
    assert not at.exception
    return dict(at.query_params)


def test_levels_and_their_names() -> None:
    assert [drill(f).noun for f in (PERIOD, Filters(PERIOD.start, PERIOD.end, county="140110"))] == [
        "区县",
        "乡镇（街道）",
    ]
    assert (Drill("unit").noun, Drill("unit").can_descend, Drill("township").can_descend) == ("阵地", False, True)


def test_a_chosen_row_opens_its_area_and_a_row_without_code_opens_nothing() -> None:
    assert _picked("county", ["140110", "140121"], 1, {"township": "140110001", "station": "11"}) == {
        "county": "140121"
    }
    assert _picked("township", ["140110001", ""], 0, {"county": "140110"}) == {
        "county": "140110",
        "township": "140110001",
    }
    assert _picked("county", ["140110", ""], 1, {"county": "140121"}) == {"county": "140121"}
