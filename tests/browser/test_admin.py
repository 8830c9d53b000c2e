"""The back office in a real browser: a member of staff signs in with the keyboard alone (the
session cookie is accepted by Chromium on this plain-HTTP loopback server), and every signed-in
page has no axe violation in any colour scheme, language or text size. The sign-in page is in
pages.PAGES, so every page check covers it too."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from portal import accounts, db

from .back_office import axe_session
from .checks import assert_focus_visible, tab_to
from .conftest import absolute
from .pages import TEXT_SIZES

PASSWORD = "correct horse battery staple"
PAGES = ("/admin/", "/admin/password", "/admin/second-factor")


def add_account(url: str, username: str, roles=()) -> None:
    """An account with PASSWORD on the live server's database."""
    import datetime

    now = datetime.datetime.now(datetime.UTC)
    engine = db.make_engine(url)
    with Session(engine) as session:
        if accounts.normalise_username(username) not in {
            m.username for m in accounts.list_accounts(session)
        }:
            accounts.add_account(session, username, "张三", roles, ["lingwu-kjj"], now)
        session.execute(
            update(db.Account)
            .where(db.Account.username == username)
            .values(password_hash=accounts.hash_password(PASSWORD), temporary_until=None)
        )
        session.commit()
    engine.dispose()


def sign_in_with_the_keyboard(page, live_server: str, username: str) -> None:
    page.goto(absolute(live_server, "/admin/"), wait_until="load")
    assert page.url.endswith("/admin/sign-in?next=/admin/")
    tab_to(page, "#field-username")
    page.keyboard.type(username)
    tab_to(page, "#field-password", limit=2)
    page.keyboard.type(PASSWORD)
    tab_to(page, "form[action$='/admin/sign-in'] button[type=submit]", limit=2)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")


def test_staff_sign_in_and_out_with_the_keyboard_alone(
    fresh_context, live_server, back_office_database
):
    add_account(back_office_database, "keyboard", [("起草", "lingwu-kjj")])
    page = fresh_context.new_page()
    sign_in_with_the_keyboard(page, live_server, "keyboard")
    assert page.url == absolute(live_server, "/admin/")
    assert page.locator("h1").inner_text() == "我的账号"
    assert "张三（keyboard）" in page.locator(".admin-who").inner_text()
    cookie = next(c for c in fresh_context.cookies() if c["name"] == "portal_admin")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["path"] in ("/admin", "/en/admin")
    tab_to(page, ".admin-sign-out button", backwards=True)
    assert_focus_visible(page, "sign-out button")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert page.url.endswith("/admin/sign-in")
    assert "您已退出管理后台" in page.locator("main").inner_text()


def test_a_wrong_password_shows_the_error_summary_linked_to_the_field(
    fresh_context, live_server, back_office_database
):
    add_account(back_office_database, "summary")
    page = fresh_context.new_page()
    page.goto(absolute(live_server, "/admin/sign-in"), wait_until="load")
    page.fill("#field-username", "summary")
    page.fill("#field-password", "not the password at all")
    with page.expect_navigation(wait_until="load"):
        page.press("#field-password", "Enter")
    summary = page.locator(".error-summary")
    assert "账号名或密码不正确" in summary.inner_text()
    assert summary.locator("a").get_attribute("href") == "#field-username"


@pytest.mark.parametrize("text_size", TEXT_SIZES)
def test_signed_in_pages_have_no_axe_violations_in_any_scheme_or_language(
    browser, live_server, back_office_database, axe_script, text_size
):
    add_account(back_office_database, "axe", [("初审", "lingwu-kjj")])

    def sign_in(page):
        sign_in_with_the_keyboard(page, live_server, "axe")

    with axe_session(browser, axe_script, live_server, text_size, sign_in) as session:
        for scheme, prefix in session.every_scheme_and_language():
            for path in PAGES:
                session.visit(prefix + path)
                session.check(scheme)
        session.assert_clean()


def test_the_back_office_works_without_javascript(browser, live_server, back_office_database):
    add_account(back_office_database, "nojs", [("起草", "lingwu-kjj")])
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_with_the_keyboard(page, live_server, "nojs")
        assert page.url == absolute(live_server, "/admin/")
        page.goto(absolute(live_server, "/admin/password"), wait_until="load")
        new = "a long new passphrase here"
        page.fill("#field-current", PASSWORD)
        page.fill("#field-new", new)
        page.fill("#field-confirm", new)
        with page.expect_navigation(wait_until="load"):
            page.press("#field-confirm", "Enter")
        assert page.url == absolute(live_server, "/admin/")
        assert "密码已修改" in page.locator("main").inner_text()
        with page.expect_navigation(wait_until="load"):
            page.click(".admin-sign-out button")
        assert page.url.endswith("/admin/sign-in")
    finally:
        context.close()
