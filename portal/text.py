"""Small helpers every part of the portal shares, each written once, none of them needing Flask:
marking text for translation, writing a file whole (in place of the old one, or as a new one
that never replaces another), finding a content file's front matter."""

import os
import secrets
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


def atomic_create(path: Path, data: bytes) -> None:
    """Write a new file whole, as atomic_write does, but never in place of another: raises
    FileExistsError when anything (a file, a folder, a symbolic link) already has its name."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        with open(temporary, "xb") as file:  # O_EXCL: never through a link planted there
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        claim_name(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def claim_name(temporary: Path, path: Path) -> None:
    """Give a finished file in the same folder the name path, unless anything has that name
    already (FileExistsError): a hard link fails rather than replace a file or follow a link."""
    os.link(temporary, path)
    os.unlink(temporary)


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
