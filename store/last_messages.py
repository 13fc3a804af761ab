"""The last message a member may read in each of their circles' general group: the
home page's circle list shows it (author: text) with its time.

Visibility is group_access's one rule: the member's floor (hidden history hides
what was said before they joined) bounds the seq looked at.
"""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .group_access import access_of, group_row
from .models import MEMBERSHIPS, MESSAGES, USERS
from .records import DISPLAY_NAME, AnyRow, Record, decode_attachments

# A preview is one line: a long message is cut here (the client ellipsizes further).
PREVIEW_CHARS = 200

_WITH_NAMES = MESSAGES.join(USERS, USERS.c.id == MESSAGES.c.user_id).outerjoin(
    MEMBERSHIPS,
    and_(
        MEMBERSHIPS.c.user_id == MESSAGES.c.user_id, MEMBERSHIPS.c.circle_id == MESSAGES.c.group_id
    ),
)


async def last_message(conn: AsyncConnection, circle: AnyRow, user_id: str) -> Record | None:
    """``{group, seq, ts, author, author_name, text, attachment_kinds}`` (and ``deleted``
    for a tombstone) of the newest message of the
    circle's general group the member may read, or None (none yet, or none visible)."""
    general = await group_row(conn, circle.id, circle.id)
    access = await access_of(conn, circle, general, user_id)
    query = (
        select(
            MESSAGES.c.seq,
            MESSAGES.c.ts,
            MESSAGES.c.user_id,
            MESSAGES.c.text,
            MESSAGES.c.attachments,
            MESSAGES.c.deleted,
            DISPLAY_NAME,
        )
        .select_from(_WITH_NAMES)
        .where(MESSAGES.c.group_id == general.id, MESSAGES.c.seq > access.floor)
        .order_by(MESSAGES.c.seq.desc())
        .limit(1)
    )
    row = (await conn.execute(query)).first()
    if row is None:
        return None
    found: Record = {
        "group": general.id,
        "seq": row.seq,
        "ts": row.ts,
        "author": row.user_id,
        "author_name": row.display_name,
        "text": row.text[:PREVIEW_CHARS],
        # What it carries, for a preview such as "[图片]": each attachment's kind.
        "attachment_kinds": [a["kind"] for a in decode_attachments(row.attachments)],
    }
    if row.deleted is not None:
        # A tombstone: "" and who took it back (records.message).
        found["deleted"] = row.deleted
    return found
