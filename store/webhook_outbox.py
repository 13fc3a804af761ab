"""The webhooks' outbox: what a circle's outgoing webhooks are to be sent, written
in the transaction of the change itself, then claimed, tried and settled by the
senders (server/webhook_sender.py).

Two sources, both inside their write transaction so a restart loses nothing:
``follow`` follows the change log (``changes.FOLLOWERS``, as points do), and
``message_rows`` gives the group commit the rows of a batch's chat messages
(one look-up and one insert a batch, not a statement a message).

Only what every member of the circle may see goes out (``EVENTS``): changes
that reach only managers, a post's author, a group's members or one user, and
chat in groups other than the general one, never do.

Senders on several nodes claim rows with a conditional update (``claim``): a
row is one sender's until ``claimed_until``; a sender that dies lets its claim
lapse and another takes the row over. Each try ends in ``settle``: delivered,
or tried again after an exponential backoff, or failed after the last attempt;
a webhook's consecutive failures past its limit disable it (``Settled.disabled``
says so, for the caller to tell the owners).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson
from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from .hook_tables import WEBHOOK_DELIVERIES, WEBHOOKS
from .ids import new_id, now_ms
from .records import Record

if TYPE_CHECKING:
    from .changes import Change

# What a webhook may ask for: chat messages of the general group, and the changes
# every member sees (server/members.visible_to agrees: none of these is restricted).
EVENTS = (
    "message",
    "post.created",
    "post.promoted",
    "post.edited",
    "post.deleted",
    "post.pinned",
    "post.must_read",
    "comment.added",
    "member.joined",
    "member.left",
    "checkin.added",
    "gathering.created",
    "assignment.created",
    "lesson.live",
    "contest.announced",
)
ERROR_MAX = 300
INSERT_COLUMNS = ("id", "webhook_id", "circle_id", "event", "body", "created", "state", "next_at")


class Hook(NamedTuple):
    """An enabled webhook as the group commit's writers look it up."""

    id: str
    circle_id: str
    events: str


def payload(delivery_id: str, circle_id: str, event: str, ts: int, data: Record) -> str:
    """The JSON body a receiver gets (its ``id`` is the delivery's: a retry repeats it)."""
    return orjson.dumps(
        {"id": delivery_id, "event": event, "circle": circle_id, "ts": ts, "data": data}
    ).decode()


def parse_events(stored: str) -> list[str]:
    return [e for e in stored.split(",") if e]


def rows_for(
    hooks: Iterable[Any], circle_id: str, event: str, ts: int, data: Record
) -> list[tuple]:
    """Outbox rows (``INSERT_COLUMNS``) of one event for the hooks that want it."""
    rows = []
    for hook in hooks:
        if hook.circle_id == circle_id and event in parse_events(hook.events):
            delivery = new_id()
            body = payload(delivery, circle_id, event, ts, data)
            rows.append((delivery, hook.id, circle_id, event, body, ts, "pending", ts))
    return rows


def message_rows(hooks: Iterable[Any], messages: Iterable[Record]) -> list[tuple]:
    """Outbox rows of a batch's fresh chat messages (general groups only)."""
    hooks = list(hooks)
    rows: list[tuple] = []
    for msg in messages:
        if msg["group"] == msg["circle"]:
            rows += rows_for(hooks, msg["circle"], "message", msg["ts"], msg)
    return rows


async def hooks_of(conn: AsyncConnection, circle_ids: Iterable[str]) -> list[Any]:
    """The enabled webhooks of these circles."""
    ids = list(set(circle_ids))
    if not ids:
        return []
    query = select(WEBHOOKS.c.id, WEBHOOKS.c.circle_id, WEBHOOKS.c.events).where(
        WEBHOOKS.c.circle_id.in_(ids), WEBHOOKS.c.disabled.is_(None)
    )
    return list((await conn.execute(query)).all())


async def insert(conn: AsyncConnection, rows: list[tuple]) -> None:
    if rows:
        await conn.execute(
            WEBHOOK_DELIVERIES.insert(), [dict(zip(INSERT_COLUMNS, r, strict=True)) for r in rows]
        )


async def follow(conn: AsyncConnection, changes: list[Change]) -> None:
    """Queue logged changes (one kind, one circle: a follower of the change log,
    ``changes.FOLLOWERS``) for the webhooks that want their kind: one look-up and
    one insert however many; other kinds cost nothing."""
    if not changes or changes[0].kind not in EVENTS:
        return
    hooks = await hooks_of(conn, [changes[0].circle])
    if hooks:
        await insert(
            conn, [row for c in changes for row in rows_for(hooks, c.circle, c.kind, c.ts, c.data)]
        )


async def follow_messages(conn: AsyncConnection, messages: list[Record]) -> None:
    """Queue a group commit's fresh messages (one look-up, one insert)."""
    if messages:
        hooks = await hooks_of(conn, [m["circle"] for m in messages])
        if hooks:
            await insert(conn, message_rows(hooks, messages))


@dataclass(frozen=True, slots=True)
class Due:
    """A claimed delivery: what to send and where."""

    id: str
    webhook_id: str
    circle_id: str
    event: str
    url: str
    secret: str
    body: str
    attempts: int


async def due_ids(conn: AsyncConnection, now: int, limit: int) -> list[str]:
    """Up to ``limit`` deliveries due and unclaimed at ``now`` (a read: an idle
    sender's look costs no write transaction)."""
    due = (
        select(WEBHOOK_DELIVERIES.c.id)
        .where(
            WEBHOOK_DELIVERIES.c.state == "pending",
            WEBHOOK_DELIVERIES.c.next_at <= now,
            WEBHOOK_DELIVERIES.c.claimed_until <= now,
        )
        .order_by(WEBHOOK_DELIVERIES.c.next_at)
        .limit(limit)
    )
    return [r.id for r in await conn.execute(due)]


async def claim(
    conn: AsyncConnection, claim_id: str, ids: list[str], now: int, lease_ms: int
) -> list[Due]:
    """Take these deliveries (``due_ids``) for ``claim_id`` until ``now + lease_ms``:
    a row another sender took meanwhile (its claim not lapsed) is left alone, so
    two nodes never send one delivery at once."""
    if not ids:
        return []
    # The same condition again: of two racing senders, the update is each row's judge.
    await conn.execute(
        update(WEBHOOK_DELIVERIES)
        .where(
            WEBHOOK_DELIVERIES.c.id.in_(ids),
            WEBHOOK_DELIVERIES.c.state == "pending",
            WEBHOOK_DELIVERIES.c.claimed_until <= now,
        )
        .values(claimed_until=now + lease_ms, claim=claim_id)
    )
    query = (
        select(
            WEBHOOK_DELIVERIES.c.id,
            WEBHOOK_DELIVERIES.c.webhook_id,
            WEBHOOK_DELIVERIES.c.circle_id,
            WEBHOOK_DELIVERIES.c.event,
            WEBHOOK_DELIVERIES.c.body,
            WEBHOOK_DELIVERIES.c.attempts,
            WEBHOOKS.c.url,
            WEBHOOKS.c.secret,
        )
        .join(WEBHOOKS, WEBHOOKS.c.id == WEBHOOK_DELIVERIES.c.webhook_id)
        .where(WEBHOOK_DELIVERIES.c.id.in_(ids), WEBHOOK_DELIVERIES.c.claim == claim_id)
    )
    return [
        Due(r.id, r.webhook_id, r.circle_id, r.event, r.url, r.secret, r.body, int(r.attempts))
        for r in await conn.execute(query)
    ]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one try of a delivery came to: ``ok``, and the status or error."""

    ok: bool
    status: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Settled:
    """What settling a try did: the webhook got disabled (its circle and id), or not."""

    disabled: tuple[str, str] | None = None


async def settle(
    conn: AsyncConnection,
    due: Due,
    claim_id: str,
    outcome: Outcome,
    *,
    max_attempts: int,
    backoff_ms: int,
    disable_after: int,
    now: int | None = None,
) -> Settled:
    """Record a try: delivered; or again after ``backoff_ms * 2**(attempts-1)``; or
    failed after ``max_attempts``. A webhook's ``failures`` count failed tries in a
    row (a success resets it); at ``disable_after`` it is disabled and its pending
    deliveries are dropped as failed."""
    now = now_ms() if now is None else now
    attempts = due.attempts + 1
    mine = and_(WEBHOOK_DELIVERIES.c.id == due.id, WEBHOOK_DELIVERIES.c.claim == claim_id)
    error = None if outcome.error is None else outcome.error[:ERROR_MAX]
    tried = {"attempts": attempts, "last_status": outcome.status, "last_error": error}
    if outcome.ok:
        done = await conn.execute(
            update(WEBHOOK_DELIVERIES)
            .where(mine)
            .values(state="delivered", done=now, claimed_until=0, **tried)
        )
        if done.rowcount != 1:
            return Settled()  # no longer this sender's (its claim lapsed)
        await conn.execute(
            update(WEBHOOKS).where(WEBHOOKS.c.id == due.webhook_id).values(failures=0)
        )
        return Settled()
    if attempts >= max_attempts:
        values: dict[str, Any] = {"state": "failed", "done": now}
    else:
        values = {"next_at": now + backoff_ms * 2 ** (attempts - 1)}
    retried = await conn.execute(
        update(WEBHOOK_DELIVERIES).where(mine).values(claimed_until=0, **tried, **values)
    )
    if retried.rowcount != 1:
        return Settled()
    failures = (
        await conn.execute(
            update(WEBHOOKS)
            .where(WEBHOOKS.c.id == due.webhook_id, WEBHOOKS.c.disabled.is_(None))
            .values(failures=WEBHOOKS.c.failures + 1)
            .returning(WEBHOOKS.c.failures)
        )
    ).scalar()
    if failures is None or failures < disable_after:
        return Settled()
    await conn.execute(update(WEBHOOKS).where(WEBHOOKS.c.id == due.webhook_id).values(disabled=now))
    await drop_pending(conn, due.webhook_id, now)
    return Settled(disabled=(due.circle_id, due.webhook_id))


async def drop_pending(conn: AsyncConnection, webhook_id: str, now: int) -> None:
    """A disabled webhook's pending deliveries fail at once (nothing waits for it)."""
    await conn.execute(
        update(WEBHOOK_DELIVERIES)
        .where(
            WEBHOOK_DELIVERIES.c.webhook_id == webhook_id,
            WEBHOOK_DELIVERIES.c.state == "pending",
        )
        .values(state="failed", done=now, last_error="webhook disabled")
    )
