"""What is indexed of a document, field by field, whatever engine stores it. No Whoosh."""

from __future__ import annotations

import re

from portal.search import pinyin, slips
from portal.search.analysis import clean, fold, normalize_ref, words
from portal.search.types import SearchDocument

# The analysed text fields and their BM25F boosts. english holds no Chinese: Chinese queries
# score as they did without it.
TEXT_FIELDS = {"title": 3.0, "keywords": 2.0, "refs": 1.5, "body": 1.0, "english": 1.0}
# The document's kind and body in English (SearchDocument.english), searched with
# Features.english.
ENGLISH = "english"
# The text of a document's attachments is indexed after its body, up to this many characters
# each; ``body_chars`` (stored) says where the document's own text ends.
ATTACHMENT_CHARS = 100_000
# The positions of every text field's terms, in one field: a phrase looks a term up once per
# segment, not once per field and segment. A position carries its field (its index in
# POSITION_FIELDS, the order a document's fields are written in) from bit FIELD_SHIFT up, so
# consecutive positions never run from one field into the next: three bits, up to eight
# fields, below them analysis.NOT_ATOM and 2**28 positions a field.
POSITIONS = "positions"
POSITION_FIELDS = tuple(sorted(TEXT_FIELDS))
FIELD_SHIFT = 29
# Every two-character atom of a segment's text fields, written backwards, once per segment:
# the atoms ending with a character are found by prefix here (phrases.py).
TAILS = "tails"
# The pinyin spellings of the title's and keywords' words (pinyin.index_terms: key:word), and
# each keyword whole, folded: searching by pinyin, corrections by sound, suggestions.
PINYIN = "pinyin"
# The same words under each spelling of them with one character left out (slips.index_terms:
# variant:word): corrections of a character dropped, added, swapped or replaced.
EDITS = "edits"
KEYWORD = "keyword"
# Each facet and the field holding its values.
FACET_FIELDS = {
    "organisation": "organisation",
    "category": "category_path",
    "department": "department",
    "year": "year",
    "five_openness": "five_openness",
    "validity": "validity",
}


def doc_fields(doc: SearchDocument) -> dict[str, object]:
    """The values of every field indexed for ``doc`` (empty fields left out)."""
    if not doc.slug or not doc.slug.isascii():
        raise ValueError(f"document slug must be non-empty ASCII: {doc.slug!r}")
    path = tuple(doc.category_path) or ((doc.category,) if doc.category else ())
    keywords = [clean(k) for k in doc.keywords]
    refs = "\n".join(x for x in (doc.doc_no, doc.index_no, doc.department) if x)
    files, names = attachment_text(doc)
    texts = [doc.title, *keywords]
    values: dict[str, object] = {
        "slug": doc.slug,
        "title": clean(doc.title),
        "body": clean(doc.body) + ("\n" + files if files else ""),
        "body_chars": len(clean(doc.body)) if files else "",
        "keywords": clean("\n".join(doc.keywords)),
        # 文号, 索引号 and department as searchable text.
        "refs": clean(refs),
        "file_names": names,
        ENGLISH: clean(english_text(doc.english)),
        PINYIN: " ".join(pinyin.index_terms(pinyin.word_runs(texts, _words))),
        EDITS: " ".join(slips.index_terms(pinyin.word_runs(texts, _words, slips.SHORTEST_WORD))),
        KEYWORD: "\n".join(k for k in dict.fromkeys(fold(k).strip() for k in keywords) if k),
        # The 文号 as written, for suggestions.
        "reference": clean(doc.doc_no),
        "doc_no": normalize_ref(doc.doc_no),
        "index_no": normalize_ref(doc.index_no),
        "department": doc.department,
        "organisation": doc.organisation,
        "category": doc.category,
        "category_path": " ".join(path),
        "year": str(doc.date.year) if doc.date else "",
        "five_openness": doc.five_openness,
        "date": doc.date.isoformat() if doc.date else "",
        "date_ordinal": doc.date.toordinal() if doc.date else "",
        "sample": bool(doc.sample),
        "validity": doc.validity,
    }
    return {k: v for k, v in values.items() if v != "" and v != ()}


def attachment_text(doc: SearchDocument) -> tuple[str, tuple[tuple[str, int], ...]]:
    """The text of every attachment with text, one after another, and where each starts in it
    (its title and offset): a snippet found there says which attachment it comes from."""
    parts: list[str] = []
    names: list[tuple[str, int]] = []
    at = 0
    for title, text in doc.attachments:
        text = clean(text[:ATTACHMENT_CHARS])
        if not text.strip():
            continue
        names.append((title, at))
        parts.append(text)
        at += len(text) + 1
    return "\n".join(parts), tuple(names)


_PLURAL = re.compile(r"\b([a-z]{3,}?)(ie)?s\b", re.IGNORECASE)


def english_text(text: str) -> str:
    """English names as indexed: each plural word (reports, policies) followed by its
    singular, so that a visitor typing either finds them."""
    singulars = [m.group(1) + ("y" if m.group(2) else "") for m in _PLURAL.finditer(text)]
    kept = [w for w in singulars if not w.lower().endswith("s")]
    return " ".join([text, *kept]) if kept else text


def _words(text: str) -> list[str]:
    return [w.text for w in words(text)]
