"""Contract of portal/search/whoosh_codec.py with the pinned whoosh-reloaded.

The codec subclasses Whoosh's codec, writers, matcher and pool beyond their documented
extension points. Every Whoosh name it overrides, copies or uses privately is named in a test id
here, so that after an upgrade a failure says exactly what changed:

* test_signature_is_as_verified[...]: each overridden or privately called method still takes
  the parameters it took when the codec was written;
* test_copied_source_is_as_verified[...]: Whoosh's methods that the codec copies and edits are
  unchanged (if one changed, compare it with the copy and carry the change over);
* test_override[...]: what each override must do, against the real library;
* test_upstream_bug[...]: the two Whoosh bugs the quarantine works around are still there (when
  one is fixed upstream, its workaround can go).
"""

from __future__ import annotations

import hashlib
import inspect
import io
import itertools
from array import array
from pathlib import Path

import pytest
from whoosh import analysis, fields, formats, multiproc, writing
from whoosh.codec import whoosh3
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from portal.search import SearchDocument, analyse, build_index
from portal.search.analysis import NOT_ATOM, index_terms
from portal.search.build import schema
from portal.search.fields import FIELD_SHIFT, POSITION_FIELDS, doc_fields
from portal.search.whoosh_codec import (
    ChineseTokenizer,
    PackedCodec,
    PackedLeafMatcher,
    PackedPositions,
    PoolMpWriter,
    PoolSegmentWriter,
    PositionsField,
    TextField,
)
from portal.search.whoosh_read import split_blocks

# Parameters of every Whoosh method the codec overrides or calls beyond the documented API, as
# verified against whoosh-reloaded 2.7.5.
SIGNATURES = {
    "Positions.word_values": (formats.Positions, "(self, value, analyzer, **kwargs)"),
    "Positions.encode": (formats.Positions, "(self, poslist)"),
    "Positions.decode_positions": (formats.Positions, "(self, valuestring)"),
    "Positions.decode_frequency": (formats.Positions, "(self, valuestring)"),
    "Positions.decode_weight": (formats.Positions, "(self, valuestring)"),
    "TEXT.__init__": (
        fields.TEXT,
        "(self, analyzer=None, phrase=True, chars=False, stored=False, field_boost=1.0, "
        "multitoken_query='default', spelling=False, sortable=False, lang=None, vector=None, "
        "spelling_prefix='spell_')",
    ),
    "W3PostingsWriter.__init__": (
        whoosh3.W3PostingsWriter,
        "(self, postfile, blocklimit, byteids=False, compression=3, inlinelimit=1)",
    ),
    "W3PostingsWriter._mini_ids": (whoosh3.W3PostingsWriter, "(self)"),
    "W3PostingsWriter._mini_weights": (whoosh3.W3PostingsWriter, "(self)"),
    "W3PostingsWriter._mini_values": (whoosh3.W3PostingsWriter, "(self)"),
    "W3PostingsWriter._write_block": (whoosh3.W3PostingsWriter, "(self, last=False)"),
    "W3PostingsWriter._new_block": (whoosh3.W3PostingsWriter, "(self)"),
    "W3PostingsWriter.finish_postings": (whoosh3.W3PostingsWriter, "(self)"),
    "W3PostingsWriter.written": (whoosh3.W3PostingsWriter, "(self)"),
    "W3TermInfo.add_block": (whoosh3.W3TermInfo, "(self, block)"),
    "W3TermInfo.set_inlined": (whoosh3.W3TermInfo, "(self, ids, weights, values)"),
    "W3LeafMatcher.__init__": (
        whoosh3.W3LeafMatcher,
        "(self, postfile, startoffset, length, format_, term=None, byteids=None, scorer=None)",
    ),
    "W3LeafMatcher._read_data": (whoosh3.W3LeafMatcher, "(self)"),
    "W3LeafMatcher._read_ids": (whoosh3.W3LeafMatcher, "(self)"),
    "W3LeafMatcher._read_weights": (whoosh3.W3LeafMatcher, "(self)"),
    "W3LeafMatcher._read_values": (whoosh3.W3LeafMatcher, "(self)"),
    "W3Codec.__init__": (whoosh3.W3Codec, "(self, blocklimit=128, compression=3, inlinelimit=1)"),
    "W3Codec.field_writer": (whoosh3.W3Codec, "(self, storage, segment)"),
    "W3Codec.postings_writer": (whoosh3.W3Codec, "(self, dbfile, byteids=False)"),
    "W3Codec.postings_reader": (
        whoosh3.W3Codec,
        "(self, dbfile, terminfo, format_, term=None, scorer=None)",
    ),
    "W3FieldWriter.start_term": (whoosh3.W3FieldWriter, "(self, btext)"),
    "W3FieldWriter.finish_term": (whoosh3.W3FieldWriter, "(self)"),
    "SegmentWriter.__init__": (
        writing.SegmentWriter,
        "(self, ix, poolclass=None, timeout=0.0, delay=0.1, _lk=True, limitmb=128, docbase=0, "
        "codec=None, compound=True, **kwargs)",
    ),
    "SegmentWriter.add_document": (writing.SegmentWriter, "(self, **fields)"),
    "SegmentWriter._flush_segment": (writing.SegmentWriter, "(self)"),
    "SegmentWriter._finalize_segment": (writing.SegmentWriter, "(self)"),
    "SegmentWriter._check_state": (writing.SegmentWriter, "(self)"),
    "SegmentWriter._check_fields": (writing.SegmentWriter, "(self, schema, fieldnames)"),
    "SegmentWriter.per_document_reader": (writing.SegmentWriter, "(self)"),
    "SubWriterTask.__init__": (
        multiproc.SubWriterTask,
        "(self, storage, indexname, jobqueue, resultqueue, kwargs, multisegment)",
    ),
    "SubWriterTask.run": (multiproc.SubWriterTask, "(self)"),
    "SubWriterTask._process_file": (multiproc.SubWriterTask, "(self, filename, doc_count)"),
    "MpWriter.__init__": (
        multiproc.MpWriter,
        "(self, ix, procs=None, batchsize=100, subargs=None, multisegment=False, **kwargs)",
    ),
    "MpWriter._new_task": (multiproc.MpWriter, "(self)"),
    "MpWriter.cancel": (multiproc.MpWriter, "(self)"),
    # TermPool stands in for Whoosh's pool: these are the calls Whoosh makes on it.
    "PostingPool.add": (writing.PostingPool, "(self, item)"),
    "PostingPool.iter_postings": (writing.PostingPool, "(self)"),
    "PostingPool.cleanup": (writing.PostingPool, "(self)"),
    "PostingPool.save": (writing.PostingPool, "(self)"),
}

# Whoosh's methods that the codec copies and edits, by the hash of their source in 2.7.5.
COPIED = {
    "SegmentWriter.add_document": (writing.SegmentWriter, "399433d1cb30d9d0"),
    "SegmentWriter._flush_segment": (writing.SegmentWriter, "a4b79c8a3687febd"),
    "SubWriterTask.run": (multiproc.SubWriterTask, "901fe6b1f40cfaed"),
    "W3PostingsWriter._write_block": (whoosh3.W3PostingsWriter, "19e3c784208a0cdd"),
    "W3PostingsWriter.finish_postings": (whoosh3.W3PostingsWriter, "d73a95bf811a6541"),
}


@pytest.mark.parametrize("name", SIGNATURES)
def test_signature_is_as_verified(name):
    cls, expected = SIGNATURES[name]
    method = getattr(cls, name.split(".")[1], None)
    assert method is not None, f"{name} is gone"
    assert str(inspect.signature(method)) == expected


@pytest.mark.parametrize("name", COPIED)
def test_copied_source_is_as_verified(name):
    cls, expected = COPIED[name]
    source = inspect.getsource(getattr(cls, name.split(".")[1]))
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == expected, (
        f"Whoosh's {name} changed: compare it with the copy in whoosh_codec.py"
    )


# --- Behaviour ---------------------------------------------------------------------------------

NOTICES = 1100  # more postings of 通知 than a block (1,024) holds


def notice(n: int) -> SearchDocument:
    return SearchDocument(
        slug=f"notice-{n:04d}",
        title=f"关于开展第{n}批安全生产检查的通知",
        body=f"各单位：现就第{n}批安全生产检查有关事项通知如下。年度报告",
        keywords=("zebra",) if n < 2 else ("安全生产",),
        department="应急管理局",
        category_path=("statutory", "other-documents"),
        five_openness="execution",
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("codec")
    build_index(root, map(notice, range(NOTICES)), procs=1)
    return root


def open_index(root: Path):
    return FileStorage(str(root / "current"), supports_mmap=False).open_index()


def memory_postings(ids, positions_per_doc):
    """One term's postings written by PackedPostingsWriter into memory: (file, terminfo)."""
    dbfile = StructFile(io.BytesIO())
    writer = PackedCodec().postings_writer(dbfile)
    fmt = PackedPositions(field_boost=1.0)
    writer.start_postings(fmt, whoosh3.W3TermInfo())
    vlens = array("I", [8 * len(p) for p in positions_per_doc])
    keys = array(
        "Q", [d << 32 | p for d, ps in zip(ids, positions_per_doc, strict=True) for p in ps]
    )
    weights = array("f", [len(p) for p in positions_per_doc])
    writer.write_bulk(array("I", ids), weights, vlens, keys.tobytes(), None)
    return dbfile, writer.finish_postings(), fmt


def check_tokenizer(built):
    text = "关于年度报告 Open Data"
    tokens = [(t.text, t.pos) for t in ChineseTokenizer()(text, positions=True)]
    assert tokens == analyse(text)


def check_positions_format(built):
    fmt = PackedPositions(field_boost=2.0)
    items = list(fmt.word_values("年度报告 年度", ChineseTokenizer()))
    assert items[0] == ("年度", 2, 4.0, array("Q", [0, 2]).tobytes())
    assert fmt.decode_positions(fmt.encode([5, 1])) == [1, 5]
    assert fmt.decode_frequency(fmt.encode([5, 1])) == 2
    assert fmt.decode_weight(fmt.encode([5, 1])) == 4.0
    # Another analyzer goes through Whoosh's own word_values.
    assert [i[0] for i in fmt.word_values("Open data", analysis.SimpleAnalyzer())] == [
        "open",
        "data",
    ]


def check_text_fields(built):
    field = TextField(stored=True)
    assert isinstance(field.format, formats.Existence) and field.stored and field.scorable
    assert isinstance(field.analyzer, ChineseTokenizer)
    positions = PositionsField()
    assert isinstance(positions.format, PackedPositions) and not positions.scorable
    ix = open_index(built)
    assert isinstance(ix.schema["title"], TextField)
    assert isinstance(ix.schema["positions"], PositionsField)
    ix.close()


def check_packed_blocks(built):
    ids = list(range(0, 2 * 1100, 2))
    positions = [[d % 7, d % 7 + 3] for d in ids]
    dbfile, terminfo, _ = memory_postings(ids, positions)
    assert not terminfo.is_inlined()
    offset, length = terminfo.extent()
    blocks = split_blocks(dbfile.get(offset, length))
    assert [len(b[0]) // 4 for b in blocks] == [1024, 76]
    assert array("I", b"".join(b[0] for b in blocks)).tolist() == ids
    assert array("f", b"".join(b[1] for b in blocks)).tolist() == [2.0] * len(ids)
    keys = array("Q", b"".join(b[2][1] for b in blocks)).tolist()
    assert keys == [d << 32 | p for d, ps in zip(ids, positions, strict=True) for p in ps]
    assert split_blocks(b"not a posting list") is None


def check_leaf_matcher(built):
    ids = list(range(1100))
    positions = [[d % 5] for d in ids]
    dbfile, terminfo, fmt = memory_postings(ids, positions)
    matcher = PackedCodec().postings_reader(dbfile, terminfo, fmt)
    assert isinstance(matcher, PackedLeafMatcher)
    seen = []
    while matcher.is_active():
        seen.append((matcher.id(), matcher.weight(), matcher.value_as("positions")))
        matcher.next()
    assert seen == [(d, 1.0, p) for d, p in zip(ids, positions, strict=True)]


def check_inlining(built):
    dbfile, terminfo, fmt = memory_postings([3, 9], [[1], [2, 4]])
    assert terminfo.is_inlined()
    matcher = PackedCodec().postings_reader(dbfile, terminfo, fmt)
    assert list(matcher.all_ids()) == [3, 9]


def check_segment_writer(built):
    ix = open_index(built)
    with ix.searcher() as s:
        docnum = s.document_number(slug="notice-0007")
        stored = s.stored_fields(docnum)
        doc = doc_fields(notice(7))
        kept = ("slug", "title", "body", "keywords", "refs", "department", "sample")
        assert {k: stored[k] for k in stored} == {k: doc[k] for k in kept}
        assert s.doc_field_length(docnum, "title") == len(analyse(notice(7).title))
        assert s.doc_frequency("slug", "notice-0007") == 1
        assert s.doc_frequency("positions", "通知") == NOTICES
        assert s.doc_frequency("positions", "zebra") == 2
        # body is the first of POSITION_FIELDS: its positions carry no field bits.
        positions = s.postings("positions", "年度报告").value_as("positions")
        body = dict(index_terms(notice(0).body))
        assert positions == [body["年度报告"]] == [body["年度"] | NOT_ATOM]
        # A later field's positions come after, with its field's bits.
        title = dict(index_terms(notice(0).title))
        field = POSITION_FIELDS.index("title") << FIELD_SHIFT
        expected = [body["通知"], title["通知"] | field]
        assert s.postings("positions", "通知").value_as("positions") == expected
    ix.close()


def check_field_writer(built):
    expected: dict[str, int] = {}
    for n in range(NOTICES):
        fields_ = doc_fields(notice(n))
        text = " ".join(str(fields_.get(f, "")) for f in POSITION_FIELDS)
        for term in {t for t, _ in analyse(text)}:
            expected[term] = expected.get(term, 0) + 1
    ix = open_index(built)
    with ix.searcher() as s:
        terms = [t.decode() for t in s.lexicon("positions")]
        assert terms == sorted(expected)
        assert {t: s.doc_frequency("positions", t) for t in terms} == expected
    ix.close()


def check_merge_through_pool(tmp_path):
    build_index(tmp_path, map(notice, range(6)), procs=1)
    ix = FileStorage(str(tmp_path / "current"), supports_mmap=False).open_index()
    writer = PoolSegmentWriter(ix)
    for n in range(6, 9):
        writer.add_document(**doc_fields(notice(n)))
    writer.commit()
    before = positions_by_slug(ix, "positions", "年度报告")
    assert segment_count(ix) == 2
    writer = PoolSegmentWriter(ix)
    writer.commit(optimize=True)  # Whoosh merges the segments through the pool
    assert segment_count(ix) == 1
    assert positions_by_slug(ix, "positions", "年度报告") == before
    ix.close()


def segment_count(ix) -> int:
    with ix.reader() as reader:
        return len(reader.leaf_readers())


def positions_by_slug(ix, fieldname, term):
    with ix.searcher() as s:
        matcher = s.postings(fieldname, term)
        found = {}
        while matcher.is_active():
            found[s.stored_fields(matcher.id())["slug"]] = matcher.value_as("positions")
            matcher.next()
        return found


def check_multiprocess_writer(tmp_path):
    ix = FileStorage(str(tmp_path)).create_index(schema())
    writer = PoolMpWriter(ix, procs=2, batchsize=5)
    for n in range(20):
        writer.add_document(**doc_fields(notice(n)))
    writer.commit()
    with ix.reader() as reader:
        leaves = reader.leaf_readers()
        assert len(leaves) >= 2
        assert sum(r.doc_count() for r, _ in leaves) == 20
        assert all(isinstance(r.codec(), PackedCodec) for r, _ in leaves)
    assert sorted(positions_by_slug(ix, "positions", "年度报告")) == [
        f"notice-{n:04d}" for n in range(20)
    ]
    ix.close()


def check_multiprocess_stop(tmp_path):
    ix = FileStorage(str(tmp_path)).create_index(schema())
    writer = PoolMpWriter(ix, procs=2, batchsize=5)
    for n in range(12):
        writer.add_document(**doc_fields(notice(n)))
    assert writer.tasks
    writer.stop_tasks()
    writer.cancel()
    assert not any(task.is_alive() for task in writer.tasks)
    assert ix.doc_count() == 0
    ix.close()


OVERRIDES = {
    "Tokenizer.__call__": check_tokenizer,
    "Positions.word_values+encode+decode_*": check_positions_format,
    "TEXT.__init__+format (TextField, PositionsField)": check_text_fields,
    "W3PostingsWriter._write_block+_mini_ids+_mini_weights+_mini_values": check_packed_blocks,
    "W3Codec.postings_reader+W3LeafMatcher._read_ids+_read_weights+_read_values": (
        check_leaf_matcher
    ),
    "W3PostingsWriter.finish_postings+W3TermInfo.set_inlined": check_inlining,
    "SegmentWriter.add_document+_flush_segment": check_segment_writer,
    "W3Codec.field_writer+W3FieldWriter.start_term+finish_term": check_field_writer,
}
NEEDS_FOLDER = {
    "SegmentWriter.add_reader+PostingPool.add+iter_postings": check_merge_through_pool,
    "MpWriter._new_task+SubWriterTask.run+_finalize_segment": check_multiprocess_writer,
    "MpWriter.tasks+cancel": check_multiprocess_stop,
}


@pytest.mark.parametrize("name", list(OVERRIDES) + list(NEEDS_FOLDER))
def test_override(name, built, tmp_path):
    if name in OVERRIDES:
        OVERRIDES[name](built)
    else:
        NEEDS_FOLDER[name](tmp_path)


def test_upstream_bug_W3PostingsWriter_finish_postings_calls_a_missing_set_inline():
    dbfile = StructFile(io.BytesIO())
    writer = whoosh3.W3PostingsWriter(dbfile, blocklimit=128, inlinelimit=4)
    writer.start_postings(formats.Frequency(), whoosh3.W3TermInfo())
    writer.add_posting(1, 1.0, b"")
    with pytest.raises(AttributeError, match="set_inline"):
        writer.finish_postings()  # fixed upstream? PackedPostingsWriter.finish_postings can go


def test_every_codec_class_is_checked():
    checked = " ".join(itertools.chain(SIGNATURES, OVERRIDES, NEEDS_FOLDER))
    for base in (
        "Positions",
        "TEXT",
        "W3PostingsWriter",
        "W3LeafMatcher",
        "W3Codec",
        "W3FieldWriter",
        "SegmentWriter",
        "SubWriterTask",
        "MpWriter",
        "PostingPool",
    ):
        assert base in checked
