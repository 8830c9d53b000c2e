"""The text of office files (PDF, DOCX, XLSX, CSV, plain text), bounded: the package's one door.

``extract(data, kind)`` gives a document's blocks in reading order, paragraphs (headings with
their level) and tables as grids of cells with their merges, within ``Limits`` (size, pages,
unpacked size, characters, time): a hostile file costs at most that, and what was left out is
said in ``Extract.truncated``. A file that cannot be read raises ``ExtractionError`` with a
message staff can act on. The report importer reads Word and PDF reports through it; the
indexer reads attachments through it (``portal.extraction.worker`` runs one extraction in a
child process with a hard memory and time limit). The parsers (python-docx, pdfplumber,
openpyxl) are imported only when a file of their kind is read: the web app never loads them.
Pure domain code: no Flask here.
"""

from __future__ import annotations

from portal.extraction.model import (
    Block,
    Extract,
    ExtractionError,
    Limits,
    Paragraph,
    Table,
    join_wrapped,
    tidy,
)
from portal.extraction.store import (
    ATTACHMENT_LIMITS,
    KINDS,
    TEXT_FOLDER,
    StoredText,
    TextStore,
    kind_of,
)
from portal.extraction.worker import extract_bounded

__all__ = [
    "ATTACHMENT_LIMITS",
    "KINDS",
    "TEXT_FOLDER",
    "Block",
    "Extract",
    "ExtractionError",
    "Limits",
    "Paragraph",
    "StoredText",
    "Table",
    "TextStore",
    "extract",
    "extract_bounded",
    "join_wrapped",
    "kind_of",
    "sniff",
    "tidy",
]


def sniff(data: bytes) -> str | None:
    """'pdf', 'docx' or 'xlsx' when the bytes are one (whatever the file's name), else None."""
    head = data[:1024]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head:
        return "pdf"
    if head[:4] == b"PK\x03\x04":
        if b"word/" in data[:65536]:
            return "docx"
        if b"xl/" in data[:65536]:
            return "xlsx"
    return None


def extract(data: bytes, kind: str, limits: Limits | None = None) -> Extract:
    """The text of a file of ``kind`` (one of KINDS), or ExtractionError saying why not."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise ExtractionError(f"the file is {len(data):,} bytes, more than {limits.max_bytes:,}")
    if kind == "pdf":
        from portal.extraction.pdf import read_pdf

        return read_pdf(data, limits)
    if kind == "docx":
        from portal.extraction.word import read_docx

        return read_docx(data, limits)
    if kind in ("xlsx", "csv", "txt"):
        from portal.extraction.sheets import read_csv, read_text, read_xlsx

        return {"xlsx": read_xlsx, "csv": read_csv, "txt": read_text}[kind](data, limits)
    raise ExtractionError(f"no text can be read from a .{kind} file")
