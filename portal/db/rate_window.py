"""The rate limits' counts in the SQL database, as a storage of the `limits` library (which
Flask-Limiter runs on): a moving window of attempts per key, shared by every worker of a node
and, on PostgreSQL, by every node, without a Redis. `limits` finds it by its scheme
(`portal-sql://`), through its documented registry of custom storages.

Each attempt is one row of `rate_attempts` (scope `window`, the key only as a hash, kept while
its window lasts). Taking an attempt counts and inserts under the key's transaction lock
(db.serialise), so two workers or nodes never both take the last free one."""

import datetime
import hashlib
from collections.abc import Callable
from typing import ClassVar

from limits.storage import MovingWindowSupport, Storage
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.db.engine import DatabaseUnavailable, serialise
from portal.db.models import RateAttempt

SCHEME = "portal-sql"
SCOPE = "window"


def _hashed(key: str) -> str:
    return hashlib.sha256(f"portal-rate:{key}".encode()).hexdigest()


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class SQLWindowStorage(Storage, MovingWindowSupport):
    """Moving-window rate limits in the SQL database of an engine (given as `engine`, a
    callable returning it, so each worker process uses its own)."""

    STORAGE_SCHEME: ClassVar[list[str]] = [SCHEME]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        engine: Callable[[], Engine] | None = None,
        **options,
    ):
        if engine is None:
            raise ValueError(f"{SCHEME}:// needs the engine option: a callable returning one")
        self.engine = engine
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        """What the database raises when it cannot count (the limiter reports it)."""
        return (SQLAlchemyError, DatabaseUnavailable)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Take `amount` attempts of the key when the window has room for them."""
        hashed = _hashed(key)
        now = _now()
        with Session(self.engine()) as session, session.begin():
            serialise(session, f"portal-rate:{hashed}")
            cutoff = now - datetime.timedelta(seconds=expiry)
            # Expired attempts of every key go, but none another transaction is deleting
            # now: waiting for its row locks could deadlock (PostgreSQL).
            expired = (
                select(RateAttempt.id)
                .where(RateAttempt.at < cutoff)
                .with_for_update(skip_locked=True)
            )
            session.execute(
                delete(RateAttempt).where(RateAttempt.id.in_(expired)),
                execution_options={"synchronize_session": False},
            )
            taken = session.scalar(
                select(func.count())
                .select_from(RateAttempt)
                .where(RateAttempt.scope == SCOPE, RateAttempt.client == hashed)
            )
            if taken + amount > limit:
                return False
            session.add_all(RateAttempt(scope=SCOPE, client=hashed, at=now) for _ in range(amount))
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """When the key's oldest attempt in the window was taken, and how many it holds."""
        cutoff = _now() - datetime.timedelta(seconds=expiry)
        with Session(self.engine()) as session:
            oldest, taken = session.execute(
                select(func.min(RateAttempt.at), func.count()).where(
                    RateAttempt.scope == SCOPE,
                    RateAttempt.client == _hashed(key),
                    RateAttempt.at >= cutoff,
                )
            ).one()
        if not taken:
            return _now().timestamp(), 0
        if oldest.tzinfo is None:  # SQLite hands back what UTCDateTime stored, naive
            oldest = oldest.replace(tzinfo=datetime.UTC)
        return oldest.timestamp(), taken

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with Session(self.engine()) as session:
                session.execute(select(1))
        except (SQLAlchemyError, DatabaseUnavailable):
            return False
        return True

    def clear(self, key: str) -> None:
        """Forget every attempt of the key."""
        with Session(self.engine()) as session, session.begin():
            session.execute(
                delete(RateAttempt).where(
                    RateAttempt.scope == SCOPE, RateAttempt.client == _hashed(key)
                )
            )

    def reset(self) -> int | None:
        """Forget every attempt of every key; returns how many there were."""
        with Session(self.engine()) as session, session.begin():
            return session.execute(delete(RateAttempt).where(RateAttempt.scope == SCOPE)).rowcount

    # The fixed-window strategies: the portal runs the moving window only.
    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Not supported: the portal's limits use the moving window."""
        raise NotImplementedError(f"{SCHEME}:// keeps moving windows only")

    def get(self, key: str) -> int:
        """Not supported: the portal's limits use the moving window."""
        raise NotImplementedError(f"{SCHEME}:// keeps moving windows only")

    def get_expiry(self, key: str) -> float:
        """Not supported: the portal's limits use the moving window."""
        raise NotImplementedError(f"{SCHEME}:// keeps moving windows only")
