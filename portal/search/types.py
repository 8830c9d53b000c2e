"""What the search engine takes and gives: documents, results and errors. No Whoosh."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

MAX_QUERY_LENGTH = 200
# organisation: the id of the body (发布机构) that publishes the document; validity: its 时效
# (in-force, amended, repealed, expired), for documents that state one.
FACETS = ("organisation", "category", "department", "year", "five_openness", "validity")
SORTS = ("relevance", "date")
MAX_PER_PAGE = 100


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
