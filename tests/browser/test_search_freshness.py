"""A browser that searched a moment ago and searches again is shown what the site holds now: a
document withdrawn in between is not listed from the browser's cache (search answers are
`no-cache`; tests/test_search_caching.py checks the headers and the 304s)."""

from __future__ import annotations

import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from .conftest import SITE_CONTENT, absolute, new_context, serve_content

SLUG = "2024-tech-commissioner-measures"
SEARCH = "/search?q=科技特派员"


@pytest.fixture
def site(tmp_path) -> Iterator[tuple[str, object]]:
    """A server of its own on a copy of the fixture site (a document is withdrawn from it)."""
    content = tmp_path / "content"
    shutil.copytree(SITE_CONTENT, content)
    with serve_content(content) as base_url:
        yield base_url, content


def gone(url: str) -> bool:
    """Whether the site answers 404 for url, asked outside the browser."""
    try:
        with urllib.request.urlopen(url, timeout=10):
            return False
    except urllib.error.HTTPError as error:
        error.close()
        return error.code == 404


def test_searching_again_after_a_withdrawal_no_longer_lists_the_document(browser, site):
    base_url, content = site
    context = new_context(browser, base_url)
    try:
        page = context.new_page()
        page.goto(absolute(base_url, SEARCH), wait_until="load")
        assert page.locator(f'.search-results a[href$="/documents/{SLUG}/"]').count() == 1
        page.goto(absolute(base_url, "/"), wait_until="load")
        (content / "policy" / f"{SLUG}.md").unlink()
        deadline = time.monotonic() + 30
        while not gone(absolute(base_url, f"/documents/{SLUG}/")):
            assert time.monotonic() < deadline, "the site did not see the withdrawal"
            time.sleep(0.2)
        page.goto(absolute(base_url, SEARCH), wait_until="load")  # well within PAGE_MAX_AGE
        assert page.locator(f'.search-results a[href$="/documents/{SLUG}/"]').count() == 0
    finally:
        context.close()
