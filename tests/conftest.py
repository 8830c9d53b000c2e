"""Shared fixtures: the app on a small fixture site, and a `page` fetcher that audits every page
it returns (valid HTML, landmarks, one h1, labelled controls...), so every view test is also an
accessibility test."""

import os
import re
import shutil
from pathlib import Path

import html5lib
import pytest
from bs4 import BeautifulSoup

from portal import create_app

SITE = Path(__file__).parent / "site"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# Tests that start servers or subprocesses, or run long property searches: `make test-fast`
# leaves them out (`-m "not browser and not slow"`); `make test` runs everything.
SLOW_FILES = {
    "test_load.py",
    "test_index_faults.py",
    "test_export.py",
    "test_application_service.py",
    "test_server.py",
    "test_multinode.py",
}
SLOW_TESTS = {
    "test_the_digest_follows_what_is_published_not_how_it_is_written",
    "test_with_gunicorn_a_withdrawn_document_leaves_search_in_every_worker",
    "test_a_pathological_content_file_costs_little_and_other_pages_keep_serving",
}


# Tests of what the SQL database holds (besides everything under tests/admin): `make test` runs
# them a second time on a throwaway PostgreSQL (`pytest -m sql --postgresql`).
SQL_FILES = {
    "test_application_import.py",
    "test_application_organisations.py",
    "test_applications.py",
    "test_draft_report.py",
}


def pytest_addoption(parser):
    parser.addoption(
        "--postgresql",
        action="store_true",
        help="run the SQL tests on a throwaway PostgreSQL started for the session",
    )


def pytest_configure(config):
    """With --postgresql, start PostgreSQL once and point every SQL test at it."""
    if not config.getoption("--postgresql"):
        return
    from services import postgres_server

    server = postgres_server()
    os.environ["PORTAL_TEST_DATABASE_URL"] = server.__enter__()
    config.add_cleanup(lambda: server.__exit__(None, None, None))


def pytest_collection_modifyitems(items):
    """Mark the real-browser tests `browser`, the slow ones `slow` and the SQL ones `sql`, by
    where they live."""
    for item in items:
        path = Path(item.fspath)
        if "browser" in path.parts:
            item.add_marker(pytest.mark.browser)
        elif "admin" in path.parts or path.name in SQL_FILES:
            item.add_marker(pytest.mark.sql)
        if path.name in SLOW_FILES or item.originalname in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def site(tmp_path) -> Path:
    """A private copy of the fixture site's content, which a test may change."""
    target = tmp_path / "content"
    shutil.copytree(SITE / "content", target)
    return target


@pytest.fixture
def app(site, tmp_path):
    """The app serving the fixture site."""
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(site),
            "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "BASE_URL": "https://portal.example.gov.cn",
            # The back office's database: never the project's data/ (tests/admin upgrades it);
            # PORTAL_TEST_DATABASE_URL runs tests/admin on another, such as a throwaway
            # PostgreSQL, emptied before each test.
            "DATABASE_URL": os.environ.get("PORTAL_TEST_DATABASE_URL")
            or f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        }
    )
    yield app
    searcher = app.extensions.get("portal.searcher")
    if searcher is not None:
        searcher.close()


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


class PageAuditError(AssertionError):
    """A page broke one of the rules every page must keep."""


def chinese_outside_chinese(english: BeautifulSoup) -> list[str]:
    """The Chinese characters an English page shows outside content marked as Chinese."""
    for element in english.select('[lang="zh-Hans"]'):
        element.decompose()
    for element in english.select("footer a[hreflang]"):
        element.decompose()  # the link to the Chinese page is named in Chinese on purpose
    return CJK.findall(english.body.get_text(" "))


def audit_page(html: str, locale: str = "zh-Hans") -> BeautifulSoup:
    """Parse a page, fail on any rule of the page contract, and return the parsed tree."""
    problems = []
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        parser.parse(html)
    except html5lib.html5parser.ParseError as error:
        problems.append(f"invalid HTML: {error}")
    soup = BeautifulSoup(html, "html5lib")
    if not html.lstrip().lower().startswith("<!doctype html>"):
        problems.append("no <!DOCTYPE html>")
    if soup.html.get("lang") != locale:
        problems.append(f"<html lang> is {soup.html.get('lang')!r}, expected {locale!r}")

    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        problems.append(f"{len(h1s)} h1 elements; a page needs exactly one")
    title = soup.title.get_text(strip=True) if soup.title else ""
    if h1s and not title.startswith(h1s[0].get_text(strip=True)):
        problems.append(f"<title> {title!r} does not start with the h1")

    skip = soup.find("a", href=True)
    if skip is None or skip["href"] != "#main" or soup.find(id="main") is None:
        problems.append("the first link is not a skip link to an existing #main")
    if soup.find("main", id="main") is None:
        problems.append("no <main id=main>")
    for landmark in ("header", "footer"):
        if soup.find(landmark) is None:
            problems.append(f"no <{landmark}> landmark")
    for nav in soup.find_all("nav"):
        if not (nav.get("aria-label") or nav.get("aria-labelledby")):
            problems.append(f"unlabelled nav: {str(nav)[:80]}")

    ids = [tag["id"] for tag in soup.find_all(id=True)]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        problems.append(f"duplicate ids: {sorted(duplicates)}")
    for attribute in ("aria-labelledby", "aria-describedby", "aria-controls"):
        for tag in soup.find_all(attrs={attribute: True}):
            for ref in tag[attribute].split():
                if ref not in ids:
                    problems.append(f"{attribute}={ref!r} names no element")

    for form in soup.find_all("form"):
        if not form.get("action"):
            problems.append(f"form without action: {str(form)[:80]}")
    for control in soup.find_all(["input", "select", "textarea"]):
        if control.get("type") in ("hidden", "submit", "button", "reset"):
            continue
        labelled = (
            control.get("aria-label")
            or control.get("aria-labelledby")
            or (control.get("id") and soup.find("label", attrs={"for": control["id"]}))
            or control.find_parent("label")
        )
        if not labelled:
            problems.append(f"control without a label: {control}")
    for button in soup.find_all("button"):
        if not (button.get_text(strip=True) or button.get("aria-label")):
            problems.append(f"button without a name: {button}")
    for image in soup.find_all("img"):
        if image.get("alt") is None:
            problems.append(f"img without alt: {image}")
    for table in soup.find_all("table"):
        if table.find("caption") is None:
            problems.append(f"table without caption: {str(table)[:80]}")
        for th in table.find_all("th"):
            if not (th.get("scope") or th.get("id")):
                problems.append(f"th without scope: {th}")

    for tag, attribute in (
        ("link", "href"),
        ("script", "src"),
        ("img", "src"),
        ("iframe", "src"),
        ("source", "src"),
        ("form", "action"),
    ):
        for element in soup.find_all(tag, attrs={attribute: True}):
            if tag == "link" and set(element.get("rel", [])) <= {"canonical", "alternate"}:
                continue  # names an address; the browser does not fetch it
            if re.match(r"^(https?:)?//", element[attribute]):
                problems.append(
                    f"request to another host: <{tag} {attribute}={element[attribute]!r}>"
                )
    if soup.find(attrs={"style": True}) or soup.find("style") or soup.find("script", src=False):
        problems.append("inline style or script (the Content-Security-Policy forbids them)")
    if problems:
        raise PageAuditError("\n".join(problems))
    return soup


@pytest.fixture
def page(client):
    """Fetch a page, check its status and audit it; returns the parsed page.

    page("/catalogue/") expects 200; page("/nope", status=404) expects a 404 page.
    """

    def fetch(url: str, status: int = 200, locale: str | None = None, **kwargs):
        response = client.get(url, **kwargs)
        assert response.status_code == status, (
            f"{url} answered {response.status_code}, expected {status}"
        )
        assert response.mimetype == "text/html"
        expected = locale or ("en" if url.startswith("/en/") else "zh-Hans")
        soup = audit_page(response.get_data(as_text=True), expected)
        soup.response = response
        return soup

    return fetch
