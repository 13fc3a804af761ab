"""Circle events: every change to a circle's durable side, as typed values.

One frozen dataclass per kind. On the wire each is one `event` push,
`{"t":"event","circle":C,"rev":N,"ts":…,"kind":K, …its fields}`; the same maps
come back from `GET /api/v1/circles/{id}/events?after=` for a client catching
up. `rev` counts a circle's changes with no gap, in commit order, so a client
keeps the last rev it applied and asks for what follows after a reconnect.

`event_from_map` turns a map (a push, a catch-up item, a change of the store
with its circle, rev and ts) back into its dataclass; a map that does not fit
its kind raises `ProtocolError(bad_frame)`. Fields hold plain maps (a post, a
member, a comment, a circle) as the HTTP API shows them; no per-viewer field
(`liked`, `acked`): one event is encoded once for every member.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import ClassVar

from .challenge_events import CHALLENGE_EVENTS
from .contest_events import CONTEST_EVENTS
from .errors import ErrorCode, ProtocolError
from .event_base import CircleEvent, Map
from .gathering_events import GATHERING_EVENTS
from .homework_events import HOMEWORK_EVENTS
from .lesson_events import LESSON_EVENTS
from .point_events import POINT_EVENTS

# -- posts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostCreated(CircleEvent):
    """A member wrote a post, or an owner/admin a notice."""

    kind: ClassVar[str] = "post.created"
    post: Map


@dataclass(frozen=True, slots=True)
class PostPromoted(CircleEvent):
    """A starred chat message became a highlight."""

    kind: ClassVar[str] = "post.promoted"
    post: Map


@dataclass(frozen=True, slots=True)
class PostEdited(CircleEvent):
    kind: ClassVar[str] = "post.edited"
    post: Map


@dataclass(frozen=True, slots=True)
class PostDeleted(CircleEvent):
    """`post` is the tombstone `{"id","circle","deleted":true,"updated"}`."""

    kind: ClassVar[str] = "post.deleted"
    post: Map


@dataclass(frozen=True, slots=True)
class PostPinned(CircleEvent):
    kind: ClassVar[str] = "post.pinned"
    post: Map


@dataclass(frozen=True, slots=True)
class PostUnpinned(CircleEvent):
    kind: ClassVar[str] = "post.unpinned"
    post: Map


@dataclass(frozen=True, slots=True)
class PinsReordered(CircleEvent):
    """`order` lists the pinned posts' ids (pin_order = index + 1); `posts` are they."""

    kind: ClassVar[str] = "pins.reordered"
    order: list[str]
    posts: list[Map]


@dataclass(frozen=True, slots=True)
class PostMustRead(CircleEvent):
    """Flagged (`post.must_read` true: everyone is asked again) or cleared."""

    kind: ClassVar[str] = "post.must_read"
    post: Map


@dataclass(frozen=True, slots=True)
class PostAcked(CircleEvent):
    """A member acknowledged a must-read: only its author and the circle's owners
    and admins receive it. `acked`/`pending` count the members, the author aside."""

    kind: ClassVar[str] = "post.acked"
    post: str
    author: str
    user: Map
    at: int
    acked: int
    pending: int


@dataclass(frozen=True, slots=True)
class PostLiked(CircleEvent):
    kind: ClassVar[str] = "post.liked"
    post: str
    user: str
    liked: bool
    likes: int


# -- comments ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommentAdded(CircleEvent):
    """`comments` is the post's comment count after it."""

    kind: ClassVar[str] = "comment.added"
    comment: Map
    comments: int


@dataclass(frozen=True, slots=True)
class CommentEdited(CircleEvent):
    kind: ClassVar[str] = "comment.edited"
    comment: Map
    comments: int


@dataclass(frozen=True, slots=True)
class CommentDeleted(CircleEvent):
    """`comment` is `{"id","post"}`; its replies went with it."""

    kind: ClassVar[str] = "comment.deleted"
    comment: Map
    comments: int


# -- chat messages -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageStarred(CircleEvent):
    """A star given (`starred`) or withdrawn: `stars` of `threshold` (0: members'
    votes never promote); `post` is the message's post id once promoted."""

    kind: ClassVar[str] = "message.starred"
    seq: int
    stars: int
    threshold: int
    user: str
    starred: bool
    post: str | None
    # The message's chat group (changes logged before groups: None, general).
    group: str | None = None


@dataclass(frozen=True, slots=True)
class MessageVetoed(CircleEvent):
    kind: ClassVar[str] = "message.vetoed"
    seq: int
    vetoed: bool
    group: str | None = None


@dataclass(frozen=True, slots=True)
class MessageDeleted(CircleEvent):
    """A message became a tombstone: recalled by its `author` in time (`deleted`
    "author"), deleted by an owner or admin ("admin"), or erased because its
    author deleted their account ("account"). Its text, attachments,
    stars and reactions are gone; a highlight from it gets its `post.deleted`."""

    kind: ClassVar[str] = "message.deleted"
    group: str
    seq: int
    deleted: str
    author: str


@dataclass(frozen=True, slots=True)
class MessageEdited(CircleEvent):
    """Its author changed a message's `text` at `edited` (ms)."""

    kind: ClassVar[str] = "message.edited"
    group: str
    seq: int
    text: str
    edited: int
    # Whom the new text mentions (store/mentions.py); None in changes logged before it.
    mentions: list[Map] | None = None


# -- reactions -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReactionChanged(CircleEvent):
    """A member gave (`on`) or withdrew an emoji on a message or a post: `target`
    is `{"group","seq"}` or `{"post"}`; `count` is that emoji's count on it now."""

    kind: ClassVar[str] = "reaction.changed"
    target: Map
    emoji: str
    user: str
    on: bool
    count: int


# -- chat groups -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupCreated(CircleEvent):
    """An owner or admin created a chat group; `group` as `GET /groups/{id}` shows it."""

    kind: ClassVar[str] = "group.created"
    group: Map


@dataclass(frozen=True, slots=True)
class GroupUpdated(CircleEvent):
    """A group's settings changed (renamed, topic, access, order, archived…)."""

    kind: ClassVar[str] = "group.updated"
    group: Map


@dataclass(frozen=True, slots=True)
class GroupJoined(CircleEvent):
    """`user` is in group `group` with `role` (joined, added, approved, or a new role)."""

    kind: ClassVar[str] = "group.joined"
    group: str
    user: str
    role: str
    members: int


@dataclass(frozen=True, slots=True)
class GroupLeft(CircleEvent):
    """`user` is out of group `group`: `reason` is `left` or `removed` (a pending
    request withdrawn or declined is one too)."""

    kind: ClassVar[str] = "group.left"
    group: str
    user: str
    members: int
    reason: str


@dataclass(frozen=True, slots=True)
class GroupRequested(CircleEvent):
    """`user` asks to join group `group` (one that takes requests)."""

    kind: ClassVar[str] = "group.requested"
    group: str
    user: str


# -- members and the circle ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberJoined(CircleEvent):
    """`member` is `{"user","role","nickname","name"}`; `members` the new count."""

    kind: ClassVar[str] = "member.joined"
    member: Map
    members: int


@dataclass(frozen=True, slots=True)
class MemberLeft(CircleEvent):
    kind: ClassVar[str] = "member.left"
    user: str
    members: int


@dataclass(frozen=True, slots=True)
class MemberRemoved(CircleEvent):
    kind: ClassVar[str] = "member.removed"
    user: str
    members: int


@dataclass(frozen=True, slots=True)
class MemberUpdated(CircleEvent):
    """A role, a nickname, a mute or a paid term (`ends_at`) changed."""

    kind: ClassVar[str] = "member.updated"
    member: Map


@dataclass(frozen=True, slots=True)
class CircleUpdated(CircleEvent):
    """Settings changed; `info` is the circle as `GET /circles/{id}` shows it."""

    kind: ClassVar[str] = "circle.updated"
    # Not `circle`: every event's `circle` is the circle's id.
    info: Map


@dataclass(frozen=True, slots=True)
class CircleDeleted(CircleEvent):
    """An owner deleted the circle: everyone is out (a `left` push with reason
    `circle_deleted` follows on each connection); it answers 404 from now on."""

    kind: ClassVar[str] = "circle.deleted"
    name: str


@dataclass(frozen=True, slots=True)
class JoinRequested(CircleEvent):
    """`user` (display `name`) asks to join; `pending` requests wait now. Only the
    circle's owners and admins see it."""

    kind: ClassVar[str] = "join.requested"
    user: str
    name: str
    pending: int


@dataclass(frozen=True, slots=True)
class JoinDecided(CircleEvent):
    """`user`'s request was decided (`state`: approved or rejected); `pending`
    requests wait now. Only the circle's owners and admins see it."""

    kind: ClassVar[str] = "join.decided"
    user: str
    state: str
    pending: int


# -- polls ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollCreated(CircleEvent):
    """A poll was asked in a chat group (`poll.group` + `poll.seq`: its message)
    or attached to a post (`poll.post`); `poll` as everyone sees it (no `mine`)."""

    kind: ClassVar[str] = "poll.created"
    poll: Map


@dataclass(frozen=True, slots=True)
class PollVoted(CircleEvent):
    """A member's choice changed: `counts` per option and `voters` right after it.
    `user` and their `options` are null for an anonymous poll."""

    kind: ClassVar[str] = "poll.voted"
    poll: str
    group: str | None
    post: str | None
    counts: list[int]
    voters: int
    user: str | None
    options: list[int] | None


@dataclass(frozen=True, slots=True)
class PollClosed(CircleEvent):
    """Its author or an owner/admin closed the poll (a deadline passing is not an
    event: `closes_at` says it)."""

    kind: ClassVar[str] = "poll.closed"
    poll: Map


# -- reports -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportFiled(CircleEvent):
    """A member reported something: only the circle's owners and admins receive
    it. `report` is `{"id","circle","created","target":{"kind","id"},"reason",
    "text","status","outcome","note"}` (no reporter); `open` the open reports now."""

    kind: ClassVar[str] = "report.filed"
    report: Map
    open: int


@dataclass(frozen=True, slots=True)
class ReportResolved(CircleEvent):
    """An owner or admin resolved a report (`report` as its reporter sees it, with
    `outcome` and `note`): only the circle's owners and admins and the report's
    `reporter` receive it. `open` counts the reports still open."""

    kind: ClassVar[str] = "report.resolved"
    report: Map
    reporter: str
    open: int


# -- followers -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FollowAdded(CircleEvent):
    """`user` follows the circle now (not a member: its feed, never its chat);
    `followers` the new count. Only that user receives it."""

    kind: ClassVar[str] = "follow.added"
    user: str
    followers: int


@dataclass(frozen=True, slots=True)
class FollowRemoved(CircleEvent):
    """`user` follows the circle no more: `reason` is `unfollowed`, `joined` (a
    member now) or `banned`; `followers` the new count. Only that user receives it."""

    kind: ClassVar[str] = "follow.removed"
    user: str
    followers: int
    reason: str


# -- reminders -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reminder(CircleEvent):
    """A nudge for one member (store/reminders.py): a lesson about to start,
    homework due, a check-in streak at risk, an event coming. `about` says what:
    `{"kind", "id", "title", "at"?}` (`at`: when it happens, ms). Only that user
    receives it."""

    kind: ClassVar[str] = "reminder"
    user: str
    about: Map


EVENT_TYPES: dict[str, type[CircleEvent]] = {
    cls.kind: cls
    for cls in (
        PostCreated,
        PostPromoted,
        PostEdited,
        PostDeleted,
        PostPinned,
        PostUnpinned,
        PinsReordered,
        PostMustRead,
        PostAcked,
        PostLiked,
        CommentAdded,
        CommentEdited,
        CommentDeleted,
        MessageStarred,
        MessageVetoed,
        MessageDeleted,
        MessageEdited,
        MemberJoined,
        MemberLeft,
        MemberRemoved,
        MemberUpdated,
        CircleUpdated,
        CircleDeleted,
        JoinRequested,
        JoinDecided,
        GroupCreated,
        GroupUpdated,
        GroupJoined,
        GroupLeft,
        GroupRequested,
        ReactionChanged,
        PollCreated,
        PollVoted,
        PollClosed,
        ReportFiled,
        ReportResolved,
        FollowAdded,
        FollowRemoved,
        Reminder,
        *CHALLENGE_EVENTS,
        *GATHERING_EVENTS,
        *POINT_EVENTS,
        *CONTEST_EVENTS,
        *HOMEWORK_EVENTS,
        *LESSON_EVENTS,
    )
}
# Follow events: a node learns from them which of its connections follow a circle.
FOLLOW_EVENTS = (FollowAdded, FollowRemoved)
# Personal events: each is about one user (`user`) and reaches only that user.
PERSONAL_EVENTS = (*FOLLOW_EVENTS, Reminder)
# Membership events: a node learns from them which of its connections belong where
# (members and followers alike), so every node hears them, following the circle or not.
MEMBERSHIP_EVENTS = (
    MemberJoined,
    MemberLeft,
    MemberRemoved,
    MemberUpdated,
    CircleDeleted,
    *FOLLOW_EVENTS,
)
# The feed of a public circle: what its followers (and any non-member) see of it,
# live and when catching up — posts, highlights, pins, must-read flags, the
# circle's settings and its end. Never its chat, members, polls or reports.
FEED_EVENTS = (
    PostCreated,
    PostPromoted,
    PostEdited,
    PostDeleted,
    PostPinned,
    PostUnpinned,
    PinsReordered,
    PostMustRead,
    CircleUpdated,
    CircleDeleted,
)
# Events only a circle's owners and admins see (the pending join requests).
MANAGER_EVENTS = (JoinRequested, JoinDecided)
# Group events: a node learns from them who may read and say what in which group.
GROUP_EVENTS = (GroupCreated, GroupUpdated, GroupJoined, GroupLeft)


def event_from_map(m: Map) -> CircleEvent:
    """The typed event of a map (an `event` push, a catch-up item)."""
    cls = EVENT_TYPES.get(m.get("kind"))  # type: ignore[arg-type]
    if cls is None:
        raise ProtocolError(ErrorCode.BAD_FRAME, f"unknown event kind {m.get('kind')!r}")
    try:
        values = {f.name: m[f.name] for f in fields(cls) if f.name in m or f.default is MISSING}
    except KeyError as exc:
        raise ProtocolError(ErrorCode.BAD_FRAME, f"{cls.kind} lacks {exc.args[0]}") from None
    return cls(**values)


def event_of(kind: str, circle: str, rev: int, ts: int, data: Map) -> CircleEvent:
    """A store change's event: its kind, place and data (the kind's fields)."""
    return event_from_map({**data, "kind": kind, "circle": circle, "rev": rev, "ts": ts})


__all__ = [
    "EVENT_TYPES",
    "FEED_EVENTS",
    "FOLLOW_EVENTS",
    "GROUP_EVENTS",
    "MANAGER_EVENTS",
    "MEMBERSHIP_EVENTS",
    "PERSONAL_EVENTS",
    "CircleDeleted",
    "CircleEvent",
    "CircleUpdated",
    "CommentAdded",
    "CommentDeleted",
    "CommentEdited",
    "FollowAdded",
    "FollowRemoved",
    "GroupCreated",
    "GroupJoined",
    "GroupLeft",
    "GroupRequested",
    "GroupUpdated",
    "JoinDecided",
    "JoinRequested",
    "MemberJoined",
    "MemberLeft",
    "MemberRemoved",
    "MemberUpdated",
    "MessageDeleted",
    "MessageEdited",
    "MessageStarred",
    "MessageVetoed",
    "PinsReordered",
    "PollClosed",
    "PollCreated",
    "PollVoted",
    "PostAcked",
    "PostCreated",
    "PostDeleted",
    "PostEdited",
    "PostLiked",
    "PostMustRead",
    "PostPinned",
    "PostPromoted",
    "PostUnpinned",
    "ReactionChanged",
    "Reminder",
    "ReportFiled",
    "ReportResolved",
    "event_from_map",
    "event_of",
]
