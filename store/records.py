"""The shapes the store hands out: plain dicts as the contracts want them.

Each ``*_record`` turns a Core row (selected with the matching ``*_COLUMNS``)
into the dict of the README. ``Membership`` is the one the server caches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, func

from .models import ACCESS_CODES, CIRCLES, MEMBERSHIPS, MESSAGES, USERS

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

    @property
    def is_manager(self) -> bool:
        """Owner or admin: may moderate, change settings, create codes."""
        return self.role in MANAGER_ROLES


ROLES = ("owner", "admin", "member")
MANAGER_ROLES = frozenset({"owner", "admin"})

# The display name in a circle: the nickname when set, else the user's name.
# Needs ``USERS`` joined and ``MEMBERSHIPS`` (left-)joined.
DISPLAY_NAME: ColumnElement[str] = func.coalesce(MEMBERSHIPS.c.nickname, USERS.c.name).label(
    "display_name"
)

USER_COLUMNS = (USERS.c.id, USERS.c.handle, USERS.c.name)

CIRCLE_COLUMNS = tuple(CIRCLES.c)

MEMBER_COLUMNS = (MEMBERSHIPS.c.user_id, MEMBERSHIPS.c.role, MEMBERSHIPS.c.nickname, DISPLAY_NAME)

MESSAGE_COLUMNS = (
    MESSAGES.c.circle_id,
    MESSAGES.c.seq,
    MESSAGES.c.ts,
    MESSAGES.c.user_id,
    DISPLAY_NAME,
    MESSAGES.c.text,
    MESSAGES.c.nonce,
    MESSAGES.c.reply_to,
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
        "promote_threshold": row.promote_threshold,
        "retention_messages": row.retention_messages,
        "retention_days": row.retention_days,
        "history_for_new_members": bool(row.history_for_new_members),
        "created": row.created,
        "last_seq": row.last_seq,
    }


def member_record(row: AnyRow) -> Record:
    return {
        "user": row.user_id,
        "role": row.role,
        "nickname": row.nickname,
        "name": row.display_name,
    }


def message_record(row: AnyRow) -> Record:
    return message(
        row.circle_id,
        row.seq,
        row.ts,
        row.user_id,
        row.display_name,
        row.text,
        row.nonce,
        row.reply_to,
    )


def message(
    circle: str,
    seq: int,
    ts: int,
    user: str,
    name: str,
    text: str,
    nonce: str,
    reply_to: int | None,
) -> Record:
    return {
        "circle": circle,
        "seq": seq,
        "ts": ts,
        "from": {"id": user, "name": name},
        "text": text,
        "nonce": nonce,
        "reply_to": reply_to,
    }


def code_record(row: AnyRow) -> Record:
    return {"code": row.code, "max_uses": row.max_uses, "uses": row.uses, "expires": row.expires}
