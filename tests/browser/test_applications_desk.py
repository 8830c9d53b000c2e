"""The applications desk in a real browser: every page of it (the list, a case, the reply form
and the reply form with its error summary) has no axe violation in any colour scheme,
language or text size, and a clerk records a reply with a file without JavaScript."""

from __future__ import annotations

import pytest
from test_applications import person_form

from portal import applications, db

from .back_office import axe_session
from .conftest import absolute
from .pages import TEXT_SIZES
from .test_admin import add_account, sign_in_with_the_keyboard

CLERK_ROLES = [("申请办理", "lingwu-kjj")]


def an_application(url: str, **changes) -> applications.Application:
    """An application to the fixture site's body, received today, in the live server's database."""
    cleaned, errors = applications.validate(person_form(**changes), ("lingwu-kjj",))
    assert errors == {}
    engine = db.make_engine(url)
    try:
        return applications.ApplicationStore(engine).submit(cleaned, applications.today())
    finally:
        engine.dispose()


@pytest.mark.parametrize("text_size", TEXT_SIZES)
def test_the_desks_pages_have_no_axe_violations_in_any_scheme_or_language(
    browser, live_server, back_office_database, axe_script, text_size
):
    add_account(back_office_database, "deskaxe", CLERK_ROLES)
    case = an_application(back_office_database, title="某某文件")
    desk = f"/admin/applications/{case.code}"

    def sign_in(page):
        sign_in_with_the_keyboard(page, live_server, "deskaxe")

    with axe_session(browser, axe_script, live_server, text_size, sign_in) as session:
        page = session.page
        for scheme, prefix in session.every_scheme_and_language():
            for path in ("/admin/applications/", desk, f"{desk}/reply"):
                session.visit(prefix + path)
                session.check(scheme)
            # The reply form sent back with its error summary.
            with page.expect_navigation(wait_until="load"):
                page.click("main form button[type=submit]")
            assert page.locator(".error-summary").count() == 1
            session.check(scheme, "reply with errors")
        session.assert_clean()


def test_a_clerk_records_a_reply_with_a_file_without_javascript(
    browser, live_server, back_office_database, tmp_path
):
    add_account(back_office_database, "desknojs", CLERK_ROLES)
    case = an_application(back_office_database, title="无脚本答复")
    letter = tmp_path / "答复书.pdf"
    letter.write_bytes(b"%PDF-1.7 the reply")
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_with_the_keyboard(page, live_server, "desknojs")
        page.goto(absolute(live_server, "/admin/applications/"), wait_until="load")
        with page.expect_navigation(wait_until="load"):
            page.click(f"text={applications.format_code(case.code)}")
        with page.expect_navigation(wait_until="load"):
            page.click("main a:has-text('记录答复')")
        # The summary first: nothing chosen, and the summary's link leads to the field.
        with page.expect_navigation(wait_until="load"):
            page.click("main form button[type=submit]")
        summary = page.locator(".error-summary")
        assert "请选择办理结果" in summary.inner_text()
        assert summary.locator("a").first.get_attribute("href") == "#field-outcome"
        page.select_option("#field-outcome", "granted")
        page.fill("#field-text", "予以公开，见附件。")
        page.set_input_files("#field-attachments", str(letter))
        with page.expect_navigation(wait_until="load"):
            page.click("main form button[type=submit]")
        main = page.locator("main").inner_text()
        assert "答复已记录" in main and "答复书.pdf" in main and "予以公开，见附件。" in main
        assert page.url == absolute(live_server, f"/admin/applications/{case.code}")
    finally:
        context.close()
    engine = db.make_engine(back_office_database)
    stored = applications.ApplicationStore(engine).get(case.code)
    engine.dispose()
    assert (stored.outcome, stored.replied) == ("granted", applications.today().isoformat())
