"""Promotion: one road from any source to a durable ``highlight`` post.

A source is anything a circle's reviewer can lift into its highlights: a
starred chat message today (``stars.Stars.star``), a homework submission
marked excellent (``homework.Submissions.excellent``), and later check-in
精选 and contest winners. Each names itself with a ``Source``: who wrote it,
what it says and carries, and its provenance columns on ``posts`` — a chat
message by (``source_group``, ``source_seq``), anything else by
(``source_kind``, ``source_ref``), each pair UNIQUE. ``promote`` is the one
function that writes the post, inside the caller's transaction.

Exactly one post per source: the insert ignores a conflict on the unique
provenance and the post is read back, so concurrent promotions (SQLite
serializes them; PostgreSQL nodes race on the unique index) all end on the same
row. The circle's lock (``lookups.circle_row``) also keeps the pin cap exact
while promotions race.

An un-promoted source keeps its post as a tombstone: members' votes do not
bring it back, an owner's or admin's act does (``tombstone``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import attachment_uses, search_index
from .changes import record_post
from .engine import Database
from .ids import new_id
from .lookups import next_post_time
from .models import POSTS, VETOES
from .pins import next_pin_order
from .records import AnyRow


@dataclass(frozen=True, slots=True)
class Source:
    """What a highlight is made of, and where it came from."""

    author_id: str
    text: str
    # Attachments as clients see them (JSON), as the source keeps them.
    attachments: str | None
    # The attachment uses the post takes over (``attachment_uses``: owner, seq).
    uses_owner: str
    uses_seq: int
    # The provenance columns of ``posts`` (the unique pair among them).
    provenance: dict[str, Any] = field(default_factory=dict)

    def match(self) -> ColumnElement[bool]:
        """The where clause of this source's post (a tombstone included)."""
        if "source_seq" in self.provenance:
            return and_(
                POSTS.c.source_group == self.provenance["source_group"],
                POSTS.c.source_seq == self.provenance["source_seq"],
            )
        return and_(
            POSTS.c.source_kind == self.provenance["source_kind"],
            POSTS.c.source_ref == self.provenance["source_ref"],
        )


def message_source(message: AnyRow) -> Source:
    """A chat message (``lookups.message_row``) as a source."""
    return Source(
        author_id=message.user_id,
        text=message.text,
        attachments=message.attachments,
        uses_owner=message.group_id,
        uses_seq=message.seq,
        provenance={
            "source_group": message.group_id,
            "source_seq": message.seq,
            "source_ts": message.ts,
            "source_user_id": message.user_id,
            "source_text": message.text,
        },
    )


def work_source(kind: str, work: AnyRow, parent: AnyRow, at: int) -> Source:
    """A member's piece of work (``kind``: a homework submission, a check-in) in
    its ``parent`` (the assignment, the challenge), handed in at ``at``."""
    return Source(
        author_id=work.user_id,
        text=work.text,
        attachments=work.attachments,
        uses_owner=work.id,
        uses_seq=0,
        provenance={
            "source_kind": kind,
            "source_ref": work.id,
            "source_parent": parent.id,
            "source_title": parent.title,
            "source_user_id": work.user_id,
            "source_ts": at,
            "source_text": work.text,
        },
    )


async def promote_once(
    db: Database, conn: AsyncConnection, circle_id: str, source: Source
) -> tuple[str, bool]:
    """A reviewer lifts the source into the highlights (excellent work, 精选):
    its post and whether this call made it. Again is a no-op; a highlight taken
    down comes back as the same post. A new one is recorded as ``post.promoted``."""
    post = await post_of_source(conn, source)
    if post is not None and not post.deleted:
        return post.id, False
    post_id, fresh = await promote(db, conn, circle_id, source, post)
    if fresh:
        await record_post(conn, circle_id, "post.promoted", post_id)
    return post_id, fresh


async def promote(
    db: Database, conn: AsyncConnection, circle_id: str, source: Source, tombstone: AnyRow | None
) -> tuple[str, bool]:
    """Create (or revive) the source's post; returns its id and whether this did it."""
    at = await next_post_time(conn, circle_id)
    # The pin cap never blocks a promotion: a full shelf gives an unpinned post.
    order = await next_pin_order(conn, circle_id)
    values: dict[str, Any] = {
        "kind": "highlight",
        "author_id": source.author_id,
        "text": source.text,
        "attachments": source.attachments,
        "created": at,
        "updated": at,
        "deleted": False,
        "pinned": order is not None,
        "pin_order": order,
        "pinned_until": None,
        "must_read": False,
    }
    if tombstone is not None:
        await conn.execute(update(POSTS).where(POSTS.c.id == tombstone.id).values(values))
        await attachment_uses.copy(conn, source.uses_owner, source.uses_seq, tombstone.id)
        await _index(conn, circle_id, tombstone.id, source, at)
        return tombstone.id, True
    result = await conn.execute(
        db.insert_ignore(POSTS).values(
            id=new_id(), circle_id=circle_id, **source.provenance, **values
        )
    )
    row = await post_of_source(conn, source)
    assert row is not None
    if result.rowcount == 1:
        await attachment_uses.copy(conn, source.uses_owner, source.uses_seq, row.id)
        await _index(conn, circle_id, row.id, source, at)
    return row.id, result.rowcount == 1


async def _index(
    conn: AsyncConnection, circle_id: str, post_id: str, source: Source, at: int
) -> None:
    """The highlight is a post like any other in search (its source stays one too)."""
    found = search_index.doc(circle_id, "post", post_id, 0, source.author_id, at, source.text)
    await search_index.put(conn, found, "post", post_id)


async def post_of_source(conn: AsyncConnection, source: Source) -> AnyRow | None:
    """The source's post, a tombstone included."""
    query = select(POSTS.c.id, POSTS.c.deleted).where(source.match())
    return (await conn.execute(query)).first()


async def post_of(conn: AsyncConnection, group_id: str, seq: int) -> AnyRow | None:
    """The post of the group's message, a tombstone included."""
    query = select(POSTS.c.id, POSTS.c.deleted).where(
        POSTS.c.source_group == group_id, POSTS.c.source_seq == seq
    )
    return (await conn.execute(query)).first()


async def votes_carry(conn: AsyncConnection, circle: AnyRow, message: AnyRow, stars: int) -> bool:
    """Members' stars promote at the threshold (> 0), unless the message is vetoed."""
    threshold = circle.promote_threshold
    if threshold <= 0 or stars < threshold:
        return False
    vetoed = select(VETOES.c.seq).where(
        VETOES.c.group_id == message.group_id, VETOES.c.seq == message.seq
    )
    return (await conn.execute(vetoed)).first() is None
