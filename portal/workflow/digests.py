"""What an approval covers: one digest of a document exactly as the site reads and publishes it.

The digest is computed from the parsed front matter (every key and value except the review record
and the publication date, however the YAML is written: quoted or indented keys, flow style,
anchors and aliases), the Markdown body, and the bytes of every file published with the
document (attachments, report data, videos, captions, transcripts). Changing any of them changes
the digest, and an approval recorded for another digest no longer holds.
"""

import errno
import hashlib
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

# Digests start with the scheme that made them; an approval recorded under an older scheme
# (which covered neither the files nor every way of writing a key) never holds.
FORMAT = "v2"
# Written by `portal review` itself, so recording an approval does not void it.
NOT_COVERED = frozenset({"review", "published"})

_RESOLVER = yaml.resolver.Resolver()
_TEXT = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_CYCLE = hashlib.sha256(b"cycle").digest()


def is_current(digest: str) -> bool:
    """Whether a recorded digest was made by the current scheme."""
    return digest.startswith(f"{FORMAT}:")


def file_sha256(path: Path) -> str:
    """The SHA-256 of a regular file's bytes, in hex; OSError when it cannot be read."""
    # Non-blocking open, then a check of what was opened: a file swapped for a FIFO after
    # it was checked must not hang the reader.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return hashlib.file_digest(file, "sha256").hexdigest()


def document_digest(
    fields: Mapping[str, yaml.Node], body: str, files: Iterable[tuple[str, str]]
) -> str:
    """The digest an approval records: front matter fields as parsed (key -> YAML node), the
    body, and (file name, SHA-256) of every file published with the document."""
    digest = hashlib.sha256(f"portal document {FORMAT}\n".encode())
    memo: dict[int, bytes] = {}
    for key in sorted(fields):
        if key not in NOT_COVERED:
            digest.update(_text_digest(key) + _node_digest(fields[key], memo, set()))
    digest.update(b"body" + _text_digest(body))
    for name, sha256 in sorted(set(files)):
        digest.update(b"file" + _text_digest(name) + bytes.fromhex(sha256))
    return f"{FORMAT}:{digest.hexdigest()}"


def node_digest(node: yaml.Node, memo: dict[int, bytes] | None = None) -> bytes:
    """A digest of a YAML value as the site reads it, independent of how it is written.

    A scalar counts by its text and, when unquoted, by what YAML reads it as (`null` and `~`
    are empty, `"null"` is text), as the content parser reads it; an alias counts as the value
    it points to, computed once per node so a chain of aliases cannot make this exponential.
    """
    return _node_digest(node, {} if memo is None else memo, set())


def _node_digest(node: yaml.Node, memo: dict[int, bytes], open_nodes: set[int]) -> bytes:
    if id(node) in memo:
        return memo[id(node)]
    if id(node) in open_nodes:  # an alias to a node that contains it
        return _CYCLE
    if isinstance(node, yaml.ScalarNode):
        kind = (
            _RESOLVER.resolve(yaml.ScalarNode, node.value, (True, False))
            if node.style is None
            else _TEXT
        )
        # `key:`, `key: ~` and `key: null` all leave the value empty.
        value = "" if kind == _NULL else node.value
        result = hashlib.sha256(f"scalar {kind}\n".encode() + _encode(value)).digest()
        memo[id(node)] = result
        return result
    # Plain loops, not comprehensions: one stack frame per level of nesting, fewer than the
    # YAML composer needed to build the nodes, so whatever it composed can be digested.
    open_nodes.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        items = hashlib.sha256(b"list")
        for item in node.value:
            items.update(_node_digest(item, memo, open_nodes))
        result = items.digest()
    else:
        pairs = []
        for key, value in node.value:
            pairs.append(
                (_node_digest(key, memo, open_nodes), _node_digest(value, memo, open_nodes))
            )
        # Sorted by key so the order keys are written in does not count; the sort is stable,
        # so a key written twice keeps its order (which one wins depends on it).
        pairs.sort(key=lambda pair: pair[0])
        result = hashlib.sha256(b"map" + b"".join(k + v for k, v in pairs)).digest()
    open_nodes.discard(id(node))
    memo[id(node)] = result
    return result


def _encode(text: str) -> bytes:
    # YAML's "\ud800" escape gives a lone surrogate, which plain UTF-8 refuses.
    return text.encode("utf-8", "surrogatepass")


def _text_digest(text: str) -> bytes:
    return hashlib.sha256(_encode(text)).digest()
