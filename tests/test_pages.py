"""Pages about the site: the accessibility statement and the keyboard-shortcut help, linked from
every footer and available in every language."""

import re

import pytest

from portal.preferences import SHORTCUTS

FOOTER_PAGES = [
    "/",
    "/catalogue/",
    "/documents/2024-tech-commissioner-measures/",
    "/reports/",
    "/accessibility/",
    "/en/catalogue/",
]


@pytest.mark.parametrize("url", FOOTER_PAGES)
def test_every_footer_links_the_accessibility_statement(page, url):
    footer = page(url).footer
    prefix = "/en" if url.startswith("/en/") else ""
    assert footer.find("a", href=f"{prefix}/accessibility/")
    assert footer.find("a", href=f"{prefix}/accessibility/keyboard/")


def test_the_not_found_page_links_the_statement_too(page):
    assert page("/nope/", status=404).footer.find("a", href="/accessibility/")


def test_the_statement_names_the_standards_the_site_meets(page):
    statement = page("/accessibility/")
    assert statement.h1.get_text() == "无障碍声明"
    text = statement.main.get_text(" ")
    assert "WCAG）2.2 AA" in text
    assert "GB/T 37668-2019" in text
    assert "适老化" in text


def test_the_statement_explains_the_features_limits_and_how_to_get_help(page):
    statement = page("/accessibility/")
    headings = [h2.get_text() for h2 in statement.main.find_all("h2")]
    assert headings == [
        "符合的标准",
        "本站的无障碍功能",
        "已知局限",
        "反馈问题和获取无障碍格式",
        "本声明的日期",
    ]
    text = statement.main.get_text(" ")
    for feature in (
        "护眼绿",
        "高对比度",
        "200%",
        "恢复默认",
        "大鼠标",
        "纯文本",
        "大字幕",
        "指读",
        "连读",
        "阅读线",
    ):
        assert feature in text, feature
    contact = statement.main.find("a", href="/catalogue/guide/")
    assert contact is not None


def test_the_statement_says_when_it_was_last_reviewed(page):
    text = page("/accessibility/").main.get_text(" ")
    assert re.search(r"最后一次审核于 \d{4}年\d{1,2}月\d{1,2}日", text)


def test_the_keyboard_page_lists_every_shortcut(page):
    help_page = page("/accessibility/keyboard/")
    table = help_page.select_one("main table")
    assert table.caption.get_text() == "快捷键一览"
    keys = [row.th.get_text() for row in table.tbody.find_all("tr")]
    assert keys == [f"Alt+Shift+{digit}" for digit, _, _ in SHORTCUTS] + ["Esc"]


def test_the_keyboard_page_explains_why_these_keys(page):
    text = page("/accessibility/keyboard/").main.get_text(" ")
    for clash in ("VoiceOver", "NVDA", "JAWS", "AltGr", "accesskey", "WCAG 2.1.4"):
        assert clash in text, clash


def test_shortcuts_can_be_turned_off_without_javascript(client, page):
    form = page("/accessibility/keyboard/").select_one("main form")
    assert (form["method"], form["action"]) == ("post", "/preferences")
    button = form.select_one("button[name=keys]")
    assert (button["value"], button["aria-pressed"]) == ("off", "true")
    client.post(
        "/preferences",
        headers={"Origin": "http://localhost"},
        data={"keys": "off", "next": "/accessibility/keyboard/"},
    )
    after = page("/accessibility/keyboard/")
    assert "keys-off" in after.html["class"]
    button = after.select_one("main form button[name=keys]")
    assert (button["value"], button["aria-pressed"]) == ("on", "false")


def test_the_shortcuts_site_js_reads_are_those_the_help_page_lists(page):
    form = page("/").select_one("form[data-prefs-form][data-defaults]")  # as site.js finds it
    assert form["data-shortcuts"] == "&".join(f"{digit}={action}" for digit, action, _ in SHORTCUTS)


@pytest.mark.parametrize("url", ["/en/accessibility/", "/en/accessibility/keyboard/"])
def test_the_pages_exist_in_english(page, url):
    english = page(url)
    assert english.h1.get_text() in ("Accessibility statement", "Keyboard shortcuts")


CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.mark.parametrize("url", ["/en/accessibility/", "/en/accessibility/keyboard/"])
def test_english_pages_about_the_site_show_no_chinese(client, page, url):
    client.set_cookie("prefs", "scheme=dark&text=white&size=150")
    english = page(url)
    for element in english.select('[lang="zh-Hans"], footer a[hreflang]'):
        element.decompose()
    assert CJK.findall(english.body.get_text(" ")) == []
