"""The statutory tables of an annual report document, as the back office reads and writes them:
the year a document reports on, the data file it names (or will name: ``<slug>.report.yml``
beside it), read with a stamp of its bytes, and written whole, only over the version the writer
read, with the document's front matter made to name it when it did not yet. The file written is
the one `portal import-report` writes and staff edit by hand (reports.report_to_yaml)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from portal import bounded_yaml, reports
from portal.catalogue.document import Document
from portal.catalogue.listing import Catalogue
from portal.text import atomic_write, split_front_matter

CATEGORY = "annual-reports"
DATA_SUFFIX = ".report.yml"
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


class TablesChanged(Exception):
    """The data file is no longer the version the writer read: someone saved it meanwhile."""


class FrontMatterUnsafe(Exception):
    """The front matter is written so that a `report:` line cannot be set safely."""


def report_documents(catalogue: Catalogue, organisations: Sequence[str]) -> list[Document]:
    """The annual report documents of these bodies, published and draft, newest year first.
    The website's yearly form (政府网站工作年度报表) shares their column but is no such report."""
    wanted = set(organisations)
    found = [
        document
        for document in (*catalogue.documents, *catalogue.drafts)
        if document.category.slug == CATEGORY
        and document.organisation in wanted
        and document.website_report_path is None
    ]
    return sorted(found, key=lambda d: (-(report_year(d) or 0), d.organisation, d.slug))


def report_year(document: Document) -> int | None:
    """The year a report covers: its tables', else the year its title names
    (…2024年政府信息公开工作年度报告), else None."""
    if document.report is not None:
        return document.report.year
    found = _TITLE_YEAR.search(unicodedata.normalize("NFKC", document.title))
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class TablesFile:
    """A document's data file as read now: where it is, whether the front matter names it yet,
    the stamp of its bytes ('' when there is no file), its tables, or why they cannot be read."""

    path: Path
    named: bool
    stamp: str
    report: reports.Report | None = None
    error: reports.ReportError | None = None


def data_file(document: Document) -> tuple[Path, bool]:
    """The data file of a document (read from its content folder) and whether it names it."""
    if document.report_path is not None:
        return document.path.parent / document.report_path.name, True
    return document.path.with_name(document.slug + DATA_SUFFIX), False


def stamp_of(data: bytes | None) -> str:
    """The stamp of a data file's bytes: their SHA-256 ('' for no file)."""
    return "" if data is None else hashlib.sha256(data).hexdigest()


def _read_bytes(path: Path) -> bytes | None:
    if path.is_symlink():
        raise reports.ReportError(path, None, "是符号链接：数据文件必须是内容目录中的真实文件")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def read_tables(document: Document) -> TablesFile:
    """The document's data file as it is on disk now, parsed from the bytes its stamp covers."""
    path, named = data_file(document)
    try:
        data = _read_bytes(path)
    except reports.ReportError as error:
        return TablesFile(path, named, "", error=error)
    except OSError as error:
        return TablesFile(
            path, named, "", error=reports.ReportError(path, None, f"无法读取：{error.strerror}")
        )
    if data is None:
        return TablesFile(path, named, "")
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
        return TablesFile(path, named, stamp_of(data), reports.parse_report(text, path))
    except UnicodeDecodeError:
        error = reports.ReportError(path, None, "文件不是 UTF-8 编码")
    except reports.ReportError as found:
        error = found
    return TablesFile(path, named, stamp_of(data), error=error)


@contextlib.contextmanager
def _folder_locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder, so that two workers never both check a stamp and
    then write: the second one to get the lock sees the first one's file."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def save_tables(document: Document, report: reports.Report, stamp: str) -> bool:
    """Write report as the document's data file, only over the version whose stamp is given
    (TablesChanged otherwise), and name it in the front matter if the document did not yet.
    False when nothing needed writing: the file already holds exactly these tables."""
    path, named = data_file(document)
    text = reports.report_to_yaml(report)
    content = None
    if not named:
        # Checked before anything is written: a front matter that cannot take the line
        # leaves both files as they were.
        content = name_report_file(document.path.read_text(encoding="utf-8"), path.name)
    with _folder_locked(path.parent):
        data = _read_bytes(path)
        if stamp_of(data) != stamp:
            raise TablesChanged(str(path))
        if named and data == text.encode("utf-8"):
            return False
        atomic_write(path, text)
        if content is not None:
            atomic_write(document.path, content)
    return True


def name_report_file(text: str, name: str) -> str:
    """The content file's text with its front matter naming the data file (``report: name``),
    the rest unchanged; FrontMatterUnsafe when it is not written one key per line."""
    lines, end = split_front_matter(text)
    root = bounded_yaml.compose("\n".join(lines[1:end]))
    if not isinstance(root, yaml.MappingNode):
        raise FrontMatterUnsafe(name)
    first = lines[root.value[0][0].start_mark.line + 1] if root.value else ""
    indent = first[: len(first) - len(first.lstrip(" "))]
    line = f"{indent}report: {reports.yaml_text(name)}"
    existing = [
        (key, value) for key, value in root.value if getattr(key, "value", None) == "report"
    ]
    if existing:
        key, value = existing[0]
        number = key.start_mark.line + 1
        if value.end_mark.line != key.start_mark.line or not isinstance(value, yaml.ScalarNode):
            raise FrontMatterUnsafe(name)
        head = [*lines[1:number], line, *lines[number + 1 : end]]
    else:
        head = [*lines[1:end], line]
    updated = "\n".join(["---", *head, *lines[end:]])
    after = yaml.safe_load("\n".join(head))
    before = yaml.safe_load("\n".join(lines[1:end]))
    if not isinstance(after, dict) or after != {**before, "report": name}:
        raise FrontMatterUnsafe(name)
    return updated
