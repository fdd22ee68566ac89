"""Entry point of the dashboard: ``streamlit run app.py``.

Sets the page frame, checks that the embedded demo database exists when it is the one
configured, logs the visitor in (``dashboard.auth``), then builds the navigation of the visitor's
role from ``dashboard.navigation.PAGES`` and runs the page.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from dashboard import auth, settings

ROOT = Path(__file__).resolve().parent
DEMO_BUILD_COMMAND = "python -m dashboard.demo build"

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

st.set_page_config(layout="wide", page_title="新时代文明实践指挥调度", page_icon="🏮")

if settings.is_demo(settings.database_url()) and not settings.DEMO_DB.is_file():
    st.title("新时代文明实践指挥调度")
    st.error(
        "尚未生成演示数据库（data/demo.sqlite）。请在项目目录中先运行下面的命令生成演示数据，然后刷新本页；"
        "如需连接正式数据库，请设置 DASHBOARD_DB_URL 或 .streamlit/secrets.toml。",
        icon="🚫",
    )
    st.code(DEMO_BUILD_COMMAND, language="bash")
    st.stop()

account = auth.gate()  # the log-in form when nobody is logged in; once per run, before st.navigation
navigation = st.navigation(auth.pages(account, ROOT), position="sidebar" if account else "hidden")
if account is not None:
    auth.user_box(account)
navigation.run()
