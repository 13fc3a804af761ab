"""One group-commit batch, whatever the driver that stores it.

The commit queue collects `SayRequest`s; a `BatchPlan` decides what the batch
stores: idempotent resends are answered from what is already stored,
duplicates inside the batch fold onto their first occurrence, and new
messages get consecutive seqs per circle in arrival order.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .errors import NotFound, StoreError
from .records import Record, message

# What one request resolves to: the stored message and whether this call stored it.
Outcome = tuple[Record, bool]


@dataclass(slots=True)
class SayRequest:
    circle_id: str
    user_id: str
    author_name: str
    text: str
    nonce: str
    reply_to: int | None
    future: asyncio.Future[Outcome]


class BatchPlan:
    """What one batch stores, whatever the driver: idempotent resends are
    answered from what is stored, duplicates inside the batch fold onto their
    first occurrence, and new messages get consecutive seqs in arrival order."""

    def __init__(self, batch: list[SayRequest], stored: dict[tuple[str, str], Any]) -> None:
        self.batch = batch
        self.results: list[Outcome | StoreError | None] = [None] * len(batch)
        self.first_of: dict[tuple[str, str], int] = {}
        self.new: list[int] = []
        for i, request in enumerate(batch):
            key = (request.user_id, request.nonce)
            if key in stored:
                self.results[i] = (_stored_message(stored[key], request.author_name), False)
            elif key not in self.first_of:
                self.first_of[key] = i
                self.new.append(i)

    def counts(self) -> Counter[str]:
        """New messages per circle: how far each circle's last_seq moves."""
        return Counter(self.batch[i].circle_id for i in self.new)

    def assign(self, next_seq: dict[str, int], ts: int) -> list[dict[str, Any]]:
        """Seqs from each circle's first new one; the rows to insert."""
        rows: list[dict[str, Any]] = []
        for i in self.new:
            r = self.batch[i]
            if r.circle_id not in next_seq:
                self.results[i] = NotFound("no such circle")
                continue
            seq = next_seq[r.circle_id]
            next_seq[r.circle_id] = seq + 1
            rows.append(
                {
                    "circle_id": r.circle_id,
                    "seq": seq,
                    "user_id": r.user_id,
                    "ts": ts,
                    "text": r.text,
                    "nonce": r.nonce,
                    "reply_to": r.reply_to,
                }
            )
            msg = message(
                r.circle_id, seq, ts, r.user_id, r.author_name, r.text, r.nonce, r.reply_to
            )
            self.results[i] = (msg, True)
        return rows

    def outcomes(self) -> list[Outcome | StoreError]:
        # A later duplicate in the batch gets what its first occurrence got, not fresh.
        out: list[Outcome | StoreError] = []
        for i, request in enumerate(self.batch):
            result = self.results[i]
            if result is None:
                first = self.results[self.first_of[(request.user_id, request.nonce)]]
                result = (first[0], False) if isinstance(first, tuple) else first
            assert result is not None
            out.append(result)
        return out


def _stored_message(row: Any, author_name: str) -> Record:
    # The resend comes from the same user: their current display name is the one to show.
    return message(
        row.circle_id, row.seq, row.ts, row.user_id, author_name, row.text, row.nonce, row.reply_to
    )
