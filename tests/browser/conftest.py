"""Fixtures of the browser tests: the app served live on a copy of the fixture site, Debian's
Chromium driven by Playwright, and `open_page`, which opens a page in given settings.

Nothing here downloads a browser: Chromium comes from Debian (`make browser-deps`), axe-core
and the Nu HTML checker from npm (tools/browser). When one of them is missing the tests that
need it are skipped with the reason, except under CI (CI=true), where a missing tool is an
install step that went wrong and fails the run instead of hiding behind a skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import create_app
from portal.search import index_content

from .pages import PageType, apply_scheme

ROOT = Path(__file__).resolve().parents[2]
SITE_CONTENT = ROOT / "tests" / "site" / "content"
BROWSER_TOOLS = ROOT / "tools" / "browser"
NODE_MODULES = BROWSER_TOOLS / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = ROOT / "screenshots"
BASE_URL = "https://portal.example.gov.cn"

CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# Root needs --no-sandbox; the rest stop Chromium from calling Google's services, which this
# closed network refuses (slowly, and with noise on stderr).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}
DEFAULT_FONT_SIZE = 16  # Chromium's default "standard" font size in CSS px
DEFAULT_FIXED_FONT_SIZE = 13


def require(available: bool, what: str, install: str) -> None:
    """Skip the test when a tool is missing, but fail under CI, where it must be installed."""
    if available:
        return
    message = f"{what} is missing; install it with `{install}`"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must have every browser tool)", pytrace=False)
    pytest.skip(message)


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's request handler without a log line per request (hundreds per run)."""

    def log_request(self, code="-", size="-") -> None:
        """Log nothing; errors are still logged by log_error."""


@pytest.fixture(scope="session")
def back_office_database(tmp_path_factory) -> str:
    """The live server's back-office database, upgraded: its DATABASE_URL (tests add accounts)."""
    from portal import db

    url = f"sqlite:///{tmp_path_factory.mktemp('back-office') / 'portal.sqlite3'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    return url


@contextlib.contextmanager
def serve_content(content: Path, database_url: str = "", **settings) -> Iterator[str]:
    """The app on a content folder (beside which its search index is built) and, when given,
    the back office's database at database_url and other settings, served live; yields its
    base URL and stops the server when done."""
    index_content(content, content.parent / "search_index")
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(content),
            "SEARCH_INDEX_DIR": str(content.parent / "search_index"),
            "BASE_URL": BASE_URL,
            **({"DATABASE_URL": database_url} if database_url else {}),
            **settings,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        # The search index's files stay open in the app's searcher; left to the garbage
        # collector they raise ResourceWarning, an error under filterwarnings=error.
        searcher = app.extensions.get("portal.searcher")
        if searcher is not None:
            searcher.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, back_office_database) -> Iterator[str]:
    """The app on a copy of the fixture site with a built search index; yields its base URL."""
    content = tmp_path_factory.mktemp("browser-site") / "content"
    shutil.copytree(SITE_CONTENT, content)
    with serve_content(content, back_office_database) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright's driver process, for the whole session."""
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver) -> Iterator[Browser]:
    """Debian's Chromium, headless; one process for the whole session."""
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})", "make browser-deps")
    chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def axe_script() -> Path:
    """axe-core's browser bundle from tools/browser."""
    require(AXE_SCRIPT.exists(), "axe-core (tools/browser/node_modules)", "make browser-deps")
    return AXE_SCRIPT


def absolute(base_url: str, path: str) -> str:
    """An absolute URL of a path of the live server, its non-ASCII characters percent-encoded."""
    parts = urlsplit(base_url + path)
    return urlunsplit(
        parts._replace(
            path=quote(parts.path), query=quote(parts.query, "=&"), fragment=quote(parts.fragment)
        )
    )


class PagePool:
    """Browser pages kept open for the whole session, one per combination of settings.

    A fresh context per test costs about a second of Chromium's time on this machine kind; a
    page that keeps its settings and only navigates costs a fraction of that. The checks that
    use the pool only read pages, so sharing is safe; tests that type, click or change
    preferences take a fresh context (fresh_context) instead.
    """

    def __init__(self, browser: Browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.pages: dict[tuple, Page] = {}

    def page(
        self,
        scheme: str,
        text_size: int,
        viewport: dict,
        media: dict,
        init_scripts: tuple[Path, ...],
    ) -> Page:
        """The pool's page for these settings, made on first use."""
        key = (
            scheme,
            text_size,
            tuple(sorted(viewport.items())),
            tuple(sorted(media.items())),
            init_scripts,
        )
        if key not in self.pages:
            context = new_context(self.browser, self.base_url, scheme, viewport)
            # Scripts such as axe-core go in through CDP before the page's own, which the
            # Content-Security-Policy does not govern: the page is tested with its real CSP.
            for script in init_scripts:
                context.add_init_script(path=script)
            page = context.new_page()
            watch_console(page)
            if media:
                page.emulate_media(**media)
            if text_size != 100:
                set_text_size(page, text_size)
            self.pages[key] = page
        return self.pages[key]

    def close(self) -> None:
        """Close every context of the pool."""
        for page in self.pages.values():
            page.context.close()


def new_context(
    browser: Browser, base_url: str, scheme: str = "default", viewport: dict | None = None
) -> BrowserContext:
    """A fresh browser context (its own cookies and storage) showing a colour scheme."""
    context = browser.new_context(viewport=viewport or DESKTOP, locale="zh-CN")
    apply_scheme(context, scheme, base_url)
    return context


def watch_console(page: Page) -> None:
    """Record, for the page now shown, console errors and warnings and uncaught script errors
    in page.console_messages, and subresources answering 400 or more in page.failed_responses.
    """
    page.console_messages = []
    page.failed_responses = []

    def on_console(message) -> None:
        if message.type in ("error", "warning"):
            page.console_messages.append(f"console {message.type}: {message.text}")

    def on_response(response) -> None:
        # The document's own status is checked by visit(); the 404 page is meant to be a 404.
        if response.status >= 400 and response.request.resource_type != "document":
            page.failed_responses.append(response)

    def on_request_failed(request) -> None:
        # ERR_ABORTED is the browser dropping a late request (the favicon, typically) because
        # the test moved on to the next page; it is not the site's fault.
        if request.failure != "net::ERR_ABORTED":
            page.console_messages.append(f"request failed: {request.url} ({request.failure})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.console_messages.append(f"script error: {error}"))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)


def visit(page: Page, base_url: str, page_type: PageType, locale: str) -> Page:
    """Load a page type in a locale, check the response status and wait for the load event."""
    url = absolute(base_url, page_type.url(locale))
    if page.url.split("#")[0] == url.split("#")[0]:
        # Same document, another #fragment: goto would only scroll, not reload and rerun the
        # page's scripts, so leave the page first.
        page.goto("about:blank")
    page.console_messages.clear()
    page.failed_responses.clear()
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == page_type.status, (
        f"{url} answered {response and response.status}, expected {page_type.status}"
    )
    return page


@pytest.fixture(scope="session")
def page_pool(browser, live_server) -> Iterator[PagePool]:
    """The session's pool of read-only pages."""
    pool = PagePool(browser, live_server)
    yield pool
    pool.close()


def open_in(
    pool: PagePool,
    base_url: str,
    page_type: PageType,
    locale: str = "zh-Hans",
    *,
    scheme: str = "default",
    text_size: int = 100,
    viewport: dict | None = None,
    media: dict | None = None,
    init_scripts: tuple[Path, ...] = (),
) -> Page:
    """Open a page type of the site at base_url in the pool's page for these settings."""
    page = pool.page(scheme, text_size, viewport or DESKTOP, media or {}, tuple(init_scripts))
    visit(page, base_url, page_type, locale)
    if text_size != 100:
        check_text_size(page, text_size)
    return page


@pytest.fixture
def open_page(page_pool, live_server) -> Callable[..., Page]:
    """Open a page type in given settings, for reading; returns the Playwright Page.

    open_page(page_type, locale, scheme="default", text_size=100, viewport=DESKTOP,
    media={...emulate_media arguments}, init_scripts=(paths,)) checks the response status
    and waits for the load event. The page is shared with other tests: read it or move focus,
    nothing more.
    """

    def open_(page_type: PageType, locale: str = "zh-Hans", **settings) -> Page:
        return open_in(page_pool, live_server, page_type, locale, **settings)

    return open_


@pytest.fixture
def fresh_context(browser, live_server) -> Iterator[BrowserContext]:
    """A browser context of its own, for a test that types, clicks or changes preferences."""
    context = new_context(browser, live_server)
    yield context
    context.close()


def set_text_size(page: Page, percent: int) -> None:
    """Set the browser's default font size, as a visitor does in Chromium's settings.

    Chosen over injecting CSS (which the site's Content-Security-Policy blocks, and which would
    test our injection rather than the site) and over page zoom (which also scales px lengths and
    the layout viewport, so it is the 320 px reflow case, not a text-size case). The CDP call is
    per page and survives navigation.
    """
    session = page.context.new_cdp_session(page)
    session.send(
        "Page.setFontSizes",
        {
            "fontSizes": {
                "standard": DEFAULT_FONT_SIZE * percent // 100,
                "fixed": DEFAULT_FIXED_FONT_SIZE * percent // 100,
            }
        },
    )


def check_text_size(page: Page, percent: int) -> None:
    """Fail unless the page's root font size really follows the browser's default size."""
    root = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    plain = page.evaluate(
        "(() => { const probe = document.createElement('div');"
        " probe.style.fontSize = 'medium'; document.body.append(probe);"
        " const size = parseFloat(getComputedStyle(probe).fontSize); probe.remove();"
        " return size; })()"
    )
    assert plain == DEFAULT_FONT_SIZE * percent / 100, (
        f"the browser's default font size is {plain}px, expected {percent}%"
    )
    assert root >= plain, f"the page's root font size {root}px ignores the browser's {plain}px"
