"""Values a visitor typed into an address or a form, read one way everywhere: numbers are ASCII
digits, and text that a page echoes carries no invisible control or format characters."""

import re
import unicodedata

# A Chinese input method types full-width digits; they mean the same digits. Other characters
# that str.isdigit() and int() accept (², ①, ٢, २) are not how anyone writes a page number,
# a year or a phone number here, and NFKC would turn ² into 2 and ① into 1: so only the
# width is folded, as search folds it.
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_ASCII_DIGITS = re.compile("[0-9]+")

# Controls, separators that end a line, surrogates, private-use and unassigned characters stand
# between words: they become spaces.
_SPACES = frozenset(("Cc", "Zl", "Zp", "Cs", "Co", "Cn"))
# Format characters (Cf) are invisible: bidi controls that reorder the text around them (U+202E
# shows "gpj.exe" as "exe.jpg"), zero-width spaces and joiners, the soft hyphen, the byte-order
# mark, tag characters. They join what they sit between, so they are dropped: "信息\u200b公开"
# is 信息公开, and an emoji joined with ZWJ stays its emoji, side by side. Variation selectors
# are marks (Mn), not format characters, and stay: Chinese names need their ideographic variants.
_DROPPED = "Cf"


def visible_text(text: str) -> str:
    """text without format characters, with control, line-separator, private-use and
    unassigned characters as spaces, trimmed: what a page may echo back."""
    kept = []
    for character in text:
        category = unicodedata.category(character)
        if category in _SPACES:
            kept.append(" ")
        elif category != _DROPPED:
            kept.append(character)
    return "".join(kept).strip()


def ascii_digits(text: str) -> str | None:
    """The digits 0-9 that text is, full-width ones folded to ASCII, spaces and invisible
    characters around them ignored; None when text is anything else."""
    folded = visible_text(text).translate(_FULL_WIDTH_DIGITS)
    return folded if _ASCII_DIGITS.fullmatch(folded) else None


def whole_number(text: str, max_digits: int) -> int | None:
    """text as a whole number of at most max_digits digits, or None."""
    digits = ascii_digits(text)
    return int(digits) if digits is not None and len(digits) <= max_digits else None
