"""One group-commit batch, whatever the driver that stores it.

The commit queue collects `SayRequest`s; a `BatchPlan` decides what the batch
stores: idempotent resends are answered from what is already stored,
duplicates inside the batch fold onto their first occurrence, and new
messages get consecutive seqs per chat group in arrival order.

This runs once per message at full load, so it keeps to plain tuples and
lists where nothing outside the store sees them; the records it hands out
(`Outcome`, the messages for ``on_committed``) keep the shape of `records.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from .errors import NotFound, StoreError
from .notifications import Note, excerpt
from .records import Record, decode_attachments, decode_mentions, encode_attachments, message
from .search_index import Doc

# What one request resolves to: the stored message and whether this call stored it.
Outcome = tuple[Record, bool]
# The columns of a row to insert, in the order of `BatchPlan.assign`'s tuples.
ROW_COLUMNS = (
    "group_id",
    "seq",
    "user_id",
    "ts",
    "text",
    "nonce",
    "reply_to",
    "attachments",
    "mentions",
)
# The columns of an ``attachment_uses`` row, in the order of `BatchPlan.uses`' tuples.
USE_COLUMNS = ("owner", "seq", "position", "attachment_id")
# Batches a driver's writer stores the careful way (nonces looked up first) after
# one that held a resend (sqlite_writer.py, pg_writer.py): reconnecting clients
# resend in bursts, and each optimistic try that the unique index refuses costs a batch.
CAREFUL_BATCHES = 100
# One row to insert (`ROW_COLUMNS`).
Row = tuple[str, int, str, int, str, str, int | None, str | None, str | None]


@dataclass(slots=True)
class Addressed:
    """Whom a say notifies, worked out before it is queued (store/notification_rules.py
    ``addressed``): its ``mentions`` column, and ``(user, kind, everyone)`` for each
    member to notify (kind ``mention`` or ``reply``; ``everyone``: by ``@all``)."""

    mentions: str | None
    targets: list[tuple[str, str, bool]]


@dataclass(slots=True)
class SayRequest:
    circle_id: str
    group_id: str
    user_id: str
    author_name: str
    text: str
    nonce: str
    reply_to: int | None
    future: asyncio.Future[Outcome]
    # The attachments as clients see them (resolved by the caller), often none.
    attachments: Sequence[Record] = ()
    # The text's search tokens (search_tokens.tokens), made when the say is queued: on
    # the event loop, while the writer stores the batch before, not in its turn.
    tokens: str = ""
    # Its mentions and whom it notifies (None: nobody, the usual case).
    addressed: Addressed | None = None
    # The author is a bot (store/bots.py): its ``from`` says so.
    bot: bool = False


class BatchPlan:
    """What one batch stores, whatever the driver: idempotent resends are
    answered from what is stored, duplicates inside the batch fold onto their
    first occurrence, and new messages get consecutive seqs in arrival order.

    ``stored`` maps ``(user, nonce)`` to a stored row (attributes group_id,
    seq, ts, user_id, text, nonce, reply_to, attachments); pass an empty dict to plan a
    batch believed to hold no resend (the unique index then has the last word).
    """

    __slots__ = (
        "batch",
        "results",
        "first_of",
        "new",
        "fresh",
        "uses",
        "docs",
        "notes",
        "made",
        "duplicates",
        "resent",
    )

    def __init__(self, batch: list[SayRequest], stored: dict[tuple[str, str], Any]) -> None:
        self.batch = batch
        self.results: list[Outcome | StoreError | None] = [None] * len(batch)
        self.first_of: dict[tuple[str, str], int] = {}
        self.new: list[int] = []
        # The messages this batch stores, in arrival (so per circle, seq) order.
        self.fresh: list[Record] = []
        # The attachment_uses rows of the fresh messages (`USE_COLUMNS`), by `assign`.
        self.uses: list[tuple[str, int, int, str]] = []
        # The search_docs rows of the fresh messages (`search_index.DOC_COLUMNS`), by `assign`.
        self.docs: list[Doc] = []
        # The notifications rows of the fresh messages (`NOTE_COLUMNS`), by `assign`, and
        # their records once stored (with their ids: store/notifications.py).
        self.notes: list[Note] = []
        self.made: list[Record] = []
        # Requests answered with an already stored message (set by `outcomes`).
        self.duplicates = 0
        # Whether any request resends a message stored before this batch.
        self.resent = False
        first_of = self.first_of
        for i, request in enumerate(batch):
            key = (request.user_id, request.nonce)
            if key in first_of:
                continue
            if stored and key in stored:
                self.results[i] = (_stored_message(stored[key], request), False)
                self.resent = True
            else:
                first_of[key] = i
                self.new.append(i)

    def counts(self) -> dict[str, int]:
        """New messages per group: how far each group's last_seq moves."""
        counts: dict[str, int] = {}
        batch = self.batch
        for i in self.new:
            group_id = batch[i].group_id
            counts[group_id] = counts.get(group_id, 0) + 1
        return counts

    def assign(self, next_seq: dict[str, int], ts: int) -> list[Row]:
        """Seqs from each group's first new one; the rows to insert (`ROW_COLUMNS`),
        their attachments' uses in ``uses`` and their search rows in ``docs``."""
        rows: list[Row] = []
        results, fresh, batch, docs = self.results, self.fresh, self.batch, self.docs
        for i in self.new:
            r = batch[i]
            group_id = r.group_id
            seq = next_seq.get(group_id)
            if seq is None:
                results[i] = NotFound("no such group")
                continue
            next_seq[group_id] = seq + 1
            attachments = r.attachments
            if attachments:
                encoded = encode_attachments(attachments)
                self.uses.extend((group_id, seq, i, a["id"]) for i, a in enumerate(attachments))
            else:
                encoded = None
            addressed = r.addressed
            mentions = None
            if addressed is not None:
                mentions = addressed.mentions
                self._notes(r, seq, ts, addressed)
            rows.append(
                (group_id, seq, r.user_id, ts, r.text, r.nonce, r.reply_to, encoded, mentions)
            )
            if r.tokens:
                docs.append(
                    (r.circle_id, "message", group_id, seq, None, r.user_id, ts, r.text, r.tokens)
                )
            msg = message(
                r.circle_id,
                group_id,
                seq,
                ts,
                r.user_id,
                r.author_name,
                r.text,
                r.nonce,
                r.reply_to,
                attachments,
                mentions=decode_mentions(mentions),
                bot=r.bot,
            )
            fresh.append(msg)
            results[i] = (msg, True)
        return rows

    def _notes(self, r: SayRequest, seq: int, ts: int, addressed: Addressed) -> None:
        """The notifications of one fresh message (its mentions, the reply)."""
        about: Record = {
            "circle": r.circle_id,
            "group": r.group_id,
            "seq": seq,
            "excerpt": excerpt(r.text),
            "actor": {"id": r.user_id, "name": r.author_name},
        }
        plain = orjson.dumps(about).decode()
        everyone = plain
        for user, kind, by_all in addressed.targets:
            if by_all and everyone is plain:
                everyone = orjson.dumps({**about, "all": True}).decode()
            self.notes.append(
                (user, r.circle_id, r.user_id, kind, everyone if by_all else plain, ts)
            )

    def outcomes(self) -> list[Outcome | StoreError]:
        """One result per request, in batch order (after `assign`)."""
        results = self.results
        if len(self.first_of) == len(results):
            # Neither a resend nor a repeat inside the batch: every result is set.
            self.duplicates = 0
            return results  # type: ignore[return-value]
        # A later duplicate in the batch gets what its first occurrence got, not fresh.
        out: list[Outcome | StoreError] = []
        duplicates = 0
        for i, request in enumerate(self.batch):
            result = results[i]
            if result is None:
                first = results[self.first_of[(request.user_id, request.nonce)]]
                result = (first[0], False) if isinstance(first, tuple) else first
            assert result is not None
            if isinstance(result, tuple) and not result[1]:
                duplicates += 1
            out.append(result)
        self.duplicates = duplicates
        return out


class StoredRow:
    """A stored message looked up by a driver's own writer (sqlite_writer.py,
    pg_writer.py), with attribute access, as `BatchPlan` reads stored rows."""

    __slots__ = (
        "group_id",
        "seq",
        "ts",
        "user_id",
        "text",
        "nonce",
        "reply_to",
        "attachments",
        "deleted",
        "edited",
    )

    def __init__(self, values: tuple[Any, ...]) -> None:
        (
            self.group_id,
            self.seq,
            self.ts,
            self.user_id,
            self.text,
            self.nonce,
            self.reply_to,
            self.attachments,
            self.deleted,
            self.edited,
        ) = values


def _stored_message(row: Any, request: SayRequest) -> Record:
    # The resend comes from the same user: their current display name is the one
    # to show, and the circle is the request's (a nonce resent to another circle
    # than the first try's is a client bug: it gets the stored message regardless).
    return message(
        request.circle_id,
        row.group_id,
        row.seq,
        row.ts,
        row.user_id,
        request.author_name,
        row.text,
        row.nonce,
        row.reply_to,
        decode_attachments(row.attachments),
        # Recalled, deleted or edited since: the resend learns it (store/message_edits.py).
        deleted=row.deleted,
        edited=row.edited,
        bot=request.bot,
    )
