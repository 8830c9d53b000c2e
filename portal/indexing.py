"""Keeping the search index in step with the catalogue: what to index for each document, when
the index is stale, and building or updating it. Requests never call this; the `portal index`
command and the start of `portal serve` do."""

import hashlib
import json
import logging
import os
from pathlib import Path

from portal import search
from portal.catalogue import Catalogue, load_catalogue
from portal.content import Document

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"


def search_document(document: Document) -> search.SearchDocument:
    """The plain-text form of a document that the search engine indexes."""
    return search.SearchDocument(
        slug=document.slug,
        title=document.title,
        body=document.text,
        keywords=document.keywords,
        doc_no=document.doc_no,
        index_no=document.index_no,
        department=document.department,
        category=document.category.slug,
        category_path=tuple(node.slug for node in document.category.path()),
        five_openness=document.five_openness_slug,
        date=document.date,
        sample=document.sample,
    )


def fingerprint(document: search.SearchDocument) -> str:
    """A hash of everything indexed about a document, to tell whether it changed."""
    return hashlib.sha256(repr(document).encode()).hexdigest()[:20]


def _read_manifest(index_dir: Path) -> dict[str, str]:
    try:
        return json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_manifest(index_dir: Path, manifest: dict[str, str]) -> None:
    # Written after the index itself, through a temporary file: a crash leaves either the old
    # manifest (the next run simply re-indexes those documents) or the new one, never half.
    temporary = index_dir / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, ensure_ascii=False, sort_keys=True),
                         encoding="utf-8")
    os.replace(temporary, index_dir / MANIFEST)


def _usable(index_dir: Path) -> bool:
    """Whether the live index opens and answers (not missing, broken or of an older format)."""
    try:
        searcher = search.Searcher(index_dir)
    except search.IndexUnavailable:
        return False
    try:
        searcher.search("", per_page=1)
        return True
    except search.IndexUnavailable:
        return False
    finally:
        searcher.close()


def index_catalogue(catalogue: Catalogue, index_dir: Path, full: bool = False) -> str:
    """Bring the index in step with the catalogue; return what was done, for people to read.

    Only the documents that changed are re-indexed unless the index is missing or full is set.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    documents = {d.slug: search_document(d) for d in catalogue.documents}
    wanted = {slug: fingerprint(doc) for slug, doc in documents.items()}
    indexed = _read_manifest(index_dir)
    if full or not indexed or not _usable(index_dir):
        search.build_index(index_dir, documents.values())
        _write_manifest(index_dir, wanted)
        return f"built the search index of {len(documents)} documents"
    changed = [documents[slug] for slug, print_ in wanted.items() if indexed.get(slug) != print_]
    removed = [slug for slug in indexed if slug not in wanted]
    if changed or removed:
        search.update_index(index_dir, changed, removed)
        _write_manifest(index_dir, wanted)
    return f"updated {len(changed)} and removed {len(removed)} of {len(documents)} documents"


def index_content(content_dir: Path, index_dir: Path, full: bool = False,
                  last_good: Path | None = None) -> str:
    """Read the content folder (with the last good versions of broken published files, when
    their folder is given) and bring the index in step with it."""
    return index_catalogue(load_catalogue(content_dir, last_good), index_dir, full=full)
