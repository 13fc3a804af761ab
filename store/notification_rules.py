"""What becomes a notification: the one place that maps what happened to whom it
notifies (store/notifications.py stores them).

Three roads lead here, each inside the transaction of what happened:

- ``follow`` — a follower of the change log (``changes.FOLLOWERS``), beside points
  (store/point_awards.py): a post's or comment's
  mentions (stored with it: store/mentions.py), a reply to a comment and a
  comment on your post, a must-read flagged, a homework review or return, a
  reminder (store/reminders.py: every reminder is an inbox item too), a report
  resolved (for its reporter), a join request decided (for its asker);
- ``follow_act`` — called by ``audit.record_act`` for moderation acts: a mute,
  its lifting, a ban or a removal, for the member it was done to;
- ``addressed`` — the chat path: a say's mentions and the author it replies to,
  worked out before the say is queued, so the group commit inserts their rows in
  its own transaction, in bulk (store/batch.py).

Never the actor themself (``acting`` names the actor where the change does not);
never a member who cannot see the item: only members of the circle, only those
who may read the chat group of a message, the homework audience's rule for
submissions (a review goes to its student only).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from . import mentions, notification_settings
from .batch import Addressed
from .models import COMMENTS, MEMBERSHIPS, MESSAGES, POSTS
from .notifications import Item, add, excerpt
from .records import Record

if TYPE_CHECKING:
    from .changes import Change

# Who did what the running transaction records, where its changes do not say.
_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("quanzi_actor", default=None)

# The kinds of change that notify someone (``items_of``).
KINDS = frozenset(
    {
        "post.created",
        "comment.added",
        "post.must_read",
        "submission.reviewed",
        "reminder",
        "report.resolved",
        "join.decided",
    }
)
# Moderation acts (audit.record_act) that notify the member acted on.
MODERATION_ACTS = ("member.muted", "member.unmuted", "member.banned", "member.removed")


@contextlib.contextmanager
def acting(actor_id: str) -> Iterator[None]:
    """Name the actor of the changes recorded inside (a must-read's flagger)."""
    token = _actor.set(actor_id)
    try:
        yield
    finally:
        _actor.reset(token)


async def _members(conn: AsyncConnection, circle_id: str) -> list[str]:
    query = select(MEMBERSHIPS.c.user_id).where(MEMBERSHIPS.c.circle_id == circle_id)
    return list((await conn.execute(query.order_by(MEMBERSHIPS.c.joined))).scalars())


async def _member_ids(conn: AsyncConnection, circle_id: str, user_ids: list[str]) -> set[str]:
    if not user_ids:
        return set()
    query = select(MEMBERSHIPS.c.user_id).where(
        MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id.in_(user_ids)
    )
    return set((await conn.execute(query)).scalars())


def _actor_of(author: Record) -> Record:
    return {"id": author["id"], "name": author.get("name", "")}


async def _mention_items(
    conn: AsyncConnection,
    circle_id: str,
    found: list[Record],
    about: Record,
    author_id: str,
) -> dict[str, Item]:
    """The notifications of stored ``mentions``, by member (``@all``: everyone)."""
    items: dict[str, Item] = {}
    for entry in found:
        if entry.get("all"):
            for user in await _members(conn, circle_id):
                items.setdefault(user, (user, circle_id, "mention", {**about, "all": True}))
    named = [e["id"] for e in found if not e.get("all")]
    for user in await _member_ids(conn, circle_id, named):
        # A name beats @all: it is addressed to them.
        items[user] = (user, circle_id, "mention", about)
    items.pop(author_id, None)
    return items


def _post_about(circle_id: str, post: Record) -> Record:
    return {
        "circle": circle_id,
        "post": post["id"],
        "excerpt": excerpt(post.get("text")),
        "actor": _actor_of(post["author"]),
    }


async def _post_created(conn: AsyncConnection, circle_id: str, data: Record) -> list[Item]:
    post = data["post"]
    found = post.get("mentions") or []
    if not found:
        return []
    about = _post_about(circle_id, post)
    return list(
        (await _mention_items(conn, circle_id, found, about, post["author"]["id"])).values()
    )


async def _comment_added(conn: AsyncConnection, circle_id: str, data: Record) -> list[Item]:
    comment = data["comment"]
    author = comment["author"]["id"]
    about = {
        "circle": circle_id,
        "post": comment["post"],
        "comment": comment["id"],
        "excerpt": excerpt(comment.get("text")),
        "actor": _actor_of(comment["author"]),
    }
    items = await _mention_items(conn, circle_id, comment.get("mentions") or [], about, author)
    # The author of the comment replied to, and the post's author: a reply.
    replied: list[str] = []
    if comment.get("reply_to"):
        query = select(COMMENTS.c.author_id).where(COMMENTS.c.id == comment["reply_to"])
        replied += list((await conn.execute(query)).scalars())
    query = select(POSTS.c.author_id).where(POSTS.c.id == comment["post"])
    replied += list((await conn.execute(query)).scalars())
    for user in await _member_ids(conn, circle_id, replied):
        if user != author and user not in items:
            items[user] = (user, circle_id, "reply", about)
    return list(items.values())


async def _must_read(conn: AsyncConnection, circle_id: str, data: Record) -> list[Item]:
    post = data["post"]
    if not post.get("must_read"):
        return []
    about = _post_about(circle_id, post)
    skip = {post["author"]["id"], _actor.get()}
    return [
        (user, circle_id, "must_read", about)
        for user in await _members(conn, circle_id)
        if user not in skip
    ]


def _review(circle_id: str, data: Record) -> list[Item]:
    submission = data["submission"]
    review = submission.get("review") or {}
    student = data["student"]
    if review.get("reviewer") == student:
        return []
    about = {
        "circle": circle_id,
        "assignment": submission["assignment"],
        "submission": submission["id"],
        "state": submission["state"],
        "excerpt": excerpt(review.get("comment")),
        "grade": review.get("grade"),
        "score": review.get("score"),
    }
    if review.get("reviewer"):
        about["actor"] = {"id": review["reviewer"], "name": ""}
    return [(student, circle_id, "review", about)]


def _reminder(circle_id: str, data: Record) -> list[Item]:
    subject = data["about"]
    about = {"circle": circle_id, "item": subject, "title": subject.get("title", "")}
    return [(data["user"], circle_id, "reminder", about)]


def _report(circle_id: str, data: Record) -> list[Item]:
    report = data["report"]
    about = {
        "circle": circle_id,
        "report": report["id"],
        "target": report["target"],
        "outcome": report.get("outcome"),
    }
    return [(data["reporter"], circle_id, "moderation", about)]


def _join(circle_id: str, data: Record) -> list[Item]:
    return [(data["user"], circle_id, "join", {"circle": circle_id, "state": data["state"]})]


async def items_of(conn: AsyncConnection, circle_id: str, kind: str, data: Record) -> list[Item]:
    """The notifications one logged change makes."""
    if kind == "post.created":
        return await _post_created(conn, circle_id, data)
    if kind == "comment.added":
        return await _comment_added(conn, circle_id, data)
    if kind == "post.must_read":
        return await _must_read(conn, circle_id, data)
    if kind == "submission.reviewed":
        return _review(circle_id, data)
    if kind == "reminder":
        return _reminder(circle_id, data)
    if kind == "report.resolved":
        return _report(circle_id, data)
    if kind == "join.decided":
        return _join(circle_id, data)
    return []


async def follow(conn: AsyncConnection, changes: list[Change]) -> None:
    """Notify whom logged changes of one kind concern (a follower of the change log:
    ``changes.FOLLOWERS``), in one insert however many (a reminder to a whole class);
    other kinds cost nothing."""
    if not changes or changes[0].kind not in KINDS:
        return
    items: list[Item] = []
    for change in changes:
        items += await items_of(conn, change.circle, change.kind, change.data)
    await add(conn, items, changes[0].ts)


async def follow_act(
    conn: AsyncConnection,
    circle_id: str,
    actor_id: str,
    action: str,
    target_id: str | None,
    reason: str | None,
    data: dict[str, Any] | None,
) -> None:
    """Notify the member a moderation act was done to (``audit.record_act``)."""
    if action not in MODERATION_ACTS or target_id is None or target_id == actor_id:
        return
    about: Record = {"circle": circle_id, "action": action.removeprefix("member.")}
    if reason:
        about["reason"] = reason
    if data and "until" in data:
        about["until"] = data["until"]
    await add(conn, [(target_id, circle_id, "moderation", about)])


async def edited_mentions(
    conn: AsyncConnection,
    circle_id: str,
    group_id: str,
    seq: int,
    author: Record,
    text: str,
    before: str | None,
) -> tuple[mentions.Found, list[Item]]:
    """An edited chat message's mentions, and the notifications of those it did not
    mention ``before`` (its stored ``mentions``): a name added, or ``@all`` added by
    a manager. Readers of its group only, never its author; an edit that only
    rewords what it said notifies no one again."""
    found = await mentions.mentioned(conn, circle_id, author["id"], text, group_id)
    had = mentions.decode(before)
    had_all = any(entry.get("all") for entry in had)
    had_ids = {entry.get("id") for entry in had}
    targets: dict[str, bool] = {}
    if found.everyone is not None and not had_all:
        for user in await mentions.readers(conn, circle_id, group_id):
            if user not in had_ids:
                targets[user] = True
    for user in found.members:
        if user not in had_ids:
            targets[user] = False
    targets.pop(author["id"], None)
    about: Record = {
        "circle": circle_id,
        "group": group_id,
        "seq": seq,
        "excerpt": excerpt(text),
        "actor": _actor_of(author),
    }
    items: list[Item] = [
        (user, circle_id, "mention", {**about, "all": True} if everyone else about)
        for user, everyone in targets.items()
    ]
    return found, items


async def addressed(
    conn: AsyncConnection,
    circle_id: str,
    group_id: str,
    user_id: str,
    text: str,
    reply_to: int | None,
) -> Addressed | None:
    """Whom a chat message notifies, before it is queued: its mentions (readers of
    its group only) and the author of the message it replies to; None when nobody
    (no ``@`` and no reply: the usual say costs nothing here). The members' levels
    are applied here, so the group commit only inserts."""
    found = await mentions.mentioned(conn, circle_id, user_id, text, group_id)
    targets: dict[str, tuple[str, str, bool]] = {}
    if found.everyone is not None:
        for user in await mentions.readers(conn, circle_id, group_id):
            targets[user] = (user, "mention", True)
    for user in found.members:
        targets[user] = (user, "mention", False)
    if reply_to is not None:
        query = select(MESSAGES.c.user_id).where(
            MESSAGES.c.group_id == group_id, MESSAGES.c.seq == reply_to
        )
        author = (await conn.execute(query)).scalar()
        if author is not None and author not in targets:
            readers = (
                await _member_ids(conn, circle_id, [author])
                if group_id == circle_id
                else await mentions.group_readers(conn, circle_id, group_id, [author])
            )
            if author in readers:
                targets[author] = (author, "reply", False)
    targets.pop(user_id, None)
    stored = found.encoded()
    if not targets:
        return None if stored is None else Addressed(stored, [])
    settings = await notification_settings.settings_of_users(conn, sorted(targets))
    default = notification_settings.defaults()
    kept = [
        target
        for user, target in targets.items()
        if notification_settings.allows(
            settings.get(user, default), circle_id, target[1], {"all": True} if target[2] else {}
        )
    ]
    return Addressed(stored, kept)
