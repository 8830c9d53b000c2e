"""The review desk in a real browser: the queue, the dashboard and a document's review page (with
a diff) have no axe violation in any colour scheme, language or text size; a reviewer opens a
document from the queue and approves it with the keyboard alone; and returning a document with
its reason works without JavaScript, the error summary first when the reason is missing."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from portal import accounts, approvals, db
from portal.catalogue import scaffold_draft

from .back_office import axe_session
from .checks import tab_to
from .conftest import SITE_CONTENT, absolute, serve_content
from .pages import TEXT_SIZES
from .test_admin import add_account, sign_in_with_the_keyboard

BODY = "第一条 为鼓励科技创新，制定本办法。\n\n第二条 奖励每年评选一次。\n\n第三条 施行。\n"
# The drafts of the review site: one per test that acts, and one changed after 初审 (a diff).
DRAFTS = {"changed": "修改过的通知", "keyboard": "键盘审核的通知", "nojs": "无脚本退回的通知"}


def make_draft(content: Path, title: str) -> Path:
    path = scaffold_draft(
        content, "行政规范性文件", title, "000000000", "办公室", today=datetime.date(2026, 11, 20)
    )
    path.write_text(path.read_text(encoding="utf-8").replace("正文。\n", BODY), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def review_site(tmp_path_factory, back_office_database) -> Iterator[tuple[str, dict[str, Path]]]:
    """The fixture site with three drafts, one approved at 初审 and changed since, served live
    on the back-office database; yields its base URL and the drafts by purpose."""
    content = tmp_path_factory.mktemp("review-site") / "content"
    shutil.copytree(SITE_CONTENT, content)
    drafts = {key: make_draft(content, title) for key, title in DRAFTS.items()}
    add_account(back_office_database, "review-earlier", [("初审", "lingwu-kjj")])
    engine = db.make_engine(back_office_database)
    with Session(engine, expire_on_commit=False) as session:
        earlier = next(m for m in accounts.list_accounts(session) if m.username == "review-earlier")
        desk = approvals.Desk(content, "lingwu-kjj")
        now = datetime.datetime.now(datetime.UTC)
        approvals.approve(session, desk, earlier, drafts["changed"], "初审", now, "同意。")
    engine.dispose()
    changed = drafts["changed"].read_text(encoding="utf-8").replace("每年", "每两年")
    drafts["changed"].write_text(changed, encoding="utf-8")
    with serve_content(content, back_office_database) as base_url:
        yield base_url, drafts


def review_pages(drafts: dict[str, Path]) -> tuple[str, ...]:
    return (
        "/admin/review/",
        "/admin/review/dashboard",
        f"/admin/review/documents/{drafts['changed'].stem}",
    )


@pytest.mark.parametrize("text_size", TEXT_SIZES)
def test_review_pages_have_no_axe_violations_in_any_scheme_or_language(
    browser, review_site, back_office_database, axe_script, text_size
):
    base_url, drafts = review_site
    add_account(
        back_office_database, "review-axe", [("初审", "lingwu-kjj"), ("起草", "lingwu-kjj")]
    )

    def sign_in(page):
        sign_in_with_the_keyboard(page, base_url, "review-axe")

    with axe_session(browser, axe_script, base_url, text_size, sign_in) as session:
        for scheme, prefix in session.every_scheme_and_language():
            for path in review_pages(drafts):
                session.visit(prefix + path)
                session.check(scheme)
        diff = session.page.locator("table.review-diff del").first
        assert diff.inner_text() == "第二条 奖励每年评选一次。"
        session.assert_clean()


def test_a_reviewer_approves_from_the_queue_with_the_keyboard_alone(
    fresh_context, review_site, back_office_database
):
    base_url, drafts = review_site
    add_account(back_office_database, "review-keys", [("初审", "lingwu-kjj")])
    page = fresh_context.new_page()
    sign_in_with_the_keyboard(page, base_url, "review-keys")
    page.goto(absolute(base_url, "/admin/review/"), wait_until="load")
    link = f"a[href='/admin/review/documents/{drafts['keyboard'].stem}']"
    tab_to(page, link)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == f"审核：{DRAFTS['keyboard']}"
    tab_to(page, "#field-comment")
    page.keyboard.type("同意发布。")
    tab_to(page, "form[action$='/approve'] button[type=submit]")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert "已审核通过（初审）" in page.locator("main .notice").first.inner_text()
    history = page.locator("table.review-history tbody tr").first.inner_text()
    assert "review-keys" in history and "同意发布。" in history
    assert 'by: "review-keys"' in drafts["keyboard"].read_text(encoding="utf-8")


def test_returning_a_document_works_without_javascript(browser, review_site, back_office_database):
    base_url, drafts = review_site
    add_account(back_office_database, "review-nojs", [("初审", "lingwu-kjj")])
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_with_the_keyboard(page, base_url, "review-nojs")
        page.goto(
            absolute(base_url, f"/admin/review/documents/{drafts['nojs'].stem}"),
            wait_until="load",
        )
        with page.expect_navigation(wait_until="load"):
            page.click("form[action$='/return'] button[type=submit]")
        summary = page.locator(".error-summary")
        assert "请填写退回理由" in summary.inner_text()
        assert summary.locator("a").get_attribute("href") == "#field-reason"
        page.fill("#field-reason", "第二条请写明奖励标准。")
        with page.expect_navigation(wait_until="load"):
            page.click("form[action$='/return'] button[type=submit]")
        assert "已退回起草人" in page.locator("main .notice").first.inner_text()
        assert "第二条请写明奖励标准。" in page.locator(".review-returned").inner_text()
        assert page.locator("form[action$='/approve']").count() == 0
    finally:
        context.close()
