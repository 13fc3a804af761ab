"""The shapes the store hands out: plain dicts as the contracts want them.

Each ``*_record`` turns a Core row (selected with the matching ``*_COLUMNS``,
or ``post_view``) into the dict of the README. ``Membership`` is the one the server caches.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, exists, false, func, or_, select

from . import sections
from .ids import now_ms
from .models import (
    ACCESS_CODES,
    ACKS,
    CIRCLES,
    COMMENTS,
    GROUPS,
    LIKES,
    MEMBERSHIPS,
    MESSAGES,
    POSTS,
    USERS,
)

Record = dict[str, Any]
# A Core result row of any shape (Row is variadic in SQLAlchemy 2.1).
AnyRow = Row[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Membership:
    """A user's standing in a circle, as the server caches it."""

    circle: str
    user: str
    role: str
    name: str
    # The circle's last seq when the user joined: with history hidden from
    # newcomers, they see only seq > joined_seq.
    joined_seq: int
    # Muted until this time (ms; store/sanctions.py), or None.
    muted_until: int | None = None
    # A paid term (store/terms.py): read-only from ends_at, removed at removes_at.
    ends_at: int | None = None
    removes_at: int | None = None

    def muted(self, now: int) -> bool:
        return self.muted_until is not None and self.muted_until > now

    @property
    def is_manager(self) -> bool:
        """Owner or admin: may moderate, change settings, create codes."""
        return self.role in MANAGER_ROLES


@dataclass(frozen=True, slots=True)
class GroupAccess:
    """What a user may do in a group, as the server caches it per connection."""

    circle: str
    group: str
    # The user's role in the group: "admin", "member", or None (a circle manager
    # who has not joined it reads it all the same).
    role: str | None
    # Seq after which this user may read (``history_for_new_members`` off: the
    # seq the group was at when they joined it).
    floor: int
    read_only: bool
    archived: bool
    manager: bool
    # Slow mode (seconds between one member's messages; 0: off).
    slow_mode_s: int = 0

    @property
    def general(self) -> bool:
        return self.group == self.circle

    @property
    def may_say(self) -> bool:
        if self.archived:
            return False
        return not self.read_only or self.manager or self.role == "admin"


@dataclass(frozen=True, slots=True)
class GeneralChat:
    """What every member's access to a circle's general group depends on besides
    their own membership: the server caches it per circle (server/join_cache.py)."""

    circle: str
    # ``history_for_new_members`` off: a member reads from the seq they joined at.
    hide_history: bool
    read_only: bool
    slow_mode_s: int

    def access(self, role: str, joined_seq: int) -> GroupAccess:
        """A member's access to the general group (the one rule: group_access.py)."""
        floor = joined_seq if self.hide_history else 0
        manager = role in MANAGER_ROLES
        return GroupAccess(
            self.circle,
            self.circle,
            "member",
            floor,
            self.read_only,
            False,
            manager,
            self.slow_mode_s,
        )


def group_record(row: AnyRow, circle_members: int | None = None) -> Record:
    general = row.id == row.circle_id
    return {
        "id": row.id,
        "circle": row.circle_id,
        "name": row.name,
        "topic": row.topic,
        "general": general,
        "access": row.access,
        "max_members": row.max_members,
        "read_only": bool(row.read_only),
        "slow_mode_s": row.slow_mode_s,
        "position": row.position,
        "archived": bool(row.archived),
        "created": row.created,
        "last_seq": row.last_seq,
        # General's members are the circle's.
        "members": circle_members if general and circle_members is not None else row.member_count,
    }


ROLES = ("owner", "admin", "member")
MANAGER_ROLES = frozenset({"owner", "admin"})

# The display name in a circle: the nickname when set, else the user's name.
# Needs ``USERS`` joined and ``MEMBERSHIPS`` (left-)joined.
DISPLAY_NAME: ColumnElement[str] = func.coalesce(MEMBERSHIPS.c.nickname, USERS.c.name).label(
    "display_name"
)

USER_COLUMNS = (USERS.c.id, USERS.c.handle, USERS.c.name)

# The general group's last seq, correlated: any select of circles can carry it.
GENERAL_LAST_SEQ = (
    select(GROUPS.c.last_seq).where(GROUPS.c.id == CIRCLES.c.id).scalar_subquery().label("last_seq")
)
CIRCLE_COLUMNS = (*CIRCLES.c, GENERAL_LAST_SEQ)

MEMBER_COLUMNS = (
    MEMBERSHIPS.c.user_id,
    MEMBERSHIPS.c.role,
    MEMBERSHIPS.c.nickname,
    MEMBERSHIPS.c.muted_until,
    MEMBERSHIPS.c.ends_at,
    MEMBERSHIPS.c.removes_at,
    DISPLAY_NAME,
    USERS.c.bot_owner,
)

# Needs ``GROUPS`` joined (the circle of the message's group).
MESSAGE_COLUMNS = (
    GROUPS.c.circle_id,
    MESSAGES.c.group_id,
    MESSAGES.c.seq,
    MESSAGES.c.ts,
    MESSAGES.c.user_id,
    DISPLAY_NAME,
    MESSAGES.c.text,
    MESSAGES.c.nonce,
    MESSAGES.c.reply_to,
    MESSAGES.c.attachments,
    MESSAGES.c.deleted,
    MESSAGES.c.edited,
    MESSAGES.c.mentions,
    USERS.c.bot_owner,
)

CODE_COLUMNS = (
    ACCESS_CODES.c.code,
    ACCESS_CODES.c.max_uses,
    ACCESS_CODES.c.uses,
    ACCESS_CODES.c.expires,
)


def user_record(row: AnyRow) -> Record:
    return {"id": row.id, "handle": row.handle, "name": row.name}


def circle_record(row: AnyRow) -> Record:
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "visibility": row.visibility,
        "description": row.description,
        "owner": row.owner_id,
        "members": row.member_count,
        # Followers (store/follows.py) are not members: counted apart.
        "follower_count": row.follower_count,
        "promote_threshold": row.promote_threshold,
        "retention_messages": row.retention_messages,
        "retention_days": row.retention_days,
        "history_for_new_members": bool(row.history_for_new_members),
        "join_approval": bool(row.join_approval),
        "join_question": row.join_question,
        "time_zone": row.time_zone,
        "day_closes_after": row.day_closes_after,
        "quiet_from": row.quiet_from,
        "quiet_to": row.quiet_to,
        # The sections members see, in order (store/sections.py); settings is always there.
        "sections": sections.parse(row.sections, row.kind),
        "created": row.created,
        # The general group's last seq (the chat of protocol v1 clients).
        "last_seq": row.last_seq,
        # The circle's change log position: catch up with events?after=last_rev.
        "last_rev": row.last_rev,
    }


def member_record(row: AnyRow) -> Record:
    record: Record = {
        "user": row.user_id,
        "role": row.role,
        "nickname": row.nickname,
        "name": row.display_name,
    }
    if (row.muted_until or 0) > now_ms():
        # Only while muted: until when (ms; 2**53-1: until lifted).
        record["muted_until"] = row.muted_until
    if row.ends_at is not None:
        # Only with a paid term (store/terms.py): read-only from ends_at, removed
        # at removes_at.
        record["ends_at"] = row.ends_at
        record["removes_at"] = row.removes_at
    if row.bot_owner is not None:
        # A bot (store/bots.py): clients mark it as one.
        record["bot"] = True
    return record


def message_record(row: AnyRow) -> Record:
    return message(
        row.circle_id,
        row.group_id,
        row.seq,
        row.ts,
        row.user_id,
        row.display_name,
        row.text,
        row.nonce,
        row.reply_to,
        decode_attachments(row.attachments),
        deleted=row.deleted,
        edited=row.edited,
        mentions=decode_mentions(row.mentions),
        bot=row.bot_owner is not None,
    )


def author(user_id: str, name: str, bot: bool = False) -> Record:
    """A message's ``from``, a post's or comment's ``author``: ``bot`` only for a bot
    (store/bots.py), so a person's map stays as it was."""
    found: Record = {"id": user_id, "name": name}
    if bot:
        found["bot"] = True
    return found


def _is_bot(row: AnyRow) -> bool:
    return getattr(row, "bot_owner", None) is not None


def message(
    circle: str,
    group: str,
    seq: int,
    ts: int,
    user: str,
    name: str,
    text: str,
    nonce: str,
    reply_to: int | None,
    attachments: Sequence[Record] = (),
    *,
    deleted: str | None = None,
    edited: int | None = None,
    mentions: Sequence[Record] = (),
    bot: bool = False,
) -> Record:
    """A chat message as clients see it. A tombstone (store/message_edits.py) keeps
    its place (seq, ts, author) with ``text`` "", no attachments and ``deleted``
    ("author": recalled, "admin": deleted, "account": its author deleted their
    account); an edited one carries ``edited`` (ms)."""
    record: Record = {
        "circle": circle,
        # The chat group: the circle's id for its general group.
        "group": group,
        "seq": seq,
        "ts": ts,
        "from": author(user, name, bot),
        "text": text,
        "nonce": nonce,
        "reply_to": reply_to,
    }
    if attachments:
        # Only when there are some: a text message's frame stays as it was.
        record["attachments"] = list(attachments)
    if deleted is not None:
        record["deleted"] = deleted
        return record
    if edited is not None:
        record["edited"] = edited
    if mentions:
        # Whom it mentions (store/mentions.py), only when it does.
        record["mentions"] = list(mentions)
    return record


def decode_mentions(column: str | None) -> list[Record]:
    """A ``mentions`` column (store/mentions.py): the list, or none."""
    return json.loads(column) if column else []


def encode_attachments(attachments: Sequence[Record]) -> str | None:
    """An owner's ``attachments`` column (store/attachment_uses.py): JSON, None for none."""
    return json.dumps(list(attachments), separators=(",", ":")) if attachments else None


def decode_attachments(column: str | None) -> list[Record]:
    return json.loads(column) if column else []


def attachment_record(row: AnyRow) -> Record:
    return {
        "id": row.id,
        "circle": row.circle_id,
        "uploader": row.uploader_id,
        "sha256": row.sha256,
        "kind": row.kind,
        "mime": row.mime,
        "name": row.name,
        "size": row.size,
        "width": row.width,
        "height": row.height,
        "duration_ms": row.duration_ms,
        "blob_key": row.blob_key,
        "thumb_key": row.thumb_key,
        "created": row.created,
    }


def code_record(row: AnyRow) -> Record:
    return {"code": row.code, "max_uses": row.max_uses, "uses": row.uses, "expires": row.expires}


# Posts and comments with their author's display name in the circle. A former
# member keeps their account name (LEFT JOIN: the membership may be gone).
_POSTS_WITH_NAMES = POSTS.join(USERS, USERS.c.id == POSTS.c.author_id).outerjoin(
    MEMBERSHIPS,
    and_(MEMBERSHIPS.c.circle_id == POSTS.c.circle_id, MEMBERSHIPS.c.user_id == POSTS.c.author_id),
)


def post_view(viewer_id: str | None) -> Select[Any]:
    """Posts as ``post_record`` reads them, with ``liked``/``acked`` for this viewer
    (both false without one: pushes go to everyone). Add the where clause."""
    if viewer_id is None:
        liked: ColumnElement[bool] = false()
        acked: ColumnElement[bool] = false()
    else:
        liked = exists().where(LIKES.c.post_id == POSTS.c.id, LIKES.c.user_id == viewer_id)
        # The author is never asked to acknowledge their own must-read.
        acked = and_(
            POSTS.c.must_read,
            or_(
                POSTS.c.author_id == viewer_id,
                exists().where(
                    ACKS.c.post_id == POSTS.c.id,
                    ACKS.c.user_id == viewer_id,
                    ACKS.c.version >= POSTS.c.must_read_version,
                ),
            ),
        )
    return select_posts(DISPLAY_NAME, USERS.c.bot_owner, liked.label("liked"), acked.label("acked"))


def select_posts(*extra: Any) -> Select[Any]:
    return select(*POSTS.c, *extra).select_from(_POSTS_WITH_NAMES)


def post_record(row: AnyRow) -> Record:
    """A post, or its tombstone when deleted."""
    if row.deleted:
        return tombstone_record(row)
    record: Record = {
        "id": row.id,
        "circle": row.circle_id,
        "kind": row.kind,
        "author": author(row.author_id, row.display_name, _is_bot(row)),
        "text": row.text,
        "created": row.created,
        "updated": row.updated,
        # When the text last changed, or None: shown as "edited".
        "edited": row.edited,
        "pinned": bool(row.pinned),
        "pin_order": row.pin_order if row.pinned else None,
        "pinned_until": row.pinned_until if row.pinned else None,
        "must_read": bool(row.must_read),
        "likes": row.like_count,
        "liked": bool(row.liked),
        "comments": row.comment_count,
        "acked": bool(row.acked),
        "attachments": decode_attachments(row.attachments),
    }
    if row.mentions:
        record["mentions"] = decode_mentions(row.mentions)
    if row.source_seq is not None:
        # A highlight's author is the message's author: one display name serves both.
        record["source"] = {
            "group": row.source_group,
            "seq": row.source_seq,
            "ts": row.source_ts,
            "from": {"id": row.source_user_id, "name": row.display_name},
            "text": row.source_text,
        }
    elif row.source_kind is not None:
        # A highlight of another source (store/promotion.py): its provenance and a link.
        record["source"] = {
            "kind": row.source_kind,
            "id": row.source_ref,
            "parent": row.source_parent,
            "title": row.source_title,
            "ts": row.source_ts,
            "from": {"id": row.source_user_id, "name": row.display_name},
            "text": row.source_text,
            "link": source_link(row.circle_id, row.source_kind, row.source_parent, row.source_ref),
        }
    return record


# Per-viewer fields of a post record: wrong for everyone but one viewer
# (``reactions`` carries each emoji's ``mine``; the HTTP API adds it to posts).
VIEWER_FIELDS = ("liked", "acked", "reactions")


# Where a highlight of another source links to, by kind (the web client's routes).
SOURCE_LINKS = {
    "submission": "#/c/{circle}/homework/{parent}/{ref}",
    "checkin": "#/c/{circle}/challenges/{parent}/{ref}",
}


def source_link(circle: str, kind: str, parent: str | None, ref: str) -> str | None:
    pattern = SOURCE_LINKS.get(kind)
    return None if pattern is None else pattern.format(circle=circle, parent=parent, ref=ref)


def shared_post(post: Record) -> Record:
    """The post as every member may see it (a tombstone passes unchanged): what
    a change carries, since one event goes to everyone."""
    return {key: value for key, value in post.items() if key not in VIEWER_FIELDS}


def tombstone_record(row: AnyRow) -> Record:
    return {"id": row.id, "circle": row.circle_id, "deleted": True, "updated": row.updated}


COMMENT_COLUMNS = (
    COMMENTS.c.id,
    COMMENTS.c.post_id,
    COMMENTS.c.author_id,
    DISPLAY_NAME,
    COMMENTS.c.text,
    COMMENTS.c.created,
    COMMENTS.c.reply_to,
    COMMENTS.c.attachments,
    COMMENTS.c.mentions,
    USERS.c.bot_owner,
)


def comment_record(row: AnyRow) -> Record:
    return {
        "id": row.id,
        "post": row.post_id,
        "author": author(row.author_id, row.display_name, _is_bot(row)),
        "text": row.text,
        "created": row.created,
        "reply_to": row.reply_to,
        "attachments": decode_attachments(row.attachments),
        **({"mentions": decode_mentions(row.mentions)} if row.mentions else {}),
    }
