"""The back office's pages of the bodies in a real browser: the list, a body's form and the form
refused (its error summary) have no axe violation in any colour scheme, language or text size,
and the form is filled in and sent with the keyboard. Nothing is saved: the live server's
content is shared by the whole session."""

from __future__ import annotations

import pytest

from .checks import axe_violations, describe_violations, tab_to
from .conftest import absolute, set_text_size
from .pages import SCHEMES, TEXT_SIZES, apply_scheme
from .test_admin_people import add_administrator, sign_in_as_administrator

PAGES = ("/admin/organisations/", "/admin/organisations/lingwu-kjj/")


@pytest.mark.parametrize("text_size", TEXT_SIZES)
def test_the_pages_of_the_bodies_have_no_axe_violations_in_any_scheme_or_language(
    browser, live_server, back_office_database, axe_script, text_size
):
    username = f"bodiesroot{text_size}"
    add_administrator(back_office_database, username)
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(path=axe_script)
    failures = []
    try:
        page = context.new_page()
        if text_size != 100:
            set_text_size(page, text_size)
        sign_in_as_administrator(page, live_server, username)
        for scheme in SCHEMES:
            context.clear_cookies(name="prefs")
            apply_scheme(context, scheme, live_server)
            for prefix in ("", "/en"):
                for path in PAGES:
                    response = page.goto(absolute(live_server, prefix + path), wait_until="load")
                    assert response.status == 200, f"{prefix}{path} answered {response.status}"
                    violations = axe_violations(page)
                    if violations:
                        failures.append(
                            describe_violations(violations, page.url, f"{scheme}, {text_size}%")
                        )
                # Refused by the reader: nothing is written, the summary is shown.
                page.fill("#field-order", "first")
                with page.expect_navigation(wait_until="load"):
                    page.click("main form button[type=submit]")
                assert page.locator(".error-summary a[href='#field-order']").count() == 1
                violations = axe_violations(page)
                if violations:
                    failures.append(describe_violations(violations, page.url, scheme))
        assert not failures, "\n".join(failures)
    finally:
        context.close()


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
