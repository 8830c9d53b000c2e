"""Drafting a document in the back office, without Flask: a draft opened for editing (its
values, and the revision of its file that the form carries), the file a form makes checked by
the rules of `portal check` (the file's own, then its place in the catalogue: address, 索引号,
organisation), each problem put to the field it is about, the body previewed as the site
renders it, and a checked draft written: a new one never in place of another file, an edited
one only while its file is still the revision the form was opened on."""

import datetime
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from portal.catalogue import categories
from portal.catalogue.content import (
    INDEX_NO,
    content_files,
    parse_content,
    shown_path,
    through_link,
)
from portal.catalogue.document import Document, Problem
from portal.catalogue.draft_text import (
    FORM_KEYS,
    DraftFields,
    EditRefused,
    edited_text,
    fields_of,
    new_text,
    split_for_editing,
)
from portal.catalogue.listing import Catalogue, build_catalogue
from portal.catalogue.organisations import Organisation
from portal.catalogue.uploads import save_upload, upload_name
from portal.text import atomic_create, atomic_write

# What a body is previewed as: a document of the catalogue with nothing but its body.
_PREVIEW = DraftFields(title="preview", category="其他文件")


class DraftChanged(Exception):
    """The draft's file is not the revision the form was opened on (or is gone): saving would
    overwrite someone else's change."""


@dataclass(frozen=True)
class FieldProblem:
    """A problem of a draft, put to its form field: a key of DraftFields, 'organisation',
    'body', or 'file' for the file as a whole (and the keys the form does not show)."""

    field: str
    message: str
    blocking: bool = True


@dataclass(frozen=True)
class Upload:
    """A file chosen in the form: the name the browser gave, its bytes and the title to show."""

    filename: str
    stream: BinaryIO
    title: str = ""


@dataclass(frozen=True)
class AttachmentChanges:
    """What the form does to the draft's attachments: each one's title by its place in the
    file's list, the places removed, and a file to add. Names never come from the form."""

    titles: tuple[str, ...] = ()
    removed: frozenset[int] = frozenset()
    upload: Upload | None = None


@dataclass(frozen=True)
class Outcome:
    """What saving did: the draft's file, whether it was written, the problems that stopped it
    (or warnings that did not), and the name an uploaded attachment was kept under."""

    path: Path | None
    written: bool = False
    problems: tuple[FieldProblem, ...] = ()
    uploaded: str = ""

    @property
    def refused(self) -> bool:
        """Whether problems stopped the draft being saved."""
        return any(problem.blocking for problem in self.problems)


def revision_of(data: bytes) -> str:
    """The revision a form carries: the SHA-256 of the file's bytes when it was opened."""
    return hashlib.sha256(data).hexdigest()


def open_draft(path: Path) -> tuple[DraftFields, str]:
    """A draft's values and the revision of its file; EditRefused when it cannot be edited
    here, OSError when it cannot be read."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise EditRefused("not UTF-8 text; save the file as UTF-8") from None
    return fields_of(split_for_editing(text)), revision_of(data)


def check_text(
    catalogue: Catalogue, path: Path, text: str, root: Path, default_organisation: str
) -> list[Problem]:
    """Every problem `portal check` would report for the file at path if it held text: the
    file's own, and its clashes with the rest of the catalogue (which path's present file, if
    any, leaves)."""
    document, problems = parse_content(text.encode("utf-8"), path, root, default_organisation)
    if document is None:
        return problems
    others = [
        (other.path, other, [])
        for other in (*catalogue.documents, *catalogue.drafts)
        if other.path != path
    ]
    # The draft comes last, so any clash with another file is reported on it.
    built = build_catalogue(
        [*others, (path, document, [])], root, catalogue.version, catalogue.organisations
    )
    shown = shown_path(path, root)
    return [*problems, *(p for p in built.problems if p.path == shown and p not in problems)]


def field_problems(text: str, problems: list[Problem]) -> tuple[FieldProblem, ...]:
    """Each problem of the file text put to the field whose lines it names."""
    front = split_for_editing(text)
    found = []
    for problem in problems:
        key = front.key_at(problem.line)
        field = key if key in (*FORM_KEYS, "organisation", "body") else "file"
        blocking = problem.severity == "error" and problem.blocks_publication
        found.append(FieldProblem(field, problem.message, blocking))
    return tuple(found)


def preview_body(body: str) -> tuple[Document | None, list[tuple[int, str]]]:
    """The body as a document whose page the site would render (None when the site would not
    render it), and the problems `portal check` finds in it as (line of the body, message)."""
    text = new_text(replace(_PREVIEW, body=body))
    document, problems = parse_content(text.encode("utf-8"), Path("preview.md"))
    opening = split_for_editing(text).closing + 2  # the file's line of the body's first line
    return document, [(max(p.line - opening + 1, 0), p.message) for p in problems]


def new_draft_path(
    catalogue: Catalogue, root: Path, fields: DraftFields, organisation: Organisation, year: int
) -> Path:
    """Where a new draft goes, as portal new puts it: its category's folder, named by its
    索引号's year and serial ('2026-00004', with its body's id in front for a body other than
    the default); with no 索引号 of that form, the first free '{year}-draft-{n}'."""
    node = categories.BY_NAME.get(fields.category)
    folder = root / (node.slug if node else "drafts")
    prefix = "" if organisation.id == catalogue.organisations.default else f"{organisation.id}-"
    if INDEX_NO.match(fields.index_no):
        return folder / f"{prefix}{fields.index_no.split('/', 1)[1].lower()}.md"
    taken = {path.stem for path in content_files(root)} if root.is_dir() else set()
    number = 1
    while f"{prefix}{year}-draft-{number}" in taken:
        number += 1
    return folder / f"{prefix}{year}-draft-{number}.md"


def create_draft(
    catalogue: Catalogue,
    root: Path,
    organisation: Organisation,
    fields: DraftFields,
    upload: Upload | None,
    upload_limit: int,
    today: datetime.date,
) -> Outcome:
    """Write a new draft of organisation from the form's fields (and an attachment), checked
    first; nothing is written when a problem blocks it. UploadRefused for a refused file."""
    path = new_draft_path(catalogue, root, fields, organisation, today.year)
    if through_link(path.parent, root):
        raise EditRefused(f"{path.parent.name} is a symbolic link; content must be real folders")
    placed = None
    try:
        if upload is not None and path.parent.name != "drafts":
            path.parent.mkdir(parents=True, exist_ok=True)
            placed = _place(upload, path, upload_limit)
            fields = replace(fields, attachments=((placed.name, upload.title),))
        written_as = organisation.id if organisation.path is not None else ""
        text = new_text(fields, written_as)
        problems = field_problems(
            text, check_text(catalogue, path, text, root, catalogue.organisations.default)
        )
        if any(problem.blocking for problem in problems):
            return Outcome(None, problems=problems)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            atomic_create(path, text.encode("utf-8"))
        except FileExistsError:
            taken = FieldProblem("index_no", f"a file named {path.name} exists already")
            return Outcome(None, problems=(*problems, taken))
        kept, placed = placed, None
        return Outcome(path, True, problems, kept.name if kept else "")
    finally:
        if placed is not None:
            placed.unlink(missing_ok=True)


def update_draft(
    catalogue: Catalogue,
    root: Path,
    path: Path,
    revision: str,
    fields: DraftFields,
    changes: AttachmentChanges,
    upload_limit: int,
) -> Outcome:
    """Save the form's fields (and attachment changes) into the draft at path, checked first,
    keeping everything the form does not show; DraftChanged when the file is no longer the
    revision the form was opened on, UploadRefused for a refused file."""
    current = _read_revision(path, revision)
    if through_link(path, root):
        raise EditRefused(f"{path.name} is in a linked folder; content must be real folders")
    before = fields_of(split_for_editing(current))
    attachments = [
        (file, changes.titles[number] if number < len(changes.titles) else title)
        for number, (file, title) in enumerate(before.attachments)
        if number not in changes.removed
    ]
    removed = [
        file
        for number, (file, _title) in enumerate(before.attachments)
        if number in changes.removed
    ]
    placed = None
    try:
        if changes.upload is not None:
            placed = _place(changes.upload, path, upload_limit)
            attachments.append((placed.name, changes.upload.title))
        text = edited_text(current, replace(fields, attachments=tuple(attachments)))
        if text == current:
            return Outcome(path)
        problems = field_problems(
            text, check_text(catalogue, path, text, root, catalogue.organisations.default)
        )
        if any(problem.blocking for problem in problems):
            return Outcome(path, problems=problems)
        _read_revision(path, revision)  # once more, just before the file is replaced
        atomic_write(path, text)
        kept, placed = placed, None
    finally:
        if placed is not None:
            placed.unlink(missing_ok=True)
    _drop_files(catalogue, path, removed)
    return Outcome(path, True, problems, kept.name if kept else "")


def _read_revision(path: Path, revision: str) -> str:
    """The file's text when it is the revision given; DraftChanged otherwise."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DraftChanged(path) from None
    if revision_of(data) != revision:
        raise DraftChanged(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise EditRefused("not UTF-8 text; save the file as UTF-8") from None


def _place(upload: Upload, path: Path, limit: int) -> Path:
    return save_upload(upload.stream, path.parent, upload_name(upload.filename, path.stem), limit)


def _drop_files(catalogue: Catalogue, path: Path, names: list[str]) -> None:
    """Delete the files of attachments the draft no longer has, unless another document
    publishes the same file."""
    used = {
        file
        for document in (*catalogue.documents, *catalogue.drafts)
        if document.path != path
        for file in document.published_files
    }
    for name in names:
        file = path.parent / name
        if file not in used and (file.is_file() or file.is_symlink()):
            file.unlink(missing_ok=True)
