"""The back office's pages of the bodies in a real browser: the list, a body's form and the form
refused (its error summary) have no axe violation in any colour scheme, language or text size,
and the form is filled in and sent with the keyboard. Nothing is saved: the live server's
content is shared by the whole session."""

from __future__ import annotations

import pytest

from .back_office import axe_session
from .checks import tab_to
from .pages import TEXT_SIZES
from .test_admin_people import add_administrator, sign_in_as_administrator

PAGES = ("/admin/organisations/", "/admin/organisations/lingwu-kjj/")


@pytest.mark.parametrize("text_size", TEXT_SIZES)
def test_the_pages_of_the_bodies_have_no_axe_violations_in_any_scheme_or_language(
    browser, live_server, back_office_database, axe_script, text_size
):
    username = f"bodiesroot{text_size}"
    add_administrator(back_office_database, username)

    def sign_in(page):
        sign_in_as_administrator(page, live_server, username)

    with axe_session(browser, axe_script, live_server, text_size, sign_in) as session:
        page = session.page
        for scheme, prefix in session.every_scheme_and_language():
            for path in PAGES:
                session.visit(prefix + path)
                session.check(scheme)
            # Refused by the reader: nothing is written, the summary is shown.
            page.fill("#field-order", "first")
            with page.expect_navigation(wait_until="load"):
                page.click("main form button[type=submit]")
            assert page.locator(".error-summary a[href='#field-order']").count() == 1
            session.check(scheme, "refused")
        session.assert_clean()


def test_a_body_is_edited_with_the_keyboard_and_a_refusal_leads_back_to_the_field(
    fresh_context, live_server, back_office_database
):
    add_administrator(back_office_database, "bodieskeys")
    page = fresh_context.new_page()
    sign_in_as_administrator(page, live_server, "bodieskeys")
    tab_to(page, "nav a[href='/admin/organisations/']")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    tab_to(page, "main a[href='/admin/organisations/lingwu-kjj/']")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    tab_to(page, "#field-since")
    page.keyboard.press("Control+A")
    page.keyboard.type("19")
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    assert "起始年份应为四位年份" in summary.inner_text()
    tab_to(page, ".error-summary a[href='#field-since']")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "field-since"
