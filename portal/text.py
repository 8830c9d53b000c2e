"""Small helpers every part of the portal shares, each written once, none of them needing Flask:
marking text for translation, writing a file whole, finding a content file's front matter."""

import os
from pathlib import Path

# The interface languages, in Babel's spelling; the first is the source language of every text.
DEFAULT_LOCALE = "zh_Hans"
LOCALES = ("zh_Hans", "en")


def N_(text: str) -> str:
    """Mark text for translation without translating it here (gettext_noop); pybabel extracts
    it and whoever shows it translates it."""
    return text


def atomic_write(path: Path, text: str) -> None:
    """Write text (UTF-8) to path through a temporary file beside it, so a crash leaves the old
    file or the new one, never half of either."""
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


class FrontMatterError(ValueError):
    """A content file whose front matter cannot be found; the message says how to fix it."""


def split_front_matter(text: str) -> tuple[list[str], int]:
    """The file's lines (a byte-order mark dropped) and the index of the line closing its front
    matter: the file starts with a line '---' and the front matter ends at the next '---' or
    '...'. FrontMatterError when either line is missing."""
    lines = text.removeprefix("\ufeff").split("\n")
    if lines[0].rstrip() != "---":
        raise FrontMatterError("no front matter: the file must start with a line '---'")
    for number in range(1, len(lines)):
        if lines[number].rstrip() in ("---", "..."):
            return lines, number
    raise FrontMatterError("front matter is not closed: add a line '---' after it")
