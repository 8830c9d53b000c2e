"""Text from outside printed on a staff terminal: nothing in it can break or reorder lines."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from portal.terminal import printable


def test_line_breaks_escapes_and_bidi_controls_are_shown_as_escapes():
    assert printable("a\nb\r\x85\u2028\u2029") == "a\\nb\\r\\x85\\u2028\\u2029"
    assert printable("\x1b[2J\x9b31m\x07") == "\\x1b[2J\\x9b31m\\x07"
    assert printable("\u202eabc\u202c\u2066\u2069\u200e\u200f\u061c") == (
        "\\u202eabc\\u202c\\u2066\\u2069\\u200e\\u200f\\u061c"
    )
    assert printable("\U000e0041") == "\\U000e0041"  # a tag character (format)


def test_ordinary_text_is_printed_as_it_is():
    assert printable("张三 申请：2024年科技项目 (E12345678) 　全角") == (
        "张三 申请：2024年科技项目 (E12345678) 　全角"
    )


def test_a_backslash_is_doubled_so_an_escape_cannot_be_forged():
    assert printable("\\u202e") == "\\\\u202e"
    assert printable("\\u202e") != printable("\u202e")


@given(st.text())
def test_printed_text_has_no_invisible_or_line_breaking_character(text):
    shown = printable(text)
    assert not any(
        unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for char in shown
    )
    assert len(shown.splitlines()) <= 1


@given(st.text(), st.text())
def test_different_texts_print_differently(first, second):
    if first != second:
        assert printable(first) != printable(second)
