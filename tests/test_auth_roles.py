"""Every page for every role (iterating navigation.PAGES, so later pages are covered too): the menu
shows only the role's pages, a page of the role opens, any other page's URL shows a refusal and
nothing of the page; personal data is revealed to admins only."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth
from dashboard.accounts import Account
from dashboard.navigation import PAGES
from tests.support import users
from tests.support.apptest import run_page, temporary_env, texts

WHOLE_YEAR = {"period": "custom", "start": "2026-01-01", "end": "2026-11-20"}
ACCOUNTS = {name: Account(name, entry[0], entry[1], entry[2]) for name, entry in users.TEST_ACCOUNTS.items()}


def _role(user: str) -> str:
    return ACCOUNTS[user].role


def _built_pages(account: Account | None) -> list[dict]:
    """What auth.pages gives for the account (st.Page only takes shape inside a script run)."""

    def script(account):
        import json

        import streamlit as st

        from dashboard import auth
        from tests.support.apptest import ROOT

        built = [
            {"title": p.title, "visibility": p.visibility, "default": p._default, "url_path": p._url_path}
            for p in auth.pages(account, ROOT)
        ]
        st.text(json.dumps(built, ensure_ascii=False))

    with temporary_env(users.env()):
        at = AppTest.from_function(script, args=(account,)).run()
    assert not at.exception, [e.value for e in at.exception]
    return json.loads(at.text[0].value)


@pytest.mark.parametrize("user", list(ACCOUNTS))
def test_the_menu_lists_exactly_the_pages_of_the_role(user):
    built = _built_pages(ACCOUNTS[user])
    home_is_first = _role(user) in PAGES[0].roles
    urls = [p["url_path"] for p in built]
    assert urls == [spec.url_path for spec in PAGES] if home_is_first else urls[1:] == [s.url_path for s in PAGES]
    visible = [p["title"] for p in built if p["visibility"] == "visible"]
    assert visible == [spec.title for spec in PAGES if _role(user) in spec.roles]
    defaults = [p for p in built if p["default"]]
    assert len(defaults) == 1
    assert defaults[0]["title"] == (PAGES[0].title if home_is_first else "首页")  # "/" leads to the role's page


def test_the_roles_are_those_of_the_issue():
    by_role = {role: {spec.url_path for spec in PAGES if role in spec.roles} for role in ("wall", "admin")}
    assert by_role["wall"] == {"wall"}  # the wall screen only
    assert by_role["admin"] == {spec.url_path for spec in PAGES}  # everything, the user list too
    office = [spec.url_path for spec in PAGES if "publicity" in spec.roles]
    assert office == [spec.url_path for spec in PAGES if "leader" in spec.roles]  # a leader has every page, scoped
    assert "users" not in office


def test_logged_out_there_is_no_menu():
    built = _built_pages(None)
    assert [p["visibility"] for p in built] == ["hidden"] * len(PAGES)
    assert [p["url_path"] for p in built] == [spec.url_path for spec in PAGES]


@pytest.mark.parametrize("user", list(ACCOUNTS))
@pytest.mark.parametrize("page", [spec.url_path for spec in PAGES])
def test_every_page_for_every_role(small_demo, page, user):
    url, _ = small_demo
    spec = next(s for s in PAGES if s.url_path == page)
    at = run_page(page, url, WHOLE_YEAR, user=user)
    assert not at.exception, [e.value for e in at.exception]
    titles = [t.value for t in at.title]
    refusal = auth.REFUSED.format(role=auth.role_label(_role(user)), title=spec.title)
    if _role(user) in spec.roles:
        assert titles and titles != ["无权访问"], titles
        assert refusal not in texts(at)
        assert not at.error, [e.value for e in at.error]
    else:
        assert titles == ["无权访问"]
        assert [w.value for w in at.warning] == [refusal]
        assert not at.metric and not at.dataframe and not at.get("deck_gl_json_chart")
        assert not at.get("download_button")


@pytest.mark.parametrize("user", list(ACCOUNTS))
def test_personal_data_is_revealed_to_admins_only(user):
    revealed = _role(user) == "admin"

    def script():
        import streamlit as st

        from dashboard.privacy import mask_phone, reveal_personal_data

        st.text(mask_phone("13912345678", reveal=reveal_personal_data()))

    with temporary_env(users.env()):
        at = AppTest.from_function(script)
        users.log_in(at, user)
        at.run()
    assert at.text[0].value == ("13912345678" if revealed else "139****5678")
    with temporary_env(users.env()):
        at = AppTest.from_function(script).run()  # nobody logged in: masked
    assert at.text[0].value == "139****5678"
