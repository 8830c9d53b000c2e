"""Which documents of a catalogue hold each filter value, worked out once per catalogue version.

Counting every filter's values and selecting the filtered documents used to walk every document
of the catalogue on each request: the home page, the catalogue and each organisation's page
cost time in proportion to the whole county's documents (100,000 on a county platform). A
catalogue is never changed once built (a change of the content makes a new one), so what each
value selects is worked out when it is built, off the request path, and a request then costs
in proportion to the values and the documents it shows:

* the positions (in the catalogue's newest-first order) of the documents holding each value;
* the same set as the bits of an int: a value's count under the other filters is an AND and a
  bit count (under no other filter, the number of its positions), and a selection walks the
  positions of its rarest chosen value, keeping those whose bit the other values' AND sets.
"""

from array import array
from collections import Counter
from collections.abc import Iterator, Sequence

from portal.catalogue.document import Document

# The filters a catalogue is browsed by (listing.Filters), in the order pages show them.
FILTER_KEYS = ("organisation", "category", "department", "year", "five", "validity")


def values_of(document: Document) -> Iterator[tuple[str, object]]:
    """The (filter, value) pairs a document is found under: every node of its category path."""
    yield "organisation", document.organisation
    for node in document.category.path():
        yield "category", node.slug
    if document.department:
        yield "department", document.department
    if document.year:
        yield "year", document.year
    if document.five_openness_slug:
        yield "five", document.five_openness_slug
    if document.validity is not None:
        yield "validity", document.validity.slug


def _bits(positions: array, size: int) -> int:
    """The positions as the set bits of an int."""
    packed = bytearray((size + 7) // 8)
    for position in positions:
        packed[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(packed, "little")


class FilterIndex:
    """For each filter and value, the documents holding it, as positions and as bits."""

    def __init__(self, documents: Sequence[Document]):
        positions: dict[str, dict[object, array]] = {key: {} for key in FILTER_KEYS}
        for position, document in enumerate(documents):
            for key, value in values_of(document):
                found = positions[key].get(value)
                if found is None:
                    found = positions[key][value] = array("I")
                found.append(position)
        self.positions = positions
        self.size = len(documents)
        self.bits = {
            key: {value: _bits(found, len(documents)) for value, found in values.items()}
            for key, values in positions.items()
        }

    def values(self, key: str) -> list:
        """Every value of a filter that some document holds, in no particular order."""
        return list(self.positions[key])

    def select(self, chosen: dict[str, object]) -> Sequence[int]:
        """The positions of the documents holding every chosen value, in order."""
        rarest = min(chosen, key=lambda k: len(self.positions[k].get(chosen[k], ())))
        positions = self.positions[rarest].get(chosen[rarest], array("I"))
        others = [self.bits[k].get(v, 0) for k, v in chosen.items() if k != rarest]
        if not others:
            return positions
        mask = others[0]
        for bits in others[1:]:
            mask &= bits
        # One byte per eight documents: testing a position is an index and a shift.
        packed = mask.to_bytes((self.size + 7) // 8, "little")
        return [p for p in positions if packed[p >> 3] >> (p & 7) & 1]

    def counts(self, chosen: dict[str, object]) -> dict[str, Counter]:
        """For each filter, how many documents each of its values would give with the chosen
        values of the other filters."""
        masks = {key: self.bits[key].get(value, 0) for key, value in chosen.items()}
        result = {}
        for key in FILTER_KEYS:
            others = [mask for other, mask in masks.items() if other != key]
            if not others:
                counted = ((value, len(found)) for value, found in self.positions[key].items())
            else:
                base = others[0]
                for mask in others[1:]:
                    base &= mask
                counted = (
                    (value, (base & bits).bit_count()) for value, bits in self.bits[key].items()
                )
            result[key] = Counter({value: count for value, count in counted if count})
        return result
