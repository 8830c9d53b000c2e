"""A segment's postings while it is written, packed per term, with text analysed straight in.

Whoosh's segment writer pickles every posting to a sort run and merges the runs; this pool keeps
them in memory in packed arrays (about 12 bytes a posting of text), several times faster. It
imports no Whoosh: whoosh_codec.PoolSegmentWriter puts it where Whoosh's pool was, and Whoosh
calls it through that pool's interface (add, iter_postings, cleanup, save, fieldnames), which
tests/test_whoosh_codec_contract.py pins.

Text is written once per term, in the positions field (fields.POSITIONS): every occurrence in
any text field of a document as a position carrying its field and whether it stands as an atom,
stored by the codec as the key ``docnum << 32 | position``.
"""

from __future__ import annotations

import itertools
import operator
from array import array
from collections.abc import Iterable, Iterator

from portal.search import postings as packed
from portal.search.analysis import NOT_ATOM, index_terms, is_cjk
from portal.search.fields import FIELD_SHIFT, POSITION_FIELDS, POSITIONS, TAILS

# docnums, weights, value lengths and values of one term, in docnum order.
TermPostings = tuple[array, array, array, bytes | bytearray]
# A text term's postings while indexing: docnum << 20 | frequency, and all positions.
_TextPostings = tuple[array, array]
_Postings = TermPostings | _TextPostings


# A text term's postings while indexing: docnum << 20 | frequency, and all positions.
_FREQ_BITS = 20
_KEY_SIZE = 8  # bytes of a stored position key
_HIGH = (1 << packed.KEY_SHIFT).__mul__
_LOW = (1 << packed.KEY_SHIFT) - 1


def _repeat_each(values: Iterable[int], counts: Iterable[int]) -> Iterator[int]:
    return itertools.chain.from_iterable(map(itertools.repeat, values, counts))


class TermPool:
    """Keeps a segment's postings in packed arrays per term instead of Whoosh's sorting pool.

    Whoosh pickles every posting to a run file and merges the runs; this keeps them in memory
    (about 12 bytes a posting of text), which is several times faster.
    """

    def __init__(self):
        self.terms: dict[str, dict[bytes, _Postings]] = {}
        self.fieldnames: set[str] = set()
        self.unordered = False

    def _field(self, fieldname: str) -> dict[bytes, _Postings]:
        terms = self.terms.get(fieldname)
        if terms is None:
            terms = self.terms[fieldname] = {}
            self.fieldnames.add(fieldname)
        return terms

    def add_text(self, fieldname: str, docnum: int, text: str) -> int:
        """Analyse ``text`` straight into the pool, its terms' positions in the positions field
        (fields.POSITIONS); return its length in tokens."""
        placed = self._field(POSITIONS)
        field_bits = POSITION_FIELDS.index(fieldname) << FIELD_SHIFT
        analysed = index_terms(text)
        positions: dict[str, list[int]] = {}
        for term, pos in analysed:
            found = positions.get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
        key = docnum << _FREQ_BITS
        for term, found in positions.items():
            btext = term.encode("utf-8")
            if len(found) > 1:
                # A sub-word's flagged position can come before the term's later plain ones;
                # phrase search bisects the keys, so they go in order.
                found.sort()
            if field_bits:
                found = [p | field_bits for p in found]
            postings = placed.get(btext)
            if postings is None:
                placed[btext] = (array("Q", [key | len(found)]), array("I", found))
                continue
            keys, stored = postings
            if keys[-1] >> _FREQ_BITS == docnum:
                # An earlier field of this document: its positions come first, as fields are
                # written in POSITION_FIELDS order.
                keys[-1] += len(found)
            else:
                if keys[-1] >= key:
                    self.unordered = True
                keys.append(key | len(found))
            stored.extend(found)
        return len(analysed)

    def add_field(self, fieldname: str, docnum: int, items, scorable: bool) -> int:
        """Add one field's (term bytes, frequency, weight, value) items; return its length."""
        length = 0
        for btext, freq, weight, vbytes in items:
            length += freq
            self.add((fieldname, btext, docnum, weight, vbytes))
        return length if scorable else 0

    def add(self, item) -> None:
        """Whoosh's pool interface; also used when segments are merged."""
        fieldname, btext, docnum, weight, vbytes = item
        if fieldname == TAILS:
            return  # a merged segment lists its own (add_tails)
        terms = self._field(fieldname)
        postings = terms.get(btext)
        if fieldname == POSITIONS:
            if postings is None:
                postings = terms[btext] = (array("Q"), array("I"))
            elif postings[0][-1] >= docnum << _FREQ_BITS:
                self.unordered = True
            # The keys carry the old segment's docnum: keep their positions only.
            positions = array("I", map(_LOW.__and__, array("Q", vbytes)))
            postings[0].append(docnum << _FREQ_BITS | len(positions))
            postings[1].extend(sorted(positions))
            return
        if postings is None:
            postings = terms[btext] = (array("I"), array("f"), array("I"), bytearray())
        elif postings[0][-1] >= docnum:
            self.unordered = True
        postings[0].append(docnum)
        postings[1].append(weight)
        postings[2].append(len(vbytes or b""))
        postings[3].extend(vbytes or b"")

    def add_tails(self) -> None:
        """List the segment's two-character Chinese atoms backwards in the tails field, each
        once (on document 0): phrases find the atoms ending with a character there."""
        tails = set()
        for btext, (_, positions) in self.terms.get(POSITIONS, {}).items():
            if len(btext) == 6 and not all(p & NOT_ATOM for p in positions):
                term = btext.decode("utf-8")  # an atom somewhere
                if len(term) == 2 and is_cjk(term):
                    tails.add(term[::-1].encode("utf-8"))
        terms = self._field(TAILS)
        for btext in tails:
            terms[btext] = (array("I", [0]), array("f", [1.0]), array("I", [0]), bytearray())

    def sorted_terms(self, fieldname: str) -> Iterator[tuple[bytes, TermPostings]]:
        """A field's terms in order, each with its postings in docnum order."""
        terms = self.terms.get(fieldname, {})
        for btext in sorted(terms):
            postings = terms[btext]
            if len(postings) == 2:
                keys, positions = postings
                mask = (1 << _FREQ_BITS) - 1
                freqs = [k & mask for k in keys]
                ids = array("I", [k >> _FREQ_BITS for k in keys])
                # Positions are stored as keys docnum << 32 | position, so a search can match
                # phrases with set operations on the stored keys as they are.
                owners = _repeat_each(map(_HIGH, ids), freqs)
                postings = (
                    ids,
                    array("f", freqs),
                    array("I", [f * _KEY_SIZE for f in freqs]),
                    array("Q", map(operator.add, owners, positions)).tobytes(),
                )
            yield btext, (_by_docnum(postings) if self.unordered else postings)

    def iter_postings(self):
        """Whoosh's pool interface: every posting as a tuple, in order."""
        for fieldname in sorted(self.terms):
            for btext, (ids, weights, vlens, vdata) in self.sorted_terms(fieldname):
                ends = itertools.accumulate(vlens)
                for d, w, n, e in zip(ids, weights, vlens, ends, strict=True):
                    yield fieldname, btext, d, w, bytes(vdata[e - n : e])

    def cleanup(self) -> None:
        """Whoosh's pool interface: drop the postings."""
        self.terms.clear()

    def save(self) -> None:
        """Whoosh's pool interface: nothing to save, the postings are in memory."""


def _by_docnum(postings: TermPostings) -> TermPostings:
    ids, weights, vlens, vdata = postings
    ends = list(itertools.accumulate(vlens))
    order = sorted(range(len(ids)), key=ids.__getitem__)
    data = bytearray()
    for i in order:
        data += vdata[ends[i] - vlens[i] : ends[i]]
    return (
        array("I", (ids[i] for i in order)),
        array("f", (weights[i] for i in order)),
        array("I", (vlens[i] for i in order)),
        data,
    )
