"""A page run as plain data, for comparing two runs or searching everything a page shows.

``open_page`` runs one page at its URL in AppTest, logged in as a test account, and records every
``data.run`` call and every download button's content. ``picture`` turns the rendered element tree
into a list of plain values (texts, metrics, tables, chart and map specifications, widget options),
leaving out the sidebar's user box; ``normal`` sets times of day and export time stamps aside.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from google.protobuf.json_format import MessageToDict
from openpyxl import load_workbook
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from dashboard import auth, data
from tests.support import users
from tests.support.apptest import ROOT, open_url_path, temporary_env

_TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")
_STAMP = re.compile(r"\d{8}_\d{6}")
_CONTAINERS = ("flex_container", "vertical", "horizontal")
FORMULA_MARK = "FORMULA:"


def normal(value: Any) -> Any:
    """``value`` with times of day and export time stamps replaced, recursively."""
    if isinstance(value, str):
        return _STAMP.sub("<stamp>", _TIME.sub("<time>", value))
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normal(v) for v in value]
    return value


def payload(raw: Any, file_name: str | None) -> Any:
    """An export's content, comparable across runs: text, the cells of a workbook, or bytes."""
    if callable(raw):
        raw = raw()
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    name = file_name or ""
    if name.endswith(".xlsx"):
        book = load_workbook(io.BytesIO(raw), read_only=True)
        return normal({sheet.title: [[_cell(c) for c in row] for row in sheet.iter_rows()] for sheet in book})
    if name.endswith(".pdf"):
        return re.sub(rb"\(D:[^)]*\)|/ID \[[^]]*\]", b"", raw)
    try:
        return normal(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return raw


def _cell(cell) -> str:
    """A workbook cell as text; a formula is marked ``FORMULA:`` (text that merely starts with "=" is not)."""
    return f"{FORMULA_MARK}{cell.value}" if cell.data_type == "f" else str(cell.value)


def frame_picture(df: pd.DataFrame) -> Any:
    """A DataFrame as plain data (columns, rows)."""
    return normal(json.loads(df.reset_index(drop=True).to_json(orient="split", date_format="iso", force_ascii=False)))


def _is_user_box(child) -> bool:
    proto = getattr(child, "proto", None)
    return child.type in _CONTAINERS and str(getattr(proto, "id", "")).endswith(auth.USER_BOX_KEY)


def picture(node) -> list:
    """Every element under ``node`` (e.g. ``at.main``), in order, as (type, plain data)."""
    out = []
    for child in getattr(node, "children", {}).values():
        if _is_user_box(child):
            continue
        proto = getattr(child, "proto", None)
        if child.type in ("dataframe", "table"):
            out.append((child.type, frame_picture(child.value)))
        elif child.type == "download_button":
            out.append((child.type, proto.label))  # its content is compared through the Recorder
        elif child.type == "deck_gl_json_chart":
            out.append((child.type, normal(json.loads(proto.json))))
        elif proto is not None and not getattr(child, "children", None):
            out.append((child.type, normal(MessageToDict(proto))))
        out.extend(picture(child))
    return out


def whole_picture(at: AppTest) -> list:
    """The main area and the sidebar."""
    return picture(at.main) + picture(at.sidebar)


class Recorder:
    """data.run calls and download buttons of one page run (installed on ``patch``, a MonkeyPatch)."""

    def __init__(self, patch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[Callable, tuple]] = []
        self.downloads: list[tuple[str, Any]] = []
        run, button = data.run, DeltaGenerator.download_button

        def recording_run(fn, *args, **kwargs):
            self.calls.append((fn, args))
            return run(fn, *args, **kwargs)

        def recording_button(dg, label, data, file_name=None, *args, **kwargs):
            self.downloads.append((normal(file_name), payload(data, file_name)))
            return button(dg, label, data, file_name, *args, **kwargs)

        patch.setattr("dashboard.data.run", recording_run)
        patch.setattr(DeltaGenerator, "download_button", recording_button)  # st.columns(...)[i].download_button
        patch.setattr(st, "download_button", lambda *a, **k: recording_button(st._main, *a, **k))


def open_page(url_path: str, db_url: str, params: dict, user: str | None) -> tuple[AppTest, Recorder]:
    """One run of the page at its URL (the first run of the session), logged in as ``user``."""
    with pytest.MonkeyPatch.context() as patch, temporary_env({"DASHBOARD_DB_URL": db_url, **users.env()}):
        recorder = Recorder(patch)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        at.query_params.update(params)
        if user is not None:
            users.log_in(at, user)
        open_url_path(at, url_path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at, recorder
