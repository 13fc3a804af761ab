"""Deleting an account: at once for the account, then what it wrote in the background.

``delete`` (the user, who confirms with their password) ends the account in one
transaction: every session (their token hashes are returned, for the server to
close their sockets on every node), every membership (``member.left``, so counts
move live; a circle where they are the only owner passes to its earliest-joined
admin, else its earliest-joined member, ``member.updated``; one with no one else
in it is deleted through ``deleted_circles.end_circle``), their group
memberships, join requests, the words of the reports they filed, their
notifications and settings, and the notifications others got from them. The user's
row stays (ids are never reused, bans and reports about them still point at it)
but holds nothing of them: no name (``""``: clients show "deleted user"), a
handle nobody can sign up with (``~`` and the id: the handle is free again), no
password hash. From that commit on they cannot log in.

``erase`` (housekeeping) then takes back what they wrote, a batch per
transaction, on the roads an admin's delete takes: chat messages become
tombstones (``deleted`` "account", ``message_edits.entomb``: text, attachments,
stars, reactions and highlights of them go, ``message.deleted``), posts are
buried (``post.deleted``), comments deleted (``comment.deleted``); their polls
lose question and options, their uploads' file names go, and the change log's
copies of their words (posts, comments, names, answers kept for catch-up) are
emptied. When nothing is left the user is marked ``erased``.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import attachment_uses, bots, search_index
from .accounts import Accounts
from .audit import record_act
from .away_tables import MAIL_SETTINGS, PUSH_SUBSCRIPTIONS
from .changes import record, record_many
from .comments import remove_comment
from .deleted_circles import end_circle
from .engine import Database, Service
from .errors import Forbidden, NotFound
from .follows import end_follow
from .homework import erase_author as erase_homework
from .ids import now_ms
from .lookups import circle_row, member_row, owner_count
from .memberships import record_decided, remove_membership
from .message_edits import entomb
from .models import (
    ATTACHMENTS,
    CHANGES,
    CHECKIN_MEDIA,
    CHECKINS,
    CIRCLES,
    COMMENTS,
    FOLLOWS,
    GROUP_MEMBERS,
    GROUPS,
    JOIN_REQUESTS,
    MEMBERSHIPS,
    MESSAGES,
    NOTIFICATION_SETTINGS,
    NOTIFICATIONS,
    POLLS,
    POSTS,
    REPORTS,
    TOKENS,
    USERS,
)
from .posts import bury
from .records import member_record

# At most this many short merges of the search index after an account's erasure.
COMPACT_ROUNDS_MAX = 10_000
BATCH_MAX = 10_000
# The name of a deleted account: no one else can have it (a name is never
# empty), and clients show it as "deleted user" in their language.
DELETED_NAME = ""
# The change-log kinds that may carry a user's words or names.
_WORDY_KINDS = (
    "post.created",
    "post.promoted",
    "post.edited",
    "post.pinned",
    "post.unpinned",
    "post.must_read",
    "comment.added",
    "comment.edited",
    "member.joined",
    "member.updated",
    "join.requested",
    "poll.created",
    "checkin.added",
    "checkin.edited",
    "checkin.invalidated",
    "assignment.created",
    "assignment.updated",
    "submission.updated",
    "submission.reviewed",
    "submission.commented",
    "report.filed",
    "group.joined",
    "group.requested",
)
_WORDY_KEYS = frozenset(("text", "name", "nickname", "answer", "question", "handle"))


class AccountDeletion(Service):
    def __init__(self, db: Database, accounts: Accounts) -> None:
        super().__init__(db)
        self._accounts = accounts

    async def delete(self, user_id: str, password: object) -> list[str]:
        """Delete the account of ``user_id``, confirmed by its ``password``; the token
        hashes of the sessions that ended. ``Forbidden`` (reason ``password_wrong``)
        changes nothing; ``NotFound`` for an unknown or already deleted account."""
        async with self._db.read() as conn:
            row = (
                await conn.execute(
                    select(USERS.c.password_hash).where(
                        USERS.c.id == user_id, USERS.c.deleted.is_(None)
                    )
                )
            ).first()
        if row is None:
            raise NotFound("no such user")
        if not isinstance(password, str) or not await self._accounts.passwords.verify(
            row.password_hash, password
        ):
            raise Forbidden("the password is wrong", "password_wrong")
        async with self._db.write() as conn:
            # The user's bots go with them, first (a bot never inherits a circle).
            ended = []
            for bot_id in await bots.owned_by(conn, user_id):
                ended += await _end_account(conn, bot_id)
            await bots.forget(conn, user_id)
            ended += await _end_account(conn, user_id)
        return ended

    async def erase(self, batch: int = 200) -> int:
        """One batch of what a deleted account wrote; how many things were erased
        (0 when nothing is left of any deleted account)."""
        batch = max(1, min(batch, BATCH_MAX))
        async with self._db.read() as conn:
            pending = (
                await conn.execute(
                    select(USERS.c.id)
                    .where(USERS.c.deleted.is_not(None), USERS.c.erased.is_(None))
                    .order_by(USERS.c.deleted, USERS.c.id)
                )
            ).scalars()
            users = list(pending)
        for user_id in users:
            for step in (_erase_messages, _erase_posts, _erase_comments, _erase_rest, _redact):
                async with self._db.write() as conn:
                    done = await step(conn, user_id, batch)
                if done:
                    return done
            # Their words are out of the index; merging it drops them from the file.
            for _ in range(COMPACT_ROUNDS_MAX):
                async with self._db.write() as conn:
                    if not await search_index.compact_some(conn):
                        break
            async with self._db.write() as conn:
                await conn.execute(
                    update(USERS).where(USERS.c.id == user_id).values(erased=now_ms())
                )
        return 0

    async def erased(self, user_id: str) -> bool:
        """Whether everything the deleted account wrote is gone."""
        async with self._db.read() as conn:
            value = (
                await conn.execute(select(USERS.c.erased).where(USERS.c.id == user_id))
            ).scalar()
        return value is not None


async def _end_account(conn: AsyncConnection, user_id: str) -> list[str]:
    """End the account in the caller's transaction: its circles (handed over or
    deleted), follows, groups, requests, reports and sessions, its handle, name and
    password; the ended sessions' token hashes."""
    memberships = (
        await conn.execute(
            select(MEMBERSHIPS.c.circle_id)
            .where(MEMBERSHIPS.c.user_id == user_id)
            .order_by(MEMBERSHIPS.c.circle_id)
        )
    ).scalars()
    for circle_id in list(memberships):
        await _leave(conn, circle_id, user_id)
    followed = (
        await conn.execute(
            select(FOLLOWS.c.circle_id)
            .join(CIRCLES, CIRCLES.c.id == FOLLOWS.c.circle_id)
            # A deleted circle's follows go with its purge.
            .where(FOLLOWS.c.user_id == user_id, CIRCLES.c.deleted.is_(None))
            .order_by(FOLLOWS.c.circle_id)
        )
    ).scalars()
    for circle_id in list(followed):
        await circle_row(conn, circle_id, lock=True)
        await end_follow(conn, circle_id, user_id, "account_deleted")
    await conn.execute(delete(GROUP_MEMBERS).where(GROUP_MEMBERS.c.user_id == user_id))
    for table in (NOTIFICATIONS, NOTIFICATION_SETTINGS):
        await conn.execute(delete(table).where(table.c.user_id == user_id))
    # Others' notifications quote their words.
    await conn.execute(delete(NOTIFICATIONS).where(NOTIFICATIONS.c.actor_id == user_id))
    # No push to its devices, no mail to its address from now on.
    await conn.execute(delete(PUSH_SUBSCRIPTIONS).where(PUSH_SUBSCRIPTIONS.c.user_id == user_id))
    await conn.execute(delete(MAIL_SETTINGS).where(MAIL_SETTINGS.c.user_id == user_id))
    await _drop_requests(conn, user_id)
    await _unsay_reports(conn, user_id)
    hashes = (
        await conn.execute(
            delete(TOKENS).where(TOKENS.c.user_id == user_id).returning(TOKENS.c.hash)
        )
    ).scalars()
    ended = [str(h) for h in hashes]
    result = await conn.execute(
        update(USERS)
        .where(USERS.c.id == user_id, USERS.c.deleted.is_(None))
        .values(
            handle=f"~{user_id}",
            name=DELETED_NAME,
            password_hash="",
            deleted=now_ms(),
        )
    )
    if result.rowcount != 1:
        raise NotFound("no such user")  # deleted meanwhile: roll back
    return ended


async def _leave(conn: AsyncConnection, circle_id: str, user_id: str) -> None:
    """The user leaves one circle; a last owner hands it over first, or, alone in
    it, deletes it."""
    circle = await circle_row(conn, circle_id, lock=True)
    me = await member_row(conn, circle_id, user_id)
    if me is None:
        return
    if me.role == "owner" and await owner_count(conn, circle_id) == 1:
        heir = await _heir(conn, circle_id, user_id)
        if heir is None:
            await end_circle(conn, circle, user_id)
            return
        await conn.execute(
            update(MEMBERSHIPS)
            .where(MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == heir.user_id)
            .values(role="owner")
        )
        row = await member_row(conn, circle_id, heir.user_id)
        assert row is not None
        await record(conn, circle_id, "member.updated", {"member": member_record(row)})
        await record_act(
            conn,
            circle_id,
            user_id,
            "member.role",
            "member",
            heir.user_id,
            "the only owner deleted their account",
            {"from": heir.role, "to": "owner"},
        )
    await remove_membership(conn, circle_id, user_id, me.role, "member.left")


async def _heir(conn: AsyncConnection, circle_id: str, user_id: str) -> Any:
    """Who a circle passes to (``user_id``, ``role``): its earliest-joined admin,
    else its earliest-joined member; None when no one else is in it."""
    others = select(MEMBERSHIPS.c.user_id, MEMBERSHIPS.c.role).where(
        MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id != user_id
    )
    for query in (others.where(MEMBERSHIPS.c.role == "admin"), others):
        heir = (
            await conn.execute(query.order_by(MEMBERSHIPS.c.joined, MEMBERSHIPS.c.user_id).limit(1))
        ).first()
        if heir is not None:
            return heir
    return None


async def _drop_requests(conn: AsyncConnection, user_id: str) -> None:
    """Their join requests go (answers are their words); a pending one's circle's
    admins see their count move (``join.decided``, state ``withdrawn``)."""
    rows = (
        await conn.execute(
            select(JOIN_REQUESTS.c.circle_id, JOIN_REQUESTS.c.state)
            .where(JOIN_REQUESTS.c.user_id == user_id)
            .order_by(JOIN_REQUESTS.c.circle_id)
        )
    ).all()
    await conn.execute(delete(JOIN_REQUESTS).where(JOIN_REQUESTS.c.user_id == user_id))
    for row in rows:
        if row.state == "pending":
            live = (
                await conn.execute(
                    select(CIRCLES.c.id).where(
                        CIRCLES.c.id == row.circle_id, CIRCLES.c.deleted.is_(None)
                    )
                )
            ).scalar()
            if live is not None:
                await record_decided(conn, row.circle_id, user_id, "withdrawn")


async def _unsay_reports(conn: AsyncConnection, user_id: str) -> None:
    """The reports they filed stay (the queue and its counts are the circle's) but
    lose their words, in the change log too (a report's events do not name its
    reporter: they are found by the report's id)."""
    filed = await conn.execute(
        select(REPORTS.c.id).where(REPORTS.c.reporter_id == user_id, REPORTS.c.text.is_not(None))
    )
    for report_id in filed.scalars().all():
        rows = await conn.execute(
            select(CHANGES.c.circle_id, CHANGES.c.rev, CHANGES.c.data).where(
                CHANGES.c.kind.in_(("report.filed", "report.resolved")),
                CHANGES.c.data.contains(f'"id":"{report_id}"', autoescape=True),
            )
        )
        for row in rows.all():
            await _rewrite(conn, row)
    await conn.execute(update(REPORTS).where(REPORTS.c.reporter_id == user_id).values(text=None))


def _live_circle() -> Any:
    return CIRCLES.c.deleted.is_(None)


async def _erase_messages(conn: AsyncConnection, user_id: str, batch: int) -> int:
    """Entomb a batch of their chat messages (a deleted circle's are purged with it),
    each logged ``message.deleted`` as an admin's delete is."""
    query = (
        select(MESSAGES.c.group_id, MESSAGES.c.seq, GROUPS.c.circle_id)
        .join(GROUPS, GROUPS.c.id == MESSAGES.c.group_id)
        .join(CIRCLES, CIRCLES.c.id == GROUPS.c.circle_id)
        .where(MESSAGES.c.user_id == user_id, MESSAGES.c.deleted.is_(None), _live_circle())
        .order_by(MESSAGES.c.user_id, MESSAGES.c.group_id, MESSAGES.c.seq)
        .limit(batch)
    )
    rows = (await conn.execute(query)).all()
    by_group: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        by_group.setdefault((row.circle_id, row.group_id), []).append(row.seq)
    for (circle_id, group_id), seqs in sorted(by_group.items()):
        await circle_row(conn, circle_id, lock=True)
        # Under the lock: another node's housekeeping may have been first (PostgreSQL).
        still = await conn.execute(
            select(MESSAGES.c.seq)
            .where(
                MESSAGES.c.group_id == group_id,
                MESSAGES.c.seq.in_(seqs),
                MESSAGES.c.deleted.is_(None),
            )
            .order_by(MESSAGES.c.seq)
        )
        seqs = list(still.scalars().all())
        await entomb(conn, group_id, seqs, "account")
        erased = [
            {"group": group_id, "seq": seq, "deleted": "account", "author": user_id} for seq in seqs
        ]
        await record_many(conn, circle_id, "message.deleted", erased)
    return len(rows)


async def _erase_posts(conn: AsyncConnection, user_id: str, batch: int) -> int:
    """Bury a batch of their posts (highlights of their messages are buried with them)."""
    query = (
        select(*POSTS.c)
        .join(CIRCLES, CIRCLES.c.id == POSTS.c.circle_id)
        .where(POSTS.c.author_id == user_id, ~POSTS.c.deleted, _live_circle())
        .order_by(POSTS.c.circle_id, POSTS.c.id)
        .limit(batch)
    )
    rows = (await conn.execute(query)).all()
    for row in rows:
        await circle_row(conn, row.circle_id, lock=True)
        live = await conn.execute(select(POSTS.c.id).where(POSTS.c.id == row.id, ~POSTS.c.deleted))
        if live.first() is not None:  # not buried meanwhile (by a message's entombing too)
            await bury(conn, row)
    return len(rows)


async def _erase_comments(conn: AsyncConnection, user_id: str, batch: int) -> int:
    """Delete a batch of their comments."""
    query = (
        select(COMMENTS.c.id, POSTS.c.id.label("post_id"), POSTS.c.circle_id)
        .join(POSTS, POSTS.c.id == COMMENTS.c.post_id)
        .join(CIRCLES, CIRCLES.c.id == POSTS.c.circle_id)
        .where(COMMENTS.c.author_id == user_id, _live_circle())
        .order_by(POSTS.c.circle_id, COMMENTS.c.id)
        .limit(batch)
    )
    rows = (await conn.execute(query)).all()
    for row in rows:
        await circle_row(conn, row.circle_id, lock=True)
        post = (await conn.execute(select(*POSTS.c).where(POSTS.c.id == row.post_id))).one()
        exists = (await conn.execute(select(COMMENTS.c.id).where(COMMENTS.c.id == row.id))).scalar()
        if exists is not None:  # a reply goes with its comment
            await remove_comment(conn, post, row.id)
    return len(rows)


async def _erase_rest(conn: AsyncConnection, user_id: str, batch: int) -> int:
    """Their check-ins' words and media (a batch), their polls' words and their
    uploads' file names (one statement each)."""
    said = (
        (
            await conn.execute(
                select(CHECKINS.c.id)
                .where(
                    CHECKINS.c.user_id == user_id,
                    or_(CHECKINS.c.text != "", CHECKINS.c.attachments.is_not(None)),
                )
                .limit(batch)
            )
        )
        .scalars()
        .all()
    )
    if said:
        await attachment_uses.release(conn, list(said))
        await conn.execute(delete(CHECKIN_MEDIA).where(CHECKIN_MEDIA.c.checkin_id.in_(said)))
        await conn.execute(
            update(CHECKINS).where(CHECKINS.c.id.in_(said)).values(text="", attachments=None)
        )
    polls = await conn.execute(
        update(POLLS)
        .where(POLLS.c.author_id == user_id, POLLS.c.question != "")
        .values(question="", options="[]", closed=True)
    )
    named = and_(ATTACHMENTS.c.uploader_id == user_id, ATTACHMENTS.c.name != ATTACHMENTS.c.kind)
    files = (await conn.execute(select(ATTACHMENTS.c.id).where(named))).scalars().all()
    if files:
        # The search index knew them by their names.
        await search_index.remove(conn, "attachment", files)
        await conn.execute(
            update(ATTACHMENTS).where(ATTACHMENTS.c.id.in_(files)).values(name=ATTACHMENTS.c.kind)
        )
    homework = await erase_homework(conn, user_id, batch)
    return len(said) + int(polls.rowcount) + len(files) + homework


async def _redact(conn: AsyncConnection, user_id: str, batch: int) -> int:
    """Empty the words in a batch of change-log entries about them (what a
    catch-up replays): every text, name, nickname, answer and question in an
    entry that names them. Redacted entries say so (``redacted``)."""
    query = (
        select(CHANGES.c.circle_id, CHANGES.c.rev, CHANGES.c.data)
        .where(
            CHANGES.c.kind.in_(_WORDY_KINDS),
            CHANGES.c.data.contains(f'"{user_id}"', autoescape=True),
            ~CHANGES.c.data.contains('"redacted":true', autoescape=True),
        )
        .limit(batch)
    )
    rows = (await conn.execute(query)).all()
    for row in rows:
        await _rewrite(conn, row)
    return len(rows)


async def _rewrite(conn: AsyncConnection, row: Any) -> None:
    """A change-log entry with its words emptied, marked ``redacted`` (so a later
    batch passes it by; the event served from it drops the mark)."""
    data = _redacted(orjson.loads(row.data))
    data["redacted"] = True
    await conn.execute(
        update(CHANGES)
        .where(and_(CHANGES.c.circle_id == row.circle_id, CHANGES.c.rev == row.rev))
        .values(data=orjson.dumps(data).decode())
    )


def _redacted(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in _WORDY_KEYS and isinstance(item, str):
                out[key] = ""
            elif key in ("options", "attachments") and isinstance(item, list):
                out[key] = []
            else:
                out[key] = _redacted(item)
        return out
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value
