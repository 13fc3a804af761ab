"""Taking chat messages back, and changing them: an owner or admin deletes any
message, its author recalls their own within a window, or edits its text
within another (the server's settings: ``recall_window_s``, ``edit_window_s``).

A deleted or recalled message becomes a tombstone: its row stays (a group's
seqs never have holes), its text is emptied, its attachments go (their uses
are released: ``attachment_uses.release_messages``), and ``deleted`` says who
took it back, ``"author"`` or ``"admin"`` (``"account"``: erased with its
author's deleted account, store/account_deletion.py), with ``deleted_at``. Its stars,
veto and reactions go with it, and a highlight promoted from it is buried
(``posts.bury``: ``post.deleted``); the logged edits of it lose their text. History, replay and catch-up show the
tombstone (``records.message``); ``lookups.message_row`` answers ``NotFound``
for it, so nothing acts on it any more.

An edit sets the new text and ``edited`` (ms); attachments stay. Each act is
logged (``message.deleted``, ``message.edited``) in its transaction, so every
node and every reconnecting client learns of it; an admin's delete also goes
to the audit log (``message.deleted``, with its reason).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import attachment_uses, notification_rules, notifications, search_index, validation
from .audit import record_act
from .changes import forget_edits, record
from .chat import TEXT_MAX, read_message
from .engine import Service
from .errors import Forbidden, Invalid
from .group_access import access_of, group_row
from .ids import now_ms
from .lookups import circle_row, display_names, message_row, post_row, require_voice
from .models import MESSAGES, POSTS, REACTIONS, STARS, VETOES
from .posts import bury
from .records import AnyRow, GroupAccess, Record

# The defaults of the server's settings (DingTalk and WeChat recall within 2 minutes).
RECALL_WINDOW_MS = 2 * 60 * 1000
EDIT_WINDOW_MS = 24 * 3600 * 1000


class MessageEdits(Service):
    """Delete, recall and edit chat messages."""

    async def delete(
        self,
        circle_id: str,
        seq: int,
        actor_id: str,
        group_id: str | None = None,
        reason: str | None = None,
        recall_window_ms: int = RECALL_WINDOW_MS,
    ) -> Record:
        """Take a message of a group (default: general) back; returns its tombstone.

        Its author within ``recall_window_ms`` of saying it recalls it (``deleted``
        "author"); otherwise the circle's owners and admins (and a group's admins in
        their group) delete it (``deleted`` "admin", audited with ``reason``).
        ``Forbidden`` with reason ``recall_window_passed`` for its author past the
        window, ``not_your_message`` for another member; ``NotFound`` for a message
        missing, hidden from the actor, or already a tombstone.
        """
        group_id = circle_id if group_id is None else group_id
        if reason is not None:
            reason = validation.text(reason, "reason", 0, 500)
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            group = await group_row(conn, group_id, circle_id)
            access = await access_of(conn, circle, group, actor_id)
            message = await message_row(conn, circle, access, seq)
            by = _deleter(message, access, actor_id, recall_window_ms)
            await entomb(conn, group_id, [message.seq], by)
            if by == "admin":
                await record_act(
                    conn,
                    circle_id,
                    actor_id,
                    "message.deleted",
                    "message",
                    f"{group_id}:{message.seq}",
                    reason,
                    {"group": group_id, "seq": message.seq, "author": message.user_id},
                )
            await record(
                conn,
                circle_id,
                "message.deleted",
                {"group": group_id, "seq": message.seq, "deleted": by, "author": message.user_id},
            )
            return await read_message(conn, group_id, message.seq)

    async def edit(
        self,
        circle_id: str,
        seq: int,
        actor_id: str,
        text: str,
        group_id: str | None = None,
        edit_window_ms: int = EDIT_WINDOW_MS,
    ) -> Record:
        """Its author changes a message's text within ``edit_window_ms`` of saying it;
        returns the message (``edited`` set when the text changed). ``Forbidden``
        with reason ``edit_window_passed`` or ``not_your_message``; ``NotFound``."""
        group_id = circle_id if group_id is None else group_id
        text = validation.text(text, "text", 0, TEXT_MAX, strip=False)
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            group = await group_row(conn, group_id, circle_id)
            access = await access_of(conn, circle, group, actor_id)
            message = await message_row(conn, circle, access, seq)
            if message.user_id != actor_id:
                raise Forbidden("only its author can edit a message", "not_your_message")
            await require_voice(conn, circle_id, actor_id)  # a muted author edits nothing
            if now_ms() - message.ts > edit_window_ms:
                raise Forbidden("this message is too old to edit", "edit_window_passed")
            if not text.strip() and not message.attachments:
                raise Invalid("text must not be empty")
            if text != message.text:
                at = now_ms()
                where = (MESSAGES.c.group_id == group_id, MESSAGES.c.seq == message.seq)
                before = (await conn.execute(select(MESSAGES.c.mentions).where(*where))).scalar()
                names = await display_names(conn, circle_id, [actor_id])
                author = {"id": actor_id, "name": names.get(actor_id, "")}
                # Its mentions as the new text has them; whom it mentions anew is told.
                found, told = await notification_rules.edited_mentions(
                    conn, circle_id, group_id, message.seq, author, text, before
                )
                await conn.execute(
                    update(MESSAGES)
                    .where(*where)
                    .values(text=text, edited=at, mentions=found.encoded())
                )
                await notifications.add(conn, told, at)
                # Found by its new words, no longer by the old ones.
                new = search_index.doc(
                    circle_id, "message", group_id, message.seq, message.user_id, message.ts, text
                )
                await search_index.put(conn, new, "message", group_id, message.seq)
                await record(
                    conn,
                    circle_id,
                    "message.edited",
                    {
                        "group": group_id,
                        "seq": message.seq,
                        "text": text,
                        "edited": at,
                        "mentions": found.stored(),
                    },
                )
            return await read_message(conn, group_id, message.seq)


def _deleter(message: AnyRow, access: GroupAccess, actor_id: str, window_ms: int) -> str:
    """Who takes the message back: "author" (a recall in time) or "admin"."""
    author = message.user_id == actor_id
    if author and now_ms() - message.ts <= window_ms:
        return "author"
    if access.manager or (not access.general and access.role == "admin"):
        return "admin"
    if author:
        raise Forbidden("this message is too old to recall", "recall_window_passed")
    raise Forbidden("only its author or an admin can delete a message", "not_your_message")


async def entomb(conn: AsyncConnection, group_id: str, seqs: Sequence[int], by: str) -> None:
    """Messages of a group become tombstones (``by``: "author", "admin" or
    "account"); what hangs on them goes, highlights of them are buried. One
    message for a delete or recall, a batch of a deleted account's."""
    seqs = list(seqs)
    if not seqs:
        return
    of_them = and_(MESSAGES.c.group_id == group_id, MESSAGES.c.seq.in_(seqs))
    edited = await conn.execute(
        select(MESSAGES.c.seq).where(of_them, MESSAGES.c.edited.is_not(None))
    )
    for seq in edited.scalars().all():
        # The change log keeps each edit's text: it goes with the message.
        await forget_edits(conn, group_id, seq)
    await conn.execute(
        update(MESSAGES)
        .where(of_them)
        .values(text="", attachments=None, deleted=by, deleted_at=now_ms(), edited=None)
    )
    await attachment_uses.release_messages(conn, group_id, seqs)
    await search_index.remove_messages(conn, group_id, seqs)
    for table in (STARS, VETOES):
        await conn.execute(delete(table).where(table.c.group_id == group_id, table.c.seq.in_(seqs)))
    await conn.execute(
        delete(REACTIONS).where(REACTIONS.c.target == group_id, REACTIONS.c.seq.in_(seqs))
    )
    highlights = await conn.execute(
        select(POSTS.c.id).where(
            POSTS.c.source_group == group_id, POSTS.c.source_seq.in_(seqs), ~POSTS.c.deleted
        )
    )
    for post_id in highlights.scalars().all():
        await bury(conn, await post_row(conn, post_id))
