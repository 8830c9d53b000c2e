"""A least-recently-used store bounded in entries and in bytes, shared by the page cache and the
fragment cache: whatever visitors ask for, a worker's caches never hold more than their budget."""

import threading
from collections import OrderedDict
from collections.abc import Hashable

# A value larger than this share of the byte budget is not kept: one huge page would push out
# everything else and be pushed out in turn.
LARGEST_SHARE = 8


class SizedLRU:
    """Values by key, at most max_entries of them taking at most max_bytes together (by the
    sizes given when stored); the least recently used go first."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable):
        """The value stored under key (now the most recently used), or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: object, size: int) -> bool:
        """Keep value under key unless it is too large to; whether it was kept."""
        if size > self.max_bytes // LARGEST_SHARE:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, size)
            self.bytes += size
            while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped
        return True
