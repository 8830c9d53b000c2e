"""Hot searches (热门搜索): what many visitors searched for, counted so that nobody can put words
on the site by repeating them. No Whoosh: a small SQLite file.

What is counted is never a visitor's text: only a keyword that staff gave a published document,
when a search for exactly that keyword lists the document (the caller checks, as it does
before letting search engines index a search page). Nothing about the visitor is kept: no
address, no cookie, no time finer than a slot.

A search counts once per slot of SLOT_SECONDS, however often it is repeated within it: a
keyword's count is the number of slots in which it was searched over the last ``days`` days. A
flood of one search from one machine therefore counts as much as one visitor in that slot, and
a keyword is shown only once it was searched in at least ``minimum`` slots. Keywords holding a
blocked word are never shown, and neither is one no published document holds any more (the
caller's ``allowed``).

Counting never fails a search: a database that cannot be written is logged and skipped.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger(__name__)

SLOT_SECONDS = 600
# Keywords read from the counts to choose from, and seconds a process keeps the chosen ones.
CANDIDATES = 50
KEPT_SECONDS = 60
# (keyword, slot) pairs a process remembers writing, so a repeated search writes nothing.
REMEMBERED = 10_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS searched (
    keyword TEXT NOT NULL,
    slot INTEGER NOT NULL,
    PRIMARY KEY (keyword, slot)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS searched_slot ON searched (slot);
"""


class HotSearches:
    """The counts of one site, in the SQLite file at ``path`` (shared by its workers)."""

    def __init__(
        self,
        path: Path,
        minimum: int = 3,
        days: int = 30,
        blocked: Iterable[str] = (),
        clock: Callable[[], float] = time.time,
    ):
        self.path = Path(path)
        self.minimum = max(1, minimum)
        self.days = days
        self.blocked = tuple(w for w in (b.strip() for b in blocked) if w)
        self.clock = clock
        self._lock = threading.Lock()
        self._written: set[tuple[str, int]] = set()
        self._pruned = -1
        self._kept: tuple[float, int, list[str]] | None = None

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=1.0)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(_SCHEMA)
        return connection

    def _slot(self) -> int:
        return int(self.clock() // SLOT_SECONDS)

    def record(self, keyword: str) -> None:
        """Count a search for ``keyword`` in this slot (once, however often it comes)."""
        keyword = keyword.strip()
        if not keyword:
            return
        slot = self._slot()
        with self._lock:
            if (keyword, slot) in self._written:
                return
            if len(self._written) >= REMEMBERED:
                self._written.clear()
            self._written.add((keyword, slot))
        try:
            with contextlib.closing(self._connect()) as connection, connection:
                connection.execute(
                    "INSERT OR IGNORE INTO searched (keyword, slot) VALUES (?, ?)",
                    (keyword, slot),
                )
                if slot != self._pruned:
                    self._pruned = slot
                    connection.execute("DELETE FROM searched WHERE slot < ?", (self._first(),))
        except sqlite3.Error:
            log.exception("counting a search in %s failed", self.path)

    def _first(self) -> int:
        """The first slot of the window counted."""
        return self._slot() - self.days * 86400 // SLOT_SECONDS

    def top(self, n: int, allowed: Callable[[str], bool] = lambda _: True) -> list[str]:
        """The ``n`` keywords searched in the most slots (at least ``minimum``), none holding a
        blocked word, each still ``allowed``."""
        now = self.clock()
        kept = self._kept
        if kept is None or now - kept[0] > KEPT_SECONDS or kept[1] != n:
            try:
                with contextlib.closing(self._connect()) as connection:
                    rows = connection.execute(
                        "SELECT keyword FROM searched WHERE slot >= ? GROUP BY keyword "
                        "HAVING COUNT(*) >= ? ORDER BY COUNT(*) DESC, keyword LIMIT ?",
                        (self._first(), self.minimum, CANDIDATES),
                    ).fetchall()
            except sqlite3.Error:
                log.exception("reading the search counts in %s failed", self.path)
                rows = []
            words = [k for (k,) in rows if not any(b in k for b in self.blocked)]
            kept = self._kept = (now, n, words)
        return [k for k in kept[2] if allowed(k)][:n]

    def forget_kept(self) -> None:
        """Read the counts again at the next top() (after the clock moved, in tests)."""
        self._kept = None
