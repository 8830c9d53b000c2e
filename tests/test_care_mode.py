"""The care mode (关怀版): one button on every page turns on the care preset, server-rendered so
it works without JavaScript, kept in the preferences cookie until the same button turns it off.
(What it looks like, measured in a browser: tests/browser/test_care_mode.py.)"""

SAME_SITE = {"Origin": "http://localhost"}


def care_button(soup):
    """The care mode's button, checked to be a button of its own POST form."""
    button = soup.select_one("header button[name=care]")
    form = button.find_parent("form")
    assert form["method"] == "post" and form["action"].endswith("/preferences")
    return button


def test_every_page_offers_care_mode_under_the_name_county_portals_use(page):
    for url in ("/", "/catalogue/", "/documents/2024-tech-commissioner-measures/", "/reports/"):
        soup = page(url)
        button = care_button(soup)
        assert (button.get_text(), button["aria-pressed"], button["value"]) == (
            "关怀版",
            "false",
            "on",
        )
        form = button.find_parent("form")
        assert form.select_one("input[name=next]")["value"] == url
        # It comes before the settings panel: the first thing in the bar.
        assert button.find_next("details", id="reading-settings") is not None
    assert care_button(page("/en/")).get_text() == "Care mode"


def test_the_button_turns_care_mode_on_for_every_page_until_it_turns_it_off(client, page):
    answer = client.post(
        "/preferences", data={"care": "on", "next": "/catalogue/"}, headers=SAME_SITE
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/catalogue/")
    for url in ("/", "/documents/2024-tech-commissioner-measures/"):
        soup = page(url)
        assert "care-on" in soup.html["class"]
        button = care_button(soup)
        assert (button["aria-pressed"], button["value"]) == ("true", "off")
    client.post("/preferences", data={"care": "off", "next": "/"}, headers=SAME_SITE)
    soup = page("/")
    assert "care-on" not in (soup.html.get("class") or [])
    assert care_button(soup)["aria-pressed"] == "false"


def test_care_mode_keeps_the_visitors_other_choices(client, page):
    client.post("/preferences", data={"scheme": "green", "size": "150"}, headers=SAME_SITE)
    client.post("/preferences", data={"care": "on"}, headers=SAME_SITE)
    assert {"care-on", "scheme-green", "size-150"} <= set(page("/").html["class"])
