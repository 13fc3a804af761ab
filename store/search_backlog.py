"""Chat's search rows, written in larger batches than chat itself (SQLite).

A group commit of 30 messages that also wrote their ``search_docs`` rows and
their FTS5 terms paid about twice per row what a commit of 300 pays: every
commit writes its own index pages and a new FTS5 segment. So the SQLite writer
(store/sqlite_writer.py) stores a batch's messages at once and their search rows
a little later, inside a later group commit (or a transaction of their own when
chat goes quiet), for every message that waited:

- when ``rows`` messages wait, or the oldest has waited ``delay_s``;
- before a search (`Search` calls the writer's ``index_now``), so a search finds
  every message acknowledged before it began;
- when the writer closes.

Nothing waits only in memory: a group's ``indexed_seq`` says up to which seq its
messages are in the index, so a node that stopped hard indexes the rest from the
stored messages when it starts again. The texts are read back with the same
transaction's view: a message deleted or recalled meanwhile is skipped, an edited
one (which `message_edits` indexed already) is left as it is.

This module runs in the writer's thread, with its plain ``sqlite3`` connection.
"""

from __future__ import annotations

import sqlite3
import time

from .search_index import Doc, doc
from .search_schema import FTS_FILL

# Messages that wait for their search rows before a group commit writes them.
INDEX_ROWS = 500
# How long the oldest of them may wait.
INDEX_DELAY_S = 1.0

_CHUNK = 500
_BEHIND = "SELECT id FROM chat_groups WHERE indexed_seq < last_seq"
_TEXTS = (
    "SELECT g.circle_id, m.group_id, m.seq, m.user_id, m.ts, m.text FROM messages m"
    " JOIN chat_groups g ON g.id = m.group_id"
    " WHERE m.group_id IN ({marks}) AND m.seq > g.indexed_seq AND m.deleted IS NULL"
)
_INSERT = (
    "INSERT OR IGNORE INTO search_docs"
    " (circle_id, kind, ref, seq, post_id, user_id, ts, body, tokens)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_LAST = "SELECT max(id) FROM search_docs"
_CAUGHT_UP = "UPDATE chat_groups SET indexed_seq = last_seq WHERE id IN ({marks})"


class SearchBacklog:
    """The messages stored without their search rows yet, and writing them."""

    def __init__(self, rows: int = INDEX_ROWS, delay_s: float = INDEX_DELAY_S) -> None:
        self._rows = rows
        self._delay_s = delay_s
        # Each waiting group's rows as the batch made them (their tokens are made
        # when a say is queued: reused unless the text changed since).
        self._docs: dict[str, dict[int, Doc]] = {}
        self._count = 0
        self._since: float | None = None
        # Until the first fill: groups an earlier process left behind.
        self._recover = True

    @property
    def waiting(self) -> bool:
        """Whether a search must ask for a fill first (read from the event loop)."""
        return self._recover or self._count > 0

    def due(self, more: int = 0) -> bool:
        """Whether the group commit storing ``more`` messages should fill the index."""
        if self._recover or self._count + more >= self._rows:
            return True
        return self._since is not None and time.monotonic() - self._since >= self._delay_s

    def wait_s(self) -> float | None:
        """How long the writer may idle before filling (None: nothing waits)."""
        if self._recover:
            return 0.0
        if self._since is None:
            return None
        return max(0.0, self._since + self._delay_s - time.monotonic())

    def fill(self, conn: sqlite3.Connection, docs: list[Doc]) -> None:
        """In the caller's write transaction: the rows of every waiting message
        and of ``docs`` (the current batch's). `committed` follows its commit."""
        groups = set(self._docs)
        groups.update(d[2] for d in docs)
        if self._recover:
            groups.update(row[0] for row in conn.execute(_BEHIND))
        if not groups:
            return
        made: dict[str, dict[int, Doc]] = {}
        for d in docs:
            made.setdefault(d[2], {})[d[3]] = d
        ordered = sorted(groups)
        out: list[Doc] = []
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            for circle_id, group_id, seq, user_id, ts, text in conn.execute(
                _TEXTS.format(marks=marks), chunk
            ):
                known = made.get(group_id, {}).get(seq) or self._docs.get(group_id, {}).get(seq)
                row = known if known is not None and known[7] == text else None
                if row is None:
                    row = doc(circle_id, "message", group_id, seq, user_id, ts, text)
                if row is not None:
                    out.append(row)
        if out:
            last = conn.execute(_LAST).fetchone()[0]
            conn.executemany(_INSERT, out)
            conn.execute(FTS_FILL, (last or 0,))
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            conn.execute(_CAUGHT_UP.format(marks=", ".join("?" * len(chunk))), chunk)

    def filled(self) -> None:
        """After the transaction of a `fill` committed: nothing waits."""
        self._docs.clear()
        self._count = 0
        self._since = None
        self._recover = False

    def wait(self, docs: list[Doc], stored: int) -> None:
        """After a group commit that stored ``stored`` messages without their rows."""
        if not stored:
            return
        for d in docs:
            self._docs.setdefault(d[2], {})[d[3]] = d
        self._count += stored
        if self._since is None:
            self._since = time.monotonic()
