"""Attachments: files uploaded to a circle, their metadata and blob keys.

Who may upload: a member of the circle (any role: whoever may post there).
Who may read one: a member of its circle; anyone else is told there is no such
attachment (``NotFound``), so an id reveals nothing about a circle one is not in.

Deduplication: a circle holds the same bytes once. ``add`` with a ``sha256``
the circle already has stores nothing and answers the attachment already there
(its id, name and uploader: the first upload's), with ``fresh`` False; the
caller then drops the blob it spooled. Quotas count each row once, so a
repeated upload costs nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from . import attachment_uses, search_index, validation
from .engine import Service
from .errors import NotFound
from .ids import new_id, now_ms
from .lookups import circle_row, newest_first, next_cursor, require_member, role_of
from .models import ATTACHMENTS, CIRCLES, MEMBERSHIPS, USERS
from .records import DISPLAY_NAME, Record, attachment_record

KINDS = ("image", "video", "audio", "file")
# A page of a circle's materials: a screen of thumbnails, and a bound on one read.
LIST_DEFAULT, LIST_MAX = 50, 200
NAME_MAX = 255
MIME_MAX = 100
_SHA256_CHARS = frozenset("0123456789abcdef")
# Attachments with their uploader's display name in the circle; one who left
# keeps their account name (LEFT JOIN: the membership may be gone).
_WITH_NAMES = ATTACHMENTS.join(USERS, USERS.c.id == ATTACHMENTS.c.uploader_id).outerjoin(
    MEMBERSHIPS,
    and_(
        MEMBERSHIPS.c.circle_id == ATTACHMENTS.c.circle_id,
        MEMBERSHIPS.c.user_id == ATTACHMENTS.c.uploader_id,
    ),
)


def clean_name(name: object) -> str:
    """A file name to show and to offer on download: no path, no control
    characters, at most ``NAME_MAX`` characters; "file" when nothing is left."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if ch.isprintable()).strip()
    if len(text) > NAME_MAX:
        stem, dot, ext = text.rpartition(".")
        text = (stem[: NAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) < 16 else text
        text = text[:NAME_MAX]
    return text or "file"


class Attachments(Service):
    """Check who may upload, count usage, record and read attachments."""

    async def may_upload(self, circle_id: str, user_id: str) -> str:
        """The uploader's role; ``NotFound`` (circle), ``Forbidden`` (not a member)."""
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            return await require_member(conn, circle_id, user_id)

    async def usage(self, circle_id: str, user_id: str) -> tuple[int, int]:
        """Bytes the circle holds, and bytes the user uploaded (every circle)."""
        async with self._db.read() as conn:
            circle = await conn.execute(
                select(func.coalesce(func.sum(ATTACHMENTS.c.size), 0)).where(
                    ATTACHMENTS.c.circle_id == circle_id
                )
            )
            user = await conn.execute(
                select(func.coalesce(func.sum(ATTACHMENTS.c.size), 0)).where(
                    ATTACHMENTS.c.uploader_id == user_id
                )
            )
            return int(circle.scalar_one()), int(user.scalar_one())

    async def find(self, circle_id: str, sha256: str) -> Record | None:
        """The circle's attachment of these bytes, if it has one."""
        async with self._db.read() as conn:
            row = (
                await conn.execute(
                    select(ATTACHMENTS).where(
                        ATTACHMENTS.c.circle_id == circle_id, ATTACHMENTS.c.sha256 == sha256
                    )
                )
            ).first()
            return None if row is None else attachment_record(row)

    async def add(
        self,
        circle_id: str,
        uploader_id: str,
        *,
        sha256: str,
        kind: str,
        mime: str,
        name: object,
        size: int,
        blob_key: str,
        width: int | None = None,
        height: int | None = None,
        duration_ms: int | None = None,
        thumb_key: str | None = None,
    ) -> tuple[Record, bool]:
        """Record an upload whose blob is stored; ``(attachment, fresh)``. The same
        bytes already in the circle answer that attachment with ``fresh`` False.
        ``NotFound`` (circle), ``Forbidden`` (the uploader left meanwhile), ``Invalid``."""
        kind = validation.choice(kind, "kind", KINDS)
        if len(sha256) != 64 or not set(sha256) <= _SHA256_CHARS:
            raise ValueError("sha256 must be 64 lower-case hex digits")
        values: dict[str, Any] = {
            "circle_id": circle_id,
            "uploader_id": uploader_id,
            "sha256": sha256,
            "kind": kind,
            "mime": validation.text(mime, "mime", 1, MIME_MAX),
            "name": clean_name(name),
            "size": validation.integer(size, "size", 0, validation.INT64_MAX),
            "width": width,
            "height": height,
            "duration_ms": duration_ms,
            "blob_key": blob_key,
            "thumb_key": thumb_key,
        }
        try:
            async with self._db.write() as conn:
                await circle_row(conn, circle_id)
                await require_member(conn, circle_id, uploader_id)
                known = (
                    await conn.execute(
                        select(ATTACHMENTS).where(
                            ATTACHMENTS.c.circle_id == circle_id, ATTACHMENTS.c.sha256 == sha256
                        )
                    )
                ).first()
                if known is not None:
                    await _touch(conn, known.id)
                    return attachment_record(known), False
                attachment_id, at = new_id(), now_ms()
                await conn.execute(
                    ATTACHMENTS.insert().values(id=attachment_id, created=at, **values)
                )
                # Members find a file by its name.
                name = str(values["name"])
                await search_index.add(
                    conn,
                    [
                        search_index.doc(
                            circle_id, "attachment", attachment_id, 0, uploader_id, at, name
                        )
                    ],
                )
                row = (
                    await conn.execute(select(ATTACHMENTS).where(ATTACHMENTS.c.id == attachment_id))
                ).one()
                return attachment_record(row), True
        except IntegrityError:
            # The same bytes, uploaded at the same moment by someone else: theirs won.
            known_record = await self.find(circle_id, sha256)
            if known_record is None:
                raise
            return known_record, False

    async def resolve(self, circle_id: str, ids: list[str]) -> list[Record]:
        """The circle's attachments of these ids as clients see them, in order, for
        a chat message (``Chat.say``); ``NotFound`` for an id not of this circle."""
        async with self._db.read() as conn:
            return await attachment_uses.resolve(conn, circle_id, ids)

    async def collect(self, cutoff_ms: int, limit: int = 100) -> list[Record]:
        """Delete up to ``limit`` attachments nothing uses that were last uploaded
        before ``cutoff_ms``; returns them, for the caller to delete their blobs
        (after the rows: a row never points at a missing blob)."""
        some = select(ATTACHMENTS.c.id).where(attachment_uses.unused(cutoff_ms)).limit(limit)
        async with self._db.write() as conn:
            # The condition again in the delete: a use that arrived meanwhile keeps it.
            rows = await conn.execute(
                delete(ATTACHMENTS)
                .where(ATTACHMENTS.c.id.in_(some.scalar_subquery()))
                .where(attachment_uses.unused(cutoff_ms))
                .returning(*ATTACHMENTS.c)
            )
            gone = [attachment_record(row) for row in rows]
            await search_index.remove(conn, "attachment", [a["id"] for a in gone])
            return gone

    async def touch(self, attachment_id: str) -> None:
        """The attachment was uploaded again: `collect` waits a grace period anew."""
        async with self._db.write() as conn:
            await _touch(conn, attachment_id)

    async def get(self, attachment_id: str, viewer_id: str) -> Record:
        """The attachment and its circle's ``visibility``, for a member of its
        circle; ``NotFound`` for anyone else."""
        query = (
            select(ATTACHMENTS, CIRCLES.c.visibility)
            .join(CIRCLES, CIRCLES.c.id == ATTACHMENTS.c.circle_id)
            .where(ATTACHMENTS.c.id == attachment_id)
        )
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
            if row is None or await role_of(conn, row.circle_id, viewer_id) is None:
                raise NotFound("no such attachment")
            return {**attachment_record(row), "visibility": row.visibility}

    async def materials(
        self,
        circle_id: str,
        viewer_id: str,
        kind: str | None = None,
        cursor: str | None = None,
        limit: int = LIST_DEFAULT,
    ) -> tuple[list[Record], str | None]:
        """A page of the circle's attachments (of one ``kind`` if given), newest
        first, each with ``uploader_name``; pass the second value back as
        ``cursor``. For members: ``NotFound`` (circle), ``Forbidden`` (anyone else)."""
        limit = validation.limit(limit, high=LIST_MAX)
        query = (
            select(*ATTACHMENTS.c, DISPLAY_NAME)
            .select_from(_WITH_NAMES)
            .where(ATTACHMENTS.c.circle_id == circle_id)
        )
        if kind is not None:
            query = query.where(ATTACHMENTS.c.kind == validation.choice(kind, "kind", KINDS))
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_member(conn, circle_id, viewer_id)
            rows = (await conn.execute(newest_first(query, ATTACHMENTS, cursor, limit))).all()
        page = [
            {**attachment_record(row), "uploader_name": row.display_name} for row in rows[:limit]
        ]
        return page, next_cursor(rows, limit, "created", "id")


async def _touch(conn: Any, attachment_id: str) -> None:
    # Uploaded again: a fresh grace period before `collect` may take it.
    await conn.execute(
        update(ATTACHMENTS).where(ATTACHMENTS.c.id == attachment_id).values(touched=now_ms())
    )
