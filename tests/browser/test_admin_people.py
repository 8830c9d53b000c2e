"""The account pages of the back office in a real browser: a platform administrator (password,
then the authenticator's code) adds an account with a role using the keyboard alone and reads
its one-time password; the pages, their error summary and the one-time password page have no
axe violation in any colour scheme, language or text size; everything works without
JavaScript."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from portal import accounts, db

from .back_office import axe_session
from .checks import tab_to
from .conftest import absolute
from .pages import TEXT_SIZES
from .test_admin import add_account, sign_in_with_the_keyboard

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PAGES = ("/admin/accounts/", "/admin/accounts/new", "/admin/accounts/axetarget/")


def add_administrator(url: str, username: str) -> None:
    """A platform administrator with PASSWORD and an authenticator on SECRET."""
    add_account(url, username, [("管理员", "")])
    engine = db.make_engine(url)
    with Session(engine) as session:
        session.execute(
            update(db.Account).where(db.Account.username == username).values(totp_secret=SECRET)
        )
        session.commit()
    engine.dispose()


def sign_in_as_administrator(page, live_server: str, username: str) -> None:
    """Password, then the code the authenticator shows now, with the keyboard."""
    sign_in_with_the_keyboard(page, live_server, username)
    assert page.url.endswith("/admin/sign-in/code")
    tab_to(page, "#field-code")
    page.keyboard.type(accounts.code_at(SECRET, datetime.datetime.now(datetime.UTC)))
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert page.url == absolute(live_server, "/admin/"), page.locator("main").inner_text()


def test_an_administrator_adds_an_account_with_the_keyboard_and_reads_its_password(
    browser, fresh_context, live_server, back_office_database
):
    add_administrator(back_office_database, "keyroot")
    page = fresh_context.new_page()
    sign_in_as_administrator(page, live_server, "keyroot")
    tab_to(page, "nav a[href='/admin/accounts/']")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "账号管理"
    tab_to(page, "main a[href='/admin/accounts/new']")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "添加账号"
    tab_to(page, "#field-name")
    page.keyboard.type("李四")
    tab_to(page, "#field-username", limit=2)
    page.keyboard.type("lisi")
    tab_to(page, "input[name=roles][value='初审']", limit=3)
    page.keyboard.press("Space")
    assert page.locator("input[name=roles][value='初审']").is_checked()
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "账号已添加"
    password = page.locator("#temporary-password").inner_text()
    assert len(password) == 16
    assert "有效期至" in page.locator("main").inner_text()
    # The password works once for its holder, who must choose their own at once.
    other = browser.new_context(locale="zh-CN")
    try:
        newcomer = other.new_page()
        newcomer.goto(absolute(live_server, "/admin/sign-in"), wait_until="load")
        newcomer.fill("#field-username", "lisi")
        newcomer.fill("#field-password", password)
        with newcomer.expect_navigation(wait_until="load"):
            newcomer.press("#field-password", "Enter")
        assert newcomer.url == absolute(live_server, "/admin/password")
    finally:
        other.close()


def test_a_refused_account_shows_the_error_summary_linked_to_the_field(
    fresh_context, live_server, back_office_database
):
    add_administrator(back_office_database, "summaryroot")
    page = fresh_context.new_page()
    sign_in_as_administrator(page, live_server, "summaryroot")
    page.goto(absolute(live_server, "/admin/accounts/new"), wait_until="load")
    page.fill("#field-name", "重名")
    page.fill("#field-username", "summaryroot")
    with page.expect_navigation(wait_until="load"):
        page.press("#field-username", "Enter")
    summary = page.locator(".error-summary")
    assert "账号名 summaryroot 已被使用" in summary.inner_text()
    link = summary.locator("a")
    assert link.get_attribute("href") == "#field-username"
    link.click()
    assert page.evaluate("document.activeElement.id") == "field-username"


@pytest.mark.parametrize("text_size", TEXT_SIZES)
def test_the_account_pages_have_no_axe_violations_in_any_scheme_or_language(
    browser, live_server, back_office_database, axe_script, text_size
):
    username = f"axeroot{text_size}"
    add_administrator(back_office_database, username)
    add_account(back_office_database, "axetarget", [("初审", "lingwu-kjj")])

    def sign_in(page):
        sign_in_as_administrator(page, live_server, username)

    with axe_session(browser, axe_script, live_server, text_size, sign_in) as session:
        page = session.page
        for scheme, prefix in session.every_scheme_and_language():
            for path in ("/admin/accounts/", "/admin/accounts/new", "/admin/accounts/axetarget/"):
                session.visit(prefix + path)
                session.check(scheme)
            # The form refused (error summary) and accepted (the one-time password).
            session.visit(prefix + "/admin/accounts/new")
            with page.expect_navigation(wait_until="load"):
                page.click("main form button[type=submit]")
            assert page.locator(".error-summary").count() == 1
            session.check(scheme, "refused")
            page.fill("#field-name", "Axe")
            page.fill("#field-username", f"axe-{text_size}-{scheme}{prefix.strip('/')}")
            page.check("input[name=roles][value='起草']")
            with page.expect_navigation(wait_until="load"):
                page.click("main form button[type=submit]")
            assert page.locator("#temporary-password").count() == 1
            session.check(scheme, "one-time password")
        session.assert_clean()


def test_accounts_are_managed_without_javascript(browser, live_server, back_office_database):
    add_administrator(back_office_database, "nojsroot")
    add_account(back_office_database, "nojstarget", [("起草", "lingwu-kjj")])
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_as_administrator(page, live_server, "nojsroot")
        page.goto(absolute(live_server, "/admin/accounts/?role=起草"), wait_until="load")
        assert "nojstarget" in page.locator("table").inner_text()
        page.select_option("#field-role", "终审")
        with page.expect_navigation(wait_until="load"):
            page.click("form.admin-filter button")
        assert "nojstarget" not in page.locator("main").inner_text()
        page.goto(absolute(live_server, "/admin/accounts/nojstarget/"), wait_until="load")
        page.select_option("#field-role", "复审")
        with page.expect_navigation(wait_until="load"):
            page.click("form[action$='/roles'] button >> nth=0")
        assert "已授予角色" in page.locator("main").inner_text()
        with page.expect_navigation(wait_until="load"):
            page.click("#field-status")
        assert "已停用账号 nojstarget" in page.locator("main").inner_text()
        with page.expect_navigation(wait_until="load"):
            page.click("#field-status")
        assert "已启用账号 nojstarget" in page.locator("main").inner_text()
        with page.expect_navigation(wait_until="load"):
            page.click("#field-reset")
        assert len(page.locator("#temporary-password").inner_text()) == 16
    finally:
        context.close()
