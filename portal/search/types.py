"""What the search engine takes and gives: documents, results and errors. No Whoosh."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 200
# organisation: the id of the body (发布机构) that publishes the document; validity: its 时效
# (in-force, amended, repealed, expired), for documents that state one.
FACETS = ("organisation", "category", "department", "year", "five_openness", "validity")
SORTS = ("relevance", "date")
MAX_PER_PAGE = 100
# Where the words are looked for: every text field, the title alone, or the 文号 and 索引号
# (in order, in part: "2024 12号" finds 示科发〔2024〕12号).
SCOPES = ("all", "title", "refs")


@dataclass(frozen=True)
class Features:
    """The forgiving steps a search takes; every one is on unless turned off (the relevance
    benchmark turns each on alone to measure it)."""

    # Other words for what the visitor typed, from synonyms.txt.
    synonyms: bool = True
    # Letters that find no word read as the pinyin of indexed words.
    pinyin: bool = True
    # A query with no or few results is offered a correction (Results.correction).
    corrections: bool = True
    # Documents whose 文号 or 索引号 the query spells in part come first.
    refs: bool = True
    # Words that only make a question (有, 要, 请问…) are not required (query.QUESTION_WORDS).
    questions: bool = True
    # English words read through the glossary (english.txt) as the Chinese words they stand
    # for, and found in each document's kind and body in English (SearchDocument.english).
    english: bool = True
    # A first page with few results goes on with the documents holding every part but one.
    fill: bool = True


ALL_FEATURES = Features()
NO_FEATURES = Features(
    synonyms=False,
    pinyin=False,
    corrections=False,
    refs=False,
    questions=False,
    english=False,
    fill=False,
)


@dataclass(frozen=True)
class Expansion:
    """Other words a search also looked for: what the visitor typed and what it stands for."""

    typed: str
    found: str
    kind: str  # "synonym", "english" (the glossary) or "pinyin"


@dataclass(frozen=True)
class SearchDocument:
    """One published document, as plain text."""

    slug: str
    title: str
    body: str
    keywords: tuple[str, ...] = ()
    doc_no: str = ""
    index_no: str = ""
    department: str = ""
    organisation: str = ""
    category: str = ""
    category_path: tuple[str, ...] = ()
    five_openness: str = ""
    date: datetime.date | None = None
    sample: bool = False
    validity: str = ""
    # The text of each attachment that has text: (its title, its text).
    attachments: tuple[tuple[str, str], ...] = ()
    # What the document is and who publishes it, in English (its category path's and its
    # organisation's English names): found by English words on the English pages.
    english: str = ""


@dataclass
class Hit:
    """One search result; ``title_html`` and ``snippet_html`` are escaped HTML with <mark>."""

    slug: str
    title_html: str
    snippet_html: str
    date: datetime.date | None
    department: str
    category: str
    score: float
    organisation: str = ""
    # The title of the attachment the snippet comes from, when only an attachment matched.
    attachment: str = ""
    reference: str = ""  # the 文号 as written
    # Holds every part of the query but one: listed after those holding them all (Features.fill).
    partial: bool = False


@dataclass
class Results:
    """One page of results with the total and facet counts over the whole matched set."""

    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    sort: str = "relevance"
    # True when no document matched every part of the query and the results match some parts.
    relaxed: bool = False
    # A query drawn from the index's own words that finds more, offered, never searched instead.
    correction: str = ""
    # The other words searched for (synonyms, pinyin) that the results hold.
    expansions: list[Expansion] = field(default_factory=list)
    scope: str = "all"

    @property
    def pages(self) -> int:
        """Number of pages needed for ``total`` results."""
        return max(1, -(-self.total // self.per_page))


class SearchError(Exception):
    """Base class of the errors this package raises on purpose."""


class QueryTooLong(SearchError):
    """The query is longer than MAX_QUERY_LENGTH characters."""

    def __init__(self, length: int):
        super().__init__(f"搜索词太长（{length} 个字符），请不要超过 {MAX_QUERY_LENGTH} 个字符。")
        self.length = length


class IndexUnavailable(SearchError):
    """The search index is missing, unreadable or from an incompatible version."""


class IndexLocked(SearchError):
    """Another build or update of the same index is running."""
