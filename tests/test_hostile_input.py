"""Property-based tests: whatever a visitor or a robot sends, the site answers with a clear
status, never a 500, never echoes input unescaped, and answers quickly."""

import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.indexing import index_content

NAUGHTY = st.sampled_from([
    "\x00", "\ud800", "\u202e", "\u200f", "<script>alert(1)</script>", "\"'><img src=x>",
    "' OR 1=1 --", "../../etc/passwd", "%2e%2e%2f", "*", "?", "~", "title:x", "a\r\nb",
    "科" * 300, "x" * 100_000, "😀", "　", "\\", "{{7*7}}", "%00", "-1", "0", "99999999999999",
])
TEXT = st.one_of(NAUGHTY, st.text(max_size=300))
# 308: werkzeug merges repeated slashes (an encoded "/" in a slug) by redirecting on this site.
ALLOWED = {200, 301, 303, 304, 308, 400, 404, 413}
HYPOTHESIS = settings(max_examples=60, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow])


@pytest.fixture
def indexed_client(app, site, client):
    index_content(site, Path(app.config["SEARCH_INDEX_DIR"]))
    return client


def encode(query: dict) -> str:
    """The query as a browser would send it: UTF-8 bytes, percent-encoded, lone surrogates
    included as the invalid bytes they would be on the wire."""
    pairs = [(key, text.encode("utf-8", "surrogatepass"))
             for key, value in query.items()
             for text in (value if isinstance(value, list) else [value])]
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
@given(values=st.lists(TEXT, max_size=25), key=st.sampled_from(
    ["category", "department", "year", "five_openness"]))
def test_search_filters_never_fail(indexed_client, values, key):
    check(indexed_client, "/search", q="科技", **{key: values})


@HYPOTHESIS
@given(department=TEXT, year=TEXT, five=TEXT, page=TEXT)
def test_browse_filters_and_pages_never_fail(client, department, year, five, page):
    check(client, "/catalogue/", department=department, year=year, five=five, page=page)


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
    response = client.get("/", headers={"Accept-Language": language.encode(
        "latin-1", "replace").decode("latin-1").replace("\r", "").replace("\n", "")})
    assert response.status_code == 200
    client.delete_cookie("prefs")


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
    st.integers(1, 300).map(lambda n: "videos:\n" + "".join(
        "  " * depth + "- file:\n" for depth in range(1, n))),
    st.integers(0, 1_900_000).map(lambda n: f"interprets: {'x' * n}\n"),
    st.integers(1, 12).map(_laughs),
    st.integers(0, 1_900_000).map(lambda n: f"# {'#' * n}\n"),
    st.text(max_size=2_000),
)
BODY = st.one_of(st.just("正文。\n"), st.integers(0, 1_500_000).map(lambda n: "x" * n + "\n"),
                 st.text(max_size=2_000))


@HYPOTHESIS
@given(parts=st.lists(PATHOLOGICAL, min_size=1, max_size=3), body=BODY)
def test_a_pathological_content_file_costs_little_and_other_pages_keep_serving(
        app, site, client, parts, body):
    from portal.content import MAX_PROBLEMS_PER_FILE, parse_file

    path = site / "policy" / "generated.md"
    path.write_text(VALID_HEAD + "".join(parts) + "---\n" + body, encoding="utf-8",
                    errors="surrogatepass")
    started = time.process_time()
    _document, problems = parse_file(path, site)
    assert time.process_time() - started < 1.0
    assert len(problems) <= MAX_PROBLEMS_PER_FILE + 1
    app.extensions["portal.catalogue"].refresh()
    assert client.get("/documents/2022-procurement-notice/").status_code == 200
    assert client.get("/catalogue/").status_code == 200
    assert client.get("/documents/generated/").status_code in (200, 404)
