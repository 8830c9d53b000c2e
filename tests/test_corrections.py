"""Corrections (portal/search/corrections.py) do bounded work however long the query: a pasted
paragraph reads the term index at most MAX_LOOKUPS times per tier of candidates, while a short
query's slip is still found. Over a vocabulary held in memory, read through the same protocol
the index snapshot answers."""

from __future__ import annotations

from portal.search import corrections

WORDS = ["科技特派员", "管理办法", "中小企业", "评价", "年度报告", "政府信息公开", "部门预算"]


class Vocabulary:
    """Title and keyword words, looked up as the index looks them up, counting every read."""

    def __init__(self, words: list[str]):
        self.words, self.reads = words, 0

    def spelt(self, key: str) -> list[tuple[str, int]]:
        self.reads += 1
        return []  # no word of the same sound: every read goes to the stretches

    def edited(self, variant: str) -> list[tuple[str, int]]:
        """The words that are ``variant``, or ``variant`` with a character added (from three
        characters up, as the index keys them)."""
        self.reads += 1
        return [
            (w, 1)
            for w in self.words
            if w == variant
            or (len(w) >= 3 and any(w[:i] + w[i + 1 :] == variant for i in range(len(w))))
        ]

    def doc_frequency(self, term: str) -> int:
        self.reads += 1
        return int(term in self.words)

    def latin_words(self) -> list[str]:
        return []


def test_a_pasted_paragraph_costs_a_bounded_number_of_reads():
    paragraph = (
        "按照选认条件经个人申报单位推荐选认科技派特员二十名并对中小企评价工作开展年度考核" * 4
    )
    vocabulary = Vocabulary(WORDS)
    corrections.candidates(paragraph, vocabulary)
    corrections.candidates(paragraph, vocabulary, corrections.BY_ONE_EDIT)
    assert vocabulary.reads <= 2 * corrections.MAX_LOOKUPS


def test_a_short_query_is_looked_up_whole_within_the_budget():
    vocabulary = Vocabulary(WORDS)
    found = corrections.candidates("科技派特员", vocabulary, corrections.BY_ONE_EDIT)
    assert found[0] == "科技特派员"
    assert corrections.candidates("科技型中小企评价", vocabulary, corrections.BY_ONE_EDIT)[0] == (
        "科技型中小企业评价"
    )
