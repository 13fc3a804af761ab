"""Mentions: ``@name`` in chat, posts and comments, resolved by circle nickname.

The grammar (also protocol/README.md, "Mentions"):

- A mention starts with ``@`` (or the full-width ``\uff20`` a Chinese keyboard types)
  at the start of the text or after any character that is not an ASCII letter,
  digit or one of ``_.-+`` (so ``ann@example.com`` mentions no one, while
  ``谢谢@王老师`` does: Chinese is written without spaces).
- Then a member's display name in the circle (their nickname there, else their
  name), compared without case: the LONGEST name of a member that the text goes
  on with. Names may hold spaces (``@Emma Li`` is Emma Li when she is a member,
  else Emma when an Emma is). A name that ends in an ASCII letter or digit must
  not be followed by one (``@Emmax`` is not Emma); one that ends in any other
  character (Chinese) may be followed by anything (``@王老师你好``).
- Names are not unique: an ``@`` of a name two members share reaches both.
- ``@all`` and ``@所有人`` mention every member who may read it — when an owner or
  admin writes it. From anyone else it is plain text (not refused: a message is
  never lost for a word in it), and it never stands for a member called "all".
- At most ``MENTIONS_MAX`` mentions per text; the author's own name mentions no one.

What is stored with a message, post or comment is ``mentions``: a list of
``{"id", "name"}`` (and ``{"all": true, "name"}`` for ``@all``), which clients
highlight as ``@`` + name in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .models import GROUP_MEMBERS, MEMBERSHIPS, USERS
from .records import MANAGER_ROLES, Record

MENTIONS_MAX = 20
# The longest display name (an account's name; nicknames are shorter).
NAME_MAX = 64
ALL_WORDS = ("all", "所有人")
_AT = re.compile("[@\uff20]")
_NOT_BEFORE = re.compile(r"[A-Za-z0-9_.+\-]")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]")


@dataclass(slots=True)
class Found:
    """What a text mentions: the members (id → name as written in the circle), and
    whether it mentions everyone (only a manager's ``@all`` does)."""

    members: dict[str, str] = field(default_factory=dict)
    everyone: str | None = None

    def stored(self) -> list[Record]:
        """The ``mentions`` of the message, post or comment."""
        found: list[Record] = [{"id": i, "name": n} for i, n in self.members.items()]
        if self.everyone is not None:
            found.insert(0, {"all": True, "name": self.everyone})
        return found

    def encoded(self) -> str | None:
        stored = self.stored()
        return orjson.dumps(stored).decode() if stored else None


def starts(text: str) -> list[int]:
    """Where the names of the text's mentions begin (just after each ``@``)."""
    found: list[int] = []
    for match in _AT.finditer(text):
        at = match.start()
        if at > 0 and _NOT_BEFORE.match(text[at - 1]):
            continue
        found.append(at + 1)
        if len(found) == MENTIONS_MAX:
            break
    return found


def _ends_well(text: str, end: int, name: str) -> bool:
    if end >= len(text) or not _ASCII_WORD.match(name[-1]):
        return True
    return not _ASCII_WORD.match(text[end])


def match(text: str, names: dict[str, list[str]], manager: bool) -> Found:
    """The mentions of ``text`` given the circle's members by lower-cased display
    name (``{name.lower(): [user ids]}``), pure: the longest name at each ``@``."""
    found = Found()
    for begin in starts(text):
        rest = text[begin : begin + NAME_MAX].lower()
        everyone = next(
            (w for w in ALL_WORDS if rest.startswith(w) and _ends_well(text, begin + len(w), w)),
            None,
        )
        if everyone is not None:
            if manager and found.everyone is None:
                found.everyone = text[begin : begin + len(everyone)]
            continue
        best = max(
            (n for n in names if rest.startswith(n) and _ends_well(text, begin + len(n), n)),
            key=len,
            default=None,
        )
        if best is None:
            continue
        for user in names[best]:
            found.members.setdefault(user, text[begin : begin + len(best)])
    return found


def _candidates(text: str) -> set[str]:
    """Every prefix of the text after each ``@``: the names a mention could be."""
    found: set[str] = set()
    for begin in starts(text):
        rest = text[begin : begin + NAME_MAX]
        for end in range(1, len(rest) + 1):
            prefix = rest[:end]
            found.add(prefix)
            found.add(prefix.lower())
    return found


async def mentioned(
    conn: AsyncConnection,
    circle_id: str,
    author_id: str,
    text: str,
    group_id: str | None = None,
) -> Found:
    """What ``text`` by ``author_id`` mentions in the circle (in one of its chat
    groups: ``group_id``, only those who may read it; general: every member).
    Never the author. One query for the names (none without an ``@``)."""
    if not text or not starts(text):
        return Found()
    name = func.coalesce(MEMBERSHIPS.c.nickname, USERS.c.name)
    rows = (
        await conn.execute(
            select(MEMBERSHIPS.c.user_id, name.label("name"), MEMBERSHIPS.c.role)
            .select_from(MEMBERSHIPS.join(USERS, USERS.c.id == MEMBERSHIPS.c.user_id))
            .where(
                MEMBERSHIPS.c.circle_id == circle_id,
                or_(
                    func.lower(name).in_(sorted(_candidates(text))),
                    MEMBERSHIPS.c.user_id == author_id,
                ),
            )
        )
    ).all()
    role = next((r.role for r in rows if r.user_id == author_id), None)
    names: dict[str, list[str]] = {}
    for row in rows:
        if row.user_id != author_id:
            names.setdefault(row.name.lower(), []).append(row.user_id)
    found = match(text, names, role in MANAGER_ROLES)
    if group_id is not None and group_id != circle_id and found.members:
        readers = await group_readers(conn, circle_id, group_id, list(found.members))
        found.members = {u: n for u, n in found.members.items() if u in readers}
    return found


async def group_readers(
    conn: AsyncConnection, circle_id: str, group_id: str, user_ids: list[str] | None = None
) -> set[str]:
    """Who of the circle may read a chat group other than general: its approved
    members and the circle's owners and admins (``user_ids``: only among those)."""
    in_group = select(GROUP_MEMBERS.c.user_id).where(
        GROUP_MEMBERS.c.group_id == group_id, GROUP_MEMBERS.c.approved
    )
    query = select(MEMBERSHIPS.c.user_id).where(
        MEMBERSHIPS.c.circle_id == circle_id,
        or_(MEMBERSHIPS.c.role.in_(MANAGER_ROLES), MEMBERSHIPS.c.user_id.in_(in_group)),
    )
    if user_ids is not None:
        query = query.where(MEMBERSHIPS.c.user_id.in_(user_ids))
    return set((await conn.execute(query)).scalars())


async def readers(conn: AsyncConnection, circle_id: str, group_id: str | None = None) -> list[str]:
    """Every member who may read the circle's chat group (general: every member) —
    whom ``@all`` reaches."""
    if group_id is not None and group_id != circle_id:
        return sorted(await group_readers(conn, circle_id, group_id))
    query = select(MEMBERSHIPS.c.user_id).where(MEMBERSHIPS.c.circle_id == circle_id)
    return list((await conn.execute(query.order_by(MEMBERSHIPS.c.joined))).scalars())


def decode(column: Any) -> list[Record]:
    """A ``mentions`` column: the stored list, or none."""
    return orjson.loads(column) if column else []


__all__ = ["MENTIONS_MAX", "Found", "decode", "match", "mentioned", "readers", "starts"]
