"""Drafting in the back office, in a real browser: a drafter writes a document with the keyboard
alone (the live preview follows the body without taking focus), attaches a file and saves it;
the same works with JavaScript off through the 预览 button; and the list, the form, the form
with its error summary and the form with a preview have no axe violation in any colour scheme,
language or text size."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from county import copy_site

from .back_office import axe_session
from .checks import (
    OVERFLOWING,
    assert_focus_visible,
    focus_state,
    tab_to,
)
from .conftest import NARROW, absolute, new_context, serve_content, watch_console
from .pages import TEXT_SIZES
from .test_admin import add_account, sign_in_with_the_keyboard

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DRAFT = """---
title: "关于开展2026年科技活动周的通知"
index_no: "000000000/2026-00007"
doc_no:
date: 2026-05-06
department: 办公室
time_limit: 及时公开
category: 其他文件
five_openness: 执行公开
mode: 主动公开
keywords: [科技活动周]
attachments:
  - file: 2026-00007-plan.pdf
    title: 附件：活动安排
review: []
---
各乡镇：

现将有关事项通知如下。

表：活动安排

| 日期 | 活动 |
|---|---|
| 5月20日 | 开幕式 |
"""


@pytest.fixture(scope="module")
def drafting_site(tmp_path_factory, back_office_database) -> Iterator[tuple[str, Path]]:
    """The app on its own copy of the fixture site with one draft in it (so drafts written here
    change no other test's site); yields its base URL and content folder."""
    content = copy_site(tmp_path_factory.mktemp("drafting-site") / "content")
    folder = content / "other-documents"
    folder.mkdir()
    (folder / "2026-00007-plan.pdf").write_bytes(PDF)
    (folder / "2026-00007.md").write_text(DRAFT, encoding="utf-8")
    with serve_content(content, back_office_database) as base_url:
        yield base_url, content
    shutil.rmtree(content, ignore_errors=True)


def choose_with_arrows(page, selector: str, value: str) -> None:
    """Move a focused <select> to value with the arrow keys, as a keyboard user does."""
    for _press in range(40):
        if page.eval_on_selector(selector, "(element) => element.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} not reached in {selector}")


def test_a_drafter_drafts_a_document_with_an_attachment_with_the_keyboard_alone(
    browser, drafting_site, back_office_database, tmp_path
):
    base_url, content = drafting_site
    add_account(back_office_database, "keyboard-drafter", [("起草", "lingwu-kjj")])
    context = new_context(browser, base_url)
    try:
        page = context.new_page()
        watch_console(page)
        sign_in_with_the_keyboard(page, base_url, "keyboard-drafter")
        tab_to(page, "nav a[href='/admin/drafts/']")
        with page.expect_navigation(wait_until="load"):
            page.keyboard.press("Enter")
        tab_to(page, "main a[href='/admin/drafts/new']")
        with page.expect_navigation(wait_until="load"):
            page.keyboard.press("Enter")
        assert page.locator("h1").inner_text() == "起草新文件"
        tab_to(page, "#field-title")
        page.keyboard.type("关于印发科技奖励办法的通知")
        tab_to(page, "#field-category")
        choose_with_arrows(page, "#field-category", "行政规范性文件")
        tab_to(page, "#field-five_openness")
        choose_with_arrows(page, "#field-five_openness", "决策公开")
        tab_to(page, "#field-keywords")
        page.keyboard.type("科技奖励，管理办法")
        tab_to(page, "#field-upload")
        # The one step no keyboard can take in a test: the operating system's file dialog.
        attachment = tmp_path / "附件1.pdf"
        attachment.write_bytes(PDF)
        page.set_input_files("#field-upload", attachment)
        tab_to(page, "#field-upload_title")
        page.keyboard.type("附件1：申报表")
        tab_to(page, "#field-body")
        page.keyboard.type(
            "第一条　为了鼓励科技创新，制定本办法。\n\n**第二条**　本办法自印发之日起施行。"
        )
        # The live preview follows the body after a pause, says so politely, keeps focus here.
        status = page.locator("#preview-status")
        status.filter(has_text="预览已更新").wait_for(timeout=10_000)
        assert status.get_attribute("role") == "status"
        assert page.locator("#preview-body strong").inner_text() == "第二条"
        assert focus_state(page, "#field-body")["matches"]
        tab_to(page, "button[value=save]")
        assert_focus_visible(page, "save button")
        with page.expect_navigation(wait_until="load"):
            page.keyboard.press("Enter")
        # The next free 索引号 of this year (the draft above has 2026-00007) names the file.
        year = datetime.date.today().year
        slug = f"{year}-{8 if year == 2026 else 1:05d}"
        assert page.url == absolute(base_url, f"/admin/drafts/{slug}/")
        assert "草稿已保存" in page.locator("main").inner_text()
        assert page.locator("#field-attachment-title-0").input_value() == "附件1：申报表"
        assert not page.console_messages, page.console_messages
        saved = content / "normative-documents"
        assert (saved / f"{slug}-附件1.pdf").read_bytes() == PDF
        assert "review: []" in (saved / f"{slug}.md").read_text(encoding="utf-8")
        public = page.goto(absolute(base_url, f"/documents/{slug}/"), wait_until="load")
        assert public.status == 404  # a draft is not public until every stage approves it
    finally:
        context.close()


def test_without_javascript_the_preview_button_shows_the_body_and_the_draft_saves(
    browser, drafting_site, back_office_database
):
    base_url, content = drafting_site
    add_account(back_office_database, "nojs-drafter", [("起草", "lingwu-kjj")])
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_with_the_keyboard(page, base_url, "nojs-drafter")
        page.goto(absolute(base_url, "/admin/drafts/2026-00007/"), wait_until="load")
        page.fill("#field-body", "# 新的正文\n\n现将**有关事项**通知如下。\n")
        with page.expect_navigation(wait_until="load"):
            page.click("button[value=preview]")
        assert page.url.endswith("/admin/drafts/2026-00007/#preview")
        assert page.locator("#preview-body h2").inner_text() == "新的正文"
        assert "有关事项" in page.locator("#preview-body strong").inner_text()
        assert "现将有关事项通知如下" in (content / "other-documents" / "2026-00007.md").read_text(
            encoding="utf-8"
        )
        with page.expect_navigation(wait_until="load"):
            page.click("button[value=save]")
        assert "修改已保存" in page.locator("main").inner_text()
        assert "# 新的正文" in (content / "other-documents" / "2026-00007.md").read_text(
            encoding="utf-8"
        )
    finally:
        context.close()


@pytest.mark.parametrize("text_size", TEXT_SIZES)
def test_the_drafting_pages_have_no_axe_violations_in_any_scheme_or_language(
    browser, drafting_site, back_office_database, axe_script, text_size
):
    base_url, _content = drafting_site
    add_account(back_office_database, "axe-drafter", [("起草", "lingwu-kjj")])

    def sign_in(page):
        sign_in_with_the_keyboard(page, base_url, "axe-drafter")

    with axe_session(browser, axe_script, base_url, text_size, sign_in) as session:
        page = session.page
        for scheme, prefix in session.every_scheme_and_language():
            for path in ("/admin/drafts/", "/admin/drafts/new", "/admin/drafts/2026-00007/"):
                session.visit(prefix + path)
                session.check(scheme)
            # The live preview of a body with a table.
            page.fill("#field-body", DRAFT.split("---\n", 2)[2])
            page.locator("#preview-body table").wait_for(timeout=10_000)
            session.check(scheme, "live preview")
            # The form sent back with its error summary.
            page.fill("#field-date", "2026-02-30")
            with page.expect_navigation(wait_until="load"):
                page.click("button[value=save]")
            assert page.locator(".error-summary").is_visible()
            session.check(scheme, "error summary")
        session.assert_clean()


def test_the_drafting_pages_reflow_at_320_pixels(browser, drafting_site, back_office_database):
    base_url, _content = drafting_site
    add_account(back_office_database, "narrow-drafter", [("起草", "lingwu-kjj")])
    context = new_context(browser, base_url, viewport=NARROW)
    try:
        page = context.new_page()
        sign_in_with_the_keyboard(page, base_url, "narrow-drafter")
        for path in ("/admin/drafts/", "/admin/drafts/new", "/admin/drafts/2026-00007/"):
            page.goto(absolute(base_url, path), wait_until="load")
            found = page.evaluate(OVERFLOWING)
            assert not found["overflowing"], f"{path}: {found}"
    finally:
        context.close()
