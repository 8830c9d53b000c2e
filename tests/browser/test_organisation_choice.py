"""Choosing the 受理机关 on a platform of several bodies, in a real browser: axe on the form in
every scheme at 100% and 200% text (with the search box's list open, too), a keyboard journey
through the search box (type, arrow keys, Escape, Enter, submit), the error summary leading to
it, and the same application sent with JavaScript off through the native <select>."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from county import APPLICATION_BODIES, add_bodies, copy_site
from playwright.sync_api import Page, expect
from support import fresh_database
from test_applications import PERSON_ID

from portal.applications import ApplicationStore
from portal.db import make_engine

from .checks import (
    OVERFLOWING,
    assert_focus_visible,
    axe_violations,
    describe_violations,
    focus_state,
    tab_to,
)
from .conftest import (
    DESKTOP,
    NARROW,
    VNU_JAR,
    PagePool,
    new_context,
    require,
    serve_content,
    visit,
    watch_console,
)
from .pages import LOCALES, SCHEMES, TEXT_SIZES, PageType
from .test_keyboard import press_and_wait, start

FORM = PageType("apply-county", "/apply/")
COMBOBOX = "#field-organisation"
NATIVE = "#field-organisation-native"


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The app serving a copy of the fixture site published by three bodies; yields its base
    URL and its database's URL."""
    root = tmp_path_factory.mktemp("county-site")
    database = f"sqlite:///{root / 'portal.sqlite3'}"
    fresh_database(database)
    content = add_bodies(copy_site(root / "content"), *APPLICATION_BODIES)
    with serve_content(content, database) as base_url:
        yield base_url, database


@pytest.fixture(scope="module")
def county_pages(browser, county) -> Iterator[PagePool]:
    """Pages kept open on the county site, one per scheme and text size; each test loads the
    form afresh before typing into it."""
    pool = PagePool(browser, county[0])
    yield pool
    pool.close()


def fill_the_applicant(page: Page) -> None:
    """Everything but the body, as a citizen fills it in (not the journey under test)."""
    page.check("#field-applicant_kind")
    page.fill("#field-name", "张三")
    page.select_option("#field-id_type", "ric")
    page.fill("#field-id_number", PERSON_ID)
    page.fill("#field-phone", "138 0000 1234")
    page.fill("#field-description", "2024年乡村振兴项目资金分配结果")
    page.check("#field-form-electronic")
    page.check("#field-delivery-collect")


def combobox_state(page: Page) -> dict:
    """What the search box says to assistive technology, and what the form would send."""
    return page.evaluate(
        """(ids) => {
          const input = document.querySelector(ids.combobox);
          const active = document.getElementById(input.getAttribute('aria-activedescendant'));
          const listbox = document.getElementById(input.getAttribute('aria-controls'));
          return {
            focused: document.activeElement === input,
            role: input.getAttribute('role'),
            expanded: input.getAttribute('aria-expanded'),
            listShown: !listbox.hidden,
            shown: [...listbox.querySelectorAll('[role=option]')]
              .filter((option) => !option.hidden).map((option) => option.textContent),
            active: active ? active.textContent : null,
            activeSelected: active ? active.getAttribute('aria-selected') : null,
            text: input.value,
            sent: document.querySelector(ids.native).value,
          };
        }""",
        {"combobox": COMBOBOX, "native": NATIVE},
    )


# Sending the form is counted and held back while the journey is in the search box: the keys
# used there must never send it (a sent form would leave the page, which can be noticed late).
HOLD_SUBMISSIONS = """() => {
  window.heldSubmissions = 0;
  window.holdSubmission = (event) => { window.heldSubmissions += 1; event.preventDefault(); };
  document.querySelector('main form').addEventListener('submit', window.holdSubmission);
}"""
RELEASE_SUBMISSIONS = """() => {
  document.querySelector('main form').removeEventListener('submit', window.holdSubmission);
  return window.heldSubmissions;
}"""


def received_body(page: Page) -> str:
    """The 受理机关 the acknowledgement page names."""
    return page.evaluate(
        """() => {
          const terms = [...document.querySelectorAll('main dt')];
          const term = terms.find((dt) => dt.textContent === '受理机关');
          return term ? term.nextElementSibling.textContent : '';
        }"""
    )


@pytest.mark.parametrize("text_size", TEXT_SIZES)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("locale", LOCALES)
def test_the_form_with_its_body_search_has_no_axe_violations(
    county_pages, county, axe_script, locale, scheme, text_size
):
    """axe on the enhanced form as it loads, then with the list of bodies open and one of them
    active: every language, colour scheme and text size."""
    page = county_pages.page(scheme, text_size, DESKTOP, {}, (axe_script,))
    visit(page, county[0], FORM, locale)
    settings = f"{locale}, {text_size}% text, scheme {scheme}"
    assert page.locator(COMBOBOX).get_attribute("role") == "combobox"
    assert not page.console_messages, page.console_messages
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, page.url, settings)
    page.locator(COMBOBOX).press("ArrowDown")
    state = combobox_state(page)
    assert state["listShown"] and len(state["shown"]) == 3 and state["active"], state
    violations = axe_violations(page)
    assert not violations, describe_violations(violations, page.url, f"list open, {settings}")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("text_size", TEXT_SIZES)
def test_the_open_list_of_bodies_reflows_at_320px(county_pages, county, locale, text_size):
    """At 320 CSS px, at 100% and 200% text, the search box, its button and the open list fit
    the window (WCAG 1.4.10)."""
    page = county_pages.page("default", text_size, NARROW, {}, ())
    visit(page, county[0], FORM, locale)
    page.locator(COMBOBOX).press("ArrowDown")
    assert combobox_state(page)["listShown"]
    found = page.evaluate(OVERFLOWING)
    assert found["scrollWidth"] <= found["innerWidth"] and not found["overflowing"], found


def test_choosing_the_body_with_the_search_box_by_keyboard(browser, county):
    """Tab to the search box, type, arrow down through the matches, Escape, choose with Enter,
    then send the form: focus never leaves the box, and the count is announced."""
    base_url, _database = county
    context = new_context(browser, base_url)
    try:
        page = start(context, base_url, "/apply/")
        watch_console(page)
        page.evaluate(HOLD_SUBMISSIONS)
        tab_to(page, COMBOBOX, limit=60)
        expect(page.get_by_role("combobox", name="受理机关")).to_be_focused()
        state = combobox_state(page)
        assert (state["role"], state["expanded"], state["sent"]) == ("combobox", "false", "")
        described = page.locator(COMBOBOX).get_attribute("aria-describedby").split()
        assert "field-organisation-search-hint" in described

        # Typing filters the bodies as you type and says how many match.
        page.keyboard.type("人民政府")
        expect(page.locator("#field-organisation-status")).to_have_text("找到 2 个机关。")
        state = combobox_state(page)
        assert state["shown"] == ["灵武市人民政府办公室", "宁东镇人民政府"], state
        assert (state["expanded"], state["active"], state["focused"]) == ("true", None, True)
        listbox = page.get_by_role("listbox", name="受理机关")
        expect(listbox).to_be_visible()
        expect(listbox.get_by_role("group", name="乡镇街道")).to_be_visible()
        expect(listbox.get_by_role("group", name="部门")).to_be_hidden()

        # The arrow keys move through the matches; focus stays in the text box.
        page.keyboard.press("ArrowDown")
        assert combobox_state(page)["active"] == "灵武市人民政府办公室"
        page.keyboard.press("ArrowDown")
        state = combobox_state(page)
        assert (state["active"], state["activeSelected"], state["focused"]) == (
            "宁东镇人民政府",
            "true",
            True,
        )
        expect(listbox.get_by_role("option", name="宁东镇人民政府", selected=True)).to_be_visible()
        page.keyboard.press("ArrowDown")  # past the last: back to the first
        assert combobox_state(page)["active"] == "灵武市人民政府办公室"
        page.keyboard.press("ArrowUp")
        assert combobox_state(page)["active"] == "宁东镇人民政府"

        # Escape closes the list and chooses nothing.
        page.keyboard.press("Escape")
        state = combobox_state(page)
        assert (state["listShown"], state["text"], state["sent"], state["focused"]) == (
            False,
            "人民政府",
            "",
            True,
        )

        # Down Arrow opens it again; Enter chooses the active body.
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        state = combobox_state(page)
        assert (state["listShown"], state["text"], state["sent"], state["focused"]) == (
            False,
            "宁东镇人民政府",
            "ningdong",
            True,
        ), state
        expect(listbox).to_be_hidden()
        # Escape on a closed list keeps the body chosen.
        page.keyboard.press("Escape")
        assert combobox_state(page)["sent"] == "ningdong"
        assert_focus_visible(page, "the search box after choosing")
        assert page.evaluate(RELEASE_SUBMISSIONS) == 0, "a key in the search box sent the form"

        fill_the_applicant(page)
        tab_to(page, "main form button[type=submit]", limit=60)
        press_and_wait(page, "Enter")
        assert page.locator("h1").text_content() == "申请已提交"
        assert received_body(page) == "宁东镇人民政府"
        assert not page.console_messages, page.console_messages
    finally:
        context.close()


def test_the_error_summary_leads_to_the_search_box(browser, county):
    """Sent without a body, the form comes back with the error; its link puts focus in the
    search box, which carries the error."""
    base_url, _database = county
    context = new_context(browser, base_url)
    try:
        page = start(context, base_url, "/en/apply/")
        fill_the_applicant(page)
        with page.expect_navigation(wait_until="load"):
            page.click("main form button[type=submit]")
        assert page.evaluate("document.activeElement.matches('.error-summary')")
        tab_to(page, ".error-summary a[href='#field-organisation']", limit=3)
        page.keyboard.press("Enter")
        state = focus_state(page, COMBOBOX)
        assert state["matches"], state["description"]
        assert_focus_visible(page, "the search box reached from the error summary")
        search = page.locator(COMBOBOX)
        assert search.get_attribute("aria-invalid") == "true"
        assert "field-organisation-error" in search.get_attribute("aria-describedby").split()
        assert page.locator("#field-organisation-error").text_content() == (
            "Error: Choose the body you are applying to."
        )
        page.keyboard.type("town")
        expect(page.locator("#field-organisation-status")).to_have_text("1 body found.")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        assert combobox_state(page)["sent"] == "ningdong"
    finally:
        context.close()


def test_choosing_the_body_without_javascript(browser, county):
    """With JavaScript off the native <select>, grouped by kind, is the control: chosen with
    the arrow keys, sent, and named on the acknowledgement."""
    base_url, database = county
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", java_script_enabled=False)
    try:
        page = start(context, base_url, "/apply/")
        assert page.locator("[role=combobox]").count() == 0
        assert page.locator("#field-organisation-search-hint").is_hidden()
        tab_to(page, "select#field-organisation", limit=60)
        for _press in range(5):
            if page.evaluate("document.activeElement.value") == "ningdong":
                break
            page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.value") == "ningdong"
        assert page.evaluate("document.activeElement.selectedOptions[0].parentElement.label") == (
            "乡镇街道"
        )
        fill_the_applicant(page)
        tab_to(page, "main form button[type=submit]", limit=60)
        press_and_wait(page, "Enter")
        assert page.locator("h1").text_content() == "申请已提交"
        assert page.locator("main dd").nth(0).text_content() == "宁东镇人民政府"
    finally:
        context.close()
    engine = make_engine(database)
    assert "ningdong" in {app.organisation for app in ApplicationStore(engine).all()}
    engine.dispose()


def served(base_url: str, path: str, form: dict | None = None) -> bytes:
    """A page as the site serves it (a POST from one of its own pages when form is given)."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(base_url + path, data=data, headers={"Origin": base_url})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()
    except urllib.error.HTTPError as error:  # the form sent back with errors is a 400
        with error:
            return error.read()


def test_the_form_of_a_platform_is_valid_html(county, tmp_path):
    """The Nu HTML checker finds no error in the form with its grouped <select>, as served in
    both languages, preselected, and sent back with the body missing."""
    if shutil.which("java") is None:
        pytest.skip("java is missing: the Nu HTML checker needs a Java runtime")
    require(
        VNU_JAR.exists(),
        "the Nu HTML checker (tools/browser/node_modules/vnu-jar)",
        "make browser-deps",
    )
    base_url, _database = county
    pages = {
        "form.html": served(base_url, "/apply/"),
        "form-en-preselected.html": served(base_url, "/en/apply/?organisation=ningdong"),
        "form-missing-body.html": served(base_url, "/apply/", {"name": "张三"}),
    }
    assert "请选择受理机关".encode() in pages["form-missing-body.html"]
    for name, body in pages.items():
        (tmp_path / name).write_bytes(body)
    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--exit-zero-always", "--format", "json",
         *(str(tmp_path / name) for name in pages)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )  # fmt: skip
    errors = [
        f"{message.get('url', '?').rsplit('/', 1)[-1]} line {message.get('lastLine')}: "
        f"{message['message']}"
        for message in json.loads(run.stderr)["messages"]
    ]
    assert not errors, "\n".join(errors)
