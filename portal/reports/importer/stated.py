"""Figures of table 2 that the report's own prose states (现行有效行政规范性文件698件): used only
to choose among the ways a run of digits written together can be cut into the row's cells, when
exactly one way agrees with every figure the prose states. Table 2 has no total to check a cut
against; the prose is the report's own second statement of the same figures."""

from __future__ import annotations

import re
import unicodedata

_DOCUMENTS = r"(?:的)?(?:行政)?规范性文件(?:共|总计|合计)?(\d+)\s*件"
# (row, column, what the prose says): the figures of 行政规范性文件.
STATEMENTS = (
    ("normative", "in_force", re.compile(r"现行有效" + _DOCUMENTS)),
    ("normative", "issued", re.compile(r"(?:制发|印发)" + _DOCUMENTS)),
    ("normative", "repealed", re.compile(r"废止" + _DOCUMENTS)),
)
# A clause about another period (上年, 同比 …) states no figure of this report's year.
_OTHER_PERIOD = re.compile(r"上年|上一年|去年|同比|以来")
_CLAUSE = re.compile(r"[。；;！!？?\n，,]")

Stated = dict[tuple[str, str], list[tuple[int, str]]]


def stated_figures(texts: list[str]) -> Stated:
    """For each (row, column) of table 2 the prose gives, the numbers it gives and the words."""
    found: Stated = {}
    for text in texts:
        for clause in _CLAUSE.split(unicodedata.normalize("NFKC", text)):
            if _OTHER_PERIOD.search(clause):
                continue
            for row, column, pattern in STATEMENTS:
                for match in pattern.finditer(clause):
                    found.setdefault((row, column), []).append((int(match.group(1)), match.group()))
    return found
