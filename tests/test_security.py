"""Security headers on every response, hosts and proxies, safe redirects, hostile paths and
limits."""

import pytest

from portal import create_app
from portal.web.security import safe_local_path

URLS = [
    "/",
    "/catalogue/",
    "/documents/2022-procurement-notice/",
    "/documents/nope/",
    "/search?q=科技",
    "/feeds/all.atom",
    "/robots.txt",
    "/qr.svg?path=/",
    "/documents/2024-tech-commissioner-measures/attachments/"
    "2024-tech-commissioner-measures-form.csv",
]


@pytest.fixture
def responses(client):
    """Every kind of response the site gives: pages, errors, static files, downloads."""
    stylesheet = client.get("/").get_data(as_text=True).split('rel="stylesheet" href="')[1]
    urls = [*URLS, stylesheet.split('"')[0]]
    found = []
    for url in urls:
        with client.get(url) as response:
            found.append((url, response.status_code, response.headers))
    return found


def test_every_response_carries_a_strict_content_security_policy(responses):
    for url, _status, headers in responses:
        policy = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
        assert "allow-scripts" not in policy, url
        # A content file loads nothing and runs nothing, whatever a browser makes of it.
        directives = (
            ("sandbox",)
            if "/attachments/" in url
            else (
                "script-src 'self'",
                "style-src 'self'",
                "img-src 'self'",
                "form-action 'self'",
                "base-uri 'none'",
                "object-src 'none'",
            )
        )
        for directive in ("default-src 'none'", "frame-ancestors 'none'", *directives):
            assert directive in policy.split("; "), (url, directive)


@pytest.mark.parametrize(
    "name,value",
    [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    ],
)
def test_every_response_carries_the_header(responses, name, value):
    for url, _status, headers in responses:
        assert headers[name] == value, url


def test_every_response_restricts_browser_features(responses):
    for url, _status, headers in responses:
        assert "camera=()" in headers["Permissions-Policy"], url
        assert "geolocation=()" in headers["Permissions-Policy"], url


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_host_that_is_not_configured_gets_400(client):
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.headers["X-Frame-Options"] == "DENY"


def test_configured_hosts_are_served(site, tmp_path):
    # Its own index folder: never the project's search_index/, which `make run` may have built.
    app = create_app(
        {
            "CONTENT_DIR": str(site),
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "ALLOWED_HOSTS": "xxgk.example.gov.cn",
        }
    )
    client = app.test_client()
    assert client.get("/", headers={"Host": "xxgk.example.gov.cn"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost"}).status_code == 400


def test_forwarded_headers_are_ignored_without_a_proxy_setting(client):
    response = client.get(
        "/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    )
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers


def test_forwarded_headers_are_trusted_with_a_proxy_setting(site, tmp_path):
    app = create_app(
        {"CONTENT_DIR": str(site), "SEARCH_INDEX_DIR": str(tmp_path / "index"), "PROXY_COUNT": 1}
    )
    response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


@pytest.mark.parametrize("first", ["http", "https"])
def test_a_cached_page_keeps_to_the_scheme_the_proxy_reported(site, first, tmp_path):
    # The page cache must see the scheme ProxyFix derives, or the first visitor's answer,
    # with or without HSTS, is everyone's.
    client = create_app(
        {"CONTENT_DIR": str(site), "SEARCH_INDEX_DIR": str(tmp_path / "index"), "PROXY_COUNT": 1}
    ).test_client()
    for scheme in (first, "http" if first == "https" else "https", first):
        response = client.get("/reports/", headers={"X-Forwarded-Proto": scheme})
        assert response.status_code == 200
        assert ("Strict-Transport-Security" in response.headers) == (scheme == "https"), scheme


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/catalogue/?year=2024", "/catalogue/?year=2024"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/a\r\nSet-Cookie: x", "/"),
        ("", "/"),
        (None, "/"),
        ("catalogue/", "/"),
        ("/%0d%0aX: y", "/%0d%0aX: y"),
    ],
)
def test_redirect_targets_are_only_paths_of_this_site(target, expected):
    assert safe_local_path(target) == expected


@pytest.mark.parametrize(
    "path",
    [
        "/../pyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/documents/..%2F..%2Fpyproject.toml/",
        "/documents/2022-procurement-notice/attachments/..%2F2022-procurement-notice.md",
        "/documents/2022-procurement-notice/attachments/%00",
        "/.git/config",
        "/.env",
        "/static/../portal/__init__.py",
        "/static/%2e%2e/portal/__init__.py",
        "/content/policy/2022-procurement-notice.md",
    ],
)
def test_hostile_paths_are_404(client, path):
    assert client.get(path).status_code == 404


def test_an_oversized_request_body_gets_413(client):
    response = client.post(
        "/apply/", data={"description": "x" * 70_000}, headers={"Origin": "http://localhost"}
    )
    assert response.status_code == 413
    assert "请求内容过大" in response.get_data(as_text=True)
