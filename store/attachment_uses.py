"""Attachments in use: what chat messages, posts and comments carry, and the
reference counts that keep their blobs.

An owner (a message, a post, a comment) keeps its attachments twice, for two
readers:

- a copy of each as clients see it (``public``), JSON in the owner's
  ``attachments`` column, read with the owner and never joined: an attachment
  never changes once uploaded, so the copy never goes stale;
- one ``attachment_uses`` row per attachment (``owner``: the message's group
  with its seq, or the post's or comment's id with seq 0): the reference
  count. Pruning a message, deleting (or recalling) one, deleting a post or a
  comment releases its rows; ``collect`` deletes attachments nothing uses once
  a grace period has passed since their upload (an upload is made before the
  message that carries it).

A highlight gets its message's attachments at promotion (``copy``): the pruned
message releases its own uses, the highlight's keep the blobs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .errors import Invalid, NotFound
from .models import ATTACHMENT_USES, ATTACHMENTS
from .records import Record, attachment_record

# Attachments one message, post or comment may carry (a phone's photo grid).
PER_OWNER_MAX = 9
# The HTTP API's path of a downloaded attachment (HTTP-API.md, "Media").
URL_PREFIX = "/api/v1/attachments/"
ID_MAX = 32


def public(attachment: Record) -> Record:
    """An attachment (``records.attachment_record``) as clients see it: no blob
    keys, its URLs instead."""
    url = URL_PREFIX + attachment["id"]
    return {
        "id": attachment["id"],
        "circle": attachment["circle"],
        "uploader": attachment["uploader"],
        "kind": attachment["kind"],
        "name": attachment["name"],
        "size": attachment["size"],
        "mime": attachment["mime"],
        "sha256": attachment["sha256"],
        "width": attachment["width"],
        "height": attachment["height"],
        "duration_ms": attachment["duration_ms"],
        "created": attachment["created"],
        "url": url,
        "thumb_url": f"{url}/thumb" if attachment["thumb_key"] else None,
    }


def ids_of(value: object) -> list[str]:
    """The attachment ids a client asked for: a list of at most ``PER_OWNER_MAX``
    distinct strings (None: none). ``Invalid`` otherwise."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(item, str) and 0 < len(item) <= ID_MAX for item in value
    ):
        raise Invalid("attachments must be a list of attachment ids")
    if len(value) > PER_OWNER_MAX:
        raise Invalid(f"at most {PER_OWNER_MAX} attachments")
    if len(set(value)) != len(value):
        raise Invalid("an attachment is listed twice")
    return list(value)


async def resolve(conn: AsyncConnection, circle_id: str, ids: Sequence[str]) -> list[Record]:
    """The circle's attachments of these ids as clients see them, in the order
    asked; ``NotFound`` when one is not an attachment of this circle."""
    if not ids:
        return []
    rows = await conn.execute(
        select(ATTACHMENTS).where(
            ATTACHMENTS.c.id.in_(list(ids)), ATTACHMENTS.c.circle_id == circle_id
        )
    )
    found = {row.id: public(attachment_record(row)) for row in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(f"no such attachment in this circle: {missing[0][:ID_MAX]}")
    return [found[i] for i in ids]


def use_rows(owner: str, seq: int, attachments: Sequence[Record]) -> list[dict[str, Any]]:
    return [
        {"owner": owner, "seq": seq, "position": i, "attachment_id": a["id"]}
        for i, a in enumerate(attachments)
    ]


async def use(conn: AsyncConnection, owner: str, seq: int, attachments: Sequence[Record]) -> None:
    """Count the owner's uses (in the owner's transaction)."""
    rows = use_rows(owner, seq, attachments)
    if rows:
        await conn.execute(insert(ATTACHMENT_USES), rows)


async def release(conn: AsyncConnection, owners: Sequence[str], seq_max: int = 0) -> None:
    """Drop the uses of these posts or comments (``seq_max`` 0), or of one group's
    messages up to ``seq_max``."""
    if not owners:
        return
    query = delete(ATTACHMENT_USES).where(ATTACHMENT_USES.c.owner.in_(list(owners)))
    if seq_max:
        query = query.where(ATTACHMENT_USES.c.seq > 0, ATTACHMENT_USES.c.seq <= seq_max)
    else:
        query = query.where(ATTACHMENT_USES.c.seq == 0)
    await conn.execute(query)


async def release_messages(conn: AsyncConnection, group_id: str, seqs: Sequence[int]) -> None:
    """Drop the uses of a group's messages (deleted or recalled: store/message_edits.py)."""
    await conn.execute(
        delete(ATTACHMENT_USES).where(
            ATTACHMENT_USES.c.owner == group_id, ATTACHMENT_USES.c.seq.in_(list(seqs))
        )
    )


async def copy(conn: AsyncConnection, group_id: str, seq: int, post_id: str) -> None:
    """A highlight's post uses its message's attachments (again after a revival)."""
    await release(conn, [post_id])
    rows = await conn.execute(
        select(ATTACHMENT_USES.c.position, ATTACHMENT_USES.c.attachment_id).where(
            ATTACHMENT_USES.c.owner == group_id, ATTACHMENT_USES.c.seq == seq
        )
    )
    values = [
        {"owner": post_id, "seq": 0, "position": r.position, "attachment_id": r.attachment_id}
        for r in rows
    ]
    if values:
        await conn.execute(insert(ATTACHMENT_USES), values)


def unused(cutoff_ms: int) -> Any:
    """Where-clause of attachments nothing uses, last uploaded before ``cutoff_ms``."""
    return and_(
        func.coalesce(ATTACHMENTS.c.touched, ATTACHMENTS.c.created) < cutoff_ms,
        ~exists().where(ATTACHMENT_USES.c.attachment_id == ATTACHMENTS.c.id),
    )
