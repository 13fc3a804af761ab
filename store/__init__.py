"""Quanzi's store: tables and write paths, behind one ``Store`` object.

Knows nothing of WebSockets, Starlette or Redis. Expected outcomes are the
domain exceptions of ``store.errors``; see ``store/README.md`` for the API.
"""

from __future__ import annotations

from typing import Any

from .accounts import Accounts
from .chat import Chat
from .circles import Circles
from .commit_queue import CommitQueue, CommitStats, OnCommitted
from .engine import Database, open_database
from .errors import Conflict, Forbidden, Invalid, NotFound, StoreError, Unauthenticated
from .posts import Posts
from .records import Membership, Record


class Store:
    """The database and the services the server uses."""

    def __init__(self, db: Database, commit_queue: CommitQueue, password_time_cost: int) -> None:
        self.db = db
        self._commit_queue = commit_queue
        self.accounts = Accounts(db, password_time_cost)
        self.circles = Circles(db)
        self.chat = Chat(db, commit_queue)
        self.posts = Posts(db)

    @classmethod
    async def open(
        cls,
        url: str,
        on_committed: OnCommitted | None = None,
        batch_max: int = 1000,
        password_time_cost: int = 2,
        **engine_kwargs: Any,
    ) -> Store:
        """Open (and create if needed) the database at ``url`` and start the writer.

        ``on_committed(messages)`` runs on the event loop after each group commit
        with the fresh messages, in seq order per circle.
        """
        db = await open_database(url, **engine_kwargs)
        commit_queue = CommitQueue(db, on_committed, batch_max)
        commit_queue.start()
        return cls(db, commit_queue, password_time_cost)

    async def ping(self) -> bool:
        """True when the database answers (for /healthz)."""
        return await self.db.ping()

    async def close(self) -> None:
        """Commit what is queued, stop the writer, dispose the engine."""
        try:
            await self._commit_queue.close()
        finally:
            await self.db.dispose()


__all__ = [
    "Accounts",
    "Chat",
    "Circles",
    "CommitStats",
    "Conflict",
    "Forbidden",
    "Invalid",
    "Membership",
    "NotFound",
    "Posts",
    "Record",
    "Store",
    "StoreError",
    "Unauthenticated",
]
