"""The loop every back-office page's axe test runs: one signed-in browser context at a text
size, every colour scheme in both languages, each page's axe findings gathered and reported
together."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, Page

from .checks import axe_violations, describe_violations
from .conftest import absolute, set_text_size
from .pages import SCHEMES, apply_scheme

LANGUAGE_PREFIXES = ("", "/en")


@dataclass
class AxeSession:
    """A signed-in page with axe loaded, and the findings so far."""

    context: BrowserContext
    page: Page
    base_url: str
    text_size: int
    failures: list[str] = field(default_factory=list)

    def every_scheme_and_language(self) -> Iterator[tuple[str, str]]:
        """Yield (scheme, language prefix) with that scheme's cookie set, for every pair."""
        for scheme in SCHEMES:
            self.context.clear_cookies(name="prefs")
            apply_scheme(self.context, scheme, self.base_url)
            for prefix in LANGUAGE_PREFIXES:
                yield scheme, prefix

    def visit(self, path: str) -> None:
        """Open a path of the site and require a 200."""
        response = self.page.goto(absolute(self.base_url, path), wait_until="load")
        assert response.status == 200, f"{path} answered {response.status}"

    def check(self, scheme: str, state: str = "") -> None:
        """Run axe on the page as it is now and keep what it finds."""
        violations = axe_violations(self.page)
        if violations:
            settings = ", ".join(filter(None, (scheme, f"{self.text_size}% text", state)))
            self.failures.append(describe_violations(violations, self.page.url, settings))

    def assert_clean(self) -> None:
        """Fail with every finding gathered, if there is any."""
        assert not self.failures, "\n".join(self.failures)


@contextmanager
def axe_session(
    browser, axe_script: str, base_url: str, text_size: int, sign_in: Callable[[Page], None]
) -> Iterator[AxeSession]:
    """A fresh Chinese-locale context with axe, at `text_size`, signed in by `sign_in(page)`."""
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(path=axe_script)
    try:
        page = context.new_page()
        if text_size != 100:
            set_text_size(page, text_size)
        sign_in(page)
        yield AxeSession(context, page, base_url, text_size)
    finally:
        context.close()
