"""Page parts rendered once and reused (portal.fragments): a page built from kept parts is the
page a full render gives, for every language and reading preference, and content changes show
at once."""

import re

from portal import create_app
from portal.web.fragments import FragmentCache

# Preferences that change the reading-settings toolbar (pressed buttons, the panel left open).
COOKIES = (
    "",
    "scheme=dark&text=yellow&size=150&spacing=250&cursor=large&guide=cross&speech=flow&rate=125",
    "scheme=green&textonly=on&captions=on&open=1",
)
EXTRA_PAGES = (
    "/nope",
    "/en/nope",
    "/search?q=%E7%A7%91%E6%8A%80",
    "/apply/",
    "/en/apply/",
    "/preferences/",
    "/accessibility/keyboard/",
    "/en/accessibility/keyboard/",
)


def _app(site, tmp_path, fragments: int):
    return create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(site),
            "PAGE_CACHE_SIZE": 0,
            "FRAGMENT_CACHE_SIZE": fragments,
            "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "BASE_URL": "https://portal.example.gov.cn",
        }
    )


def test_every_page_is_the_same_with_and_without_kept_parts(site, tmp_path):
    kept = _app(site, tmp_path, 1000).test_client()
    plain = _app(site, tmp_path, 0).test_client()
    sitemap = plain.get("/sitemap.xml").get_data(as_text=True)
    urls = [re.sub(r"^https://[^/]+", "", url) for url in re.findall(r"<loc>([^<]+)<", sitemap)]
    assert len(urls) > 40
    compared = 0
    # Page after page under each cookie in turn: a part kept under a key that misses something
    # it depends on shows on a later page or under a later cookie.
    for cookie in COOKIES:
        for client in (kept, plain):
            if cookie:
                client.set_cookie("prefs", cookie)
            else:
                client.delete_cookie("prefs")
        for url in [*urls, *EXTRA_PAGES]:
            expected, got = plain.get(url), kept.get(url)
            assert (got.status_code, got.get_data(as_text=True)) == (
                expected.status_code,
                expected.get_data(as_text=True),
            ), (url, cookie)
            compared += 1
    assert compared == len(COOKIES) * (len(urls) + len(EXTRA_PAGES))


def test_a_changed_document_shows_at_once(site, tmp_path):
    app = _app(site, tmp_path, 1000)
    app.extensions["portal.catalogue"].interval = 0
    client = app.test_client()
    before = client.get("/documents/2022-procurement-notice/").get_data(as_text=True)
    assert "示例科技有限公司" in before
    path = site / "policy" / "2022-procurement-notice.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("示例科技有限公司", "新的成交供应商"),
        encoding="utf-8",
    )
    after = client.get("/documents/2022-procurement-notice/").get_data(as_text=True)
    assert "新的成交供应商" in after
    assert "示例科技有限公司" not in after


def test_parts_follow_the_language_and_section(site, tmp_path):
    client = _app(site, tmp_path, 1000).test_client()
    for _ in range(2):  # the second round is served from kept parts
        chinese = client.get("/catalogue/guide/").get_data(as_text=True)
        english = client.get("/en/catalogue/guide/").get_data(as_text=True)
        home = client.get("/en/").get_data(as_text=True)
        assert '<a href="/catalogue/guide/" aria-current="page">政府信息公开指南</a>' in chinese
        assert '<a href="/en/catalogue/guide/" aria-current="page">Disclosure guide</a>' in english
        assert "aria-current" not in home.split("<main")[0]


def test_the_cache_keeps_at_most_its_size_and_drops_the_least_recently_used():
    cache = FragmentCache(2)
    renders = []

    def render(text):
        return lambda: renders.append(text) or text

    for key in ("a", "b", "a", "c", "a", "b"):
        assert cache.get_or_render(key, render(key.upper())) == key.upper()
    # a and b stored; a used again; c pushes b out (least recently used); b is rendered again.
    assert renders == ["A", "B", "C", "B"]
    assert len(cache) == 2


def test_the_cache_keeps_within_its_byte_budget():
    cache = FragmentCache(1000, max_bytes=20_000)
    for number in range(100):
        cache.get_or_render(number, lambda: "x" * 1000)
    assert 10 < len(cache) < 20 and cache.bytes <= 20_000
    assert cache.get_or_render("huge", lambda: "y" * 5000) == "y" * 5000
    assert cache.get_or_render("huge", lambda: "rendered again") == "rendered again"


def test_any_number_of_preference_sets_keeps_the_parts_within_their_budget(site, tmp_path):
    budget = 300_000
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(site),
            "PAGE_CACHE_SIZE": 0,
            "FRAGMENT_CACHE_BYTES": budget,
            "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
            "BASE_URL": "https://portal.example.gov.cn",
        }
    )
    visitor = app.test_client(use_cookies=False)
    cache = app.jinja_env.fragment_cache
    for scheme in ("auto", "green", "dark", "contrast", "beige"):
        for size in ("100", "125", "150", "175", "200"):
            for spacing in ("175", "200", "250"):
                cookie = f"prefs=scheme={scheme}&size={size}&spacing={spacing}"
                for url in ("/", "/en/"):
                    assert visitor.get(url, headers={"Cookie": cookie}).status_code == 200
                assert cache.bytes <= budget
    assert len(cache) > 20


def test_parts_are_not_kept_when_turned_off(site, tmp_path):
    app = _app(site, tmp_path, 0)
    app.test_client().get("/")
    assert app.jinja_env.fragment_cache is None


def test_an_edited_template_shows_at_once_once_debugging_turns_reloading_on(site, tmp_path):
    # As `portal serve --debug` does: the app is built first, then run with debug on.
    app = _app(site, tmp_path, 1000)
    app.debug = True
    client = app.test_client()
    client.get("/")
    client.get("/")
    assert len(app.jinja_env.fragment_cache) == 0


def test_two_tags_on_one_line_keep_their_own_parts(site, tmp_path):
    app = _app(site, tmp_path, 1000)
    template = app.jinja_env.from_string("{% cache %}a{% endcache %}{% cache %}b{% endcache %}")
    with app.test_request_context("/"):
        assert template.render() == "ab"
        assert template.render() == "ab"
