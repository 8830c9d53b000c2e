"""The text version of an attachment (a PDF report with merged table cells, read by the
indexer): axe in every colour scheme at 100% and 200% text in both languages, and its tables
reached and scrolled with the keyboard alone."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .checks import axe_violations, describe_violations, tab_to
from .conftest import SITE_CONTENT, PagePool, check_text_size, serve_content, visit
from .pages import SCHEMES, TEXT_SIZES, PageType, cases
from .test_keyboard import press_and_wait, start

FIXTURES = Path(__file__).parent.parent / "report_fixtures"
DOCUMENT = "policy/2024-tech-commissioner-measures.md"
TEXT = PageType(
    "attachment-text",
    "/documents/2024-tech-commissioner-measures/text/annual-report.pdf/",
)


@pytest.fixture(scope="module")
def attachment_server(tmp_path_factory) -> Iterator[str]:
    """The fixture site with a PDF report attached to a document, indexed (so read)."""
    content = tmp_path_factory.mktemp("browser-attachment") / "content"
    shutil.copytree(SITE_CONTENT, content)
    shutil.copy(FIXTURES / "sample-2023.pdf", content / "policy" / "annual-report.pdf")
    document = content / DOCUMENT
    document.write_text(
        document.read_text("utf-8").replace(
            "    title: 附件1：科技特派员申报表\n",
            "    title: 附件1：科技特派员申报表\n"
            "  - file: annual-report.pdf\n    title: 附件2：年度报告\n",
        ),
        "utf-8",
    )
    with serve_content(content) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def attachment_pool(browser, attachment_server) -> Iterator[PagePool]:
    pool = PagePool(browser, attachment_server)
    yield pool
    pool.close()


@pytest.mark.parametrize(
    ("page_type", "locale", "scheme", "text_size"),
    cases("axe", pages=(TEXT,), scheme=SCHEMES, text_size=TEXT_SIZES),
)
def test_the_text_version_of_an_attachment_has_no_axe_violations(
    attachment_pool, attachment_server, axe_script, page_type, locale, scheme, text_size
):
    """No axe-core violation on the text version, in any language, size or scheme."""
    page = attachment_pool.page(
        scheme, text_size, {"width": 1280, "height": 900}, {}, (axe_script,)
    )
    visit(page, attachment_server, page_type, locale)
    if text_size != 100:
        check_text_size(page, text_size)
    violations = axe_violations(page)
    assert not violations, describe_violations(
        violations, page.url, f"{locale}, {text_size}% text, scheme {scheme}"
    )


def test_the_text_version_is_reached_from_the_document_and_read_by_keyboard(
    fresh_context, attachment_server
):
    """Tab only: the document's text-version link, then the download of the original, then
    each table's scrolling region."""
    page = start(fresh_context, attachment_server, "/documents/2024-tech-commissioner-measures/")
    tab_to(page, f"a.text-version[href='{TEXT.path}']", limit=120)
    press_and_wait(page, "Enter")
    assert page.url.endswith(TEXT.path)
    assert page.locator("h1").inner_text() == "附件2：年度报告"
    tab_to(page, ".attachment-about a[download]", limit=80)
    state = tab_to(page, ".table-scroll[aria-labelledby='attachment-table-2']", limit=40)
    assert "tabindex" in state["description"]
    assert page.locator("#attachment-table-2").inner_text().startswith("表格 2")
