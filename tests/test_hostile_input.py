"""Property-based tests: whatever a visitor or a robot sends, the site answers with a clear
status, never a 500, never echoes input unescaped, and answers quickly."""

import time
import unicodedata
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import fresh_database
from test_applications import BODIES, SAME_SITE, person_form

from portal import applications, wiring
from portal.applications import ApplicationStore
from portal.db import make_engine
from portal.search import index_content

NAUGHTY = st.sampled_from(
    [
        "\x00",
        "\ud800",
        "\u202e",
        "\u200f",
        "<script>alert(1)</script>",
        "\"'><img src=x>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "%2e%2e%2f",
        "*",
        "?",
        "~",
        "title:x",
        "a\r\nb",
        "科" * 300,
        "x" * 100_000,
        "😀",
        "　",
        "\\",
        "{{7*7}}",
        "%00",
        "-1",
        "0",
        "99999999999999",
    ]
)
TEXT = st.one_of(NAUGHTY, st.text(max_size=300))
# What str.isdigit() passes and int() may refuse: superscripts, circled numbers, full-width,
# Arabic-Indic and Devanagari digits, mixed with ASCII ones and spaces.
DIGITS = st.one_of(
    st.sampled_from(
        [
            "²",
            "①",
            "２",
            "２０２４",
            "٢٠٢٤",
            "२०२४",
            "²⁰²⁴",
            "１２３４",
            "𝟐",
            "Ⅻ",
            "1²",
            "‎2024",
            "2024‮",
            "0",
            "0000",
            "１" * 40,
        ]
    ),
    st.text(
        st.one_of(st.characters(categories=["Nd", "No", "Nl"]), st.sampled_from("0123456789 　")),
        max_size=12,
    ),
)
# Invisible characters that reorder or join text: bidi controls, zero-width characters, the
# soft hyphen, tags; with Chinese, English and an emoji joined by ZWJ around them.
FORMAT = st.lists(
    st.one_of(
        st.characters(categories=["Cf", "Cc"]),
        st.sampled_from(["‮", "⁦", "​", "‍", "­", "﻿", "󠁁"]),
        st.sampled_from(["科技", "信息公开", "report", "👨‍👩‍👧", " "]),
    ),
    min_size=1,
    max_size=12,
).map("".join)
# 308: werkzeug merges repeated slashes (an encoded "/" in a slug) by redirecting on this site.
ALLOWED = {200, 301, 303, 304, 308, 400, 404, 413}
HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def indexed_client(app, site, client):
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    return client


def encode(query: dict) -> str:
    """The query as a browser would send it: UTF-8 bytes, percent-encoded, lone surrogates
    included as the invalid bytes they would be on the wire."""
    pairs = [
        (key, text.encode("utf-8", "surrogatepass"))
        for key, value in query.items()
        for text in (value if isinstance(value, list) else [value])
    ]
    return urlencode(pairs)


def check(client, url, **query):
    """Ask, and hold the answer to the rules every answer keeps."""
    # CPU time, not wall time: the bound is on the work a request costs, which a busy machine
    # running other tests does not change.
    started = time.process_time()
    response = client.get(f"{url}?{encode(query)}")
    elapsed = time.process_time() - started
    assert response.status_code in ALLOWED, (url, query, response.status_code)
    assert elapsed < 1.0, (url, query, elapsed)
    body = response.get_data(as_text=True)
    for value in query.values():
        values = value if isinstance(value, list) else [value]
        for text in values:
            if "<" in text and len(text) > 3:
                assert text not in body, (url, query)
    return response


@HYPOTHESIS
@given(q=TEXT, sort=TEXT, page=TEXT)
def test_search_never_fails_on_any_query(indexed_client, q, sort, page):
    check(indexed_client, "/search", q=q, sort=sort, page=page)
    check(indexed_client, "/api/search", q=q)


@HYPOTHESIS
@given(
    values=st.lists(TEXT, max_size=25),
    key=st.sampled_from(["category", "department", "year", "five_openness"]),
)
def test_search_filters_never_fail(indexed_client, values, key):
    check(indexed_client, "/search", q="科技", **{key: values})


@HYPOTHESIS
@given(department=TEXT, year=TEXT, five=TEXT, page=TEXT, organisation=TEXT)
def test_browse_filters_and_pages_never_fail(client, department, year, five, page, organisation):
    check(
        client,
        "/catalogue/",
        department=department,
        year=year,
        five=five,
        page=page,
        organisation=organisation,
    )


@HYPOTHESIS
@given(organisation_id=TEXT, page=TEXT)
def test_any_organisation_address_is_a_page_or_a_404(client, organisation_id, page):
    quoted = quote(organisation_id.encode("utf-8", "surrogatepass"), safe="")
    check(client, f"/organisations/{quoted}/", page=page)
    response = client.get(f"/feeds/organisation/{quoted}.atom")
    assert response.status_code in ALLOWED


@HYPOTHESIS
@given(slug=TEXT)
def test_any_document_address_is_a_page_or_a_404(client, slug):
    quoted = quote(slug.encode("utf-8", "surrogatepass"), safe="")
    response = client.get(f"/documents/{quoted}/")
    assert response.status_code in ALLOWED


@HYPOTHESIS
@given(path=TEXT)
def test_qr_codes_accept_only_paths_of_this_site(client, path):
    response = check(client, "/qr.svg", path=path)
    if response.status_code == 200:
        assert path == "" or (path.startswith("/") and not path.startswith("//"))


@HYPOTHESIS
@given(cookie=TEXT, language=TEXT)
def test_cookies_and_language_headers_never_break_a_page(client, cookie, language):
    # Browsers send at most about 4 KB per cookie; the test client refuses larger ones.
    safe_cookie = cookie.encode("latin-1", "replace").decode("latin-1").replace(";", "")[:4000]
    client.set_cookie("prefs", safe_cookie)
    response = client.get(
        "/",
        headers={
            "Accept-Language": language.encode("latin-1", "replace")
            .decode("latin-1")
            .replace("\r", "")
            .replace("\n", "")
        },
    )
    assert response.status_code == 200
    client.delete_cookie("prefs")


@HYPOTHESIS
@given(page=DIGITS, year=DIGITS)
def test_unicode_digits_in_pages_and_years_never_fail(indexed_client, page, year):
    check(indexed_client, "/catalogue/", page=page)
    check(indexed_client, "/catalogue/", year=year)
    check(indexed_client, "/search", q="科技", page=page)
    check(indexed_client, "/search", q="科技", year=year)
    check(indexed_client, "/api/search", q="科技", page=page, year=year)


@pytest.fixture
def tracking(app):
    """A fresh applications database with one application (phone ending 1234), and no limit
    on wrong guesses so that every example is answered."""
    app.config["TRACKING_FAILURES_PER_HOUR"] = 1_000_000
    fresh_database(app.config["DATABASE_URL"])
    engine = make_engine(app.config["DATABASE_URL"])
    store = ApplicationStore(engine)
    yield store.submit(applications.validate(person_form(), BODIES)[0], applications.today()).code
    engine.dispose()
    wiring.db.engine(app).dispose()


@HYPOTHESIS
@given(last4=st.one_of(DIGITS, TEXT), code=st.one_of(FORMAT, TEXT))
def test_any_tracking_input_is_answered_without_echoing_invisible_characters(
    client, tracking, last4, code
):
    for typed_code in (code, tracking + code):
        response = client.post(
            "/apply/track",
            headers=SAME_SITE,
            data=encode({"code": typed_code, "phone_last4": last4}),
            content_type="application/x-www-form-urlencoded",
        )
        asked = (typed_code[:100], last4[:100])
        assert response.status_code in (200, 400, 413), (*asked, response.status_code)
        body = response.get_data(as_text=True)
        assert not set(_invisible(typed_code)) & set(body), asked


@pytest.mark.parametrize(
    "last4,status",
    [
        ("1234", 200),
        ("１２３４", 200),
        (" 1234　", 200),
        ("²³⁴⁵", 400),
        ("١٢٣٤", 400),
        ("①②③④", 400),
    ],
)
def test_last_four_digits_typed_full_width_find_the_application(client, tracking, last4, status):
    response = client.post(
        "/apply/track", data={"code": tracking, "phone_last4": last4}, headers=SAME_SITE
    )
    assert response.status_code == status
    if status == 400:
        assert "请填写联系电话的最后4位数字。" in response.get_data(as_text=True)


PAGE_MESSAGE, YEAR_MESSAGE = "页码应为正整数。", "年份应为四位数字，例如 2024。"


@pytest.mark.parametrize(
    "url,status,message",
    [
        ("/catalogue/?page=１", 200, ""),
        ("/catalogue/?year=２０２４", 200, ""),
        ("/catalogue/?page=²", 400, PAGE_MESSAGE),
        ("/catalogue/?page=①", 400, PAGE_MESSAGE),
        ("/catalogue/?year=²⁰²⁴", 400, YEAR_MESSAGE),
        ("/catalogue/?year=٢٠٢٤", 400, YEAR_MESSAGE),
        ("/search?q=科技&page=²", 400, PAGE_MESSAGE),
        ("/search?q=科技&year=²⁰²⁴", 400, YEAR_MESSAGE),
        ("/search?q=科技&year=२०२४", 400, YEAR_MESSAGE),
        ("/api/search?q=科技&page=٣", 400, PAGE_MESSAGE),
    ],
)
def test_unicode_digits_are_read_as_typed_or_refused_clearly(indexed_client, url, status, message):
    response = indexed_client.get(url)
    assert response.status_code == status
    said = (
        response.get_json()["error"] if url.startswith("/api/") else response.get_data(as_text=True)
    )
    assert message in said


def test_a_full_width_year_filters_like_an_ascii_one(indexed_client):
    def listing(url: str) -> str:
        soup = BeautifulSoup(indexed_client.get(url).get_data(as_text=True), "html.parser")
        return soup.find(class_="browse-results").get_text(" ", strip=True)

    assert "共 " in listing("/catalogue/?year=2024")
    assert listing("/catalogue/?year=２０２４") == listing("/catalogue/?year=2024")
    assert listing("/catalogue/?year=２０２４") != listing("/catalogue/?year=2022")
    found = indexed_client.get("/api/search?q=科技&year=２０２４").get_json()
    assert found["total"] == indexed_client.get("/api/search?q=科技&year=2024").get_json()["total"]
    assert found["total"] > 0


def _invisible(text: str) -> str:
    """The format and control characters of text, except the newline templates use."""
    return "".join(c for c in text if unicodedata.category(c) in ("Cf", "Cc") and c != "\n")


def _title_and_h1(body: str) -> str:
    soup = BeautifulSoup(body, "html.parser")
    return "".join(element.get_text() for element in (soup.title, soup.h1) if element)


@HYPOTHESIS
@given(q=FORMAT, department=FORMAT)
def test_format_characters_never_reach_the_title_or_heading(indexed_client, q, department):
    for url, query in (
        ("/search", {"q": q}),
        ("/search", {"q": "科技", "department": department}),
        ("/catalogue/", {"department": department}),
    ):
        response = check(indexed_client, url, **query)
        shown = _title_and_h1(response.get_data(as_text=True))
        assert not set(_invisible("".join(query.values()))) & set(shown), (url, query, shown)


def test_a_query_keeps_its_words_and_emoji_without_the_invisible_characters(indexed_client):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    response = indexed_client.get("/search", query_string={"q": f"\u202e科技\u200b {family} news"})
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.h1.get_text() == "搜索结果：科技 \U0001f468\U0001f469\U0001f467 news"
    assert soup.find(id="search-q")["value"] == "科技 \U0001f468\U0001f469\U0001f467 news"


# --- Content files: whatever an editor's file holds, reading it costs little ------------------

VALID_HEAD = """---
title: 生成的文件
index_no: "000000000/2024-00777"
doc_no:
date: 2024-03-15
department: 办公室
time_limit: 长期公开
category: 其他文件
five_openness: 决策公开
mode: 主动公开
keywords: [生成]
attachments:
"""


def _laughs(levels: int) -> str:
    """A YAML alias bomb ("billion laughs"): each level names the one before nine times."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "\n".join([*lines, f"sample: *l{levels - 1}"]) + "\n"


PATHOLOGICAL = st.one_of(
    st.integers(0, 60_000).map(lambda n: "".join(f"k{i}: v\n" for i in range(n))),
    st.integers(1, 5_000).map(lambda n: f"videos: {'[' * n}{']' * n}\n"),
    st.integers(1, 300).map(
        lambda n: "videos:\n" + "".join("  " * depth + "- file:\n" for depth in range(1, n))
    ),
    st.integers(0, 1_900_000).map(lambda n: f"interprets: {'x' * n}\n"),
    st.integers(1, 12).map(_laughs),
    st.integers(0, 1_900_000).map(lambda n: f"# {'#' * n}\n"),
    st.text(max_size=2_000),
)
BODY = st.one_of(
    st.just("正文。\n"),
    st.integers(0, 1_500_000).map(lambda n: "x" * n + "\n"),
    st.text(max_size=2_000),
)


@HYPOTHESIS
@given(parts=st.lists(PATHOLOGICAL, min_size=1, max_size=3), body=BODY)
def test_a_pathological_content_file_costs_little_and_other_pages_keep_serving(
    app, site, client, parts, body
):
    from portal.catalogue import MAX_PROBLEMS_PER_FILE, parse_file

    path = site / "policy" / "generated.md"
    path.write_text(
        VALID_HEAD + "".join(parts) + "---\n" + body, encoding="utf-8", errors="surrogatepass"
    )
    started = time.process_time()
    _document, problems = parse_file(path, site)
    assert time.process_time() - started < 1.0
    assert len(problems) <= MAX_PROBLEMS_PER_FILE + 1
    app.extensions["portal.catalogue"].refresh()
    assert client.get("/documents/2022-procurement-notice/").status_code == 200
    assert client.get("/catalogue/").status_code == 200
    assert client.get("/documents/generated/").status_code in (200, 404)
