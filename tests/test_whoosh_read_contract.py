"""Contract of portal/search/whoosh_read.py with the pinned whoosh-reloaded.

whoosh_read reads a term's whole posting list and a column's bytes whole, through names Whoosh
keeps private. Each private read is named in a test id below (test_private_read[...]), checked
against what Whoosh's public API says about the same index, so that after an upgrade a failure
says exactly which read broke. test_upstream_bug[...] fails when the Whoosh bug whoosh_read
works around is fixed, so the workaround can go.
"""

from __future__ import annotations

import datetime
import sys
from array import array
from pathlib import Path

import pytest
from whoosh.codec import whoosh3
from whoosh.filedb.filestore import FileStorage
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import length_to_byte

from portal.search import SearchDocument, build_index, update_index
from portal.search import postings as packed
from portal.search.whoosh_codec import PackedCodec
from portal.search.whoosh_read import (
    LENGTH_OF_CODE,
    length_codes,
    numeric_column,
    posting_ids,
    term_blocks,
)

COUNT = 1100  # more postings of 通知 than a block holds


def notice(n: int) -> SearchDocument:
    return SearchDocument(
        slug=f"notice-{n:04d}",
        title=f"关于开展第{n}批安全生产检查的通知",
        body="各单位：现就有关事项通知如下。" * (1 + n % 5),
        keywords=("zebra",) if n < 2 else (),
        date=datetime.date(2020, 1, 1 + n % 28) if n % 3 else None,
    )


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("read")
    build_index(root, map(notice, range(COUNT)), procs=1)
    update_index(root, [], ["notice-0003"])  # a deletion: the segment gets a deleted set
    ix = FileStorage(str(root / "current"), supports_mmap=False).open_index()
    yield ix
    ix.close()


def leaf(ix):
    """The index's one segment reader, with a searcher for the public answers."""
    searcher = ix.searcher()
    ((reader, _),) = searcher.reader().leaf_readers()
    return searcher, reader


def check_postings_file(ix):
    searcher, reader = leaf(ix)
    with searcher:
        postfile = reader._terms._postfile
        offset, length = reader.term_info("positions", "通知").extent()
        raw = postfile.get(offset, length[0] if isinstance(length, tuple) else length)
        assert raw.startswith(whoosh3.WHOOSH3_HEADER_MAGIC)
        blocks = term_blocks(reader, "positions", "通知")
        assert len(blocks) == 2  # read in one piece, not through a matcher
        live = set(searcher.postings("positions", "通知").all_ids())
        assert packed.block_ids(blocks).tolist() == sorted(live | {3})  # deleted one included
        # Inlined rare terms come through Whoosh's matcher, in the same shape.
        assert reader.term_info("positions", "zebra").is_inlined()
        assert packed.block_ids(term_blocks(reader, "positions", "zebra")).tolist() == [0, 1]
        assert term_blocks(reader, "positions", "absent") == []


def check_codec(ix):
    searcher, reader = leaf(ix)
    with searcher:
        assert isinstance(reader._codec, PackedCodec)


def check_filter_matcher(ix):
    searcher, reader = leaf(ix)
    with searcher:
        matcher = reader.postings("positions", "通知")
        assert isinstance(matcher, FilterMatcher)  # the segment has a deleted document
        assert 3 not in list(matcher.all_ids())
        assert 3 in posting_ids(reader, "positions", "通知").tolist()


def check_column_reader(ix):
    searcher, reader = leaf(ix)
    with searcher:
        column = reader.schema["date_ordinal"].column_type
        creader = reader._perdoc.column_reader("date_ordinal", column)
        assert reader._perdoc.has_column("date_ordinal")
        assert creader._count == reader.doc_count_all()
        public = array("i", [creader[d] for d in range(reader.doc_count_all())])
        if sys.byteorder == "little":
            public.byteswap()  # columns are big-endian
        assert creader._dbfile.get(creader._basepos, 4 * creader._count) == public.tobytes()
        public = [creader[d] for d in range(reader.doc_count_all())]
        assert numeric_column(reader, "date_ordinal", "i").tolist() == public


def check_length_column(ix):
    searcher, reader = leaf(ix)
    with searcher:
        codes = length_codes(reader, "body")
        assert reader._perdoc.has_column(whoosh3._lenfield("body"))
        lengths = [reader.doc_field_length(d, "body", 0) for d in range(reader.doc_count_all())]
        assert [LENGTH_OF_CODE[c] for c in codes] == lengths
        assert codes.tolist() == [length_to_byte(n) for n in lengths]


def check_empty_index(tmp_path):
    build_index(tmp_path, [], procs=1)
    ix = FileStorage(str(tmp_path / "current"), supports_mmap=False).open_index()
    with ix.searcher() as searcher:
        ((reader, _),) = searcher.reader().leaf_readers()
        assert getattr(reader, "_perdoc", None) is None
        assert numeric_column(reader, "date_ordinal", "i").tolist() == []
        assert length_codes(reader, "body").tolist() == []
    ix.close()


PRIVATE_READS = {
    "SegmentReader._terms._postfile+W3TermInfo.extent": check_postings_file,
    "SegmentReader._codec": check_codec,
    "FilterMatcher.child": check_filter_matcher,
    "SegmentReader._perdoc+column reader _count,_dbfile,_basepos": check_column_reader,
    "whoosh3._lenfield+LENGTHS_COLUMN+byte_to_length": check_length_column,
}


@pytest.mark.parametrize("name", [*PRIVATE_READS, "EmptyReader without _perdoc"])
def test_private_read(name, index, tmp_path):
    if name in PRIVATE_READS:
        PRIVATE_READS[name](index)
    else:
        check_empty_index(tmp_path)


def test_upstream_bug_W3TermInfo_from_bytes_leaves_the_extent_length_a_tuple(index):
    searcher, reader = leaf(index)
    with searcher:
        _, length = reader.term_info("positions", "通知").extent()
    # Fixed upstream? Then whoosh_read.term_blocks need not unpack it.
    assert isinstance(length, tuple)
