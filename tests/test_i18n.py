"""The interface language: every message translated, English pages free of untranslated
interface text, and the zh_Hans <-> zh-Hans spelling pinned."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.i18n import from_bcp47, to_bcp47

CATALOGUE = Path(__file__).parent.parent / "portal/translations/en/LC_MESSAGES/messages.po"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def test_every_message_has_an_english_translation():
    with CATALOGUE.open("rb") as file:
        catalogue = read_po(file)
    missing = [m.id for m in catalogue if m.id and (
        not all(m.string) if isinstance(m.string, tuple) else not m.string)]
    assert missing == []
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert fuzzy == []


def test_locale_spelling_converts_both_ways():
    assert to_bcp47("zh_Hans") == "zh-Hans"
    assert from_bcp47("zh-Hans") == "zh_Hans"
    assert to_bcp47("en") == "en"


@pytest.mark.parametrize("url", [
    "/en/", "/en/catalogue/", "/en/catalogue/statutory/?year=2024",
    "/en/documents/2024-tech-commissioner-measures/", "/en/documents/lingwu-kjj-2024/",
    "/en/documents/lingwu-kjj-2023/", "/en/reports/",
    "/en/reports/compare/灵武市科学技术局/", "/en/search",
])
def test_english_pages_show_no_chinese_outside_content_marked_as_chinese(page, url):
    english = page(url)
    for element in english.select('[lang="zh-Hans"]'):
        element.decompose()
    for element in english.select("footer a[hreflang]"):
        element.decompose()  # the link to the Chinese page is named in Chinese on purpose
    leftovers = CJK.findall(english.body.get_text(" "))
    assert leftovers == [], "".join(leftovers)


def test_english_error_pages_are_english(page):
    error = page("/en/documents/nope/", status=404)
    assert error.h1.get_text() == "Page not found"
