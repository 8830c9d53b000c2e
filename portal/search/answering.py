"""Answering one search over an open generation: what to look for, which documents match, in
what order, and the page of hits. No Whoosh: the snapshot (searcher.py) reads the index.

The query's parts (query.py, with synonyms and the English glossary) are matched as document
masks (matching.py); a part of Latin letters that no document holds is read as pinyin, and so
are such words typed apart that spell indexed words together (alternatives.py). If the AND of
two or more parts finds nothing, documents matching any part are listed and ``relaxed`` says
so; if it finds fewer than a page for a query of FILL_MIN_PARTS parts or more, the first page
goes on with the documents holding every part but one, marked ``partial`` (Features.fill). A
query that is exactly a 文号 or 索引号 puts that document first; one that spells a reference in
part (refs.py) puts the documents whose references hold it next. Filters, the date window and
the scope restrict every count. With no or few results, a correction is looked for
(corrections.py) and offered, never searched instead.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np

from portal.search import corrections, refs, synonyms
from portal.search.alternatives import joined, letters_of, readings
from portal.search.analysis import fold
from portal.search.fields import ENGLISH, TEXT_FIELDS
from portal.search.highlighting import attachment_snippet, highlight, mark_pattern, snippet
from portal.search.matching import QueryPostings
from portal.search.query import Part, parse_query
from portal.search.types import FACETS, Expansion, Features, Hit, Results

# Fewer results than this, or only some words found: a correction is looked for.
FEW_RESULTS = 3
# Parts a query needs before a short first page is filled with documents holding all but one:
# of two, one alone is too little of what was asked (科技 of 科技特派员).
FILL_MIN_PARTS = 3
# Documents whose references are read to check the order of a query's pieces, at most.
REFS_CHECKED = 2000
# The text fields each scope looks in (None: all).
SCOPE_FIELDS = {"all": None, "title": ("title",), "refs": ("refs",)}


@dataclass(frozen=True)
class Request:
    """Everything a search depends on besides the index and the published documents: the key
    of the results cache."""

    query: str
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    sort: str
    page: int
    per_page: int
    scope: str
    first: datetime.date | None
    last: datetime.date | None
    features: Features


class _Matcher:
    """One query's parts matched over a view, within the scope, filters and date window."""

    def __init__(self, snap, view, request: Request):
        self.snap, self.view, self.request = snap, view, request
        fields = SCOPE_FIELDS[request.scope]
        if fields is None and not request.features.english:
            fields = tuple(f for f in TEXT_FIELDS if f != ENGLISH)
        self.postings = QueryPostings(snap, view.live, fields)
        self.per_key = {k: snap.allowed(k, values) for k, values in request.filters}
        window = view.live
        if request.first or request.last:
            window = window & snap.date_window(request.first, request.last)
        self.window = window

    def restrict(self, docs: np.ndarray, skip: str | None = None) -> np.ndarray:
        """``docs`` within the date window and every filter but ``skip``'s."""
        docs = docs & self.window
        for key, allowed in self.per_key.items():
            if key != skip:
                docs = docs & allowed
        return docs

    def parts(self, text: str, read_pinyin: bool) -> tuple[list[Part], list]:
        """The parts and highlights of ``text``; letters no document holds read as pinyin."""
        features = self.request.features
        if self.request.scope == "refs":
            text = refs.plain(text)
        typed_apart: dict[str, str] = {}
        if read_pinyin and features.pinyin and self.request.scope != "refs":
            text, typed_apart = joined(fold(text), self.snap)
        parts, marks = parse_query(
            text,
            synonyms.chosen(features.synonyms, features.english),
            questions=features.questions,
        )
        if read_pinyin and features.pinyin and self.request.scope != "refs":
            for part in parts:
                letters = letters_of(part)
                if letters and not self.postings.part_docs(part).any():
                    part.alternatives += readings(letters, self.snap)
                    part.typed = typed_apart.get(letters, letters)
                    marks += [
                        (p.whole,) if p.whole else tuple(p.atoms)
                        for a in part.alternatives
                        for p in a.parts
                    ]
        return parts, marks

    def every(self, parts: list[Part]) -> np.ndarray:
        """The documents of the view holding every part."""
        sets = [self.postings.part_docs(p) for p in parts]
        return np.logical_and.reduce(sets) & self.view.live

    def references(self, query: str, docs: np.ndarray) -> np.ndarray:
        """Those of ``docs`` whose 文号 or 索引号 holds the query's pieces in order. Holding the
        words is enough for one piece (its atoms are whole), and for more than REFS_CHECKED
        documents (a query that loose is a listing)."""
        if refs.piece_count(query) < 2 or np.count_nonzero(docs) > REFS_CHECKED:
            return docs
        out = self.snap.empty()
        for docnum in np.flatnonzero(docs).tolist():
            out[docnum] = refs.holds(query, self.snap.references(docnum))
        return out

    def all_but_one(self, parts: list[Part]) -> np.ndarray:
        """The documents of the view holding every part but one, for a query of FILL_MIN_PARTS
        parts or more sorted by relevance (a list by date has no place for them)."""
        out = self.snap.empty()
        request = self.request
        if len(parts) < FILL_MIN_PARTS or request.sort != "relevance" or request.scope == "refs":
            return out
        sets = [self.postings.part_docs(p) for p in parts]
        for skipped in range(len(sets)):
            others = [held for i, held in enumerate(sets) if i != skipped]
            out |= np.logical_and.reduce(others)
        return out & self.view.live

    def count(self, text: str) -> int:
        """Documents holding every part of ``text`` within the filters (for corrections)."""
        parts, _ = self.parts(text, read_pinyin=False)
        if not parts:
            return 0
        return int(np.count_nonzero(self.restrict(self.every(parts))))


def answer(snap, view, request: Request) -> Results:
    """One page of results for ``request`` over the documents of ``view``."""
    query = request.query
    results = Results(
        query, 0, request.page, request.per_page, [], {f: [] for f in FACETS}, request.sort
    )
    results.scope = request.scope
    matcher = _Matcher(snap, view, request)
    parts, marks = matcher.parts(query, read_pinyin=True)
    if query.strip() and not parts:
        return results  # only punctuation, emoji or stop words: nothing to look for

    exact = snap.exact_docs(query) & view.live if parts else snap.empty()
    text_docs, first = view.live, snap.empty()
    if parts:
        every = matcher.every(parts)
        if request.scope == "refs":
            every = matcher.references(query, every)
        elif request.features.refs and refs.ref_like(query) and refs.plain(query):
            pieces, _ = matcher.parts(refs.plain(query), read_pinyin=False)
            first = matcher.references(query, matcher.every(pieces))
        if not every.any() and len(parts) > 1 and request.scope != "refs":
            sets = [matcher.postings.part_docs(p) for p in parts]
            every = np.logical_or.reduce(sets) & view.live
            results.relaxed = bool(every.any())
        text_docs = every | exact | first

    matched = matcher.restrict(text_docs)
    results.total = int(np.count_nonzero(matched))
    if not parts and not matcher.per_key and matcher.window is view.live:
        results.facets = {f: list(counts) for f, counts in view.all_facets().items()}
    else:
        for facet in FACETS:
            base = matcher.restrict(text_docs, skip=facet) if facet in matcher.per_key else matched
            results.facets[facet] = snap.facet_counts(base, facet)

    few = results.relaxed or results.total < FEW_RESULTS
    if parts and few and request.features.corrections and request.scope != "refs":
        results.correction = corrections.correct(query, snap, matcher.count)
    results.expansions = _expansions(matcher, parts, matched)
    fill = snap.empty()
    if request.features.fill and not results.relaxed and results.total < request.per_page:
        fill = matcher.restrict(matcher.all_but_one(parts)) & ~matched
    _page(snap, view, request, results, matcher, parts, marks, matched, exact, first, fill)
    return results


def _expansions(matcher: _Matcher, parts: list[Part], matched: np.ndarray) -> list[Expansion]:
    """The alternatives searched for that the matched documents hold."""
    out = []
    for part in parts:
        for alternative in part.alternatives:
            if (matcher.postings.alternative_docs(alternative) & matched).any():
                typed = part.typed or part.whole or "".join(part.atoms)
                out.append(Expansion(typed, alternative.text, alternative.kind))
    return out


def _page(snap, view, request, results, matcher, parts, marks, matched, exact, first, fill):
    """Fill in the hits of the requested page: exact references, then references spelt in
    part (newest first), then by score or date; on a first page with room left, the documents
    of ``fill`` (holding every part but one) by score, marked partial."""
    per_page = request.per_page
    start, want = (request.page - 1) * per_page, request.page * per_page
    if start >= results.total:
        return
    scores: dict[int, float] = {}
    if not parts or request.sort == "date" or request.scope == "refs":
        order = view.by_date(matched, want)
    else:
        ahead = (exact | first) & matched
        top = view.by_date(exact & matched, int(np.count_nonzero(exact & matched)))
        top += [d for d in view.by_date(first & matched, want) if not exact[d]]
        scores = dict(matcher.postings.rank(parts, matched, want + len(top)))
        order = top + [d for d in scores if not ahead[d]]
    partial: set[int] = set()
    if request.page == 1 and len(order) < want and fill.any():
        more = dict(matcher.postings.rank(parts, fill, want - len(order)))
        scores.update(more)
        partial = set(more)
        order = order + list(more)
    pattern = mark_pattern(marks)
    for docnum in order[start:want]:
        stored = snap.stored(docnum)
        day = stored.get("date")
        title_html = highlight(stored.get("title", ""), pattern)
        body, own = stored.get("body", ""), stored.get("body_chars")
        found, attachment = snippet(body if own is None else body[:own], pattern), ""
        if own is not None and "<mark>" not in found and "<mark>" not in title_html:
            # Only an attachment matched: its passage, and which attachment it is in.
            names = stored.get("file_names", ())
            if in_file := attachment_snippet(body[own + 1 :], names, pattern):
                attachment, found = in_file
        results.hits.append(
            Hit(
                slug=stored["slug"],
                title_html=title_html,
                snippet_html=found,
                attachment=attachment,
                date=datetime.date.fromisoformat(day) if day else None,
                department=stored.get("department", ""),
                organisation=stored.get("organisation", ""),
                category=stored.get("category", ""),
                score=scores.get(docnum, 0.0),
                reference=stored.get("reference", ""),
                partial=docnum in partial,
            )
        )


def request_of(
    query: str,
    filters: dict[str, list[str]],
    sort: str,
    page: int,
    per_page: int,
    scope: str,
    dates: tuple[datetime.date | None, datetime.date | None],
    features: Features,
) -> Request:
    """The request for these arguments, filters in a canonical order."""
    canonical = tuple(sorted((k, tuple(dict.fromkeys(v))) for k, v in filters.items()))
    return Request(query, canonical, sort, page, per_page, scope, dates[0], dates[1], features)
