"""Crawler text whose cells ran together: `一、本年新收政府信息公开申请数量123000116二、…`.

Two steps, each refusing rather than guessing:

* ``split_glued``: a piece of text with no spaces is cut into labels and digit runs, but only
  when every piece of text between the runs is a label of the table (or several labels written
  one after another): text that is not (a footnote with a year in it) is left whole;
* ``splits``: a digit run standing for several cells is cut into them only when exactly one cut
  satisfies the row's statutory sums (``row_sum``: the six applicant columns of table 3 add up
  to its 总计, and table 4's four results to each group's 总计). A row without such a rule (table
  2) is cut only when the run has exactly one digit per cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

# A digit run; a digit followed by `.` or `、` and then no digit is the numbering of the next
# label (`…0000001.属于国家秘密`), not a value.
_RUN = re.compile(r"\d+(?:\.\d+)?")
_NUMBERING_AFTER = re.compile(r"[.、,．](?!\d)")
_NUMBERING = (
    r"(?:[一二三四五六七八九十]+[、.,．]|[(（][一二三四五六七八九十]+[)）]|\d{1,2}[.、,．]?"
    r"|[(（]\d{1,2}[)）])?"
)
MAX_SEGMENTED = 600  # characters of glued labels segmented; a longer piece is left whole


def pieces(part: str) -> list[tuple[str, bool]]:
    """``part`` as (text, is_run) pieces, the numbering of a label kept with the label."""
    out: list[tuple[str, bool]] = []
    text_start = 0
    for match in _RUN.finditer(part):
        start, end, run = match.start(), match.end(), match.group()
        if "." not in run and _NUMBERING_AFTER.match(part, end):
            run, end = run[:-1], end - 1  # its last digit numbers the label after it
        if not run:
            continue
        if part[text_start:start].strip():
            out.append((part[text_start:start].strip(), False))
        out.append((run, True))
        text_start = end
    if part[text_start:].strip():
        out.append((part[text_start:].strip(), False))
    return out


def segment(text: str, surfaces: list[tuple[re.Pattern, object]], accept) -> list[str] | None:
    """``text`` cut into labels (fewest pieces), each checked by ``accept``; None if it cannot
    be cut wholly into labels."""
    if len(text) > MAX_SEGMENTED:
        return None
    best: list[list[str] | None] = [None] * (len(text) + 1)
    best[0] = []
    for start in range(len(text)):
        if best[start] is None:
            continue
        for pattern, _ in surfaces:
            match = pattern.match(text, start)
            if match is None:
                continue
            # Punctuation after a label may close it (”) or open the next one (（一）).
            for end in {match.end("label"), match.end()}:
                piece = text[start:end]
                if end == start or not accept(piece):
                    continue
                candidate = [*best[start], piece]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(text)]


def surface(core: str) -> re.Pattern:
    """A label's core as it may be written: optional numbering, punctuation anywhere."""
    between = r"[\W_]*"
    label = _NUMBERING + between + between.join(map(re.escape, core))
    # Spaces may stand before a label's numbering too (`结果 （一）予以公开`).
    return re.compile(f"\\s*(?P<label>{label}){between}")


def _cuts(run: str, parts: int) -> Iterator[list[str]]:
    """Every way to cut ``run`` into ``parts`` numbers written without leading zeros."""
    if parts == 1:
        if run == "0" or not run.startswith("0"):
            yield [run]
        return
    limit = len(run) - parts + 1
    for size in range(1, limit + 1):
        head = run[:size]
        if size > 1 and head.startswith("0"):
            break
        for rest in _cuts(run[size:], parts - 1):
            yield [head, *rest]


def splits(
    runs: list[tuple[str, bool]], width: int, row_sum: Callable[[list[int]], bool] | None
) -> list[list[int]]:
    """Every reading of a row's values (each a text and whether it may hold several cells) as
    ``width`` numbers that satisfies ``row_sum`` (None: a row with no sum, cut only where the
    cut is forced). Bounded: past 20,000 readings the row is taken as ambiguous."""
    splittable = [i for i, (_, run) in enumerate(runs) if run]
    fixed = len(runs) - len(splittable)
    digits = sum(len(runs[i][0]) for i in splittable)
    if not splittable or fixed + digits < width or fixed + len(splittable) > width:
        return []
    found: list[list[int]] = []
    tried = 0

    def extend(index: int, left: int, values: list[int]) -> None:
        nonlocal tried
        if tried > 20_000 or (len(found) > 1 and row_sum is None):
            return
        if index == len(runs):
            tried += 1
            if left == 0 and (row_sum is None or row_sum(values)):
                found.append(values)
            return
        text, run = runs[index]
        if not run:
            extend(index + 1, left - 1, [*values, int(text)])
            return
        after = len(runs) - index - 1  # each token after this one fills at least one cell
        for parts in range(1, left - after + 1):
            for cut in _cuts(text, parts):
                extend(index + 1, left - parts, [*values, *map(int, cut)])

    extend(0, width, [])
    if tried > 20_000:
        return [[], []]  # too many readings to tell: ambiguous
    return found
