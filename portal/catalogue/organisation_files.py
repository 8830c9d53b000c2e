"""Organisation files written by the back office as a person would write them: the keys in the
order the shipped files use, text quoted only where YAML needs it, the comments and the keys
the form does not edit kept where they were, and a value not changed left exactly as it was
written. The text is read back by the catalogue's own reader (parse_organisation_text) before
it is written, so the back office obeys the rules `portal check` applies; it is written
atomically, under a lock, and only while the file is still the one the form was opened on."""

import contextlib
import fcntl
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

from portal import bounded_yaml
from portal.catalogue.document import Document
from portal.catalogue.organisations import (
    CONTACT_FIELDS,
    FOLDER,
    ID,
    MAX_FILE_BYTES,
    Organisation,
    organisation_files,
    parse_organisation_text,
    read_organisations,
)
from portal.text import atomic_write

# The keys the back office edits, in the order a file lists them.
EDITABLE = ("name", "name_en", "kind", "code", "order", "since", "description", *CONTACT_FIELDS)
# Written even when left empty, so that the reader names what is missing.
REQUIRED = ("name", "name_en", "kind", "code", "order")
MULTILINE = frozenset({"description"})
NUMBERS = frozenset({"order", "since"})
# Characters no organisation's data holds: controls, line separators, private-use, surrogate
# and unassigned code points stand between words (a space); invisible format characters (bidi
# overrides, zero-width ones) are dropped.
_SPACES = frozenset(("Cc", "Zl", "Zp", "Co", "Cs", "Cn"))
_DROPPED = "Cf"
# Numbers are ASCII digits (str.isdigit would pass ² and ①); a Chinese input method types
# full-width ones, which mean the same digits.
_DIGITS = re.compile("[0-9]+")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# Why a save was refused (OrganisationFileError.reason); the details name what it names.
INVALID = "invalid"  # problems: {key: the reader's message}; "id" for the file name
STALE = "stale"  # the file changed since the form was opened
EXISTS = "exists"  # id: a new body's file is there already
CODE_TAKEN = "code-taken"  # code, other: another body's code
CODE_IN_USE = "code-in-use"  # code, count, example: documents' 索引号 start with the old code
DEFAULT_FIRST = "default-first"  # default: the site's own body needs its file first


class OrganisationFileError(ValueError):
    """A save that was refused: the message says why in English; `reason` (one of the
    constants above), `problems` (by key) and `details` let the back office say it its way."""

    def __init__(self, message: str, reason: str, problems=None, **details):
        super().__init__(message)
        self.reason = reason
        self.problems: dict[str, str] = problems or {}
        self.details = details


def file_version(path: Path) -> str:
    """A fingerprint of a file's bytes, "" when there is none: a form carries the one it was
    opened on, and a save is refused when the file has changed since."""
    try:
        with path.open("rb") as file:
            return hashlib.sha256(file.read(MAX_FILE_BYTES + 1)).hexdigest()
    except FileNotFoundError:
        return ""


def clean(key: str, value: object) -> str:
    """A value as typed, as the file keeps it: no invisible or control characters; one line
    with single spaces, or (the description) lines without trailing spaces."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(
        c if c == "\n" or unicodedata.category(c) not in _SPACES else " "
        for c in text
        if unicodedata.category(c) != _DROPPED
    )
    if key in MULTILINE:
        return "\n".join(line.rstrip() for line in text.split("\n")).strip()
    text = " ".join(text.split())
    if key in NUMBERS:  # full-width digits from a Chinese input method, leading zeros
        text = text.translate(_FULL_WIDTH_DIGITS)
        if _DIGITS.fullmatch(text):
            text = text.lstrip("0") or "0"
    return text


def _plain(key: str, value: str) -> bool:
    """Whether `key: value` reads back as exactly this text, unquoted."""
    try:
        return yaml.safe_load(f"{key}: {value}") == {key: value}
    except yaml.YAMLError:
        return False


def render(key: str, value: str) -> list[str]:
    """The lines of one key as a person writes them: numbers bare, text unquoted where YAML
    reads it as that text, in double quotes where not, several lines as a literal block."""
    if key in NUMBERS and _DIGITS.fullmatch(value):
        return [f"{key}: {value}"]
    if value == "":
        return [f"{key}:"] if key in NUMBERS else [f'{key}: ""']
    if "\n" in value:
        return [f"{key}: |-", *(f"  {line}" if line else "" for line in value.split("\n"))]
    if _plain(key, value):
        return [f"{key}: {value}"]
    return [f"{key}: {json.dumps(value, ensure_ascii=False)}"]


def _entries(previous: str) -> tuple[list[str], list[tuple[str, list[str], list[str]]], list[str]]:
    """previous as (the comments it opens with, [(key, the comments above it, its lines)], what
    follows the last key). A text YAML cannot read keeps only its opening comments."""
    lines = previous.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    try:
        root = bounded_yaml.compose(previous)
    except yaml.YAMLError:
        root = None
    if not isinstance(root, yaml.MappingNode) or not root.value:
        opening = []
        for line in lines:
            if line.strip() and not line.lstrip().startswith("#"):
                break
            opening.append(line)
        return opening, [], []
    entries = []
    start = 0
    for key_node, value_node in root.value:
        first = key_node.start_mark.line
        end = value_node.end_mark.line + (1 if value_node.end_mark.column > 0 else 0)
        end = max(end, first + 1)
        entries.append((str(key_node.value), lines[start:first], lines[first:end]))
        start = end
    opening = entries[0][1]
    entries[0] = (entries[0][0], [], entries[0][2])
    return opening, entries, lines[start:]


def _unchanged(key: str, own: list[str], value: str) -> bool:
    """Whether a key's lines as written already say value, as the reader reads them."""
    try:
        root = bounded_yaml.compose("\n".join(own))
    except yaml.YAMLError:
        return False
    if not isinstance(root, yaml.MappingNode) or len(root.value) != 1:
        return False
    node = root.value[0][1]
    if not isinstance(node, yaml.ScalarNode):
        return False
    if node.style is None and node.value in ("", "~", "null", "Null", "NULL"):
        return value == "" and key not in NUMBERS
    if key in NUMBERS:
        return node.style is None and node.value == value
    return node.value == value and (node.style is not None or _plain(key, node.value))


def organisation_text(values: dict[str, object], previous: str = "") -> tuple[str, dict[int, str]]:
    """The text of an organisation file with these values of the EDITABLE keys (an empty
    optional one left out) over the previous text of the file, and the key of each line (by
    line number, from 1)."""
    wanted = {key: clean(key, values.get(key, "")) for key in EDITABLE}
    wanted = {key: value for key, value in wanted.items() if value or key in REQUIRED}
    opening, entries, closing = _entries(previous)
    kept: list[tuple[str, list[str]]] = []
    for key, comments, own in entries:
        if key in EDITABLE:
            if key not in wanted or any(k == key for k, _ in kept):
                continue  # emptied (its comments go with it), or written twice
            lines = own if _unchanged(key, own, wanted[key]) else render(key, wanted[key])
            kept.append((key, comments + lines))
        else:
            kept.append((key, comments + own))  # sample, or what the reader will name
    for key in EDITABLE:
        if key in wanted and all(k != key for k, _ in kept):
            before = EDITABLE[: EDITABLE.index(key)]
            place = max((i + 1 for i, (k, _) in enumerate(kept) if k in before), default=0)
            kept.insert(place, (key, render(key, wanted[key])))
    lines = list(opening)
    keys: dict[int, str] = {}
    for key, entry in kept:
        for line in entry:
            lines.append(line)
            keys[len(lines)] = key
    lines += closing
    return "\n".join(lines) + "\n", keys


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold the organisations folder's lock: two saves never interleave their check and write."""
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def save_organisation(
    content_dir: Path,
    site: Organisation,
    organisation_id: str,
    values: dict[str, object],
    version: str,
    documents: Iterable[Document],
    *,
    new: bool,
) -> Organisation:
    """Write a body's file (a new one with new) with these values when the file is still at
    version (file_version), the reader accepts it, its code is no other body's, and no
    document's 索引号 starts with a code it changes; the body as the site reads it. site is
    the body of content naming none (the whole site while there are no organisation files);
    documents are those the site knows, drafts included. OrganisationFileError otherwise."""
    if not ID.match(organisation_id):
        raise OrganisationFileError(
            f"{organisation_id!r} cannot be an organisation id: use lower-case ASCII letters, "
            "digits and hyphens",
            INVALID,
            {"id": "the file name must be lower-case ASCII letters, digits and hyphens"},
        )
    folder = content_dir / FOLDER
    with _locked(folder):
        organisations, _ = read_organisations(content_dir, site.id, site)
        old = organisations.get(organisation_id)
        named = [folder / f"{organisation_id}{suffix}" for suffix in (".yml", ".yaml")]
        if new and (old is not None or any(p.exists() or p.is_symlink() for p in named)):
            raise OrganisationFileError(
                f"an organisation {organisation_id!r} exists already", EXISTS, id=organisation_id
            )
        path = old.path if old is not None and old.path is not None else named[0]
        if path.is_symlink() or file_version(path) != version:
            raise OrganisationFileError(
                f"{path.name} changed since the form was opened", STALE, id=organisation_id
            )
        if not organisation_files(content_dir) and organisation_id != site.id:
            raise OrganisationFileError(
                f"the site's own body {site.id!r} needs its file before another is added",
                DEFAULT_FIRST,
                default=site.id,
            )
        previous = path.read_text("utf-8") if path.exists() else ""
        text, keys = organisation_text(values, previous)
        written = _checked(text, path, content_dir, keys, values)
        _check_code(organisations, old, written, documents)
        atomic_write(path, text)
    return written


def _checked(
    text: str, path: Path, content_dir: Path, keys: dict[int, str], values: dict
) -> Organisation:
    """The body the reader reads from text; INVALID with its problems by key otherwise."""
    organisation, problems = parse_organisation_text(text, path, path.relative_to(content_dir))
    found: dict[str, str] = {}
    for problem in problems:
        if problem.severity == "error":
            found.setdefault(keys.get(problem.line, "id"), problem.message)
    if organisation is not None and not found:
        for key in EDITABLE:  # read back: what the file says is what was typed
            typed = clean(key, values.get(key, ""))
            stored = getattr(organisation, key)
            if (str(stored) if stored is not None else "") != typed:
                found[key] = f"{key}: cannot be written as typed"
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        found["description"] = f"the file would be over {MAX_FILE_BYTES:,} bytes"
    if found or organisation is None:
        raise OrganisationFileError(
            "; ".join(f"{key}: {message}" for key, message in found.items()) or "not saved",
            INVALID,
            found or {"name": "the file cannot be read as an organisation"},
        )
    return organisation


def _check_code(organisations, old: Organisation | None, written: Organisation, documents) -> None:
    """Refuse a code another body has, or a change of code that documents' 索引号 start with."""
    other = next(
        (o for o in organisations if o.code and o.code == written.code and o.id != written.id),
        None,
    )
    if other is not None:
        raise OrganisationFileError(
            f"code {written.code} is already the code of {other.id}",
            CODE_TAKEN,
            {"code": f"code {written.code} is already the code of {other.id}"},
            code=written.code,
            other=other.id,
        )
    if old is None or not old.code or old.code == written.code:
        return
    using = sorted(
        document.index_no
        for document in documents
        if document.organisation == written.id and document.index_no.startswith(f"{old.code}/")
    )
    if using:
        raise OrganisationFileError(
            f"{len(using)} documents' 索引号 start with {old.code}/ (such as {using[0]}): "
            "changing the code would stop them being published",
            CODE_IN_USE,
            {"code": f"{len(using)} documents' 索引号 start with {old.code}/"},
            code=old.code,
            count=len(using),
            example=using[0],
        )
