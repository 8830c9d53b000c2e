"""Quarantine: reading whole posting lists and columns out of Whoosh segment readers.

Whoosh's matchers read postings one at a time and its column readers a value per call; a
search here reads a term's whole posting list in one read (and splits the blocks
whoosh_codec.py wrote) and a column's bytes whole. That
needs names Whoosh keeps private (a segment reader's term table and its postings file, a
column reader's file, offset and count, the length columns' naming), so these functions live
here, beside whoosh_codec.py, and nowhere else. tests/test_whoosh_read_contract.py exercises
each private read by name against exactly the pinned whoosh-reloaded (pyproject.toml).
"""

from __future__ import annotations

import io
import pickle
import struct
import sys
import zlib
from array import array

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from portal.search import postings
from portal.search.whoosh_codec import PackedCodec

# Field lengths are stored as one byte each: the length each of the 256 codes stands for.
LENGTH_OF_CODE = [byte_to_length(b) or 0 for b in range(256)]


_INT = struct.Struct("!i")


def split_blocks(raw: bytes) -> list[postings.Block] | None:
    """Decode a term's posting list as whoosh_codec.PackedPostingsWriter wrote it, in one piece;
    None if ``raw`` is not such a list."""
    if raw[: len(WHOOSH3_HEADER_MAGIC)] != WHOOSH3_HEADER_MAGIC:
        return None
    blocks = []
    stream = io.BytesIO(raw)
    pos = len(WHOOSH3_HEADER_MAGIC)
    while pos < len(raw):
        # Each block: its byte size (negated for the last), a pickled info tuple, the data.
        size = abs(_INT.unpack_from(raw, pos)[0])
        pos += _INT_SIZE
        stream.seek(pos)
        info = pickle.load(stream)
        data = raw[stream.tell() : pos + size]
        pos += size
        if info[3]:  # compression level
            data = zlib.decompress(data)
        blocks.append(pickle.loads(data))
    return blocks


def _leaf_matcher(reader, fieldname: str, text: str):
    try:
        m = reader.postings(fieldname, text)
    except TermNotFound:
        return None
    # Deleted documents are dropped later by intersecting with the live set.
    return m.child if isinstance(m, FilterMatcher) else m


def term_blocks(reader, fieldname: str, text: str) -> list[postings.Block]:
    """Every posting block of a term in one segment, deleted documents included."""
    try:
        terminfo = reader.term_info(fieldname, text)
    except TermNotFound:
        return []
    postfile = getattr(getattr(reader, "_terms", None), "_postfile", None)
    if (
        isinstance(getattr(reader, "_codec", None), PackedCodec)
        and postfile is not None
        and not terminfo.is_inlined()
    ):
        # The whole posting list in one read, split into blocks in memory: a matcher would
        # make several small reads per block.
        offset, length = terminfo.extent()
        if isinstance(length, tuple):
            length = length[0]  # W3TermInfo.from_bytes forgets to unpack it
        blocks = split_blocks(postfile.get(offset, length))
        if blocks is not None:
            return blocks
    m = _leaf_matcher(reader, fieldname, text)
    if m is None:
        return []
    # Inlined rare terms (and any other matcher): repack into the same shape.
    ids, weights, values = array("I"), array("f"), []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        values.append(m.value() or b"")
        m.next()
    packed = (array("I", map(len, values)).tobytes(), b"".join(values))
    return [(ids.tobytes(), weights.tobytes(), packed)] if ids else []


def posting_ids(reader, fieldname: str, text: str) -> np.ndarray:
    """All segment-relative docnums of a term, deleted ones included."""
    return postings.block_ids(term_blocks(reader, fieldname, text))


def _numeric_column(reader, name: str, column, typecode: str) -> array:
    count = reader.doc_count_all()
    values = array(typecode)
    perdoc = getattr(reader, "_perdoc", None)  # an empty index has no per-document reader
    if perdoc is not None and perdoc.has_column(name):
        creader = perdoc.column_reader(name, column)
        try:
            # Reading the column's bytes whole beats a call per document by far.
            size = creader._count * values.itemsize
            values.frombytes(creader._dbfile.get(creader._basepos, size))
            if sys.byteorder == "little" and values.itemsize > 1:
                values.byteswap()  # columns are big-endian
        except AttributeError:
            values = array(typecode, (creader[d] for d in range(count)))
    del values[count:]
    values.extend(array(typecode, [0]) * (count - len(values)))
    return values


def numeric_column(reader, name: str, typecode: str) -> array:
    """The numeric column ``name`` of one segment, one value per document (0 where missing)."""
    return _numeric_column(reader, name, reader.schema[name].column_type, typecode)


def length_codes(reader, fieldname: str) -> array:
    """Every document's length of ``fieldname`` in one segment, as Whoosh's byte codes."""
    return _numeric_column(reader, _lenfield(fieldname), LENGTHS_COLUMN, "B")
