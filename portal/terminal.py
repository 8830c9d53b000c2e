"""Text from outside (an applicant, a content file) made safe to print on a staff terminal.

A terminal obeys what it prints: a line break or a carriage return starts a forged line,
ESC and CSI (U+009B) start escape sequences, and bidi controls (U+202A-U+202E, U+2066-U+2069,
U+200E/F, U+061C) reorder what follows them. `printable` shows every such character as an
escape a person can read (`\\u202e`), and a backslash as `\\\\`, so the printed text maps back
to exactly one original.
"""

import unicodedata

SHORT_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Cc control (C0, DEL, C1 with NEL U+0085), Cf format (bidi, zero-width, soft hyphen),
# Cs/Co/Cn (surrogates, private use, unassigned), Zl/Zp (U+2028 line, U+2029 paragraph).
INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _escape(char: str) -> str:
    if char in SHORT_ESCAPES:
        return SHORT_ESCAPES[char]
    point = ord(char)
    if point < 0x100:
        return f"\\x{point:02x}"
    return f"\\u{point:04x}" if point < 0x10000 else f"\\U{point:08x}"


def printable(text: str) -> str:
    """`text` with control, format, bidi and line-separator characters shown as escapes."""
    return "".join(
        _escape(char) if char == "\\" or unicodedata.category(char) in INVISIBLE else char
        for char in text
    )
