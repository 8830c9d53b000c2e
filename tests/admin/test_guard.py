"""Nothing of the back office is reachable without signing in: every /admin rule of the URL map
(a route added tomorrow included) answers 302 to the sign-in page or 403 when signed out; its
answers are never cached or indexed, its cookie is scoped to it, and the public site neither
sets nor reads that cookie."""

import re

from portal import admin, create_app, db

from .conftest import PASSWORD, csrf_token, sign_in

SIGN_IN = "/admin/sign-in"


def back_office_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if admin.in_back_office(rule.rule) and rule.endpoint not in admin.PUBLIC
    ]


def example_path(rule) -> str:
    """The rule's address with every variable filled in."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"\1", rule.rule)


def test_every_back_office_rule_sends_a_signed_out_visitor_to_sign_in(app, client):
    rules = back_office_rules(app)
    assert len(rules) >= 5, "the walk must see the back office's rules"
    token = csrf_token(client, SIGN_IN)  # so a refusal is the guard's, not the CSRF check's
    for rule in rules:
        path = example_path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={"csrf_token": token})
            if method == "GET":
                assert response.status_code == 302, f"{method} {path}"
                assert response.headers["Location"].startswith(f"{SIGN_IN}?next="), path
            else:
                assert response.status_code == 403, f"{method} {path}"
            for language in ("/en",):
                other = client.open(language + path, method=method, data={"csrf_token": token})
                assert other.status_code in (302, 403), f"{method} {language}{path}"


def test_a_route_added_to_any_blueprint_under_admin_is_guarded_too(app, client):
    from flask import Blueprint

    later = Blueprint("later", __name__, url_prefix="/admin/later")

    @later.route("/download/<name>")
    def download(name):
        return f"secret {name}"

    app.register_blueprint(later)
    assert "later.download" in {rule.endpoint for rule in back_office_rules(app)}
    response = client.get("/admin/later/download/x.pdf")
    assert response.status_code == 302
    assert b"secret" not in response.data


def test_only_the_sign_in_steps_answer_without_a_session(app):
    assert {"admin.sign_in", "admin.sign_in_code"} == admin.PUBLIC


def test_back_office_answers_are_never_cached_or_indexed(client, staff):
    staff("zhang")
    answers = [client.get("/admin/"), client.get(SIGN_IN), sign_in(client, "zhang")]
    answers += [client.get("/admin/"), client.get("/admin/password"), client.get("/admin/nope")]
    for response in answers:
        assert response.headers["Cache-Control"] == "no-store", response.request.path
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert "ETag" not in response.headers


def test_the_page_cache_never_keeps_or_serves_a_back_office_page(app, client, staff):
    staff("zhang")
    sign_in(client, "zhang")
    signed_in_page = client.get("/admin/").get_data(as_text=True)
    assert "Zhang" in signed_in_page
    stranger = app.test_client()
    for path in ("/admin/", "/en/admin/"):
        answer = stranger.get(path)
        assert answer.status_code == 302
        assert "Zhang" not in answer.get_data(as_text=True)
    assert not any(b"Zhang" in entry[2] for entry in _page_cache(app).pages._entries.values()), (
        "a back-office page was stored in the page cache"
    )


def _page_cache(app):
    wrapper = app.wsgi_app
    while not hasattr(wrapper, "pages"):
        wrapper = wrapper.wsgi_app
    return wrapper


def test_the_session_cookie_is_secure_http_only_strict_and_scoped_to_the_back_office(client, staff):
    staff("zhang")
    client.get(SIGN_IN)
    response = sign_in(client, "zhang")
    cookies = response.headers.getlist("Set-Cookie")
    assert sorted(re.search(r"Path=([^;]+)", c).group(1) for c in cookies) == [
        "/admin",
        "/en/admin",
    ]
    for cookie in cookies:
        assert cookie.startswith("portal_admin=")
        assert "; Secure" in cookie and "; HttpOnly" in cookie and "; SameSite=Strict" in cookie
        assert "Expires" not in cookie and "Max-Age" not in cookie, "gone when the browser closes"


def test_the_public_site_never_sets_the_back_office_cookie_or_changes_for_it(app, client, staff):
    staff("zhang")
    sign_in(client, "zhang")
    for path in ("/", "/catalogue/", "/apply/", "/en/"):
        plain = app.test_client().get(path)
        with_cookie = client.get(path)
        assert "Set-Cookie" not in with_cookie.headers
        assert plain.data == with_cookie.data, path
        assert plain.headers.get("Vary") == with_cookie.headers.get("Vary")


def test_switching_language_keeps_the_session(client, staff):
    staff("zhang")
    sign_in(client, "zhang")
    english = client.get("/en/admin/")
    assert english.status_code == 200
    assert "My account" in english.get_data(as_text=True)


def test_plain_http_from_another_machine_is_refused_with_the_reason(app, staff):
    staff("zhang")
    client = app.test_client()
    response = client.get(SIGN_IN, base_url="http://portal.example.gov.cn")
    assert response.status_code == 403
    assert "HTTPS" in response.get_data(as_text=True)
    assert client.get(SIGN_IN, base_url="https://portal.example.gov.cn").status_code == 200
    assert client.get(SIGN_IN, base_url="http://127.0.0.1:8000").status_code == 200


def test_behind_a_proxy_the_scheme_the_proxy_saw_decides(another_app):
    proxied = another_app(PROXY_COUNT=1).test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    answer = proxied.get(SIGN_IN, base_url="http://portal.example.gov.cn", headers=forwarded)
    assert answer.status_code == 200
    plain = {"X-Forwarded-Proto": "http", "X-Forwarded-For": "203.0.113.9"}
    answer = proxied.get(SIGN_IN, base_url="http://portal.example.gov.cn", headers=plain)
    assert answer.status_code == 403


def test_every_back_office_page_passes_the_page_audit_in_both_languages(client, staff, page):
    staff("zhang")
    page(SIGN_IN)
    page(f"/en{SIGN_IN}")
    sign_in(client, "zhang", PASSWORD)
    for path in ("/admin/", "/admin/password", "/admin/second-factor"):
        page(path)
        page(f"/en{path}")


def test_the_back_office_answers_503_with_the_command_while_the_public_site_works(tmp_path, site):
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(site),
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "BUILD_INDEX_ON_START": False,
        }
    )
    client = app.test_client()
    response = client.get("/admin/sign-in")
    assert response.status_code == 503
    assert "portal db upgrade" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/").status_code == 200
    assert not (tmp_path / "portal.sqlite3").exists(), "the site never creates or migrates it"
    engine = db.make_engine(app.config["DATABASE_URL"])
    db.upgrade(engine)
    engine.dispose()
    assert client.get("/admin/sign-in").status_code == 200


def test_the_static_export_leaves_the_back_office_to_the_app():
    from portal.export import APP_ONLY

    for path in ("/admin", "/admin/", "/admin/sign-in", "/en/admin/password"):
        assert re.match(APP_ONLY, path), path
    assert not re.match(APP_ONLY, "/administration-guide/")


def test_pages_with_errors_and_the_code_step_pass_the_page_audit(client, staff):
    from conftest import audit_page

    from .conftest import post

    staff("zhang")
    wrong = sign_in(client, "zhang", "not the password")
    soup = audit_page(wrong.get_data(as_text=True))
    summary = soup.select_one(".error-summary")
    assert summary.a["href"] == "#field-username"
    assert soup.select_one("#field-username")["aria-invalid"] == "true"
    sign_in(client, "zhang")
    weak = post(client, "/admin/password", current=PASSWORD, new="short", confirm="short")
    soup = audit_page(weak.get_data(as_text=True))
    assert soup.select_one(".error-summary a")["href"] == "#field-new"
    staff("chief", ("终审",), second_factor="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    other = client.application.test_client()
    sign_in(other, "chief")
    audit_page(other.get("/admin/sign-in/code").get_data(as_text=True))
    audit_page(other.get("/en/admin/sign-in/code").get_data(as_text=True), "en")


def test_an_error_in_the_back_office_keeps_its_layout_and_leads_back_into_it(client, staff, page):
    staff("zhang")
    sign_in(client, "zhang")
    for path, code in (("/admin/no-such-page", 404), ("/admin/drafts/new", 403)):
        response = client.get(path)
        assert response.status_code == code, path
        soup = page(path, status=code)
        assert "管理后台" in soup.select_one(".site-name").get_text(), path
        assert soup.select_one(".admin-sign-out"), "the signed-in header, with 退出"
        assert soup.select_one("main a[href='/admin/']").get_text() == "返回管理后台首页"
        assert not soup.select(".share, .page-qr"), "no public share links or QR code"
    english = page("/en/admin/no-such-page", status=404)
    assert english.select_one("main a[href='/en/admin/']").get_text() == (
        "Back to the back office home page"
    )
    public = page("/no-such-page", status=404)
    assert public.select_one(".page-qr") and not public.select_one(".admin-sign-out")


def test_a_signed_in_member_meets_the_503_page_when_the_database_goes(
    app, client, staff, another_app, tmp_path
):
    staff("zhang")
    sign_in(client, "zhang")
    # Another worker whose database is not there (a deploy with its migration pending, a
    # server down): the same signed cookie must get the page that says so, not a bare 500.
    behind = another_app(DATABASE_URL=f"sqlite:///{tmp_path / 'missing.sqlite3'}")
    other = behind.test_client()
    session = client.get_cookie(admin.cookies.COOKIE, path=admin.PREFIX)
    other.set_cookie(session.key, session.value, path=admin.PREFIX)
    response = other.get("/admin/")
    assert response.status_code == 503
    assert "portal db upgrade" in response.get_data(as_text=True)
