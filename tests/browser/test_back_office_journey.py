"""The back office's whole journey in a real browser (issue #20, "How it is checked"): a drafter
signs in with the keyboard and drafts a document with an attachment, which is then neither on
the public site nor in search; four accounts, each in a browser of its own, take it through 初审,
复审, 终审 and 保密审查 (the last two with their authenticator's code), and the one holding both
初审 and 复审 is not let approve the second stage of what it approved at the first; after the
fourth approval the document and its attachment are on the public site and search finds it."""

from __future__ import annotations

import datetime
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyotp
import pytest
from county import copy_site
from playwright.sync_api import Browser, Page, Response, expect
from sqlalchemy import update
from sqlalchemy.orm import Session

from portal import db
from portal.accounts import code_at

from .checks import axe_violations, describe_violations, tab_to
from .conftest import absolute, new_context, serve_content, watch_console
from .test_admin import add_account, sign_in_with_the_keyboard
from .test_drafting import PDF, choose_with_arrows

TITLE = "关于印发《萤火虫栖息地保护办法》的通知"
WORD = "萤火虫"  # in no document of the fixture site: search finds this one or nothing
ATTACHMENT_TITLE = "附件1：萤火虫栖息地名录"
BODY = "第一条　为保护萤火虫栖息地，制定本办法。\n\n第二条　本办法自印发之日起施行。"
ORGANISATION = "lingwu-kjj"
# The four stages, the account approving each and whether it signs in with a second factor.
# "journey-first" also holds 复审: it is the account that must not approve two stages.
REVIEWERS = (
    ("journey-first", "初审", False),
    ("journey-second", "复审", False),
    ("journey-final", "终审", True),
    ("journey-secrecy", "保密审查", True),
)
# How long the site may take to show a change on the public pages and in search: the catalogue
# is re-read off the request path and the index keeper works in the background.
FOLLOWS_WITHIN = 30.0


@pytest.fixture(scope="module")
def journey_database(tmp_path_factory) -> str:
    """A back-office database of the journey's own, upgraded: its DATABASE_URL. (The audit
    trail names documents by address, and other browser tests' sites have drafts at the same
    addresses.)"""
    url = f"sqlite:///{tmp_path_factory.mktemp('journey-database') / 'portal.sqlite3'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def journey_site(tmp_path_factory, journey_database) -> Iterator[tuple[str, Path]]:
    """The app on its own copy of the fixture site (the journey publishes a document there, so
    no other test's site changes) and its own database; yields its base URL and content
    folder."""
    content = copy_site(tmp_path_factory.mktemp("journey-site") / "content")
    with serve_content(content, journey_database) as base_url:
        yield base_url, content
    shutil.rmtree(content, ignore_errors=True)


@pytest.fixture(scope="module")
def journey_accounts(journey_database) -> dict[str, str]:
    """The drafter and the four reviewers on the live server's database; the authenticator
    secret of each account that has one, by username."""
    add_account(journey_database, "journey-drafter", [("起草", ORGANISATION)])
    add_account(journey_database, "journey-first", [("初审", ORGANISATION), ("复审", ORGANISATION)])
    secrets = {}
    for username, stage, second_factor in REVIEWERS[1:]:
        add_account(journey_database, username, [(stage, ORGANISATION)])
        if second_factor:
            secrets[username] = pyotp.random_base32()
    engine = db.make_engine(journey_database)
    with Session(engine) as session:
        for username, secret in secrets.items():
            session.execute(
                update(db.Account).where(db.Account.username == username).values(totp_secret=secret)
            )
        session.commit()
    engine.dispose()
    return secrets


def go_to(page: Page, selector: str) -> None:
    """Tab to a link or button and press Enter, waiting for the page it leads to."""
    tab_to(page, selector)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")


def to_field(page: Page, selector: str, name: str) -> None:
    """Tab to a field or button and check that it is announced by its label."""
    tab_to(page, selector)
    expect(page.locator(selector)).to_have_accessible_name(name)


def sign_in(page: Page, base_url: str, username: str, secret: str | None) -> None:
    """Sign in with the keyboard; with the code the account's authenticator shows now when it
    has one."""
    sign_in_with_the_keyboard(page, base_url, username)
    if secret is not None:
        assert page.url == absolute(base_url, "/admin/sign-in/code")
        to_field(page, "#field-code", "验证码")
        page.keyboard.type(code_at(secret, datetime.datetime.now(datetime.UTC)))
        go_to(page, "form[action$='/admin/sign-in/code'] button[type=submit]")
    assert page.url == absolute(base_url, "/admin/"), f"{username} is not signed in: {page.url}"


def until(
    page: Page, url: str, shown: Callable[[Response], bool], what: str, seconds=FOLLOWS_WITHIN
) -> Response:
    """Load url, then reload it as a visitor would, until shown(response) holds, for at most
    seconds; fail saying what was awaited."""
    # Reloaded, not loaded again: a page answered 200 may be cached for PAGE_MAX_AGE, and
    # Chromium serves a second visit to the same address from its cache without asking.
    deadline = time.monotonic() + seconds
    response = page.goto(url, wait_until="load")
    while True:
        assert response is not None
        if shown(response):
            return response
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not so after {seconds:.0f} s ({url}, {response.status})")
        page.wait_for_timeout(250)
        response = page.reload(wait_until="load")


def found_by_search(page: Page, slug: str) -> bool:
    """Whether the search results shown link to the document."""
    return page.locator(f".search-results a[href='/documents/{slug}/']").count() == 1


def assert_not_public(visitor: Page, base_url: str, slug: str, when: str) -> None:
    """The visitor gets a 404 for the document's public page, and search does not find it."""
    response = visitor.goto(absolute(base_url, f"/documents/{slug}/"), wait_until="load")
    assert response.status == 404, f"{when}: the public page answered {response.status}"
    visitor.goto(absolute(base_url, f"/search?q={WORD}"), wait_until="load")
    assert visitor.locator("#results").is_visible(), f"{when}: no search results shown"
    assert not found_by_search(visitor, slug), f"{when}: search finds the document"


def draft_the_document(page: Page, base_url: str, attachment: Path) -> str:
    """Fill in the drafting form with the keyboard, attach the file and save; the draft's
    address."""
    go_to(page, "nav a[href='/admin/drafts/']")
    go_to(page, "main a[href='/admin/drafts/new']")
    to_field(page, "#field-title", "标题")
    page.keyboard.type(TITLE)
    to_field(page, "#field-category", "所属分类")
    choose_with_arrows(page, "#field-category", "行政规范性文件")
    to_field(page, "#field-five_openness", "所属“五公开”")
    choose_with_arrows(page, "#field-five_openness", "决策公开")
    to_field(page, "#field-keywords", "关键词")
    page.keyboard.type(f"{WORD}，栖息地保护")
    to_field(page, "#field-upload", "添加附件")
    # The operating system's file dialog is the one step no test can take with the keyboard.
    page.set_input_files("#field-upload", attachment)
    to_field(page, "#field-upload_title", "新附件的标题 （选填）")
    page.keyboard.type(ATTACHMENT_TITLE)
    to_field(page, "#field-body", "正文（Markdown 格式）")
    page.keyboard.type(BODY)
    to_field(page, "button[value=save]", "保存草稿")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert "草稿已保存" in page.locator("main .notice").first.inner_text()
    saved = re.fullmatch(re.escape(absolute(base_url, "/admin/drafts/")) + r"([^/]+)/", page.url)
    assert saved, f"not on the saved draft's page: {page.url}"
    assert page.locator("#field-title").input_value() == TITLE
    assert page.locator("#field-attachment-title-0").input_value() == ATTACHMENT_TITLE
    return saved.group(1)


def open_from_the_queue(
    page: Page, slug: str, stage: str, check: Callable[[Page], None] | None = None
) -> None:
    """Go to the review queue by the navigation and open the document waiting there at stage;
    check, when given, looks at the queue and at the review page."""
    go_to(page, "nav a[href='/admin/review/']")
    link = f"a[href='/admin/review/documents/{slug}']"
    row = page.locator("table.review-queue tbody tr").filter(has=page.locator(link))
    assert row.count() == 1, f"{page.url} does not list the document"
    assert row.locator("td").nth(1).inner_text() == stage
    if check:
        check(page)
    go_to(page, f"table.review-queue {link}")
    assert page.locator("h1").inner_text() == f"审核：{TITLE}"
    if check:
        check(page)


def approve(page: Page, stage: str, comment: str) -> str:
    """Approve the stage shown with a comment, with the keyboard; the notice that follows."""
    to_field(page, "#field-comment", "审核意见（选填）")
    page.keyboard.type(comment)
    to_field(page, "form[action$='/approve'] button[type=submit]", f"审核通过（{stage}）")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    return page.locator("main .notice").first.inner_text()


def axe_checker(failures: list[str]) -> Callable[[Page], None]:
    """A check that adds axe's violations on the page shown to failures."""

    def check(page: Page) -> None:
        violations = axe_violations(page)
        if violations:
            failures.append(describe_violations(violations, page.url, "default scheme, 100%"))

    return check


# The approve form the page would show at stage, sent from the page itself (as someone editing
# the page would): the server, not only the page, must refuse it.
SEND_APPROVAL = """([action, token, stage]) => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = action;
  for (const [name, value] of [["csrf_token", token], ["stage", stage], ["comment", ""]]) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}"""


def assert_second_stage_refused(page: Page, slug: str) -> None:
    """The account that approved 初审 also holds 复审: its review page offers no approval of 复审,
    says why, and the server refuses one sent anyway."""
    page_text = page.locator("main").inner_text()
    assert page.locator("form[action$='/approve']").count() == 0
    assert "同一账号不能审核同一文件的两个环节" in page_text
    token = page.locator("form[action$='/return'] input[name=csrf_token]").get_attribute("value")
    action = f"/admin/review/documents/{slug}/approve"
    with page.expect_navigation(wait_until="load") as navigation:
        page.evaluate(SEND_APPROVAL, [action, token, "复审"])
    assert navigation.value.status == 409
    refusal = page.locator(".error-summary[role=alert]").inner_text()
    assert "同一账号不能审核同一文件的两个环节" in refusal
    # Chromium reports the 409 it was meant to get on the console; only that.
    expected = [m for m in page.console_messages if "status of 409" in m]
    assert len(expected) == 1, page.console_messages
    page.console_messages.remove(expected[0])


def journey(
    browser: Browser,
    base_url: str,
    secrets: dict,
    axe_script: Path,
    attachment: Path,
    visitor: Page,
) -> str:
    """The drafter drafts and saves the document, the four reviewers approve it in turn, and
    the visitor does not find it until the last has; the document's address."""
    context = new_context(browser, base_url)
    try:
        page = context.new_page()
        watch_console(page)
        sign_in(page, base_url, "journey-drafter", None)
        slug = draft_the_document(page, base_url, attachment)
        assert not page.console_messages, page.console_messages
    finally:
        context.close()
    assert_not_public(visitor, base_url, slug, "after saving the draft")

    comments = {}
    for username, stage, _second_factor in REVIEWERS:
        if stage == "保密审查":
            assert_not_public(visitor, base_url, slug, "after 终审, before 保密审查")
        context = new_context(browser, base_url)  # each reviewer in a browser of their own
        failures: list[str] = []
        if stage == "初审":  # axe on the queue and the review page, once
            context.add_init_script(path=axe_script)
        try:
            page = context.new_page()
            watch_console(page)
            sign_in(page, base_url, username, secrets.get(username))
            check = axe_checker(failures) if stage == "初审" else None
            open_from_the_queue(page, slug, stage, check)
            assert not failures, "\n".join(failures)
            comments[username] = f"同意（{stage}）。"
            notice = approve(page, stage, comments[username])
            assert f"已审核通过（{stage}）" in notice
            if stage == "初审":
                assert_second_stage_refused(page, slug)
            history = page.locator("table.review-history tbody tr").all_inner_texts()
            assert not page.console_messages, page.console_messages
        finally:
            context.close()
    assert "文件已发布" in notice
    # The last page's history: every approval, latest first, by the account that made it.
    assert len(history) == len(REVIEWERS), history
    for row, (username, stage, _second_factor) in zip(history, reversed(REVIEWERS), strict=True):
        assert f"（{username}）" in row and f"{stage} 审核通过" in row, row
        assert comments[username] in row, row
    return slug


def test_a_document_is_drafted_reviewed_by_four_accounts_and_published(
    browser, journey_site, journey_accounts, axe_script, tmp_path
):
    base_url, content = journey_site
    attachment = tmp_path / "附件1.pdf"
    attachment.write_bytes(PDF)
    # A visitor of the public site, who looks for the document now and then.
    public = new_context(browser, base_url)
    try:
        visitor = public.new_page()
        slug = journey(browser, base_url, journey_accounts, axe_script, attachment, visitor)
        url = absolute(base_url, f"/documents/{slug}/")
        until(visitor, url, lambda response: response.status == 200, "the document is public")
        assert visitor.locator("h1").inner_text() == TITLE
        link = visitor.locator(".attachments a[download]")
        assert link.inner_text() == ATTACHMENT_TITLE
        tab_to(visitor, ".attachments a[download]")
        with visitor.expect_download() as download:
            visitor.keyboard.press("Enter")
        assert Path(download.value.path()).read_bytes() == PDF
        # The visitor searched for it before; their browser may show that page from its cache.
        until(
            visitor,
            absolute(base_url, f"/search?q={WORD}"),
            lambda _response: found_by_search(visitor, slug),
            "search finds the published document",
        )
        hit = visitor.locator(f".search-results a[href='/documents/{slug}/']")
        assert hit.text_content() == TITLE  # with the word searched for in <mark>
        assert hit.locator("mark").text_content() == WORD
    finally:
        public.close()
    assert "published:" in next(content.rglob(f"{slug}.md")).read_text(encoding="utf-8")
