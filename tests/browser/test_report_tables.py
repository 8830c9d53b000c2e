"""The report tables form (/admin/reports) in a real browser: no axe violation in any colour
scheme, language or text size (with problems on show too); a member of staff enters a value with
the keyboard and sees a rule's message appear and clear, announced politely, focus staying put;
without JavaScript the server's error summary links to the cells; and the script, which reads
R1-R7 as data, lists exactly what the server lists for the same values."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from portal import reports

from .back_office import axe_session
from .checks import assert_focus_visible, tab_to
from .conftest import SITE_CONTENT, absolute, serve_content
from .pages import TEXT_SIZES
from .test_admin import add_account, sign_in_with_the_keyboard

FORM = "/admin/reports/lingwu-kjj-2024/"
DATA = "reports/lingwu-kjj-2024.report.yml"


@pytest.fixture(scope="module")
def report_site(tmp_path_factory, back_office_database) -> Iterator[tuple[str, object]]:
    """A server of its own (tests here save tables), on a copy of the fixture site, and the
    copy's folder."""
    content = tmp_path_factory.mktemp("report-tables") / "content"
    shutil.copytree(SITE_CONTENT, content)
    add_account(back_office_database, "tables", [("起草", "lingwu-kjj")])
    with serve_content(content, back_office_database) as base_url:
        yield base_url, content


@pytest.fixture
def restored(report_site):
    """The report's data file as the fixture site has it, again after the test."""
    _, content = report_site
    original = (content / DATA).read_bytes()
    yield content / DATA
    (content / DATA).write_bytes(original)


def problems(page) -> list[tuple[str, str]]:
    """(link target, text) of every problem the page lists now."""
    return page.eval_on_selector_all(
        "#report-check-list a",
        "links => links.map(a => [a.getAttribute('href'), "
        "a.textContent.replace(/\\s+/g, ' ').trim()])",
    )


def invalid_cells(page) -> list[str]:
    return page.eval_on_selector_all(
        "#report-form input[aria-invalid=true]", "inputs => inputs.map(i => i.name)"
    )


@pytest.mark.parametrize("text_size", TEXT_SIZES)
def test_report_table_pages_have_no_axe_violations_in_any_scheme_or_language(
    browser, report_site, axe_script, text_size, restored
):
    base_url, _ = report_site

    def sign_in(page):
        sign_in_with_the_keyboard(page, base_url, "tables")

    with axe_session(browser, axe_script, base_url, text_size, sign_in) as session:
        page = session.page
        for scheme, prefix in session.every_scheme_and_language():
            for path in ("/admin/reports/", FORM):
                session.visit(prefix + path)
                session.check(scheme, "as loaded")
            # With problems on show: the list, invalid cells and their sums.
            page.fill("#cell-table3-new-person", "-3")
            page.fill("#cell-table4-review-upheld", "2")
            page.wait_for_selector("#report-check-list li")
            session.check(scheme, "with problems")
        session.assert_clean()


def test_a_value_typed_with_the_keyboard_shows_a_rule_message_that_clears_when_fixed(
    browser, report_site, restored
):
    base_url, _ = report_site
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in_with_the_keyboard(page, base_url, "tables")
        page.goto(absolute(base_url, FORM), wait_until="load")
        assert problems(page) == []
        tab_to(page, "#cell-table3-new-business")
        page.keyboard.type("4")
        message = page.locator("#report-check-list li", has_text="R3")
        message.wait_for()
        assert "表三“一、本年新收政府信息公开申请数量”行：总计 = 0，但" in message.inner_text()
        # Focus stays where the member of staff is typing; the cell says it is involved.
        assert page.evaluate("document.activeElement.id") == "cell-table3-new-business"
        assert_focus_visible(page, "the cell being typed in")
        assert page.get_attribute("#cell-table3-new-business", "aria-invalid") == "true"
        assert page.inner_text("#sum-R3-cell-table3-new-total .cell-sum-value") == "4"
        status = page.locator("#report-check-status")
        assert status.get_attribute("role") == "status"
        expect(status).to_contain_text("新问题：")
        assert "表三“一、本年新收政府信息公开申请数量”行" in status.inner_text()
        # Corrected: the message goes, and that it was solved is said.
        page.keyboard.press("Control+A")
        page.keyboard.type("0")
        expect(page.locator("#report-check-list li")).to_have_count(0)
        assert page.get_attribute("#cell-table3-new-business", "aria-invalid") is None
        expect(status).to_contain_text("已解决：")
        assert page.evaluate("document.activeElement.id") == "cell-table3-new-business"
        assert errors == []
    finally:
        context.close()


def test_without_javascript_the_summary_links_to_the_cells_and_saving_works(
    browser, report_site, restored
):
    base_url, _ = report_site
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in_with_the_keyboard(page, base_url, "tables")
        page.goto(absolute(base_url, FORM), wait_until="load")
        page.fill("#cell-table4-review-upheld", "1")
        with page.expect_navigation(wait_until="load"):
            page.press("#cell-table4-review-upheld", "Enter")
        summary = page.locator("#report-check")
        assert summary.get_attribute("role") == "alert"
        assert problems(page)[0][0] == "#cell-table4-review-upheld"
        assert problems(page)[0][1].startswith("R4 表四“行政复议”：")
        page.click("#report-check-list a")
        assert page.url.endswith("#cell-table4-review-upheld")
        page.fill("#cell-table4-review-total", "1")
        with page.expect_navigation(wait_until="load"):
            page.click("#report-form button[value=save]")
        assert page.url == absolute(base_url, FORM)
        assert "表格已保存" in page.inner_text("main")
        saved = reports.load_report(restored)
        assert (saved.value(4, "review", "upheld"), saved.value(4, "review", "total")) == (1, 1)
    finally:
        context.close()


# Values the script and the server must judge alike: every rule, and hostile text.
EXAMPLES = [
    {"table3.new.person": "1", "table3.new.total": "1"},  # R1 twice (and R5)
    {"table3.granted.person": "2", "table3.granted.total": "2"},  # R2 twice
    {"table3.withheld_security.legal": "3", "table4.suit_direct.pending": "1"},  # R3, R4
    {  # R6 and R5, warnings only: saved
        "table3.carried_over.other": "1",
        "table3.carried_over.total": "1",
        "table3.carried_forward.other": "1",
        "table3.carried_forward.total": "1",
    },
    {
        "table3.new.person": "１２",  # full-width digits: 12
        "table3.new.business": "-0",
        "table3.new.research": "+5",
        "table3.new.nonprofit": " 7 ",
        "table3.new.legal": "1.0",
        "table3.new.other": "1e5",
        "table3.new.total": "1" + "0" * 30,
        "table2.fees.amount": "-0.0",
        "table2.rules.issued": "9" * 70,
        "table2.rules.repealed": "<b>x</b>",
        "table2.rules.in_force": "😀" * 40,
        "table2.normative.issued": "－2",
    },
    {"table2.fees.amount": "1000000000.5", "table2.licensing.decisions": "999999999"},
    {"table2.fees.amount": "00.50", "table3.total.person": "", "table3.total.total": ""},
    {
        key: ""
        for key in (f"table4.review.{c}" for c in ("upheld", "corrected", "other", "pending"))
    },
]


def test_the_script_and_the_server_list_the_same_problems(browser, report_site, restored):
    base_url, _ = report_site
    original = restored.read_bytes()
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        sign_in_with_the_keyboard(page, base_url, "tables")
        for prefix in ("", "/en"):
            for values in EXAMPLES:
                restored.write_bytes(original)
                page.goto(absolute(base_url, prefix + FORM), wait_until="load")
                for key, text in values.items():
                    page.fill(f"[name='{key}']", text)
                page.wait_for_selector("#report-check-list li")
                script = (problems(page), sorted(invalid_cells(page)))
                with page.expect_navigation(wait_until="load"):
                    page.click("#report-form button[value=save]")
                server = (problems(page), sorted(invalid_cells(page)))
                assert script == server, f"{prefix or 'zh'} {values}"
    finally:
        context.close()
