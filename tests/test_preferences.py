"""Reading preferences: the colour-scheme files, the cookie's allow-list, and the settings form
that works without JavaScript (same-site posts only, redirects only to this site)."""

import re
import shutil

import pytest
from conftest import audit_page

from portal import create_app
from portal.preferences import (
    THEMES_DIR,
    ThemeError,
    choices,
    html_classes,
    load_schemes,
    parse,
    serialise,
    stylesheet,
    update,
)
from portal.wiring import preferences as reading

SCHEMES, _ = load_schemes(THEMES_DIR)
ALLOWED = choices(SCHEMES)
SAME_SITE = {"Origin": "http://localhost"}


def cookie_headers(response, name="prefs"):
    """The Set-Cookie headers of a response for one cookie."""
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]


# The scheme files ---------------------------------------------------------------------------


def test_every_shipped_scheme_file_is_usable():
    schemes, problems = load_schemes(THEMES_DIR)
    assert problems == []
    assert {"default", "green", "beige", "contrast", "dark"} <= set(schemes)
    assert next(iter(schemes)) == "default"


def test_the_eye_care_schemes_use_the_familiar_colours():
    assert SCHEMES["green"].colours["bg"] == "#c7edcc"
    assert SCHEMES["contrast"].colours["bg"] == "#000000"
    assert SCHEMES["contrast"].colours["text"] == "#ffff00"
    assert SCHEMES["contrast"].high_contrast and SCHEMES["dark"].dark


def test_every_scheme_has_a_name_in_every_language():
    for scheme in SCHEMES.values():
        assert scheme.name("zh_Hans") and scheme.name("en")
    assert SCHEMES["green"].name("zh_Hans") == "护眼绿"


def test_a_new_scheme_is_one_more_file(tmp_path):
    shutil.copy(THEMES_DIR / "default.toml", tmp_path)
    (tmp_path / "sepia.toml").write_text(
        (THEMES_DIR / "beige.toml")
        .read_text("utf-8")
        .replace('zh_Hans = "护眼米黄"', 'zh_Hans = "棕褐"')
        .replace("order = 30", "order = 35"),
        "utf-8",
    )
    schemes, problems = load_schemes(tmp_path)
    assert problems == []
    assert list(schemes) == ["default", "sepia"]
    assert "sepia" in choices(schemes)["scheme"].values
    assert ":root.scheme-sepia {" in stylesheet(schemes)


def test_the_site_offers_the_schemes_of_its_themes_folder(site, tmp_path):
    themes = tmp_path / "themes"
    themes.mkdir()
    for name in ("default.toml", "dark.toml"):
        shutil.copy(THEMES_DIR / name, themes)
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(site),
            "THEMES_DIR": str(themes),
            "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        }
    )
    html = app.test_client().get("/").get_data(as_text=True)
    offered = re.findall(r'name="scheme" value="([a-z]+)"', html)
    assert offered == ["auto", "default", "dark"]


@pytest.mark.parametrize(
    "change, message",
    [
        (('bg = "#faf3dc"', 'bg = "beige"'), "is not a colour"),
        (('mark-text = "#1a1a1a"\n', ""), "missing: mark-text"),
        (("[text-colours]", '[text-colours]\npurple = "#800080"'), "unknown: purple"),
        (("order = 30", 'order = 30\nsystem = "print"'), "system = 'print'"),
        (('en = "Eye-care beige"', ""), "a name for each language"),
        (("[colours]", "[colours"), "not a readable TOML file"),
        (("order = 30", "order = 30\ncolour = 1"), "unknown keys: colour"),
    ],
)
def test_a_broken_scheme_file_is_left_out_and_named(tmp_path, change, message):
    shutil.copy(THEMES_DIR / "default.toml", tmp_path)
    broken = tmp_path / "beige.toml"
    broken.write_text((THEMES_DIR / "beige.toml").read_text("utf-8").replace(*change), "utf-8")
    schemes, problems = load_schemes(tmp_path)
    assert "beige" not in schemes
    assert len(problems) == 1
    assert problems[0].startswith(str(broken)) and message in problems[0]


def test_a_scheme_that_fails_the_contrast_rules_is_left_out(tmp_path):
    shutil.copy(THEMES_DIR / "default.toml", tmp_path)
    (tmp_path / "pale.toml").write_text(
        (THEMES_DIR / "beige.toml")
        .read_text("utf-8")
        .replace('muted = "#4a4030"', 'muted = "#b0a890"'),
        "utf-8",
    )
    schemes, problems = load_schemes(tmp_path)
    assert "pale" not in schemes
    assert any("muted on bg" in problem and "needs 4.5:1" in problem for problem in problems)


def test_the_site_needs_a_usable_default_scheme(tmp_path):
    shutil.copy(THEMES_DIR / "green.toml", tmp_path)
    with pytest.raises(ThemeError, match="default"):
        load_schemes(tmp_path)


def test_the_stylesheet_follows_the_system_until_the_visitor_chooses():
    css = stylesheet(SCHEMES)
    not_chosen = ':root:not([class*="scheme-"])'
    assert f"@media (prefers-color-scheme: dark) {{ {not_chosen} {{ --bg: #121212;" in css
    assert f"@media (prefers-contrast: more) {{ {not_chosen} {{ --bg: #000000;" in css
    # More contrast wins over dark when a system asks for both: it comes later.
    assert css.index("prefers-contrast: more") > css.index("prefers-color-scheme: dark")
    assert ":root.scheme-dark { --bg: #121212;" in css


def test_text_colours_a_scheme_does_not_offer_are_neither_shown_nor_applied():
    css = stylesheet(SCHEMES)
    dark = re.search(r":root\.scheme-dark \{([^}]*)\}", css).group(1)
    assert "--tc-black-display: none;" in dark
    assert "--tc-black: #e8e8e8;" in dark  # falls back to the scheme's own text colour
    assert "--tc-white-display: inline-block;" in dark
    assert ":root.text-black { --text: var(--tc-black); }" in css


# The cookie's allow-list --------------------------------------------------------------------


def test_the_cookie_holds_only_what_differs_from_the_defaults():
    prefs = parse("scheme=green&size=150", ALLOWED)
    assert prefs["scheme"] == "green" and prefs["size"] == "150"
    assert prefs["text"] == "default" and prefs["spacing"] == "175"
    assert serialise(prefs, ALLOWED) == "scheme=green&size=150"
    assert serialise(parse("", ALLOWED), ALLOWED) == ""


@pytest.mark.parametrize(
    "raw",
    [
        "scheme=purple",
        "scheme=GREEN",
        "size=300",
        "size=",
        "scheme",
        "=green",
        "scheme=green=1",
        "colour=green",
        "scheme=<script>",
        "speech=on",
        "rate=2",
        "scheme=auto&" + "x" * 400,
        "scheme=green;size=150",
        "scheme%3Dgreen",
    ],
)
def test_unknown_or_tampered_values_fall_back_to_the_defaults(raw):
    assert parse(raw, ALLOWED) == parse(None, ALLOWED)


def test_a_tampered_value_does_not_spoil_the_valid_ones():
    prefs = parse("scheme=green&size=9999&text=<b>", ALLOWED)
    assert (prefs["scheme"], prefs["size"], prefs["text"]) == ("green", "100", "default")


def test_every_preference_has_a_small_allow_list():
    assert ALLOWED["size"].values == ("100", "125", "150", "175", "200")
    assert len(ALLOWED["spacing"].values) >= 3
    assert ALLOWED["rate"].values == ("75", "100", "125", "150")
    assert ALLOWED["scheme"].values[0] == "auto"
    for choice in ALLOWED.values():
        assert choice.default in choice.values
        assert all(re.fullmatch(r"[a-z0-9]+", value) for value in choice.values)


def test_a_form_changes_only_allow_listed_values():
    prefs = parse("scheme=green", ALLOWED)
    changed = update(
        prefs, {"size": "200", "scheme": "purple", "cursor": "large", "evil": "1"}, ALLOWED, SCHEMES
    )
    assert (changed["scheme"], changed["size"], changed["cursor"]) == ("green", "200", "large")
    assert "evil" not in changed


def test_restoring_defaults_restores_everything():
    prefs = parse("scheme=dark&text=white&size=200&spacing=250&cursor=large&speech=flow", ALLOWED)
    assert update(prefs, {"reset": "1", "size": "150"}, ALLOWED, SCHEMES) == parse(None, ALLOWED)


def test_a_text_colour_the_new_scheme_does_not_offer_is_dropped():
    prefs = parse("scheme=green&text=black", ALLOWED)
    assert update(prefs, {"scheme": "dark"}, ALLOWED, SCHEMES)["text"] == "default"
    assert update(prefs, {"scheme": "beige"}, ALLOWED, SCHEMES)["text"] == "black"
    assert update(prefs, {"scheme": "dark", "text": "white"}, ALLOWED, SCHEMES)["text"] == "white"


def test_following_the_system_offers_the_text_colours_of_the_schemes_it_may_become():
    prefs = parse(None, ALLOWED)
    assert update(prefs, {"text": "black"}, ALLOWED, SCHEMES)["text"] == "black"
    assert update(prefs, {"text": "white"}, ALLOWED, SCHEMES)["text"] == "white"


def test_preferences_become_classes_on_html():
    prefs = parse("scheme=contrast&size=175&cursor=large&keys=off", ALLOWED)
    assert html_classes(prefs, ALLOWED) == [
        "scheme-contrast",
        "size-175",
        "cursor-large",
        "keys-off",
    ]
    assert html_classes(parse(None, ALLOWED), ALLOWED) == []


# Pages in the visitor's preferences ---------------------------------------------------------


def test_a_page_without_preferences_is_the_same_for_everyone(page):
    home = page("/")
    assert home.html.get("class") is None
    assert home.response.vary.as_set() == {"cookie", "accept-encoding"}


def test_a_page_is_rendered_in_the_chosen_scheme_and_size_from_the_first_byte(client, page):
    client.set_cookie("prefs", "scheme=green&size=150&spacing=200&textonly=on")
    home = page("/")
    assert home.html["class"] == ["scheme-green", "size-150", "spacing-200", "textonly-on"]
    pressed = [b.get_text() for b in home.select(".prefs-form button[aria-pressed=true]")]
    assert pressed == ["护眼绿", "默认", "150%", "较宽", "纯文本", "关闭", "关闭", "1×"]
    assert "Cookie" in home.response.headers["Vary"]


def test_a_tampered_cookie_falls_back_to_the_default_and_is_never_echoed(client, page):
    client.set_cookie("prefs", 'scheme=<script>alert(1)</script>&size=999"&text=x')
    home = page("/")
    assert home.html.get("class") is None
    html = home.response.get_data(as_text=True)
    assert "alert(1)" not in html and "999" not in html


def test_every_choice_is_a_button_of_a_post_form(page):
    home = page("/catalogue/?year=2024")
    panel = home.select_one("header details#reading-settings")
    assert panel.summary.get_text() == "无障碍阅读设置" and not panel.has_attr("open")
    form = panel.form
    assert (form["method"], form["action"]) == ("post", "/preferences")
    assert form.select_one("input[type=hidden][name=next]")["value"] == "/catalogue/?year=2024"
    for key in ALLOWED:
        if key in ("keys", "care"):
            continue  # on the keyboard help page; the care mode's button stands beside the panel
        buttons = form.select(f"button[name={key}]")
        assert buttons, key
        assert all(b.has_attr("aria-pressed") and not b.has_attr("type") for b in buttons), key
    schemes = [b["value"] for b in form.select("button[name=scheme]")]
    assert schemes == list(ALLOWED["scheme"].values)
    assert len(form.select("button[name=size]")) == 5
    assert form.select_one("button[name=reset]").get_text() == "恢复默认"


def test_settings_that_need_javascript_stay_hidden_without_it(page):
    form = page("/").select_one("details#reading-settings form[data-prefs-form]")
    hidden = {b["name"] for b in form.select("[data-js-only] button[name], button[data-js-only]")}
    assert hidden == {"captions", "guide", "speech", "rate"}
    visible = form.select("button[name=cursor], button[name=textonly]")
    assert all(not b.find_parent(attrs={"hidden": True}) for b in visible)


def test_the_status_region_is_outside_the_collapsible_panel(page):
    home = page("/")
    status = home.select_one("[data-prefs-status]")
    assert status["role"] == "status" and status.get_text() == ""
    assert status.find_parent("details") is None


def test_a_second_skip_link_leads_to_the_reading_settings(page):
    links = page("/").find_all("a", href=True)[:2]
    assert [(a["href"], a.get_text()) for a in links] == [
        ("#main", "跳到主要内容"),
        ("#reading-settings", "跳到阅读设置"),
    ]


def test_english_pages_offer_the_settings_in_english(page):
    english = page("/en/")
    assert english.select_one("details#reading-settings summary").get_text() == (
        "Accessibility and reading settings"
    )
    names = [b.get_text() for b in english.select("button[name=scheme]")]
    assert names == [
        "Follow system",
        "Default",
        "Eye-care green",
        "Eye-care beige",
        "Dark",
        "High contrast",
    ]
    assert english.select_one("form[data-prefs-form]")["action"] == "/en/preferences"


# Changing preferences without JavaScript ----------------------------------------------------


def test_a_choice_is_stored_in_a_cookie_and_the_visitor_goes_back(client, page):
    response = client.post(
        "/preferences",
        headers=SAME_SITE,
        data={"scheme": "contrast", "next": "/catalogue/?year=2024"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/catalogue/?year=2024#reading-settings"
    [stored] = cookie_headers(response)
    assert stored.startswith("prefs=scheme=contrast&open=1;")
    assert "HttpOnly" in stored and "SameSite=Lax" in stored and "Path=/" in stored
    assert "Secure" not in stored
    listing = page("/catalogue/?year=2024")
    assert listing.html["class"] == ["scheme-contrast"]
    assert listing.select_one("details#reading-settings").has_attr("open")


def test_the_settings_open_again_only_once_after_a_change(client, page):
    assert not page("/reports/").select_one("details#reading-settings").has_attr("open")
    client.post("/preferences", headers=SAME_SITE, data={"reset": "1", "next": "/reports/"})
    first = page("/reports/")
    assert first.select_one("details#reading-settings").has_attr("open")
    assert first.response.headers["Cache-Control"] == "no-store"
    assert cookie_headers(first.response)[0].startswith("prefs=;")
    assert not page("/reports/").select_one("details#reading-settings").has_attr("open")
    client.post("/preferences", headers=SAME_SITE, data={"size": "125", "next": "/reports/"})
    again = page("/reports/")
    assert again.select_one("details#reading-settings").has_attr("open")
    assert cookie_headers(again.response)[0].startswith("prefs=size=125;")
    assert not page("/reports/").select_one("details#reading-settings").has_attr("open")


def test_the_cookie_is_secure_over_https(client):
    response = client.post(
        "/preferences",
        base_url="https://localhost",
        headers={"Origin": "https://localhost"},
        data={"size": "200"},
    )
    assert response.status_code == 303
    assert "Secure" in cookie_headers(response)[0]


def test_a_referer_from_this_site_is_enough_when_a_browser_sends_no_origin(client):
    response = client.post(
        "/preferences", headers={"Referer": "http://localhost/reports/"}, data={"size": "200"}
    )
    assert response.status_code == 303


def test_the_configured_public_address_counts_as_this_site(client):
    response = client.post(
        "/preferences", data={"size": "200"}, headers={"Origin": "https://portal.example.gov.cn"}
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://localhost.evil.example"},
        {"Origin": "null"},
        {"Origin": "http://[localhost"},
        {"Referer": "https://evil.example/localhost"},
        {"Origin": "https://evil.example", "Referer": "http://localhost/"},
        {},
    ],
)
def test_a_page_on_another_site_cannot_change_preferences(client, page, headers):
    client.set_cookie("prefs", "scheme=green")
    response = client.post("/preferences", headers=headers, data={"scheme": "dark", "next": "/"})
    assert response.status_code == 403
    assert response.headers.getlist("Set-Cookie") == []
    audit_page(response.get_data(as_text=True))
    assert "只能在本站页面上更改阅读设置" in response.get_data(as_text=True)
    assert page("/").html["class"] == ["scheme-green"]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
        "",
        "/" + "a" * 3000,
    ],
)
def test_a_redirect_target_off_this_site_is_refused(client, target):
    response = client.post("/preferences", headers=SAME_SITE, data={"size": "150", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/#reading-settings"


def test_english_pages_go_back_to_english_pages(client):
    response = client.post("/en/preferences", headers=SAME_SITE, data={"size": "150"})
    assert response.headers["Location"] == "/en/#reading-settings"


def test_restoring_defaults_clears_the_cookie(client, page):
    client.set_cookie("prefs", "scheme=dark&size=200&cursor=large")
    response = client.post("/preferences", headers=SAME_SITE, data={"reset": "1", "next": "/"})
    [cleared] = cookie_headers(response)
    assert cleared.startswith("prefs=open=1;")
    assert page("/").html.get("class") is None
    after = page("/").response
    assert after.headers.getlist("Set-Cookie") == []


def test_a_value_not_on_the_allow_list_changes_nothing(client):
    client.set_cookie("prefs", "scheme=green")
    response = client.post(
        "/preferences", headers=SAME_SITE, data={"scheme": "purple", "size": "<b>"}
    )
    assert cookie_headers(response)[0].startswith("prefs=scheme=green&open=1;")


def test_javascript_gets_the_new_state_as_json(client):
    response = client.post(
        "/preferences",
        headers={**SAME_SITE, "Accept": "application/json"},
        data={"scheme": "dark", "text": "white", "size": "125"},
    )
    assert response.status_code == 200
    assert response.json["classes"] == ["scheme-dark", "text-white", "size-125"]
    assert response.json["state"]["speech"] == "off"
    assert response.headers["Cache-Control"] == "no-store"
    assert cookie_headers(response)[0].startswith("prefs=scheme=dark&text=white&size=125;")


def test_the_preferences_address_only_takes_posts(client):
    assert client.get("/preferences").status_code == 405


def test_the_bundled_stylesheet_carries_the_schemes_and_the_large_cursor(client):
    html = client.get("/").get_data(as_text=True)
    css_url = re.search(r'rel="stylesheet" href="([^"]+)"', html).group(1)
    css = client.get(css_url).get_data(as_text=True)
    assert ":root.scheme-green {" in css and ".scheme-choice-contrast {" in css
    cursor = re.search(r'url\("(cursor-arrow\.[0-9a-f]{10}\.svg)"\)', css).group(1)
    image = client.get(css_url.rsplit("/", 1)[0] + "/" + cursor)
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"


def test_the_page_loads_one_script(page):
    scripts = page("/documents/2022-procurement-notice/").find_all("script")
    assert len(scripts) == 1 and scripts[0]["src"].startswith("/static/js/site.")


def test_a_page_with_a_search_box_loads_its_suggestions_too(page):
    # Issue 23: the home page's search box offers suggestions as you type.
    scripts = [s["src"] for s in page("/").find_all("script")]
    assert [src.split(".")[0] for src in scripts] == [
        "/static/js/site",
        "/static/js/search-suggest",
    ]
    assert all(s.has_attr("defer") for s in page("/").find_all("script"))


def test_the_module_registry_is_the_one_the_app_uses(app):
    with app.app_context():
        assert list(reading.registry().schemes) == list(SCHEMES)


def test_the_readme_example_scheme_is_usable(tmp_path):
    readme = (THEMES_DIR.parent / "README.md").read_text("utf-8")
    section = readme.split("## Colour schemes and reading preferences", 1)[1]
    example = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    shutil.copy(THEMES_DIR / "default.toml", tmp_path)
    (tmp_path / "teal.toml").write_text(example, "utf-8")
    schemes, problems = load_schemes(tmp_path)
    assert problems == [] and "teal" in schemes
