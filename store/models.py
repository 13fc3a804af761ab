"""The tables, as SQLModel classes, and their Core ``Table`` objects.

No relationships: every link is a plain foreign-key column read with an
explicit query, so nothing lazy-loads (``MissingGreenlet``) and the hot paths
can use Core statements on the ``Table`` objects below.

The DDL stays portable (SQLite and PostgreSQL): times in ms and seqs are
``BigInteger``, booleans are ``Boolean``, no dialect-specific types.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, Table, UniqueConstraint, false
from sqlmodel import Field, SQLModel

metadata = SQLModel.metadata


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: str = Field(primary_key=True, max_length=32)
    handle: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    name: str = Field(max_length=64)
    password_hash: str = Field(max_length=256)
    created: int = Field(sa_type=BigInteger)
    # When the account was deleted (store/account_deletion.py), or None: from then
    # on it has no handle, name, password or session; and when the erasure of what
    # it wrote (a batch at a time, in the background) was finished.
    deleted: int | None = Field(default=None, sa_type=BigInteger)
    erased: int | None = Field(default=None, sa_type=BigInteger)
    # A bot's owner (store/bots.py): a bot has no password and its tokens do not
    # expire; None for a person.
    bot_owner: str | None = Field(default=None, max_length=32, index=True)


class Token(SQLModel, table=True):
    __tablename__ = "tokens"

    # SHA-256 hex of the bearer token: a leaked table does not leak sessions.
    hash: str = Field(primary_key=True, max_length=64)
    # The session's opaque id (what the sessions list shows and ends): never
    # the token nor its hash.
    id: str = Field(unique=True, index=True, max_length=32)
    user_id: str = Field(foreign_key="users.id", index=True, max_length=32)
    created: int = Field(sa_type=BigInteger)
    # Bumped at most once a renewal window (not on every request): the idle
    # expiry counts from it, and the cleanup finds idle tokens by it.
    last_used: int = Field(sa_type=BigInteger, index=True)


class Circle(SQLModel, table=True):
    __tablename__ = "circles"
    # The directory pages public circles newest first.
    __table_args__ = (Index("ix_circles_visibility_created", "visibility", "created", "id"),)

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=80)
    kind: str = Field(max_length=16)
    visibility: str = Field(max_length=16)
    description: str = Field(default="", max_length=2000)
    owner_id: str = Field(foreign_key="users.id", max_length=32)
    promote_threshold: int = Field(default=3)
    retention_messages: int = Field(default=10_000)
    retention_days: int = Field(default=90)
    history_for_new_members: bool = Field(default=True)
    # A private circle that takes join requests (store/join_requests.py), and the
    # question a requester answers (empty: none).
    join_approval: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    join_question: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})
    created: int = Field(sa_type=BigInteger)
    # Kept in step on join/leave/remove so reading a circle never counts rows.
    member_count: int = Field(default=0)
    # Kept in step on follow/unfollow (store/follows.py), apart from members.
    follower_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The rev of the circle's latest change (``changes``): bumped by ``UPDATE …
    # RETURNING`` inside each changing transaction, so revs follow commit order.
    last_rev: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    # When an owner deleted it (store/deleted_circles.py), or None: a deleted
    # circle answers as one that does not exist; its row stays as a tombstone.
    deleted: int | None = Field(default=None, sa_type=BigInteger)
    # The circle's days (store/calendar.py): an IANA zone, and how long after
    # midnight a day stays open (minutes; 720: until noon of the next).
    time_zone: str = Field(
        default="Asia/Shanghai", max_length=64, sa_column_kwargs={"server_default": "Asia/Shanghai"}
    )
    day_closes_after: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Quiet hours (HH:MM to HH:MM of the circle's zone; None: none): no reminder
    # is pushed then (store/checkin_reminders.py).
    quiet_from: str | None = Field(default=None, max_length=5)
    quiet_to: str | None = Field(default=None, max_length=5)
    # The sections members see, in order (store/sections.py): keys joined by commas;
    # None: the kind's template.
    sections: str | None = Field(default=None, max_length=200)


class Member(SQLModel, table=True):
    __tablename__ = "memberships"

    circle_id: str = Field(foreign_key="circles.id", primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="users.id", primary_key=True, index=True, max_length=32)
    role: str = Field(max_length=16)
    nickname: str | None = Field(default=None, max_length=32)
    joined: int = Field(sa_type=BigInteger)
    joined_seq: int = Field(sa_type=BigInteger)
    read_seq: int = Field(default=0, sa_type=BigInteger)
    # Muted (reads, may not say, post, comment or vote) until this time (ms), or
    # None; ``sanctions.UNTIL_LIFTED`` for a mute with no end.
    muted_until: int | None = Field(default=None, sa_type=BigInteger)
    # A paid term (store/terms.py): read-only from ``ends_at`` (ms), removed at
    # ``removes_at`` (ends_at plus the server's grace when the end was set); both
    # None for a membership without end.
    ends_at: int | None = Field(default=None, sa_type=BigInteger)
    removes_at: int | None = Field(default=None, sa_type=BigInteger, index=True)


class Group(SQLModel, table=True):
    """A chat group of a circle: its own seq stream of messages.

    Every circle has its ``general`` group, created with it, whose id IS the
    circle's id: protocol v1 clients that join the circle chat there, and its
    members are the circle's (no ``group_members`` rows; the read marker and
    joined seq are the membership's). Other groups have members of their own.
    """

    __tablename__ = "chat_groups"
    __table_args__ = (Index("ix_chat_groups_circle", "circle_id", "position"),)

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(foreign_key="circles.id", max_length=32)
    name: str = Field(max_length=64)
    topic: str = Field(default="", max_length=500)
    # open (any member joins), request (a group admin approves), invite (added by one).
    access: str = Field(default="open", max_length=16)
    max_members: int | None = Field(default=None)
    # Only the group's admins and the circle's owners and admins may say.
    read_only: bool = Field(default=False)
    # Slow mode: a member (not an admin) says at most one message per this many
    # seconds here; 0 is off.
    slow_mode_s: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    position: int = Field(default=0)
    archived: bool = Field(default=False)
    created: int = Field(sa_type=BigInteger)
    # The writer bumps this inside the batch transaction: it is the seq source.
    last_seq: int = Field(default=0, sa_type=BigInteger)
    # Up to which seq the group's messages are in search_docs. The SQLite writer indexes
    # chat in larger batches than it stores it (store/sqlite_writer.py) and moves this;
    # the other path indexes each message in its own group commit and leaves it be.
    indexed_seq: int = Field(
        default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"}
    )
    # Approved members, kept in step (general: 0, its members are the circle's).
    member_count: int = Field(default=0)


class GroupMember(SQLModel, table=True):
    __tablename__ = "group_members"

    group_id: str = Field(foreign_key="chat_groups.id", primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="users.id", primary_key=True, index=True, max_length=32)
    # admin or member; a pending join request is a row with approved false.
    role: str = Field(default="member", max_length=16)
    approved: bool = Field(default=True)
    joined: int = Field(sa_type=BigInteger)
    joined_seq: int = Field(default=0, sa_type=BigInteger)
    read_seq: int = Field(default=0, sa_type=BigInteger)


class AccessCode(SQLModel, table=True):
    __tablename__ = "access_codes"

    code: str = Field(primary_key=True, max_length=16)
    circle_id: str = Field(foreign_key="circles.id", index=True, max_length=32)
    max_uses: int | None = Field(default=None)
    uses: int = Field(default=0)
    expires: int | None = Field(default=None, sa_type=BigInteger)
    created: int = Field(sa_type=BigInteger)
    # Who made it (None for codes from before 0014), and when it was revoked.
    created_by: str | None = Field(default=None, max_length=32)
    revoked: int | None = Field(default=None, sa_type=BigInteger)
    # A paid code's membership term (store/terms.py): N calendar months from
    # redeeming, or everyone until one date (ms); both None: no end.
    period_months: int | None = Field(default=None)
    deadline: int | None = Field(default=None, sa_type=BigInteger)
    # A cohort (store/access_codes.py): the batch it was made in, its label, a term of
    # N days from redeeming (instead of period_months/deadline), the chat group its
    # redeemers join.
    batch: str | None = Field(default=None, max_length=32)
    label: str | None = Field(default=None, max_length=80)
    period_days: int | None = Field(default=None)
    group_id: str | None = Field(default=None, max_length=32)


class CodeRedemption(SQLModel, table=True):
    """One use of an access code: who joined with it and when (written by
    ``consume_code`` in the join's transaction)."""

    __tablename__ = "code_redemptions"

    code: str = Field(primary_key=True, max_length=16)
    redeemed: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    user_id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(max_length=32)


class JoinRequest(SQLModel, table=True):
    """A request to join a private circle that takes them: pending, approved or
    rejected (store/join_requests.py). One per user and circle."""

    __tablename__ = "join_requests"
    __table_args__ = (
        Index("ix_join_requests_circle_state_created", "circle_id", "state", "created", "user_id"),
    )

    circle_id: str = Field(foreign_key="circles.id", primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=32)
    state: str = Field(max_length=16)
    answer: str = Field(max_length=1000)
    created: int = Field(sa_type=BigInteger)
    decided: int | None = Field(default=None, sa_type=BigInteger)
    decided_by: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, max_length=500)


class Follow(SQLModel, table=True):
    """A user follows a public circle without joining it (store/follows.py): its
    feed reaches them, its chat does not; they are not members."""

    __tablename__ = "follows"
    __table_args__ = (
        # A circle's followers newest first (the managers' list), a user's follows.
        Index("ix_follows_circle_created", "circle_id", "created", "user_id"),
        Index("ix_follows_user_created", "user_id", "created", "circle_id"),
    )

    circle_id: str = Field(foreign_key="circles.id", primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=32)
    created: int = Field(sa_type=BigInteger)


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    # The idempotency key is the pair (user, nonce). The nonce leads the index
    # because the writer looks a whole batch up with ``nonce IN (...)``.
    # user_id has no foreign key on purpose: the caller has authenticated the
    # author, and one bad row must not fail a whole group-commit batch.
    __table_args__ = (
        UniqueConstraint("nonce", "user_id", name="uq_messages_nonce_user"),
        # A user's messages, for their data export and the erasure of a deleted
        # account (a heavy user has 100,000 of them: never a table scan).
        Index("ix_messages_user", "user_id", "group_id", "seq"),
    )

    # The chat group (a circle's general group has the circle's id).
    group_id: str = Field(foreign_key="chat_groups.id", primary_key=True, max_length=32)
    seq: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    user_id: str = Field(max_length=32)
    ts: int = Field(sa_type=BigInteger)
    text: str
    nonce: str = Field(max_length=64)
    reply_to: int | None = Field(default=None, sa_type=BigInteger)
    # The message's attachments as clients see them (JSON; store/attachment_uses.py),
    # or None. An attachment never changes, so its copy here never goes stale.
    attachments: str | None = Field(default=None)
    # A tombstone (store/message_edits.py): who took it back, "author" (recalled),
    # "admin" (deleted) or "account" (its author deleted their account,
    # store/account_deletion.py), and when (ms); its text is "" and its attachments NULL.
    deleted: str | None = Field(default=None, max_length=8)
    deleted_at: int | None = Field(default=None, sa_type=BigInteger)
    # When its author last changed its text (ms), or None.
    edited: int | None = Field(default=None, sa_type=BigInteger)
    # Whom it mentions (store/mentions.py: JSON ``[{"id","name"}]``), or None.
    mentions: str | None = Field(default=None)


class Star(SQLModel, table=True):
    __tablename__ = "stars"

    group_id: str = Field(primary_key=True, max_length=32)
    seq: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    user_id: str = Field(primary_key=True, max_length=32)
    ts: int = Field(sa_type=BigInteger)


class Veto(SQLModel, table=True):
    __tablename__ = "vetoes"

    group_id: str = Field(primary_key=True, max_length=32)
    seq: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )


class Post(SQLModel, table=True):
    """A durable post: written (``post``, ``notice``) or promoted from chat (``highlight``).

    A deleted post stays as a tombstone (``deleted``) so ``since`` catch-up can
    report it, and so a member's vote cannot promote an un-promoted message again.
    """

    __tablename__ = "posts"
    __table_args__ = (
        # One post per chat message. Plain posts have a NULL source_seq, and NULLs
        # never clash in a UNIQUE constraint (SQLite and PostgreSQL alike).
        UniqueConstraint("source_group", "source_seq", name="uq_posts_group_source"),
        # One post per other source (store/promotion.py): a submission marked excellent.
        Index("uq_posts_kind_source", "source_kind", "source_ref", unique=True),
        # The feed: pinned ones, then the rest newest first (keyset on created, id).
        Index("ix_posts_feed", "circle_id", "pinned", "created", "id"),
        # ``since`` catch-up after a reconnect.
        Index("ix_posts_since", "circle_id", "updated"),
        # The sweeper that ends timed pins.
        Index("ix_posts_pinned_until", "pinned_until"),
        # A member's pending must-reads, over all their circles.
        Index("ix_posts_must_read", "circle_id", "must_read"),
    )

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(foreign_key="circles.id", max_length=32)
    kind: str = Field(max_length=16)
    # For a highlight: the message's author (the same as source_user_id).
    author_id: str = Field(foreign_key="users.id", max_length=32)
    text: str
    created: int = Field(sa_type=BigInteger)
    # Strictly increasing per circle (see lookups.next_post_time): the ``since`` cursor.
    updated: int = Field(sa_type=BigInteger)
    # When the text last changed (None: never). A promoted message or a must-read
    # its author rewrote afterwards shows as edited: what was starred or
    # acknowledged is not what it says now.
    edited: int | None = Field(default=None, sa_type=BigInteger)
    # Attachments as clients see them (JSON), or None (see Message.attachments);
    # a highlight carries its message's.
    attachments: str | None = Field(default=None)
    # Whom it mentions (store/mentions.py), or None.
    mentions: str | None = Field(default=None)
    deleted: bool = Field(default=False)
    pinned: bool = Field(default=False)
    pin_order: int | None = Field(default=None)
    pinned_until: int | None = Field(default=None, sa_type=BigInteger)
    must_read: bool = Field(default=False)
    # Bumped when the post becomes must-read and on every edit while it is one:
    # an ack counts only for the version it acknowledged.
    must_read_version: int = Field(default=0)
    # Counters kept in step in the transaction of each like and comment.
    like_count: int = Field(default=0)
    comment_count: int = Field(default=0)
    # The chat message as it was when promoted: it outlives retention.
    source_group: str | None = Field(default=None, max_length=32)
    source_seq: int | None = Field(default=None, sa_type=BigInteger)
    source_ts: int | None = Field(default=None, sa_type=BigInteger)
    source_user_id: str | None = Field(default=None, max_length=32)
    source_text: str | None = Field(default=None)
    # A highlight promoted from anything but a chat message (store/promotion.py):
    # its kind ("submission"), id, parent (the assignment) and the parent's title.
    source_kind: str | None = Field(default=None, max_length=16)
    source_ref: str | None = Field(default=None, max_length=32)
    source_parent: str | None = Field(default=None, max_length=32)
    source_title: str | None = Field(default=None, max_length=200)


class Comment(SQLModel, table=True):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_post_created", "post_id", "created", "id"),)

    id: str = Field(primary_key=True, max_length=32)
    post_id: str = Field(foreign_key="posts.id", max_length=32)
    author_id: str = Field(foreign_key="users.id", max_length=32)
    text: str
    created: int = Field(sa_type=BigInteger)
    # One level of replies: a top-level comment of the same post, or None.
    reply_to: str | None = Field(default=None, max_length=32)
    # Attachments as clients see them (JSON), or None (see Message.attachments).
    attachments: str | None = Field(default=None)
    # Whom it mentions (store/mentions.py), or None.
    mentions: str | None = Field(default=None)


class Like(SQLModel, table=True):
    __tablename__ = "likes"

    post_id: str = Field(foreign_key="posts.id", primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)


class Ack(SQLModel, table=True):
    __tablename__ = "acks"

    post_id: str = Field(foreign_key="posts.id", primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    # The post's must_read_version that was acknowledged.
    version: int
    at: int = Field(sa_type=BigInteger)


class Reaction(SQLModel, table=True):
    """A member's emoji on a chat message or a post: once per member per emoji.

    ``target`` is the message's group id with its ``seq``, or the post's id with
    seq 0 (messages count from 1): one key serves both, and the primary key
    (target, seq, emoji, user) is the index that reads a range of a group's
    messages, one message, or one post.
    """

    __tablename__ = "reactions"

    target: str = Field(primary_key=True, max_length=32)
    seq: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    emoji: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(max_length=32)
    ts: int = Field(sa_type=BigInteger)


class Poll(SQLModel, table=True):
    """A poll in a chat group (``group_id`` + ``seq``: the chat message that asks
    it) or on a post (``post_id``). ``options`` is the JSON text of a list of
    strings; the counts are read from ``poll_votes``, never stored."""

    __tablename__ = "polls"
    __table_args__ = (
        # A group's polls newest first (the client renders their messages as polls).
        Index("ix_polls_group_seq", "group_id", "seq"),
        # One poll per post.
        UniqueConstraint("post_id", name="uq_polls_post"),
    )

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(foreign_key="circles.id", max_length=32)
    group_id: str | None = Field(default=None, foreign_key="chat_groups.id", max_length=32)
    seq: int | None = Field(default=None, sa_type=BigInteger)
    post_id: str | None = Field(default=None, foreign_key="posts.id", max_length=32)
    author_id: str = Field(foreign_key="users.id", max_length=32)
    question: str = Field(max_length=300)
    options: str
    multiple: bool = Field(default=False)
    anonymous: bool = Field(default=False)
    closes_at: int | None = Field(default=None, sa_type=BigInteger)
    closed: bool = Field(default=False)
    created: int = Field(sa_type=BigInteger)


class PollVote(SQLModel, table=True):
    """One member's choice of one option (a multiple-choice poll: several rows)."""

    __tablename__ = "poll_votes"

    poll_id: str = Field(foreign_key="polls.id", primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    option: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    ts: int = Field(sa_type=BigInteger)


class ChangeRow(SQLModel, table=True):
    """The circle's change log: every change to its durable side, in rev order.

    A reconnecting client asks for the changes after the last rev it saw; a node
    fills the gaps of its live feed from here. ``data`` is the event's JSON.
    """

    __tablename__ = "changes"
    # Pruning by age walks this index.
    __table_args__ = (Index("ix_changes_ts", "ts"),)

    circle_id: str = Field(primary_key=True, max_length=32)
    rev: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    ts: int = Field(sa_type=BigInteger)
    kind: str = Field(max_length=32)
    data: str


class Attachment(SQLModel, table=True):
    """A file uploaded to a circle: its metadata and the keys of its blobs in the
    blob store (store/blobs.py), never its bytes. ``sha256`` is the hash of the
    bytes as uploaded; one circle holds them once (the same bytes uploaded again
    answer the row already there)."""

    __tablename__ = "attachments"
    __table_args__ = (
        UniqueConstraint("circle_id", "sha256", name="uq_attachments_circle_sha"),
        # A user's quota sums their uploads.
        Index("ix_attachments_uploader", "uploader_id"),
        # A circle's materials, newest first (Attachments.materials).
        Index("ix_attachments_circle_created", "circle_id", "created", "id"),
    )

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(foreign_key="circles.id", max_length=32)
    uploader_id: str = Field(foreign_key="users.id", max_length=32)
    sha256: str = Field(max_length=64)
    kind: str = Field(max_length=8)
    mime: str = Field(max_length=100)
    name: str = Field(max_length=255)
    size: int = Field(sa_type=BigInteger)
    width: int | None = Field(default=None)
    height: int | None = Field(default=None)
    duration_ms: int | None = Field(default=None, sa_type=BigInteger)
    blob_key: str = Field(max_length=200)
    thumb_key: str | None = Field(default=None, max_length=200)
    created: int = Field(sa_type=BigInteger)
    # When it was last uploaded again (deduplicated), or None: an attachment that
    # nothing uses is collected a grace period after the later of the two.
    touched: int | None = Field(default=None, sa_type=BigInteger)


class AttachmentUse(SQLModel, table=True):
    """One use of an attachment: by a chat message (``owner`` its group, ``seq``
    its seq) or by a post or comment (``owner`` its id, ``seq`` 0), at
    ``position`` among its attachments. What keeps an attachment's blob alive:
    the rows are its reference count. No foreign key to ``attachments``: a use is
    written in chat's group commit, where one bad row must not fail the batch."""

    __tablename__ = "attachment_uses"
    __table_args__ = (Index("ix_attachment_uses_attachment", "attachment_id"),)

    owner: str = Field(primary_key=True, max_length=32)
    seq: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    attachment_id: str = Field(max_length=32)


class Ban(SQLModel, table=True):
    """A user banned from a circle: removed, and no way back in (public join,
    codes, invite links, join requests) until an owner or admin lifts it."""

    __tablename__ = "bans"

    circle_id: str = Field(foreign_key="circles.id", primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=32)
    by_id: str = Field(max_length=32)
    reason: str | None = Field(default=None)
    created: int = Field(sa_type=BigInteger)


class AuditEntry(SQLModel, table=True):
    """One moderation act in a circle (store/audit.py): who did what to whom,
    when and why. Never changed, never pruned with chat: owners read and export
    it."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_circle_created", "circle_id", "created", "id"),)

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(max_length=32)
    created: int = Field(sa_type=BigInteger)
    actor_id: str = Field(max_length=32)
    action: str = Field(max_length=40)
    # What it was done to: "member" (a user id), "message" ("<group>:<seq>"),
    # "post", "comment", "code", "report", "circle"…
    target_kind: str = Field(max_length=16)
    target_id: str | None = Field(default=None, max_length=80)
    reason: str | None = Field(default=None)
    # Details of the act (JSON): a mute's end, a role before and after…
    data: str | None = Field(default=None)


class PaymentEvent(SQLModel, table=True):
    """A payment webhook call already applied (server/api/payments.py): its
    ``event_id`` is stored in the same transaction, so a retried call changes
    nothing twice."""

    __tablename__ = "payment_events"

    event_id: str = Field(primary_key=True, max_length=100)
    circle_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    received: int = Field(sa_type=BigInteger)


class Report(SQLModel, table=True):
    """A member's report of a chat message, post, comment or member to the circle's
    owners and admins (store/reports.py). It holds what was reported, not a copy
    of it: deleted content is gone from the queue too."""

    __tablename__ = "reports"
    __table_args__ = (
        # One report per member and target: reporting again answers the first.
        UniqueConstraint(
            "circle_id",
            "reporter_id",
            "target_kind",
            "target_id",
            name="uq_reports_reporter_target",
        ),
        # The queue: open (or resolved) reports, newest first.
        Index("ix_reports_queue", "circle_id", "status", "created", "id"),
        # The reports of one target (counted, resolved together).
        Index("ix_reports_target", "circle_id", "target_kind", "target_id"),
        # A member's own reports, newest first.
        Index("ix_reports_reporter", "reporter_id", "created", "id"),
    )

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(max_length=32)
    created: int = Field(sa_type=BigInteger)
    reporter_id: str = Field(max_length=32)
    # "message" ("<group>:<seq>"), "post", "comment", "member" (a user id).
    target_kind: str = Field(max_length=16)
    target_id: str = Field(max_length=80)
    # Who wrote it (the member themselves for "member"), when known.
    target_user_id: str | None = Field(default=None, max_length=32)
    reason: str = Field(max_length=16)
    text: str | None = Field(default=None)
    # "open", then "resolved" with an outcome, a note, who and when.
    status: str = Field(max_length=16)
    outcome: str | None = Field(default=None, max_length=16)
    note: str | None = Field(default=None)
    resolved_by: str | None = Field(default=None, max_length=32)
    resolved_at: int | None = Field(default=None, sa_type=BigInteger)


class SearchDoc(SQLModel, table=True):
    """One searchable text (store/search_index.py): a chat message, a post, a
    comment or an attachment's name, with its token string (store/search_tokens.py).
    The full-text index over ``tokens`` is the database's own and outside these
    models (store/search_schema.py): an FTS5 table on SQLite, a GIN index on
    ``to_tsvector('simple', tokens)`` on PostgreSQL."""

    __tablename__ = "search_docs"
    __table_args__ = (
        # One row per thing: a message is (its group, its seq), anything else (its id, 0).
        UniqueConstraint("ref", "seq", "kind", name="uq_search_docs_ref"),
        # A circle's rows (purging a deleted circle; PostgreSQL narrows a search by it).
        Index("ix_search_docs_circle", "circle_id", "ts"),
        # A post's comments (gone with the post).
        Index("ix_search_docs_post", "post_id"),
    )

    # SQLite: INTEGER PRIMARY KEY is the rowid, which the FTS5 table points at.
    id: int | None = Field(
        default=None,
        primary_key=True,
        sa_type=BigInteger().with_variant(Integer(), "sqlite"),
    )
    circle_id: str = Field(max_length=32)
    # "message", "post", "comment", "attachment".
    kind: str = Field(max_length=16)
    # A message's group, or the post's, comment's or attachment's id.
    ref: str = Field(max_length=32)
    # A message's seq; 0 for anything else.
    seq: int = Field(sa_type=BigInteger)
    # A comment's post.
    post_id: str | None = Field(default=None, max_length=32)
    user_id: str = Field(max_length=32)
    ts: int = Field(sa_type=BigInteger)
    # What it says (the snippet is cut from it) and its tokens.
    body: str
    tokens: str


def _table(name: str) -> Table:
    return metadata.tables[name]


USERS = _table("users")
GROUPS = _table("chat_groups")
GROUP_MEMBERS = _table("group_members")
TOKENS = _table("tokens")
CIRCLES = _table("circles")
MEMBERSHIPS = _table("memberships")
ACCESS_CODES = _table("access_codes")
MESSAGES = _table("messages")
STARS = _table("stars")
VETOES = _table("vetoes")
POSTS = _table("posts")
COMMENTS = _table("comments")
LIKES = _table("likes")
ACKS = _table("acks")
CHANGES = _table("changes")
REACTIONS = _table("reactions")
POLLS = _table("polls")
POLL_VOTES = _table("poll_votes")
ATTACHMENTS = _table("attachments")
ATTACHMENT_USES = _table("attachment_uses")
AUDIT_LOG = _table("audit_log")
BANS = _table("bans")
CODE_REDEMPTIONS = _table("code_redemptions")
JOIN_REQUESTS = _table("join_requests")
FOLLOWS = _table("follows")
REPORTS = _table("reports")
PAYMENT_EVENTS = _table("payment_events")
SEARCH_DOCS = _table("search_docs")

# Reaching members who are away: push subscriptions, email settings.
from .away_tables import CIRCLE_MAIL, MAIL_SETTINGS, PUSH_SUBSCRIPTIONS  # noqa: E402

# Check-in challenges keep their tables in their own module.
from .checkin_tables import CHALLENGE_MEMBERS, CHALLENGES, CHECKIN_MEDIA, CHECKINS  # noqa: E402

# And contests.
from .contest_tables import CONTEST_ENTRIES, CONTEST_VOTES, CONTESTS  # noqa: E402

# So do events (gatherings).
from .gathering_tables import GATHERINGS, RSVPS  # noqa: E402

# Homework keeps its tables in their own module.
from .homework_tables import (  # noqa: E402
    ASSIGNMENTS,
    SUBMISSION_COMMENTS,
    SUBMISSION_LIKES,
    SUBMISSIONS,
)

# Webhooks and bots (store/hook_tables.py).
from .hook_tables import BOT_SCOPES, INCOMING_HOOKS, WEBHOOK_DELIVERIES, WEBHOOKS  # noqa: E402

# The course plan (store/lessons.py) keeps its tables in its own module.
from .lesson_tables import LESSON_VIEWS, LESSONS  # noqa: E402

# The notification inbox.
from .notification_tables import NOTIFICATION_SETTINGS, NOTIFICATIONS  # noqa: E402

# And points.
from .point_tables import POINT_ENTRIES, POINT_RULES  # noqa: E402

__all__ = [
    "ACCESS_CODES",
    "ACKS",
    "ASSIGNMENTS",
    "ATTACHMENT_USES",
    "AUDIT_LOG",
    "BANS",
    "BOT_SCOPES",
    "CHALLENGES",
    "CHALLENGE_MEMBERS",
    "CHANGES",
    "CHECKINS",
    "CHECKIN_MEDIA",
    "CIRCLES",
    "CIRCLE_MAIL",
    "CODE_REDEMPTIONS",
    "COMMENTS",
    "CONTESTS",
    "CONTEST_ENTRIES",
    "CONTEST_VOTES",
    "FOLLOWS",
    "GATHERINGS",
    "GROUPS",
    "GROUP_MEMBERS",
    "INCOMING_HOOKS",
    "JOIN_REQUESTS",
    "LESSONS",
    "LESSON_VIEWS",
    "LIKES",
    "MAIL_SETTINGS",
    "MEMBERSHIPS",
    "MESSAGES",
    "NOTIFICATIONS",
    "NOTIFICATION_SETTINGS",
    "PAYMENT_EVENTS",
    "POINT_ENTRIES",
    "POINT_RULES",
    "POLLS",
    "POLL_VOTES",
    "POSTS",
    "PUSH_SUBSCRIPTIONS",
    "REACTIONS",
    "REPORTS",
    "RSVPS",
    "SEARCH_DOCS",
    "STARS",
    "SUBMISSIONS",
    "SUBMISSION_COMMENTS",
    "SUBMISSION_LIKES",
    "TOKENS",
    "USERS",
    "VETOES",
    "WEBHOOKS",
    "WEBHOOK_DELIVERIES",
    "AccessCode",
    "Ack",
    "ChangeRow",
    "Circle",
    "CodeRedemption",
    "Comment",
    "Follow",
    "Group",
    "GroupMember",
    "JoinRequest",
    "Like",
    "Member",
    "Message",
    "PaymentEvent",
    "Poll",
    "PollVote",
    "Post",
    "Reaction",
    "Report",
    "SearchDoc",
    "Star",
    "User",
    "Veto",
    "metadata",
]
