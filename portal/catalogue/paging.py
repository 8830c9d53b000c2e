"""Long lists cut into pages."""

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Page:
    """One page of a longer list."""

    items: Sequence
    number: int
    per_page: int
    total: int

    @property
    def count(self) -> int:
        """How many pages there are (at least one, even for an empty list)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, with None where a run of pages is left out."""
        shown = {1, self.count, *range(self.number - around, self.number + around + 1)}
        result: list[int | None] = []
        for number in sorted(n for n in shown if 1 <= n <= self.count):
            if result and number - (result[-1] or 0) > 1:
                result.append(None)
            result.append(number)
        return result


def paginate(items: Sequence, number: int, per_page: int) -> Page:
    """The given page of items; number must be within 1..page count (checked by the caller)."""
    start = (number - 1) * per_page
    return Page(items[start : start + per_page], number, per_page, len(items))
