"""A user's own data, for their export: their profile, then what they wrote and
did, kind by kind, a page at a time (keyset on each table's key, so a heavy
user's 100,000 messages are never in memory at once).

``profile`` holds no password hash and no session; ``page(kind, user, after)``
answers ``(rows, after)`` with ``after`` None on the last page. Kinds
(``KINDS``): memberships (circle, role, nickname, joined), messages (circle,
group, seq, ts, text, attachments), posts, comments, reactions, uploads (the
metadata of their files), the reports they filed, their homework submissions
(with the teacher's review), check-ins (with make-up, leave, invalidation and
its reason), contest entries (without votes: who voted is not theirs), their
notifications, the devices that get their push notifications, their email
settings and the bots they own (never a token). Only what still exists is
exported: taken-back messages, deleted posts and deleted circles are not.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select, tuple_

from . import validation
from .away_tables import MAIL_SETTINGS, PUSH_SUBSCRIPTIONS
from .engine import Service
from .errors import NotFound
from .models import (
    ASSIGNMENTS,
    ATTACHMENTS,
    CHALLENGES,
    CHECKINS,
    CIRCLES,
    COMMENTS,
    CONTEST_ENTRIES,
    CONTESTS,
    GROUPS,
    MEMBERSHIPS,
    MESSAGES,
    NOTIFICATIONS,
    POSTS,
    REACTIONS,
    REPORTS,
    SUBMISSIONS,
    USERS,
)
from .records import Record, decode_attachments

PAGE_MAX = 1000
_LIVE = CIRCLES.c.deleted.is_(None)


def _memberships(user_id: str) -> Select[Any]:
    return (
        select(
            MEMBERSHIPS.c.circle_id.label("circle"),
            CIRCLES.c.name.label("circle_name"),
            MEMBERSHIPS.c.role,
            MEMBERSHIPS.c.nickname,
            MEMBERSHIPS.c.joined,
        )
        .join(CIRCLES, CIRCLES.c.id == MEMBERSHIPS.c.circle_id)
        .where(MEMBERSHIPS.c.user_id == user_id, _LIVE)
    )


def _messages(user_id: str) -> Select[Any]:
    return (
        select(
            GROUPS.c.circle_id.label("circle"),
            MESSAGES.c.group_id.label("group"),
            GROUPS.c.name.label("group_name"),
            MESSAGES.c.seq,
            MESSAGES.c.ts,
            MESSAGES.c.text,
            MESSAGES.c.reply_to,
            MESSAGES.c.attachments,
            MESSAGES.c.edited,
        )
        .join(GROUPS, GROUPS.c.id == MESSAGES.c.group_id)
        .join(CIRCLES, CIRCLES.c.id == GROUPS.c.circle_id)
        .where(MESSAGES.c.user_id == user_id, MESSAGES.c.deleted.is_(None), _LIVE)
    )


def _posts(user_id: str) -> Select[Any]:
    return (
        select(
            POSTS.c.id,
            POSTS.c.circle_id.label("circle"),
            POSTS.c.kind,
            POSTS.c.text,
            POSTS.c.created,
            POSTS.c.edited,
            POSTS.c.attachments,
            POSTS.c.source_group,
            POSTS.c.source_seq,
        )
        .join(CIRCLES, CIRCLES.c.id == POSTS.c.circle_id)
        .where(POSTS.c.author_id == user_id, ~POSTS.c.deleted, _LIVE)
    )


def _comments(user_id: str) -> Select[Any]:
    return (
        select(
            COMMENTS.c.id,
            COMMENTS.c.post_id.label("post"),
            POSTS.c.circle_id.label("circle"),
            COMMENTS.c.text,
            COMMENTS.c.created,
            COMMENTS.c.reply_to,
            COMMENTS.c.attachments,
        )
        .join(POSTS, POSTS.c.id == COMMENTS.c.post_id)
        .join(CIRCLES, CIRCLES.c.id == POSTS.c.circle_id)
        .where(COMMENTS.c.author_id == user_id, _LIVE)
    )


def _reactions(user_id: str) -> Select[Any]:
    return (
        select(
            REACTIONS.c.circle_id.label("circle"),
            REACTIONS.c.target,
            REACTIONS.c.seq,
            REACTIONS.c.emoji,
            REACTIONS.c.ts,
        )
        .join(CIRCLES, CIRCLES.c.id == REACTIONS.c.circle_id)
        .where(REACTIONS.c.user_id == user_id, _LIVE)
    )


def _uploads(user_id: str) -> Select[Any]:
    return (
        select(
            ATTACHMENTS.c.id,
            ATTACHMENTS.c.circle_id.label("circle"),
            ATTACHMENTS.c.kind,
            ATTACHMENTS.c.mime,
            ATTACHMENTS.c.name,
            ATTACHMENTS.c.size,
            ATTACHMENTS.c.width,
            ATTACHMENTS.c.height,
            ATTACHMENTS.c.duration_ms,
            ATTACHMENTS.c.sha256,
            ATTACHMENTS.c.created,
        )
        .join(CIRCLES, CIRCLES.c.id == ATTACHMENTS.c.circle_id)
        .where(ATTACHMENTS.c.uploader_id == user_id, _LIVE)
    )


def _notifications(user_id: str) -> Select[Any]:
    return select(
        NOTIFICATIONS.c.id,
        NOTIFICATIONS.c.circle_id.label("circle"),
        NOTIFICATIONS.c.kind,
        NOTIFICATIONS.c.about,
        NOTIFICATIONS.c.created,
        NOTIFICATIONS.c.read_at,
    ).where(NOTIFICATIONS.c.user_id == user_id)


def _reports(user_id: str) -> Select[Any]:
    return select(
        REPORTS.c.id,
        REPORTS.c.circle_id.label("circle"),
        REPORTS.c.created,
        REPORTS.c.target_kind,
        REPORTS.c.target_id,
        REPORTS.c.reason,
        REPORTS.c.text,
        REPORTS.c.status,
        REPORTS.c.outcome,
    ).where(REPORTS.c.reporter_id == user_id)


def _submissions(user_id: str) -> Select[Any]:
    return (
        select(
            SUBMISSIONS.c.id,
            SUBMISSIONS.c.circle_id.label("circle"),
            SUBMISSIONS.c.assignment_id.label("assignment"),
            ASSIGNMENTS.c.title.label("assignment_title"),
            SUBMISSIONS.c.state,
            SUBMISSIONS.c.text,
            SUBMISSIONS.c.attachments,
            SUBMISSIONS.c.submitted,
            SUBMISSIONS.c.edited,
            SUBMISSIONS.c.late,
            SUBMISSIONS.c.reviewed,
            SUBMISSIONS.c.score,
            SUBMISSIONS.c.grade,
            SUBMISSIONS.c.comment.label("review_comment"),
            SUBMISSIONS.c.comment_attachments.label("review_attachments"),
            SUBMISSIONS.c.excellent,
        )
        .join(ASSIGNMENTS, ASSIGNMENTS.c.id == SUBMISSIONS.c.assignment_id)
        .join(CIRCLES, CIRCLES.c.id == SUBMISSIONS.c.circle_id)
        # Handed in at least once: an "assigned" row is the roster's, not their work.
        .where(SUBMISSIONS.c.user_id == user_id, SUBMISSIONS.c.state != "assigned", _LIVE)
    )


def _checkins(user_id: str) -> Select[Any]:
    return (
        select(
            CHECKINS.c.id,
            CHECKINS.c.circle_id.label("circle"),
            CHECKINS.c.challenge_id.label("challenge"),
            CHALLENGES.c.title.label("challenge_title"),
            CHECKINS.c.local_date.label("date"),
            CHECKINS.c.kind,
            CHECKINS.c.state,
            CHECKINS.c.makeup,
            CHECKINS.c.text,
            CHECKINS.c.attachments,
            CHECKINS.c.created,
            CHECKINS.c.edited,
            CHECKINS.c.reason,
        )
        .join(CHALLENGES, CHALLENGES.c.id == CHECKINS.c.challenge_id)
        .join(CIRCLES, CIRCLES.c.id == CHECKINS.c.circle_id)
        .where(CHECKINS.c.user_id == user_id, _LIVE)
    )


def _contest_entries(user_id: str) -> Select[Any]:
    return (
        select(
            CONTEST_ENTRIES.c.id,
            CONTEST_ENTRIES.c.circle_id.label("circle"),
            CONTEST_ENTRIES.c.contest_id.label("contest"),
            CONTESTS.c.title.label("contest_title"),
            CONTEST_ENTRIES.c.text,
            CONTEST_ENTRIES.c.attachments,
            CONTEST_ENTRIES.c.created,
        )
        .join(CONTESTS, CONTESTS.c.id == CONTEST_ENTRIES.c.contest_id)
        .join(CIRCLES, CIRCLES.c.id == CONTEST_ENTRIES.c.circle_id)
        .where(CONTEST_ENTRIES.c.user_id == user_id, _LIVE)
    )


def _devices(user_id: str) -> Select[Any]:
    # The push service's URL and keys are the device's, not the person's words:
    # the label and dates say which device it is.
    return select(
        PUSH_SUBSCRIPTIONS.c.id,
        PUSH_SUBSCRIPTIONS.c.label,
        PUSH_SUBSCRIPTIONS.c.created,
        PUSH_SUBSCRIPTIONS.c.last_sent,
    ).where(PUSH_SUBSCRIPTIONS.c.user_id == user_id)


def _email(user_id: str) -> Select[Any]:
    return select(
        MAIL_SETTINGS.c.address,
        MAIL_SETTINGS.c.verified,
        MAIL_SETTINGS.c.digest,
        MAIL_SETTINGS.c.digest_sent,
    ).where(MAIL_SETTINGS.c.user_id == user_id)


def _bots(user_id: str) -> Select[Any]:
    """The user's bots (store/bots.py): never a token (only its hash is kept)."""
    return select(USERS.c.id, USERS.c.name, USERS.c.created).where(
        USERS.c.bot_owner == user_id, USERS.c.deleted.is_(None)
    )


# kind -> (its query, its keyset columns: the table's key, ordered).
_KINDS: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "memberships": (_memberships, (MEMBERSHIPS.c.circle_id,)),
    "messages": (_messages, (MESSAGES.c.group_id, MESSAGES.c.seq)),
    "posts": (_posts, (POSTS.c.id,)),
    "comments": (_comments, (COMMENTS.c.id,)),
    "reactions": (_reactions, (REACTIONS.c.target, REACTIONS.c.seq, REACTIONS.c.emoji)),
    "uploads": (_uploads, (ATTACHMENTS.c.id,)),
    "reports": (_reports, (REPORTS.c.id,)),
    "submissions": (_submissions, (SUBMISSIONS.c.id,)),
    "checkins": (_checkins, (CHECKINS.c.id,)),
    "contest_entries": (_contest_entries, (CONTEST_ENTRIES.c.id,)),
    "notifications": (_notifications, (NOTIFICATIONS.c.id,)),
    "devices": (_devices, (PUSH_SUBSCRIPTIONS.c.id,)),
    "email": (_email, (MAIL_SETTINGS.c.user_id,)),
    "bots": (_bots, (USERS.c.id,)),
}
KINDS = tuple(_KINDS)


class AccountExport(Service):
    """Reads of a user's own data, for their export."""

    async def profile(self, user_id: str) -> Record:
        """``{"id","handle","name","created"}``; ``NotFound`` (a deleted account too)."""
        query = select(USERS.c.id, USERS.c.handle, USERS.c.name, USERS.c.created).where(
            USERS.c.id == user_id, USERS.c.deleted.is_(None)
        )
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise NotFound("no such user")
        return dict(row._mapping)

    async def page(
        self, kind: str, user_id: str, after: tuple[Any, ...] | None = None, limit: int = 500
    ) -> tuple[list[Record], tuple[Any, ...] | None]:
        """A page of the user's ``kind`` after the key ``after`` (None: from the
        start); the rows and the key to go on from (None on the last page)."""
        if kind not in _KINDS:
            raise ValueError(f"unknown export kind {kind!r}")
        limit = validation.limit(limit, high=PAGE_MAX)
        build, key = _KINDS[kind]
        query = build(user_id)
        if after is not None:
            query = query.where(_after(key, after))
        query = query.add_columns(*(c.label(f"_k{i}") for i, c in enumerate(key)))
        query = query.order_by(*key).limit(limit + 1)
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        records = [_record(row) for row in rows]
        if not more or not rows:
            return records, None
        last = rows[-1]._mapping
        return records, tuple(last[f"_k{i}"] for i in range(len(key)))


def _after(key: tuple[Any, ...], after: tuple[Any, ...]) -> Any:
    """``key > after``: a row-value comparison (SQLite 3.15+, PostgreSQL), which
    both walk as a range of the index."""
    if len(key) == 1:
        return key[0] > after[0]
    return tuple_(*key) > tuple_(*after)


def _record(row: Any) -> Record:
    record = {k: v for k, v in row._mapping.items() if not k.startswith("_k")}
    for key in ("attachments", "review_attachments"):
        if key in record:
            record[key] = decode_attachments(record[key])
    return record
