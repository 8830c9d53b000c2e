"""Free-text names (a department, an organisation) as one segment of a URL path.

A name is the segment itself when browsers, nginx and file systems all keep it as it is, so
the addresses people already cite do not change. Any other name (with `/`, `\\`, `?`, `#`,
`%`, spaces or control characters, starting with a dot, or too long for a file name) becomes
a readable part of it, `~` and a digest of the whole name: every name has its own segment, and
no segment can leave its folder in a URL or in an export.
"""

import hashlib
import re

from werkzeug.routing import BaseConverter

# Bytes of UTF-8 a name may take as it is: a file name (255 bytes) with room for a suffix.
MAX_BYTES = 120
READABLE_BYTES = 60
# Characters a URL, a server or a file system would read as structure rather than as a name;
# `~` marks a digested segment, so no plain name may hold one.
_STRUCTURE = re.compile(r"[/\\?#%~\s]")


def _plain(name: str) -> bool:
    return (
        0 < len(name.encode("utf-8", "surrogatepass")) <= MAX_BYTES
        and not name.startswith(".")
        and name.isprintable()
        and not _STRUCTURE.search(name)
    )


def segment(name: str) -> str:
    """The URL path segment of a name (not yet percent-encoded)."""
    if _plain(name):
        return name
    printable = "".join(c if c.isprintable() else " " for c in name)
    readable = re.sub(r"-+", "-", _STRUCTURE.sub("-", printable)).strip("-.")
    readable = readable.encode("utf-8", "surrogatepass")[:READABLE_BYTES].decode("utf-8", "ignore")
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{readable}~{digest}"


def find(value: str, names) -> str | None:
    """The name among names whose segment is value, if any."""
    return next((name for name in names if segment(name) == value), None)


class SegmentConverter(BaseConverter):
    """`<segment:...>` in a route: url_for() is given the name and writes its segment; the
    view receives the segment and looks the name up with find()."""

    def to_url(self, value: str) -> str:
        return super().to_url(segment(value))


def register(state) -> None:
    """Make `<segment:...>` available to a blueprint's routes (Blueprint.record_once)."""
    state.app.url_map.converters["segment"] = SegmentConverter
