"""How the site sends a file (attachments, videos and their captions and transcripts, data
downloads): one policy, so that nothing a content file holds can run script on the site's origin.

A file's type comes from its name, through the table below, never from its bytes or the
system's MIME database. Only types a browser cannot run script from are shown in the browser;
every other file is a download. Every file response says nosniff and carries a sandboxing
Content-Security-Policy, so even a file a browser chose to render runs no script and no
plugin, sends no form and loads nothing.
"""

import codecs
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class FileType:
    """A type of file the site publishes."""

    media_type: str
    inline: bool = False  # shown in the browser; else downloaded
    media: bool = False  # audio or video, played by the browser


# The types `portal check` accepts for attachments; docs/content-format.md lists them. Office
# formats are downloads: a browser does not show them, and a download is what people expect.
TYPES = {
    "pdf": FileType("application/pdf", inline=True),
    "ofd": FileType("application/ofd"),
    "doc": FileType("application/msword"),
    "docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "wps": FileType("application/wps-office.wps"),
    "odt": FileType("application/vnd.oasis.opendocument.text"),
    "xls": FileType("application/vnd.ms-excel"),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "et": FileType("application/wps-office.et"),
    "ods": FileType("application/vnd.oasis.opendocument.spreadsheet"),
    "ppt": FileType("application/vnd.ms-powerpoint"),
    "pptx": FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "dps": FileType("application/wps-office.dps"),
    "odp": FileType("application/vnd.oasis.opendocument.presentation"),
    "txt": FileType("text/plain", inline=True),
    "csv": FileType("text/csv", inline=True),
    "json": FileType("application/json"),
    "zip": FileType("application/zip"),
    "rar": FileType("application/vnd.rar"),
    "7z": FileType("application/x-7z-compressed"),
    "jpg": FileType("image/jpeg", inline=True),
    "jpeg": FileType("image/jpeg", inline=True),
    "png": FileType("image/png", inline=True),
    "gif": FileType("image/gif", inline=True),
    "webp": FileType("image/webp", inline=True),
    "mp3": FileType("audio/mpeg", inline=True, media=True),
    "ogg": FileType("audio/ogg", inline=True, media=True),
    "mp4": FileType("video/mp4", inline=True, media=True),
    "webm": FileType("video/webm", inline=True, media=True),
    "vtt": FileType("text/vtt", inline=True),
}
# What each kind of published file may be, by extension.
ATTACHMENT_TYPES = tuple(TYPES)
VIDEO_TYPES = ("mp4", "webm")
CAPTION_TYPES = ("vtt",)
TRANSCRIPT_TYPES = ("txt", "pdf", "docx", "doc", "odt", "wps", "ofd")

UNKNOWN = FileType("application/octet-stream")

# What a file of each type starts with, as (offset, bytes) any of which must match: a cheap
# check that an uploaded file is what its name says (a script renamed .pdf is refused). The
# WPS formats are OLE2 files like the old Office ones, and newer WPS saves zip; OFD is zip.
_ZIP = ((0, b"PK\x03\x04"),)
_OLE2 = ((0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),)
SIGNATURES: dict[str, tuple[tuple[int, bytes], ...]] = {
    "pdf": ((0, b"%PDF-"),),
    "ofd": _ZIP,
    **dict.fromkeys(("doc", "xls", "ppt"), _OLE2),
    **dict.fromkeys(("wps", "et", "dps"), _OLE2 + _ZIP),
    **dict.fromkeys(("docx", "xlsx", "pptx", "odt", "ods", "odp"), _ZIP),
    "zip": (*_ZIP, (0, b"PK\x05\x06")),
    "rar": ((0, b"Rar!\x1a\x07"),),
    "7z": ((0, b"7z\xbc\xaf\x27\x1c"),),
    **dict.fromkeys(("jpg", "jpeg"), ((0, b"\xff\xd8\xff"),)),
    "png": ((0, b"\x89PNG\r\n\x1a\n"),),
    "gif": ((0, b"GIF87a"), (0, b"GIF89a")),
    "webp": ((8, b"WEBP"),),
    "mp3": ((0, b"ID3"), (0, b"\xff\xfb"), (0, b"\xff\xfa"), (0, b"\xff\xf3"), (0, b"\xff\xf2")),
    "ogg": ((0, b"OggS"),),
    "mp4": ((4, b"ftyp"),),
    "webm": ((0, b"\x1a\x45\xdf\xa3"),),
}
# Read as text: UTF-8 without NUL bytes; a WebVTT file starts with its name.
TEXT_TYPES = ("txt", "csv", "json", "vtt")
SNIFF_BYTES = 4096

# default-src 'none' loads nothing and runs no script; sandbox (without allow-scripts) gives the
# document an opaque origin, no script, no plugins, no forms, no popups. Checked in Debian's
# Chromium 156, headless and not: a PDF still opens in its viewer and an image still shows.
FILE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
# Chromium plays a video opened on its own in a document that fetches the file again: from an
# opaque origin that is a cross-origin request the file does not allow (nothing plays), so
# audio and video keep their origin. Scripts stay off: allow-scripts is never given.
MEDIA_POLICY = (
    "default-src 'none'; media-src 'self'; frame-ancestors 'none'; sandbox allow-same-origin"
)

_UNSAFE_IN_FALLBACK = re.compile(r"[^A-Za-z0-9._-]+")
# RFC 5987 attr-char, minus the letters and digits quote() keeps anyway.
_ATTR_CHAR = "!#$&+-.^_`|~"


def extension(name: str) -> str:
    """The file type part of a name, lower case: 'PDF' for 'a.PDF' gives 'pdf'."""
    return name.rpartition(".")[2].lower() if "." in name else ""


def plain_file_name(name: str) -> bool:
    """Whether name is a plain file name: not empty, no folder, not hidden (a leading dot, which
    '..' has too), nothing invisible or that is not printed (controls, bidi overrides)."""
    return bool(name) and not (
        "/" in name or "\\" in name or name.startswith(".") or not name.isprintable()
    )


def content_matches(name: str, head: bytes) -> bool:
    """Whether a file's first SNIFF_BYTES bytes are what its name's type starts with (types
    without a known signature pass)."""
    kind = extension(name)
    if kind in TEXT_TYPES:
        try:
            text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            return False
        return "\0" not in text and (kind != "vtt" or text.lstrip("\ufeff").startswith("WEBVTT"))
    signatures = SIGNATURES.get(kind)
    return signatures is None or any(
        head[offset : offset + len(magic)] == magic for offset, magic in signatures
    )


def file_type(name: str) -> FileType:
    """The type of a file by its name; a name the table does not know is a download."""
    return TYPES.get(extension(name), UNKNOWN)


def content_type(name: str) -> str:
    """The Content-Type header for a file: text is always UTF-8 (`portal check` sees to it)."""
    media_type = file_type(name).media_type
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def content_disposition(name: str, inline: bool) -> str:
    """A Content-Disposition value (RFC 6266) that names the file in any script: an ASCII
    filename= for old clients and the exact name as filename*= UTF-8."""
    stem, dot, suffix = unicodedata.normalize("NFKC", name).rpartition(".")
    if not dot:
        stem, suffix = suffix, ""
    fallback = _UNSAFE_IN_FALLBACK.sub("_", stem).strip("._") or "download"
    suffix = _UNSAFE_IN_FALLBACK.sub("", suffix)
    fallback += f".{suffix}" if suffix else ""
    value = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe=_ATTR_CHAR)}"
    return value


def security_headers(name: str) -> dict[str, str]:
    """The headers that keep a file from running anything, whoever rendered it."""
    policy = MEDIA_POLICY if file_type(name).media else FILE_POLICY
    return {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff"}


def file_headers(name: str) -> dict[str, str]:
    """Every header the policy sets on the file called name."""
    kind = file_type(name)
    return {
        "Content-Type": content_type(name),
        "Content-Disposition": content_disposition(name, kind.inline),
        **security_headers(name),
    }
