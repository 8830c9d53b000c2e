"""Which documents of a catalogue hold each filter value, worked out once per catalogue version.

Counting every filter's values and selecting the filtered documents used to walk every document
of the catalogue on each request: the home page, the catalogue and each organisation's page
cost time in proportion to the whole county's documents (100,000 on a county platform). A
catalogue is never changed once built (a change of the content makes a new one), so what each
value selects is worked out when it is built, off the request path, and a request then costs
in proportion to the values and the documents it shows:

* the positions (in the catalogue's newest-first order) of the documents holding each value:
  a selection walks those of its rarest chosen value and checks the other filters on them;
* the same set as the bits of an int: a value's count under the other filters is an AND and a
  bit count, and under no other filter simply the number of its positions.
"""

from array import array
from collections import Counter
from collections.abc import Iterator, Sequence

from portal.catalogue.document import Document

# The filters a catalogue is browsed by (listing.Filters), in the order pages show them.
FILTER_KEYS = ("organisation", "category", "department", "year", "five")


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
        self.bits = {
            key: {value: _bits(found, len(documents)) for value, found in values.items()}
            for key, values in positions.items()
        }

    def values(self, key: str) -> list:
        """Every value of a filter that some document holds, in no particular order."""
        return list(self.positions[key])

    def candidates(self, chosen: dict[str, object]) -> tuple[str, array]:
        """The chosen filter holding the fewest documents, and their positions."""
        key = min(chosen, key=lambda k: len(self.positions[k].get(chosen[k], ())))
        return key, self.positions[key].get(chosen[key], array("I"))

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
