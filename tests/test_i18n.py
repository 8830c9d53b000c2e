"""The interface language: every message translated, English pages free of untranslated
interface text, and the zh_Hans <-> zh-Hans spelling pinned."""

import shlex
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from conftest import chinese_outside_chinese

from portal.web.i18n import from_bcp47, to_bcp47

ROOT = Path(__file__).parent.parent
CATALOGUE = ROOT / "portal/translations/en/LC_MESSAGES/messages.po"


def test_every_message_has_an_english_translation():
    with CATALOGUE.open("rb") as file:
        catalogue = read_po(file)
    missing = [
        m.id
        for m in catalogue
        if m.id and (not all(m.string) if isinstance(m.string, tuple) else not m.string)
    ]
    assert missing == []
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert fuzzy == []


def test_the_english_catalogue_holds_exactly_the_messages_the_code_and_templates_show(
    tmp_path, monkeypatch
):
    # Extracted as `make extract-messages` does, with the keywords of its recipe. A template
    # the extractor cannot parse (say, a tag whose extension babel.cfg does not name) is
    # skipped without a word, and its messages would drop out of the catalogue.
    recipe = next(
        line for line in (ROOT / "Makefile").read_text().splitlines() if "pybabel extract" in line
    )
    arguments = shlex.split(recipe.split("pybabel", 1)[1])
    arguments[arguments.index("-o") + 1] = str(tmp_path / "messages.pot")
    monkeypatch.chdir(ROOT)
    CommandLineInterface().run(["pybabel", "-q", *arguments])
    with (tmp_path / "messages.pot").open("rb") as file:
        extracted = {(m.id, m.context) for m in read_po(file) if m.id}
    with CATALOGUE.open("rb") as file:
        translated = {(m.id, m.context) for m in read_po(file) if m.id}
    assert len(extracted) > 400
    assert extracted - translated == set()
    assert translated - extracted == set()


def test_locale_spelling_converts_both_ways():
    assert to_bcp47("zh_Hans") == "zh-Hans"
    assert from_bcp47("zh-Hans") == "zh_Hans"
    assert to_bcp47("en") == "en"


@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/en/catalogue/",
        "/en/catalogue/statutory/?year=2024",
        "/en/documents/2024-tech-commissioner-measures/",
        "/en/documents/lingwu-kjj-2024/",
        "/en/documents/lingwu-kjj-2023/",
        "/en/reports/",
        "/en/reports/compare/灵武市科学技术局/",
        "/en/search",
        "/en/organisations/",
        "/en/organisations/lingwu-kjj/",
    ],
)
def test_english_pages_show_no_chinese_outside_content_marked_as_chinese(page, url):
    english = page(url)
    leftovers = chinese_outside_chinese(english)
    assert leftovers == [], "".join(leftovers)


def test_english_error_pages_are_english(page):
    error = page("/en/documents/nope/", status=404)
    assert error.h1.get_text() == "Page not found"


def literal(message: str) -> str:
    """A Jinja string literal for message (Jinja unescapes literals as Python does)."""
    return repr(message)


@pytest.fixture
def compiled(app):
    """Render template source compiled for a locale, as the app compiles its own templates."""
    from jinja2 import DictLoader

    from portal.web.templates import LocalisedEnvironment, _LocalePrefixLoader

    def render(source: str, locale: str) -> str:
        environment = LocalisedEnvironment(
            app, loader=_LocalePrefixLoader(DictLoader({"page.html": source})), autoescape=True
        )
        environment.add_extension("jinja2.ext.i18n")
        environment.install_null_translations(newstyle=True)
        return environment.get_template(f"{locale}:page.html").render()

    return render


def test_literal_messages_are_translated_when_templates_compile(compiled):
    with CATALOGUE.open("rb") as file:
        catalogue = read_po(file)
    messages = [
        m
        for m in catalogue
        if m.id
        and isinstance(m.id, str)
        and not m.context
        and "%" not in m.id + m.string
        and "\n" not in m.id
    ]
    assert len(messages) > 300
    source = "\n".join(f"{{{{ _({literal(m.id)}) }}}}" for m in messages)
    # The same escaping as Jinja's newstyle gettext: the translation is markup, kept as is.
    assert compiled(source, "en").split("\n") == [m.string for m in messages]
    assert compiled(source, "zh_Hans").split("\n") == [m.id for m in messages]


def test_compiled_messages_format_escaped_variables_and_percent_signs(compiled):
    source = (
        '{{ _("%(site)s：政府信息公开目录、政府信息公开工作年度报告与依申请公开。",'
        ' site="<b>&") }}|{{ _("100%%") }}|{{ _("搜索") | length }}'
    )
    english, chinese = compiled(source, "en").split("|"), compiled(source, "zh_Hans").split("|")
    assert english[0].startswith("&lt;b&gt;&amp;") and "information" in english[0].lower()
    assert chinese[0] == "&lt;b&gt;&amp;：政府信息公开目录、政府信息公开工作年度报告与依申请公开。"
    assert english[1] == chinese[1] == "100%"
    assert (english[2], chinese[2]) == ("6", "2")


def test_each_language_keeps_its_own_compiled_pages(client):
    chinese, english = client.get("/"), client.get("/en/")
    again = client.get("/")
    assert "搜索公开信息" in chinese.get_data(as_text=True)
    assert "搜索公开信息" not in english.get_data(as_text=True)
    assert again.get_data() == chinese.get_data()
