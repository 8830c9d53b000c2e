"""Full-text search over published documents, in Chinese and English: the package's one door.

The rest of the portal imports the names below (``from portal import search``), never a module
inside, so another engine could stand behind them:

* :func:`build_index` writes a complete new index beside the live one and switches to it;
* :func:`update_index` adds, replaces or removes a few documents;
* :func:`index_stamp` tells when the live index was last written;
* :class:`Searcher` answers queries with hits, highlights and facet counts;
* :func:`index_content`, :func:`index_catalogue` and :class:`IndexKeeper` keep the index in
  step with the catalogue.

Inside, each module says its rules in its docstring:

* no Whoosh: types.py (what goes in and out), analysis.py (folding, rjieba, atoms), query.py
  (user text to required parts, synonyms applied), highlighting.py, fields.py (what is
  indexed of a document, and how positions carry their field), generations.py (folders, lock,
  atomic switch), postings.py (numpy arithmetic on whole posting lists), matching.py (masks,
  BM25F), phrases.py (phrases wherever their characters stand together), pool.py (a
  segment's postings while it is written), answering.py (one search over an open
  generation: masks, order, page), suggestions.py (while typing), hot.py (热门搜索, in
  SQLite); the forgiving steps: synonyms.py (synonyms.txt and the English glossary
  english.txt, data), pinyin.py (words' pinyin keys, pypinyin), alternatives.py (letters read
  as pinyin, typed whole or apart), corrections.py (did you mean, by sound, by spelling and
  by one character dropped, added, swapped or replaced: slips.py), refs.py (文号 in part);
* Whoosh's public API only: build.py (writing a generation), searcher.py (reading one);
* the quarantine, every Whoosh subclass and private name, verified against exactly the pinned
  whoosh-reloaded by a contract test each: whoosh_codec.py (the codec, writers and fields),
  whoosh_read.py (whole posting lists and columns);
* indexing.py, the only module that imports the catalogue (loaded on first use, below).
"""

from portal.search.analysis import STOP_WORDS, analyse, fold, normalize_ref
from portal.search.build import build_index, update_index
from portal.search.generations import CURRENT, copy_live, index_stamp, live_generation
from portal.search.highlighting import SNIPPET_CHARS, highlight, mark_pattern, snippet
from portal.search.hot import SLOT_SECONDS as HOT_SLOT_SECONDS
from portal.search.hot import HotSearches
from portal.search.query import parse_query
from portal.search.searcher import Searcher
from portal.search.suggestions import Suggestion
from portal.search.types import (
    ALL_FEATURES,
    FACETS,
    MAX_PER_PAGE,
    MAX_QUERY_LENGTH,
    NO_FEATURES,
    SCOPES,
    SORTS,
    Expansion,
    Features,
    Hit,
    IndexLocked,
    IndexUnavailable,
    QueryTooLong,
    Results,
    SearchDocument,
    SearchError,
)

__all__ = [
    "ALL_FEATURES",
    "CURRENT",
    "FACETS",
    "HOT_SLOT_SECONDS",
    "MAX_PER_PAGE",
    "MAX_QUERY_LENGTH",
    "NO_FEATURES",
    "SCOPES",
    "SNIPPET_CHARS",
    "SORTS",
    "STOP_WORDS",
    "Expansion",
    "Features",
    "Hit",
    "HotSearches",
    "IndexKeeper",
    "IndexLocked",
    "IndexUnavailable",
    "QueryTooLong",
    "Results",
    "SearchDocument",
    "SearchError",
    "Searcher",
    "Suggestion",
    "analyse",
    "build_index",
    "copy_live",
    "fold",
    "highlight",
    "index_catalogue",
    "index_content",
    "index_stamp",
    "keep_in_step",
    "live_generation",
    "mark_pattern",
    "normalize_ref",
    "parse_query",
    "search_document",
    "snippet",
    "update_index",
]

# Keeping the index in step needs the catalogue (and all it imports), which searching never
# does: these names are imported on first use, so a process that only builds or searches (the
# benchmark's) loads the engine alone.
_INDEXING = frozenset(
    {"IndexKeeper", "index_catalogue", "index_content", "keep_in_step", "search_document"}
)


def __getattr__(name: str):
    if name in _INDEXING:
        from portal.search import indexing

        return getattr(indexing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
