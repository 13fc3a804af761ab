"""Deleting a circle: at once for everyone, then its content in the background.

``delete`` (an owner, who confirms by typing the circle's name) marks the
circle deleted, ends every membership, group membership, access code and ban,
and logs ``circle.deleted``: every node drops the circle's connections with a
``left`` push whose reason is ``circle_deleted``, and from that commit on the
circle answers as one that does not exist (``lookups.circle_row``), in the
directory too.

``purge`` (housekeeping) then deletes what the circle held, a batch per
transaction so chat's group commit never waits behind it: messages and what
hangs on them (stars, vetoes, reactions), polls and votes, posts with their
comments, likes and acknowledgements, the uses of attachments and the
attachments themselves (returned, for the caller to delete their blobs), the
change log, reports, join requests and code redemptions. The circle's row and its (empty) chat groups stay as a
tombstone: ids are never reused, and a late reference finds "no such circle".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, tuple_, update

from .audit import record_act
from .changes import record
from .engine import Service
from .errors import Forbidden, Invalid
from .homework import purge_steps as homework_purge_steps
from .ids import now_ms
from .lookups import circle_row, role_of
from .models import (
    ACCESS_CODES,
    ACKS,
    ATTACHMENT_USES,
    ATTACHMENTS,
    BANS,
    BOT_SCOPES,
    CHALLENGE_MEMBERS,
    CHALLENGES,
    CHANGES,
    CHECKIN_MEDIA,
    CHECKINS,
    CIRCLE_MAIL,
    CIRCLES,
    CODE_REDEMPTIONS,
    COMMENTS,
    CONTEST_ENTRIES,
    CONTEST_VOTES,
    CONTESTS,
    FOLLOWS,
    GATHERINGS,
    GROUP_MEMBERS,
    GROUPS,
    INCOMING_HOOKS,
    JOIN_REQUESTS,
    LESSON_VIEWS,
    LESSONS,
    LIKES,
    MEMBERSHIPS,
    MESSAGES,
    NOTIFICATIONS,
    POINT_ENTRIES,
    POINT_RULES,
    POLL_VOTES,
    POLLS,
    POSTS,
    REACTIONS,
    REPORTS,
    RSVPS,
    SEARCH_DOCS,
    STARS,
    VETOES,
    WEBHOOK_DELIVERIES,
    WEBHOOKS,
)
from .records import Record, attachment_record

BATCH_MAX = 10_000


class DeletedCircles(Service):
    async def delete(self, circle_id: str, actor_id: str, confirm: object) -> None:
        """Delete the circle (an owner; ``confirm`` is its name, exactly as shown).
        ``NotFound`` (circle), ``Forbidden`` (not an owner), ``Invalid``
        (reason ``confirm_name``: the name does not match)."""
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            if await role_of(conn, circle_id, actor_id) != "owner":
                raise Forbidden("only an owner deletes a circle")
            if not isinstance(confirm, str) or confirm.strip() != circle.name:
                raise Invalid("type the circle's name to confirm", reason="confirm_name")
            await end_circle(conn, circle, actor_id)

    async def purge(self, batch: int = 500) -> tuple[int, list[Record]]:
        """One batch of a deleted circle's content: ``(rows deleted, attachments
        deleted)``; ``(0, [])`` when nothing is left anywhere."""
        batch = max(1, min(batch, BATCH_MAX))
        async with self._db.write() as conn:
            deleted = (
                await conn.execute(
                    select(CIRCLES.c.id)
                    .where(CIRCLES.c.deleted.is_not(None))
                    .order_by(CIRCLES.c.id)
                )
            ).all()
            for row in deleted:
                done = await _purge_some(conn, row.id, batch)
                if done[0] or done[1]:
                    return done
        return 0, []


async def end_circle(conn: Any, circle: Any, actor_id: str) -> None:
    """The circle is deleted for everyone in the caller's transaction (its row
    locked): memberships, group memberships, codes and bans end, and it is logged
    (``circle.deleted``, audited as the act of ``actor_id``); ``purge`` does the rest."""
    circle_id = circle.id
    groups = select(GROUPS.c.id).where(GROUPS.c.circle_id == circle_id)
    await conn.execute(delete(GROUP_MEMBERS).where(GROUP_MEMBERS.c.group_id.in_(groups)))
    for table in (MEMBERSHIPS, ACCESS_CODES, BANS):
        await conn.execute(delete(table).where(table.c.circle_id == circle_id))
    await conn.execute(
        update(CIRCLES)
        .where(CIRCLES.c.id == circle_id)
        .values(deleted=now_ms(), member_count=0, follower_count=0)
    )
    await record_act(conn, circle_id, actor_id, "circle.deleted", "circle", circle_id)
    await record(conn, circle_id, "circle.deleted", {"name": circle.name})


async def _purge_some(conn: Any, circle_id: str, batch: int) -> tuple[int, list[Record]]:
    """Delete up to ``batch`` rows of the first kind of content the circle still has."""
    groups = select(GROUPS.c.id).where(GROUPS.c.circle_id == circle_id)
    posts = select(POSTS.c.id).where(POSTS.c.circle_id == circle_id)
    polls = select(POLLS.c.id).where(POLLS.c.circle_id == circle_id)
    comments = select(COMMENTS.c.id).where(COMMENTS.c.post_id.in_(posts))
    challenges = select(CHALLENGES.c.id).where(CHALLENGES.c.circle_id == circle_id)
    gatherings = select(GATHERINGS.c.id).where(GATHERINGS.c.circle_id == circle_id)
    contests = select(CONTESTS.c.id).where(CONTESTS.c.circle_id == circle_id)
    lessons = select(LESSONS.c.id).where(LESSONS.c.circle_id == circle_id)
    # (table, where-clause) in an order foreign keys allow.
    steps: list[tuple[Any, Any]] = [
        *homework_purge_steps(circle_id),
        (REACTIONS, or_(REACTIONS.c.target.in_(groups), REACTIONS.c.target.in_(posts))),
        (STARS, STARS.c.group_id.in_(groups)),
        (VETOES, VETOES.c.group_id.in_(groups)),
        (POLL_VOTES, POLL_VOTES.c.poll_id.in_(polls)),
        (POLLS, POLLS.c.circle_id == circle_id),
        (
            ATTACHMENT_USES,
            or_(
                ATTACHMENT_USES.c.owner.in_(groups),
                ATTACHMENT_USES.c.owner.in_(posts),
                ATTACHMENT_USES.c.owner.in_(comments),
                ATTACHMENT_USES.c.owner.in_(lessons),
            ),
        ),
        (MESSAGES, MESSAGES.c.group_id.in_(groups)),
        (LIKES, LIKES.c.post_id.in_(posts)),
        (ACKS, ACKS.c.post_id.in_(posts)),
        (COMMENTS, COMMENTS.c.post_id.in_(posts)),
        (POSTS, POSTS.c.circle_id == circle_id),
        (CHANGES, CHANGES.c.circle_id == circle_id),
        (NOTIFICATIONS, NOTIFICATIONS.c.circle_id == circle_id),
        (REPORTS, REPORTS.c.circle_id == circle_id),
        (JOIN_REQUESTS, JOIN_REQUESTS.c.circle_id == circle_id),
        (CODE_REDEMPTIONS, CODE_REDEMPTIONS.c.circle_id == circle_id),
        # Followers go in batches too (a creator's circle may have 510,000).
        (FOLLOWS, FOLLOWS.c.circle_id == circle_id),
        (SEARCH_DOCS, SEARCH_DOCS.c.circle_id == circle_id),
        (CHECKIN_MEDIA, CHECKIN_MEDIA.c.circle_id == circle_id),
        (CHECKINS, CHECKINS.c.circle_id == circle_id),
        (CHALLENGE_MEMBERS, CHALLENGE_MEMBERS.c.challenge_id.in_(challenges)),
        (CHALLENGES, CHALLENGES.c.circle_id == circle_id),
        (RSVPS, RSVPS.c.gathering_id.in_(gatherings)),
        (GATHERINGS, GATHERINGS.c.circle_id == circle_id),
        (POINT_ENTRIES, POINT_ENTRIES.c.circle_id == circle_id),
        (POINT_RULES, POINT_RULES.c.circle_id == circle_id),
        (CONTEST_VOTES, CONTEST_VOTES.c.contest_id.in_(contests)),
        (CONTEST_ENTRIES, CONTEST_ENTRIES.c.circle_id == circle_id),
        (CONTESTS, CONTESTS.c.circle_id == circle_id),
        (CIRCLE_MAIL, CIRCLE_MAIL.c.circle_id == circle_id),
        (WEBHOOK_DELIVERIES, WEBHOOK_DELIVERIES.c.circle_id == circle_id),
        (WEBHOOKS, WEBHOOKS.c.circle_id == circle_id),
        (INCOMING_HOOKS, INCOMING_HOOKS.c.circle_id == circle_id),
        (BOT_SCOPES, BOT_SCOPES.c.circle_id == circle_id),
        # The chat groups last: the steps above find the circle's rows through them.
        (GROUPS, GROUPS.c.circle_id == circle_id),
        (LESSON_VIEWS, LESSON_VIEWS.c.lesson_id.in_(lessons)),
        (LESSONS, LESSONS.c.circle_id == circle_id),
    ]
    for table, where in steps:
        key = list(table.primary_key.columns)
        some = select(*key).where(where).limit(batch)
        rows = (await conn.execute(some)).all()
        if not rows:
            continue
        if len(key) == 1:
            await conn.execute(delete(table).where(key[0].in_([r[0] for r in rows])))
        else:
            await conn.execute(delete(table).where(tuple_(*key).in_([tuple(r) for r in rows])))
        return len(rows), []
    gone = (
        await conn.execute(
            delete(ATTACHMENTS)
            .where(
                ATTACHMENTS.c.id.in_(
                    select(ATTACHMENTS.c.id)
                    .where(ATTACHMENTS.c.circle_id == circle_id)
                    .limit(batch)
                    .scalar_subquery()
                )
            )
            .returning(*ATTACHMENTS.c)
        )
    ).all()
    return len(gone), [attachment_record(row) for row in gone]
