"""What changed between two versions of a document: a line diff of their texts (difflib), in
hunks with a few lines of context, and the files published with them that were added, removed
or changed."""

import difflib
import json
from dataclasses import dataclass

# Lines around each change that are shown unchanged.
CONTEXT = 3
# Texts longer than this (in lines, both together) are not compared line by line: difflib's
# matching grows with the product of their lengths.
MAX_LINES = 20_000

SAME, REMOVED, ADDED = "same", "removed", "added"


@dataclass(frozen=True)
class Line:
    """One line of a diff: unchanged, removed from the earlier version or added in the later,
    with its number in each version it is in."""

    kind: str
    old: int | None
    new: int | None
    text: str


@dataclass(frozen=True)
class FileChange:
    """A file published with the document that one version has and the other has not, or has
    with other bytes."""

    name: str
    kind: str  # ADDED, REMOVED, or "changed"


def line_diff(before: str, after: str, context: int = CONTEXT) -> list[list[Line]] | None:
    """The hunks of lines that differ between the texts, each with context lines around it
    (empty when they are the same); None when they are too long to compare here."""
    old, new = before.splitlines(), after.splitlines()
    if len(old) + len(new) > MAX_LINES:
        return None
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(context):
        lines = []
        for tag, old_start, old_end, new_start, new_end in group:
            if tag == "equal":
                lines += [
                    Line(SAME, old_start + i + 1, new_start + i + 1, old[old_start + i])
                    for i in range(old_end - old_start)
                ]
                continue
            lines += [Line(REMOVED, n + 1, None, old[n]) for n in range(old_start, old_end)]
            lines += [Line(ADDED, None, n + 1, new[n]) for n in range(new_start, new_end)]
        hunks.append(lines)
    return hunks


def file_changes(before: str, after: tuple[tuple[str, str], ...]) -> list[FileChange]:
    """How the files of a version (before: the JSON the audit trail keeps) differ from after's
    (file name, SHA-256) pairs."""
    old = {name: sha256 for name, sha256 in json.loads(before or "[]")}
    new = dict(after)
    changes = [FileChange(name, REMOVED) for name in sorted(old.keys() - new.keys())]
    changes += [FileChange(name, ADDED) for name in sorted(new.keys() - old.keys())]
    changes += [
        FileChange(name, "changed")
        for name in sorted(old.keys() & new.keys())
        if old[name] != new[name]
    ]
    return sorted(changes, key=lambda change: change.name)
