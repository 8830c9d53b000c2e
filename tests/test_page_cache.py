"""The page cache: repeat views and conditional requests cost no rendering, and no visitor is
ever served a stale or someone else's page."""

import contextlib
import re

import pytest
from county import add_organisations
from flask import template_rendered
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import create_app
from portal.catalogue import categories


@contextlib.contextmanager
def renders(app):
    """Count the templates the app renders inside the block."""
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield rendered
    finally:
        template_rendered.disconnect(record, app)


@pytest.fixture
def worker(site, tmp_path):
    """Another app process serving the same content, as a second gunicorn worker would."""
    return create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(site),
            "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "BASE_URL": "https://portal.example.gov.cn",
        }
    )


def test_a_repeat_view_is_served_without_rendering(app, client):
    first = client.get("/catalogue/")
    with renders(app) as rendered:
        again = client.get("/catalogue/")
    assert rendered == []
    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Security-Policy"]


def test_a_conditional_request_is_answered_304_before_any_rendering_even_by_a_cold_worker(
    client, worker
):
    etag = client.get("/documents/2022-procurement-notice/").headers["ETag"]
    with renders(worker) as rendered:
        response = worker.test_client().get(
            "/documents/2022-procurement-notice/", headers={"If-None-Match": etag}
        )
    assert response.status_code == 304
    assert rendered == []
    assert response.data == b""


def test_a_content_change_gives_a_new_page_and_etag(app, site, client):
    app.extensions["portal.catalogue"].interval = 0
    before = client.get("/documents/2022-procurement-notice/")
    path = site / "policy" / "2022-procurement-notice.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("示例科技有限公司", "新的成交供应商"),
        encoding="utf-8",
    )
    after = client.get(
        "/documents/2022-procurement-notice/", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200
    assert "新的成交供应商" in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_pages_vary_on_the_preferences_cookie(client):
    plain = client.get("/")
    assert "Cookie" in plain.headers["Vary"]
    client.set_cookie("prefs", "scheme=dark")
    other = client.get("/")
    assert other.headers["ETag"] != plain.headers["ETag"]


def test_head_on_a_cold_cache_does_not_poison_the_page(client):
    assert client.head("/catalogue/statutory/").data == b""
    assert b"</html>" in client.get("/catalogue/statutory/").data


def test_errors_are_not_cached(app, client):
    client.get("/documents/nope/")
    with renders(app) as rendered:
        assert client.get("/documents/nope/").status_code == 404
    assert rendered


def test_a_repeated_search_is_served_from_memory_until_the_index_changes(app, client, site):
    # Search pages were never kept before issue 23; now they are, keyed on the index's
    # generation (and the slot in which hot searches count a search once).
    from pathlib import Path

    from portal.search import index_content

    index = Path(app.config["SEARCH_INDEX_DIR"])
    index_content(site, index)
    first = client.get("/search?q=%E7%A7%91%E6%8A%80")
    with renders(app) as rendered:
        again = client.get("/search?q=%E7%A7%91%E6%8A%80")
    assert rendered == []
    assert again.data == first.data
    index_content(site, index, full=True)  # a new generation of the same documents
    with renders(app) as rendered:
        client.get("/search?q=%E7%A7%91%E6%8A%80")
    assert rendered
    for _ in range(2):  # arguments the page does not read: answered, never kept
        with renders(app) as rendered:
            client.get("/search?q=%E7%A7%91%E6%8A%80&utm_source=x")
        assert rendered


def test_a_forged_host_never_reaches_the_cache(client):
    client.get("/")
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_pages_are_sent_compressed_to_browsers_that_accept_gzip(client):
    import gzip

    plain = client.get("/catalogue/")
    packed = client.get("/catalogue/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 3
    assert "accept-encoding" in packed.vary.as_set()


def test_a_page_first_asked_for_gzipped_is_stored_plain(client):
    import gzip

    packed = client.get("/documents/2022-procurement-notice/", headers={"Accept-Encoding": "gzip"})
    plain = client.get("/documents/2022-procurement-notice/")
    assert "Content-Encoding" not in plain.headers
    assert plain.data.startswith(b"<!DOCTYPE html>")
    assert gzip.decompress(packed.data) == plain.data


@pytest.mark.parametrize(
    "url", ["/search?q=%E7%A7%91%E6%8A%80", "/documents/nope/", "/feeds/all.atom"]
)
def test_pages_the_cache_does_not_hold_are_compressed_too(client, url):
    import gzip

    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.status_code == plain.status_code
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(packed.data) == plain.data
    assert "accept-encoding" in packed.vary.as_set() and "accept-encoding" in plain.vary.as_set()
    if plain.status_code == 200 and "ETag" in plain.headers:
        # One ETag per encoding, and each is answered 304 in its own encoding.
        assert packed.headers["ETag"] != plain.headers["ETag"]
        again = client.get(
            url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
        )
        assert again.status_code == 304


# Cookies as browsers and robots send them -----------------------------------------------------


def _site_app(site, tmp_path, **overrides):
    return create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(site),
            "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "BASE_URL": "https://portal.example.gov.cn",
            **overrides,
        }
    )


@pytest.fixture
def visitor(app):
    """A client that sends whatever Cookie header it is given, byte for byte."""
    return app.test_client(use_cookies=False)


@pytest.fixture
def uncached(site, tmp_path):
    """The same site without a page cache: what every visitor must be given."""
    return _site_app(site, tmp_path, PAGE_CACHE_SIZE=0).test_client(use_cookies=False)


def html_classes(response) -> str:
    """The class attribute of a page's <html>: where the reading preferences show."""
    found = re.search(r'<html lang="[^"]+"(?: class="([^"]*)")?>', response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)[:200]
    return found.group(1) or ""


def fetch(client, url, cookie=None):
    return client.get(url, headers={"Cookie": cookie} if cookie is not None else {})


PAGES = ("/", "/en/reports/", "/catalogue/?year=2024", "/documents/2022-procurement-notice/")
HOSTILE_COOKIES = (
    # A malformed cookie before ours: http.cookies gives up on the whole header.
    "a b=1; prefs=scheme=dark&size=200&textonly=on",
    'x="; prefs=scheme=dark&size=200&textonly=on',
    # Two prefs cookies (another path, a parent domain): either way, one answer for both.
    "prefs=scheme=green; prefs=scheme=dark",
    "prefs=scheme=dark; prefs=scheme=green&size=200",
    "prefs=; prefs=scheme=dark",
    'prefs="scheme=dark&size=200"',
    "prefs=scheme%3Ddark%26size%3D200%26textonly%3Don",
    "prefs=scheme=dark&size=200&textonly=on&" + "x" * 5000,
    "prefs=" + "scheme=dark&" * 100,
    "prefs=scheme=dark&size=200&open=1",
    "prefs=textonly=on;;;prefs=scheme=green",
    "prefs=size=200,other=1",
    "$Version=1; prefs=scheme=contrast; $Path=/",
    "prefs=scheme=dark\x7f&size=200",
    "prefs=scheme=d\xe4rk&size=175",
)


@pytest.mark.parametrize("cookie", HOSTILE_COOKIES)
def test_no_cookie_changes_the_page_another_visitor_gets(visitor, uncached, cookie):
    for url in PAGES:
        hostile = fetch(visitor, url, cookie)
        assert hostile.data == fetch(uncached, url, cookie).data, (url, cookie)
        clean = fetch(visitor, url)
        assert clean.status_code == 200 and html_classes(clean) == "", (url, cookie)
        dark = fetch(visitor, url, "prefs=scheme=dark")
        assert html_classes(dark) == "scheme-dark", (url, cookie)


def test_the_issue_cookies_are_rendered_as_the_app_reads_them(visitor):
    malformed = fetch(visitor, "/en/reports/", "a b=1; prefs=scheme=dark&size=200&textonly=on")
    assert html_classes(malformed) == "scheme-dark size-200 textonly-on"
    assert html_classes(fetch(visitor, "/en/reports/")) == ""
    assert (
        html_classes(fetch(visitor, "/en/reports/", "prefs=scheme=green; prefs=scheme=dark"))
        == "scheme-green"
    )
    assert html_classes(fetch(visitor, "/en/reports/", "prefs=scheme=dark")) == "scheme-dark"


def test_cookies_that_say_the_same_share_one_page(app, visitor):
    fetch(visitor, "/catalogue/")
    green = fetch(visitor, "/catalogue/", "prefs=size=150&scheme=green")
    with renders(app) as rendered:
        for cookie in (
            "prefs=junk",
            "prefs=scheme=purple&size=999",
            "other=1",
            "prefs=",
            "prefs=" + "x" * 5000,
            "a b=1",
        ):
            assert html_classes(fetch(visitor, "/catalogue/", cookie)) == "", cookie
        same = fetch(visitor, "/catalogue/", "prefs=scheme=green&size=150&colour=red; x=1")
    assert rendered == []
    assert same.headers["ETag"] == green.headers["ETag"]


def test_equivalent_cookies_are_answered_304_from_the_key_by_a_cold_worker(visitor, worker):
    etag = fetch(visitor, "/reports/", "prefs=scheme=green").headers["ETag"]
    with renders(worker) as rendered:
        response = worker.test_client(use_cookies=False).get(
            "/reports/",
            headers={"If-None-Match": etag, "Cookie": "prefs=scheme=green&unknown=1; other=2"},
        )
    assert response.status_code == 304
    assert rendered == []


def test_the_panel_flag_is_part_of_what_a_page_is_kept_under(visitor):
    opened = fetch(visitor, "/reports/", "prefs=open=1")
    assert 'id="reading-settings" open' in opened.get_data(as_text=True)
    assert opened.headers["Cache-Control"] == "no-store"
    for _ in range(2):
        closed = fetch(visitor, "/reports/")
        assert 'id="reading-settings" open' not in closed.get_data(as_text=True)


# Any sequence of Cookie headers: hypothesis ---------------------------------------------------

CHOICES = st.sampled_from(
    [
        "scheme=dark",
        "scheme=green",
        "scheme=contrast",
        "scheme=auto",
        "size=200",
        "size=150",
        "textonly=on",
        "text=white",
        "spacing=250",
        "cursor=large",
        "open=1",
        "scheme=purple",
        "size=999",
        "junk",
        "=",
        "",
        "scheme",
        "scheme=dark=1",
        "%73cheme=dark",
        "scheme%3Ddark",
        "scheme=<b>",
    ]
)
# Latin-1 text: what a server hands an application for any bytes in a header.
LATIN1 = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40)
PREFS_VALUE = st.one_of(
    st.lists(CHOICES, max_size=6).map("&".join),
    st.lists(CHOICES, max_size=4).map(lambda parts: '"' + "&".join(parts) + '"'),
    st.lists(CHOICES, max_size=6).map(lambda parts: "&".join(parts) + "&" + "x" * 400),
    LATIN1,
)
COOKIE_PART = st.one_of(
    PREFS_VALUE.map(lambda value: f"prefs={value}"),
    st.sampled_from(
        [
            "a b=1",
            'x="',
            "$Version=1",
            "other=1",
            "=",
            "prefs",
            "Prefs=scheme=dark",
            " prefs =scheme=dark",
            "x" * 4000,
        ]
    ),
    LATIN1,
)
COOKIE_HEADER = st.tuples(
    st.lists(COOKIE_PART, min_size=1, max_size=4),
    st.sampled_from(["; ", ";", ", ", " ", ";;", "\t"]),
).map(lambda parts: parts[1].join(parts[0]))
HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HYPOTHESIS
@given(requests=st.lists(st.tuples(st.sampled_from(PAGES), COOKIE_HEADER), min_size=1, max_size=5))
def test_every_visitor_gets_the_page_of_their_own_cookie_and_a_clean_one_the_default(
    visitor, uncached, requests
):
    for url, cookie in requests:
        answer = fetch(visitor, url, cookie)
        assert answer.status_code == 200, (url, cookie)
        assert answer.data == fetch(uncached, url, cookie).data, (url, cookie)
    for url in PAGES:
        assert html_classes(fetch(visitor, url)) == "", (url, requests)


# Junk in queries -----------------------------------------------------------------------------


def test_junk_query_arguments_are_answered_but_never_kept(app, visitor):
    real = [
        "/",
        "/catalogue/",
        "/catalogue/?year=2024",
        "/catalogue/statutory/?page=1",
        "/en/reports/",
        "/documents/2022-procurement-notice/",
    ]
    for url in real:
        fetch(visitor, url)
    cache = app.wsgi_app
    kept = (len(cache.pages), cache.pages.bytes)
    for number in range(40):
        for url in (
            f"/?utm_source={number}",
            f"/catalogue/?x={number:08x}",
            f"/catalogue/?year=2024&x={number}",
            f"/catalogue/?year=2024&year={number}",
            f"/catalogue/?y%65ar=2024&n={number}",
            f"/en/reports/?{number}",
            f"/documents/2022-procurement-notice/?v={number}&utm=1",
        ):
            answer = fetch(visitor, url)
            assert answer.status_code == 200, url
            assert html_classes(answer) == "", url
    assert (len(cache.pages), cache.pages.bytes) == kept
    with renders(app) as rendered:
        for url in real:
            fetch(visitor, url)
    assert rendered == []


def test_junk_queries_never_push_real_pages_out(site, tmp_path):
    app = _site_app(site, tmp_path, PAGE_CACHE_SIZE=4)
    client = app.test_client()
    real = ["/", "/catalogue/", "/catalogue/?year=2024"]
    for url in real:
        client.get(url)
    for number in range(20):
        assert client.get(f"/catalogue/?utm_source={number}").status_code == 200
    with renders(app) as rendered:
        for url in real:
            client.get(url)
    assert rendered == []


def test_every_filter_link_of_the_catalogue_is_kept(app, visitor):
    listing = fetch(visitor, "/catalogue/").get_data(as_text=True)
    links = sorted(
        {
            href.replace("&amp;", "&")
            for href in re.findall(r'href="(/catalogue/[^"#]*\?[^"#]*)"', listing)
        }
    )
    assert len(links) > 5 and any("department=%E" in link for link in links)
    for url in links:
        assert fetch(visitor, url).status_code == 200
    with renders(app) as rendered:
        for url in links:
            fetch(visitor, url)
    assert rendered == []


def test_every_filter_link_of_a_platform_of_several_bodies_is_kept(site, tmp_path):
    app = _site_app(add_organisations(site), tmp_path)
    visitor = app.test_client(use_cookies=False)
    pages = [
        "/catalogue/",
        "/catalogue/?organisation=county-office",
        "/organisations/county-office/",
        "/documents/county-office-plan/",
    ]
    links = set()
    for url in pages:
        html = fetch(visitor, url).get_data(as_text=True)
        links |= {
            href.replace("&amp;", "&")
            for href in re.findall(r'href="(/(?:catalogue|organisations)/[^"#]*\?[^"#]*)"', html)
        }
    assert any("organisation=county-office&department=" in link for link in links)
    assert "/catalogue/plans/?organisation=county-office" in links
    for url in links:
        assert fetch(visitor, url).status_code == 200
    with renders(app) as rendered:
        for url in sorted(links):
            fetch(visitor, url)
    assert rendered == []


def test_a_page_that_echoes_its_address_is_kept_under_that_address(visitor):
    for query in ("year=2024", "year=2024&page=1"):
        listing = fetch(visitor, f"/catalogue/?{query}").get_data(as_text=True)
        assert f'name="next" value="/catalogue/?{query.replace("&", "&amp;")}"' in listing
        assert (
            f'rel="canonical" href="https://portal.example.gov.cn/catalogue/?'
            f'{query.replace("&", "&amp;")}"' in listing
        )


# The byte budget -----------------------------------------------------------------------------


def test_the_cache_stays_within_its_byte_budget_dropping_the_least_recently_used(site, tmp_path):
    budget = 200_000
    app = _site_app(site, tmp_path, PAGE_CACHE_BYTES=budget)
    client = app.test_client()
    urls = [
        f"{language}/catalogue/{node.slug}/" for language in ("", "/en") for node in categories.ALL
    ][:40]
    assert len(urls) == 40
    for url in urls:
        assert client.get(url, headers={"Accept-Encoding": "gzip"}).status_code == 200
        assert app.wsgi_app.pages.bytes <= budget
    assert 3 < len(app.wsgi_app.pages) < len(urls)
    with renders(app) as rendered:
        client.get(urls[-1])
    assert rendered == []
    with renders(app) as rendered:
        client.get(urls[0])
    assert rendered


def test_a_page_larger_than_an_eighth_of_the_budget_is_served_but_not_kept(site, tmp_path):
    app = _site_app(site, tmp_path, PAGE_CACHE_BYTES=400_000)
    client = app.test_client()
    small = client.get("/catalogue/?year=2023")
    assert app.wsgi_app.pages.bytes > 0
    before = len(app.wsgi_app.pages)
    report = client.get("/documents/lingwu-kjj-2024/")
    assert report.status_code == 200 and len(report.data) > 10_000 > len(small.data) / 2
    assert len(app.wsgi_app.pages) == before


def test_the_byte_budget_counts_what_the_pages_take_in_memory(site, tmp_path):
    import gc
    import tracemalloc

    app = _site_app(site, tmp_path, FRAGMENT_CACHE_SIZE=0)
    visitor = app.test_client(use_cookies=False)
    # One page in many preferences: new pages, and nothing else new for the app to keep.
    cookies = [
        f"prefs=scheme={scheme}&size={size}"
        for scheme in ("green", "dark", "contrast", "beige")
        for size in (125, 150, 175, 200)
    ]
    for cookie in cookies[:2]:
        for url in ("/catalogue/", "/en/catalogue/"):
            visitor.get(url, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
    gc.collect()
    tracemalloc.start()
    try:
        before, counted = tracemalloc.get_traced_memory()[0], app.wsgi_app.pages.bytes
        for cookie in cookies[2:]:
            for url in ("/catalogue/", "/en/catalogue/"):
                visitor.get(url, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    counted = app.wsgi_app.pages.bytes - counted
    # Counted a little over: header values the pages share are counted for each.
    assert counted * 0.75 <= grown <= counted * 1.1


# Files stream through ----------------------------------------------------------------------


def test_a_large_attachment_streams_through_the_cache_without_being_read_into_memory(
    site, tmp_path
):
    import tracemalloc

    size = 8 * 1024 * 1024
    document = site / "policy" / "2023-science-popularisation-plan.md"
    with open(site / "policy" / "big.pdf", "wb") as big:
        big.truncate(size)
    document.write_text(
        document.read_text(encoding="utf-8").replace(
            "attachments:\n", "attachments:\n  - file: big.pdf\n    title: 附件\n", 1
        ),
        encoding="utf-8",
    )
    client = _site_app(site, tmp_path).test_client()
    url = "/documents/2023-science-popularisation-plan/attachments/big.pdf"
    with client.head(url) as head:
        assert head.status_code == 200 and head.data == b""
        assert head.headers["Content-Length"] == str(size)
    tracemalloc.start()
    try:
        response = client.get(url, buffered=False)
        received = sum(len(chunk) for chunk in response.response)
        response.close()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received == size
    assert peak < size / 8, f"{peak:,} bytes held while sending a {size:,}-byte file"
    etag = head.headers["ETag"]
    with client.get(url, headers={"If-None-Match": etag}) as current:
        assert current.status_code == 304
    with client.get(url, headers={"Range": "bytes=0-99"}) as part:
        assert part.status_code == 206 and len(part.data) == 100
