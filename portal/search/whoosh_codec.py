"""Quarantine: how the index is written, by subclassing Whoosh's codec, writers and pool.

Whoosh stores the index (its file format, segments, term tables, stored fields), but its
per-posting Python paths are slow, so this module plugs into it at three places: a codec that
writes uncompressed posting blocks as packed arrays (read back without unpickling each
posting); a segment writer that keeps postings in the packed arrays of pool.TermPool instead of
pickling each one to a sort run (several times faster builds); and the multi-process writer's
tasks, which use that segment writer. Blocks are pickled with the current protocol (Whoosh's
protocol 2 re-encodes bytes on load).

Text is written once per term: every occurrence of a term in any text field of a document goes
into the positions field (fields.POSITIONS) as the 8-byte key ``docnum << 32 | field << 29 |
not-atom << 28 | position``, which a search reads as stored: the documents, each field's
frequency and the phrases all come from these keys. The text fields themselves keep their
stored value and length (for BM25F).

The tokenizer and the fields use Whoosh's documented extension points; every other class here
subclasses a Whoosh class beyond them, and reads or writes its private attributes: they are
verified against exactly the pinned whoosh-reloaded (pyproject.toml), and
tests/test_whoosh_codec_contract.py exercises each override and private name by name, so an
upgrade says exactly what broke. Only this module and whoosh_read.py may touch a private Whoosh
name (tests/test_whoosh_quarantine.py enforces it).
"""

from __future__ import annotations

import itertools
import pickle
import zlib
from array import array
from dataclasses import dataclass

from whoosh import fields, formats
from whoosh.analysis import Token, Tokenizer
from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PostingsWriter,
)
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from portal.search import postings
from portal.search.analysis import analyse, fold, index_terms
from portal.search.pool import TermPool, TermPostings

# Stored positions: 8-byte keys docnum << 32 | position.
_KEY_SIZE = 8
_LOW = (1 << postings.KEY_SHIFT) - 1


class ChineseTokenizer(Tokenizer):
    """Whoosh tokenizer for :func:`analyse`: jieba search mode, positions counted by word."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __hash__(self):
        return hash(self.__class__)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        """Yield one reused Token per indexed term (Whoosh's tokenizer protocol)."""
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        terms = analyse(value) if tokenize else [(fold(value), 0)]
        for text, pos in terms:
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                # Character offsets are not kept: highlighting searches the stored text.
                t.startchar = t.endchar = start_char
            yield t


class PackedPositions(formats.Positions):
    """Positions packed as machine integers instead of one pickle per posting.

    Each position is stored as the 8-byte key ``docnum << 32 | position`` (the segment writer
    fills in the docnum; analysis.NOT_ATOM marks a Chinese word's whole or sub-word): a phrase
    search intersects these keys as read, without building a key per occurrence. Reading them
    back is several times faster than pickles, and the postings are built straight from
    :func:`analyse` without a Token object per word.
    """

    def word_values(self, value, analyzer, **kwargs):
        """Yield (term, frequency, weight, encoded positions) for each term of ``value``."""
        if not (isinstance(analyzer, ChineseTokenizer) and isinstance(value, str)):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        positions: dict[str, list[int]] = {}
        for term, pos in index_terms(value):
            if term in positions:
                positions[term].append(pos)
            else:
                positions[term] = [pos]
        boost = self.field_boost
        for term, found in positions.items():
            yield term, len(found), len(found) * boost, self.encode(found)

    def encode(self, poslist):
        """The sorted positions as position keys of document 0 (the pool sets the number)."""
        return array("Q", sorted(poslist)).tobytes()

    def decode_positions(self, valuestring):
        """The positions of :meth:`encode`'s keys."""
        return [key & _LOW for key in array("Q", valuestring)]

    def decode_frequency(self, valuestring):
        """Number of positions."""
        return len(valuestring) // _KEY_SIZE

    def decode_weight(self, valuestring):
        """Frequency times the field boost."""
        return self.decode_frequency(valuestring) * self.field_boost


class TextField(fields.TEXT):
    """TEXT analysed by :func:`analyse`, its stored value and length kept here, its terms'
    positions in the PositionsField (the pool writes them)."""

    def __init__(self, stored: bool = False):
        super().__init__(analyzer=ChineseTokenizer(), stored=stored)
        self.format = formats.Existence(field_boost=1.0)


class PositionsField(fields.TEXT):
    """The positions of the terms of every TextField of a document, packed (the pool writes
    them; see fields.POSITIONS)."""

    def __init__(self):
        super().__init__(analyzer=ChineseTokenizer())
        self.format = PackedPositions(field_boost=1.0)
        self.scorable = False


@dataclass(slots=True)
class _Packed:
    """A block's posting values as one byte string and each value's length."""

    lengths: array
    data: bytes


class PackedPostingsWriter(W3PostingsWriter):
    """Writes blocks as packed arrays, which load without unpickling each posting."""

    def _mini_ids(self):
        if self._byteids:
            return super()._mini_ids()
        return array("I", self._ids).tobytes()

    def _mini_weights(self):
        if all(w == 1.0 for w in self._weights):
            return None
        return array("f", self._weights).tobytes()

    def _mini_values(self):
        if isinstance(self._values, _Packed):
            return self._values.lengths.tobytes(), self._values.data
        if self._format.fixed_value_size() is not None or not self._values:
            return super()._mini_values()
        return (array("I", map(len, self._values)).tobytes(), b"".join(self._values))

    def _write_block(self, last=False):
        # Whoosh's, but pickling with the current protocol: protocol 2 stores bytes as text
        # that is re-encoded on load, which took more than half of a phrase search.
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = (self._mini_ids(), self._mini_weights(), self._mini_values())
        databytes = pickle.dumps(data, pickle.HIGHEST_PROTOCOL)
        comp = self._compression
        if comp:
            databytes = zlib.compress(databytes, comp)
        ids = self._ids
        info = (
            len(ids),
            ids[-1],
            self._maxweight,
            comp,
            length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
        )
        infobytes = pickle.dumps(info, pickle.HIGHEST_PROTOCOL)
        size = len(infobytes) + len(databytes)
        self._postfile.write_int(-size if last else size)  # negative marks the last block
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    def finish_postings(self):
        # Whoosh's own inlining calls a method that W3TermInfo does not have (set_inline).
        if not self.written() and 0 < len(self) < self._inlinelimit:
            terminfo = self._terminfo
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()

    def write_bulk(self, ids, weights, vlens, vdata, doc_lengths) -> None:
        """Write one term's whole posting list from packed arrays, a block at a time."""
        limit, total, offset = self._blocklimit, len(ids), 0
        if total < self._inlinelimit:
            # Rare terms live in the term table itself: no block to pickle and compress.
            ends = list(itertools.accumulate(vlens))
            self._ids = ids.tolist()
            self._weights = weights
            self._values = [bytes(vdata[e - n : e]) for e, n in zip(ends, vlens, strict=True)]
            self._maxweight = max(weights)
            lengths = [doc_lengths[d] for d in self._ids] if doc_lengths is not None else [1]
            self._minlength, self._maxlength = min(lengths), max(lengths)
            return
        packed = self._format.fixed_value_size() is None
        for start in range(0, total, limit):
            end = min(total, start + limit)
            self._ids = ids[start:end]
            self._weights = weights[start:end]
            self._maxweight = max(self._weights)
            if doc_lengths is not None:
                block_lengths = [doc_lengths[d] for d in self._ids]
                self._minlength, self._maxlength = min(block_lengths), max(block_lengths)
            else:
                self._minlength = self._maxlength = 1
            lengths = vlens[start:end]
            size = sum(lengths)
            data = bytes(vdata[offset : offset + size])
            offset += size
            if packed:
                self._values = _Packed(lengths, data)
            else:
                # Fixed-size values (frequencies of keyword fields): Whoosh concatenates them.
                self._values = [data] if data else []
            self._write_block(last=end == total)


class PackedLeafMatcher(W3LeafMatcher):
    """Reads the blocks :class:`PackedPostingsWriter` writes, for Whoosh's own readers."""

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = array("I", self._data[0])

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        if weights is None:
            self._weights = array("f", [1.0]) * self._blocklength
        else:
            self._weights = array("f", weights)

    def _read_values(self):
        if self._data is None:
            self._read_data()
        values = self._data[2]
        if not (isinstance(values, tuple) and len(values) == 2):
            return super()._read_values()
        lengths, joined = values
        ends = list(itertools.accumulate(array("I", lengths)))
        self._values = tuple(
            joined[e - n : e] for e, n in zip(ends, array("I", lengths), strict=True)
        )


class PackedCodec(W3Codec):
    """Whoosh's codec with packed posting blocks; its segments remember it when pickled."""

    def __init__(self):
        # Big blocks: searches read whole posting lists, so each block's unpickling and
        # bookkeeping is pure overhead. Blocks are not compressed: inflating positions cost
        # more than reading the larger files.
        super().__init__(blocklimit=1024, compression=0, inlinelimit=4)

    def field_writer(self, storage, segment):
        """A field writer that takes whole posting lists."""
        return BulkFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        """A postings writer of packed blocks."""
        return PackedPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        """A matcher over packed blocks (inlined terms are Whoosh's own)."""
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return PackedLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class BulkFieldWriter(W3FieldWriter):
    """Whoosh's field writer, taking a term's whole posting list in one call."""

    def add_term(self, btext: bytes, postings: TermPostings, doc_lengths) -> None:
        """Write one term's postings in one call instead of one call per posting."""
        self.start_term(btext)
        ids, weights, vlens, vdata = postings
        self._postwriter.write_bulk(ids, weights, vlens, vdata, doc_lengths)
        self.finish_term()


class PoolSegmentWriter(SegmentWriter):
    """Whoosh's segment writer with :class:`TermPool` and bulk posting writes."""

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", PackedCodec())
        super().__init__(ix, **kwargs)
        self.pool = TermPool()

    def add_document(self, **fields):
        """Whoosh's add_document for this package's schema, adding postings in bulk."""
        self._check_state()
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(self.schema, names)
        perdoc, docnum = self.perdocwriter, self.docnum
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = self.schema[name]
                length = 0
                if isinstance(field, TextField) and isinstance(value, str):
                    length = self.pool.add_text(name, docnum, value)
                elif field.indexed:
                    length = self.pool.add_field(name, docnum, field.index(value), field.scorable)
                perdoc.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        if self.docnum:
            self.pool.add_tails()
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        try:
            fieldwriter = self.fieldwriter
            for fieldname in sorted(self.pool.terms):
                fieldobj = self.schema[fieldname]
                lengths = None
                if fieldobj.scorable:
                    lengths = [pdr.doc_field_length(d, fieldname) or 0 for d in range(self.docnum)]
                fieldwriter.start_field(fieldname, fieldobj)
                for btext, postings in self.pool.sorted_terms(fieldname):
                    fieldwriter.add_term(btext, postings, lengths)
                fieldwriter.finish_field()
            fieldwriter.close()
        finally:
            pdr.close()
        self.pool.cleanup()


class PoolSubWriterTask(SubWriterTask):
    """A build process: like Whoosh's, but writing with :class:`PoolSegmentWriter`."""

    def run(self):
        """Write the documents of each job file into one segment; hand the segment back."""
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = PoolSegmentWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            self._process_file(*jobinfo)
        segment = writer._finalize_segment()
        self.resultqueue.put((None, writer.pool.fieldnames, segment), timeout=5)


class PoolMpWriter(MpWriter):
    """Whoosh's multi-process writer, one segment per process, with fast segment writers."""

    def __init__(self, ix, procs: int, **kwargs):
        super().__init__(ix, procs=procs, multisegment=True, codec=PackedCodec(), **kwargs)
        self.pool = TermPool()

    def _new_task(self):
        task = PoolSubWriterTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task

    def stop_tasks(self) -> None:
        """Stop the writer processes for real: Whoosh's cancel() only flags them in the parent,
        and they would wait forever for more work."""
        for task in self.tasks:
            task.terminate()
            task.join(5)
