"""错敏字 before publication: written forms a document should not use, from a word list kept as
data (wording.tsv, whose header names its sources), found in a document's title and text with
their lines, unless the document says it means them (words_ok: in its front matter)."""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WORD_LIST = Path(__file__).with_name("wording.tsv")


@dataclass(frozen=True)
class Wording:
    """A form to flag, the form to write instead, and the source that says so."""

    flagged: str
    preferred: str
    source: str


@cache
def word_list(path: Path = WORD_LIST) -> tuple[Wording, ...]:
    """The word list: every line but comments and blank ones is flagged, preferred and source,
    separated by tabs; ValueError naming the line of one that is not."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not all(field.strip() for field in fields):
            raise ValueError(f"{path.name}:{number}: write flagged, preferred and source, tabbed")
        found.append(Wording(*(field.strip() for field in fields)))
    return tuple(found)


def flagged_wording(
    text: str, first_line: int, allowed: frozenset[str] = frozenset(), limit: int = 21
) -> Iterator[tuple[int, str]]:
    """(line, message) for the first `limit` flagged forms in a text whose first line is
    first_line of its file, but those the document means (allowed). Each form is looked for in
    the whole text first, so a long text costs a few scans, not one per line and form."""
    present = [w for w in word_list() if w.flagged not in allowed and w.flagged in text]
    if not present:
        return
    found = 0
    for number, line in enumerate(text.split("\n"), start=first_line):
        for wording in present:
            if wording.flagged in line:
                yield (
                    number,
                    (
                        f"{wording.flagged}: write {wording.preferred} ({wording.source}); if "
                        f"{wording.flagged} is meant here, add it to words_ok: in the front matter"
                    ),
                )
                found += 1
                if found >= limit:
                    return
