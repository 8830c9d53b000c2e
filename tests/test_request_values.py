"""Numbers and echoed text from requests are read by one module, and no view can read them
another way."""

import ast
import unicodedata
from pathlib import Path

import pytest

import portal
from portal.web.request_values import ascii_digits, visible_text, whole_number

PORTAL = Path(portal.__file__).parent


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("2024", "2024"),
        ("２０２４", "2024"),
        (" 0042\u3000", "0042"),
        ("\u200e12\u200f", "12"),
        ("²", None),
        ("①", None),
        ("٢٠٢٤", None),
        ("२०२४", None),
        ("𝟐", None),
        ("Ⅳ", None),
        ("", None),
        ("1 2", None),
        ("-1", None),
        ("+1", None),
        ("1_000", None),
        ("0x10", None),
    ],
)
def test_only_ascii_and_full_width_digits_are_digits(typed, expected):
    assert ascii_digits(typed) == expected


def test_a_number_longer_than_allowed_is_not_a_number():
    assert whole_number("123456", 6) == 123456
    assert whole_number("１２３４５６７", 6) is None
    assert whole_number("9" * 5000, 6) is None


def test_format_characters_are_dropped_and_controls_become_spaces():
    assert visible_text("\u202egnp.exe") == "gnp.exe"
    assert visible_text("信息\u200b公开\ufeff") == "信息公开"
    assert visible_text("soft\xadware\u2066 \u2069tag\U000e0041") == "software tag"
    assert visible_text("a\x00b\u2028c\ue000d\U0010ffff") == "a b c d"


def test_emoji_and_ideographic_variants_survive_cleaning():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert visible_text(f"科技 {family} news") == "科技 \U0001f468\U0001f469\U0001f467 news"
    heart, name = "\u2764\ufe0f", "\u845b\U000e0100"  # emoji presentation; an IVS glyph of 葛
    assert visible_text(heart + name) == heart + name
    assert not any(unicodedata.category(c) in ("Cf", "Cc") for c in visible_text(family))


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            yield (
                node,
                (
                    function.attr
                    if isinstance(function, ast.Attribute)
                    else getattr(function, "id", "")
                ),
            )


def test_no_module_tests_digits_with_str_isdigit():
    # isdigit, isdecimal and isnumeric pass ², ① and ٢, which int() then refuses (a 500) or
    # reads as a number nobody typed; portal.request_values is the one reader of numbers.
    found = [
        f"{path.relative_to(PORTAL.parent)}:{node.lineno}"
        for path in PORTAL.rglob("*.py")
        for node, name in _calls(ast.parse(path.read_text(), str(path)))
        if name in ("isdigit", "isdecimal", "isnumeric")
    ]
    assert found == []


def test_views_read_numbers_only_through_request_values():
    found = [
        f"{path.relative_to(PORTAL.parent)}:{node.lineno}"
        for path in (PORTAL / "views").rglob("*.py")
        for node, name in _calls(ast.parse(path.read_text(), str(path)))
        if name in ("int", "float", "Decimal", "complex")
    ]
    assert found == []
