"""Files staff upload as a draft's attachments: the name a file is kept under (a plain name of
a type the site publishes, starting with the draft's address), its first bytes checked against
that type, its size bounded while it is copied, and its name in the draft's folder taken
without ever replacing a file or following a link that has it."""

import os
import secrets
import unicodedata
from pathlib import Path
from typing import BinaryIO

from portal import filetypes
from portal.text import claim_name

# Why an upload is refused (UploadRefused.reason); the back office says each in its language.
NAME = "name"  # a folder in the name, a hidden name, an invisible character
TYPE = "type"  # a type the site does not publish
CONTENT = "content"  # the bytes are not what the name's type starts with
EMPTY = "empty"
SIZE = "size"
TAKEN = "taken"  # a file, folder or link of that name is in the folder already
LONG = "long"
# Bytes in a file name on every file system the site or an export is likely to live on.
NAME_MAX = 255
_CHUNK = 1 << 20


class UploadRefused(ValueError):
    """An uploaded file that is not kept, and why (one of the reasons above)."""

    def __init__(self, reason: str, name: str = ""):
        super().__init__(f"upload refused ({reason}): {name!r}")
        self.reason = reason
        self.name = name


def upload_name(filename: str, slug: str) -> str:
    """The name an uploaded file is kept under beside the draft whose address is slug: the
    browser's name checked (never cleaned into another), its type's extension in lower case,
    and the slug in front, so drafts in one folder do not reach for the same '附件1.pdf'."""
    name = unicodedata.normalize("NFC", filename).strip()
    if not filetypes.plain_file_name(name):
        raise UploadRefused(NAME, filename)
    kind = filetypes.extension(name)
    if kind not in filetypes.ATTACHMENT_TYPES:
        raise UploadRefused(TYPE, filename)
    name = f"{name[: -len(kind)]}{kind}"
    if not name.startswith(f"{slug}-"):
        name = f"{slug}-{name}"
    if len(name.encode("utf-8")) > NAME_MAX:
        raise UploadRefused(LONG, filename)
    return name


def save_upload(stream: BinaryIO, folder: Path, name: str, max_bytes: int) -> Path:
    """Copy an upload into folder as name and return its path; UploadRefused (nothing left
    behind) when it is empty, not what its type starts with, over max_bytes, or the name is
    taken by anything, a symbolic link included."""
    head = stream.read(filetypes.SNIFF_BYTES)
    if not head:
        raise UploadRefused(EMPTY, name)
    if not filetypes.content_matches(name, head):
        raise UploadRefused(CONTENT, name)
    temporary = folder / f".upload-{secrets.token_hex(8)}.tmp"
    try:
        with open(temporary, "xb") as file:  # O_EXCL: never through a link planted there
            size = len(head)
            file.write(head)
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRefused(SIZE, name)
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        if size > max_bytes:
            raise UploadRefused(SIZE, name)
        try:
            claim_name(temporary, folder / name)
        except FileExistsError:
            raise UploadRefused(TAKEN, name) from None
    finally:
        temporary.unlink(missing_ok=True)
    return folder / name
