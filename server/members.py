"""Which of this node's connections belong to which circles, in what role, and
the circle events each of them gets.

A connection belongs to its user's circles from `hello` on (`load`), joined
to their chat or not. Membership events keep that current: a join adds the
user's connections here, a removal drops them (with a `left` push), a role
change takes effect at once. Group events keep what each connection may do
in each chat group current (a member removed from a group stops getting its
chat, with a `left` push naming the group). Every other event of a circle goes to its member
connections here that may see it (`events.visible_to`), encoded once per codec,
followed by the v1 `highlight` push it stands for.

A connection also follows the public circles its user follows without
belonging (store/follows.py): follow events (`follow.added`, `follow.removed`,
heard on every node like membership events) keep that current, and those
connections get the circle's feed events only (`FEED_EVENTS`: posts,
highlights, pins, must-read flags, the circle's settings and end) — never its
chat, members, polls, reactions or reports. The fan-out is per connection, as
for members: a follow costs the store one row, never a write per follower.

A node follows a circle's event stream (the feed sequencer, in rev order, gaps
filled from the store's change log) while one of its connections belongs to
the circle.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Container, Iterable

from protocol import Left
from protocol.events import (
    FEED_EVENTS,
    MANAGER_EVENTS,
    PERSONAL_EVENTS,
    CircleDeleted,
    CircleEvent,
    FollowAdded,
    FollowRemoved,
    GroupJoined,
    GroupLeft,
    GroupUpdated,
    MemberJoined,
    MemberLeft,
    MemberRemoved,
    MemberUpdated,
    MessageDeleted,
    MessageEdited,
    MessageStarred,
    MessageVetoed,
    PollClosed,
    PollCreated,
    PollVoted,
    PostAcked,
    ReactionChanged,
    ReportFiled,
    ReportResolved,
)
from protocol.homework_events import AUDIENCE_EVENTS, audience_sees
from protocol.server_frames import LeftReason
from store import MANAGER_ROLES, Store

from . import metrics
from .channels import Channels
from .connection import Connection
from .highlights import highlight_frames
from .hub import Hub
from .join_cache import JoinCache
from .presence import PresenceTracker
from .sequencer import Fetch, Sequencer
from .settings import Settings

# An event's place in its circle's stream, for the feed sequencer.
REV = operator.attrgetter("rev")
CIRCLE = operator.attrgetter("circle")


def visible_to(
    event: CircleEvent, user_id: str, role: str | None, groups: Container[str] = ()
) -> bool:
    """Whether a member (``role`` None: not a member) may see the event: every
    member, except that an acknowledgement reaches only the post's author and the
    circle's owners and admins, and what happens in the chat of a group other than
    general (stars, vetoes, deletes, edits, reactions and polls there) only those who
    may read that group (``groups``: the ones the viewer has joined), and join
    requests only the circle's owners and admins. Reports are the managers'
    business: a filed one reaches only owners and admins, a resolved one them and
    its reporter. A non-member (a follower, anyone reading a public circle) sees
    its feed only (``FEED_EVENTS``), and a personal event (a follow, a reminder)
    only the user it is about. Homework's submission events reach their student,
    the teachers and their audience (protocol/homework_events.py). The one rule,
    live and when catching up."""
    if isinstance(event, PERSONAL_EVENTS):
        return user_id == event.user
    if role is None:
        return isinstance(event, FEED_EVENTS)
    if isinstance(event, MANAGER_EVENTS):
        return role in MANAGER_ROLES
    if isinstance(event, PostAcked):
        return role in MANAGER_ROLES or user_id == event.author
    if isinstance(event, ReportFiled):
        return role in MANAGER_ROLES
    if isinstance(event, ReportResolved):
        return role in MANAGER_ROLES or user_id == event.reporter
    if isinstance(event, AUDIENCE_EVENTS):
        return audience_sees(event, user_id, role in MANAGER_ROLES)
    group = group_of(event)
    if group is not None:
        return role in MANAGER_ROLES or group in groups
    return True


def restricted(event: CircleEvent) -> bool:
    """Whether some members may not see the event (``visible_to`` decides who)."""
    return (
        isinstance(
            event,
            (
                PostAcked,
                ReportFiled,
                ReportResolved,
                *MANAGER_EVENTS,
                *PERSONAL_EVENTS,
                *AUDIENCE_EVENTS,
            ),
        )
        or group_of(event) is not None
    )


def group_of(event: CircleEvent) -> str | None:
    """The chat group (not general) whose chat an event is about; None for any
    other event (those every member may see). A promotion is the circle's: its
    `post.promoted` is for everyone, whichever group the message was said in."""
    if isinstance(
        event, MessageStarred | MessageVetoed | MessageDeleted | MessageEdited | PollVoted
    ):
        group = event.group
    elif isinstance(event, ReactionChanged):
        group = event.target.get("group")
    elif isinstance(event, PollCreated | PollClosed):
        group = event.poll.get("group")
    else:
        return None
    return None if group is None or group == event.circle else str(group)


log = logging.getLogger(__name__)


class Members:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        hub: Hub,
        channels: Channels,
        presence: PresenceTracker,
        fetch: Fetch,
        cache: JoinCache,
    ) -> None:
        self._store = store
        # What joins need (server/join_cache.py): filled at hello, kept true here.
        self._cache = cache
        self._hub = hub
        self._channels = channels
        self._presence = presence
        # The events of the circles that connections here belong to, in rev order,
        # gaps filled from the change log (``fetch``).
        self.feed = self._feed = Sequencer(
            fetch,
            self.deliver,
            hub.has_readers,
            wait_s=settings.reorder_wait_ms / 1000,
            page=settings.replay_page,
            position=REV,
            circle_of=CIRCLE,
        )
        # Connections reading their circles at hello, with the circles they were
        # removed from meanwhile (a stale read must not undo a removal).
        self._loading: dict[Connection, set[str]] = {}
        # The same for follows: the circles they stopped following meanwhile.
        self._unfollowed: dict[Connection, set[str]] = {}

    # -- at hello -----------------------------------------------------------------

    async def load(self, conn: Connection) -> None:
        """Register an authenticated connection with its user's circles.

        Called before `welcome`, so every event after it reaches the client. The
        connection is in the hub first: a join or removal that happens while its
        circles are read still reaches it.
        """
        self._hub.add(conn)
        # Another live connection of the user here already knows its circles
        # (membership events keep them current): reconnect storms skip the store.
        peer = next(
            (
                c
                for c in self._hub.of_user(conn.user_id)
                if c is not conn and c.open and c not in self._loading
            ),
            None,
        )
        lost = self._loading[conn] = set()
        unfollowed = self._unfollowed[conn] = set()
        try:
            if peer is not None:
                roles, follows = dict(peer.member_of), list(peer.follows)
            else:
                stamp = self._cache.stamp
                memberships = await self._store.memberships.memberships_of(conn.user_id)
                self._cache.keep_memberships(stamp, conn.user_id, memberships)
                roles = {circle: m.role for circle, m in memberships.items()}
                follows = await self._store.follows.circle_ids_of(conn.user_id)
        finally:
            del self._loading[conn]
            del self._unfollowed[conn]
        first = [
            circle
            for circle, role in roles.items()
            if circle not in lost and self._hub.add_member(conn, circle, role)
        ]
        first += [
            circle
            for circle in follows
            if circle not in unfollowed
            and circle not in roles
            and self._hub.add_follower(conn, circle)
        ]
        await self.follow(first)

    async def follow(self, circles: list[str]) -> None:
        """Start following the event streams of circles that just got their first
        member connection here: subscribed before their last rev is read, so
        nothing committed after it is lost."""
        if not circles:
            return
        for circle in circles:
            self._feed.restart(circle)
            self._cache.forget_circle(circle)
        for circle in circles:
            await self._channels.track(circle)
        revs = await self._store.changes.last_revs(circles)
        for circle in circles:
            self._feed.begin(circle, revs.get(circle, 0))

    def heard(self, event: CircleEvent) -> None:
        """A membership event from the broker, applied at once and then put in order.

        At once, because the feed may drop it as old (a connection's first load
        read the circle's last rev after it committed) and because a user of this
        node who joined a circle nobody here follows makes the node follow it, from
        this event on (what came before is not the newcomer's business). Applying
        it again in order (``deliver``) changes nothing, or puts a reordered role
        change right.
        """
        if isinstance(event, MemberJoined | MemberUpdated | FollowAdded):
            user = event.user if isinstance(event, FollowAdded) else event.member["user"]
            if self._hub.of_user(user):
                followed = self._hub.has_readers(event.circle)
                if isinstance(event, FollowAdded):
                    self._admit_follower(event.circle, user)
                else:
                    self._admit(event.circle, user, event.member["role"])
                if not followed and self._hub.has_readers(event.circle):
                    self._feed.restart(event.circle)
                    self._cache.forget_circle(event.circle)
                    self._feed.begin(event.circle, event.rev - 1)
                    self._channels.spawn(self._catch_up_after_subscribing(event.circle))
        elif isinstance(event, MemberLeft | MemberRemoved):
            self._drop(event.circle, event.user)
        elif isinstance(event, FollowRemoved):
            self._drop_follower(event.circle, event.user)
            if not self._hub.has_readers(event.circle):
                # Nobody here reads the circle any more: the feed will not bring
                # it, so the user's other tabs hear it now.
                self._hub.broadcast(self._hub.of_user(event.user), event.to_map())
        self._feed.message(event)

    async def _catch_up_after_subscribing(self, circle: str) -> None:
        await self._channels.track(circle)
        self._feed.expect(circle, await self._store.changes.last_rev(circle))

    async def recheck(self) -> None:
        """Re-read the memberships of every user connected here (after a broker
        outage: membership events may have been lost meanwhile)."""
        for user_id in {conn.user_id for conn in self._hub.connections}:
            now = await self._store.memberships.roles_of(user_id)
            follows = set(await self._store.follows.circle_ids_of(user_id)) - set(now)
            conns = self._hub.of_user(user_id)
            known = {circle for conn in conns for circle in (*conn.member_of, *conn.streams)}
            for circle in known - set(now):
                self._drop(circle, user_id)
            for circle in {circle for conn in conns for circle in conn.follows} - follows:
                self._drop_follower(circle, user_id)
            first = [
                circle
                for circle, role in now.items()
                for conn in conns
                if self._hub.add_member(conn, circle, role)
            ]
            first += [
                circle
                for circle in follows
                for conn in conns
                if self._hub.add_follower(conn, circle)
            ]
            await self.follow(first)

    def forget(self, conn: Connection) -> list[str]:
        """The connection is gone; returns the circles it was in."""
        return self._hub.remove(conn)

    # -- events, in rev order --------------------------------------------------------

    def deliver(self, event: CircleEvent) -> None:
        """An event in its circle's order: apply what it says about membership, then
        push it to every member connection here allowed to see it."""
        # Heard already, unless the change log filled a gap with it.
        self._cache.heard(event)
        if isinstance(event, MemberJoined | MemberUpdated):
            self._admit(event.circle, event.member["user"], event.member["role"])
        elif isinstance(event, MemberLeft | MemberRemoved):
            self._drop(event.circle, event.user)
        elif isinstance(event, GroupUpdated):
            for conn in self._hub.members(event.circle):
                conn.groups.pop(event.group["id"], None)
        elif isinstance(event, GroupJoined):
            for conn in self._hub.of_user(event.user):
                conn.groups.pop(event.group, None)
        elif isinstance(event, GroupLeft):
            self._drop_group(event.circle, event.group, event.user)
        elif isinstance(event, FollowAdded):
            self._admit_follower(event.circle, event.user)
        elif isinstance(event, FollowRemoved):
            self._drop_follower(event.circle, event.user)
        members: Iterable[Connection] = self._hub.members(event.circle)
        if isinstance(event, PERSONAL_EVENTS):
            # Only to the user it is about (their tabs here, following or not now).
            members = self._hub.of_user(event.user)
        elif isinstance(event, FEED_EVENTS):
            members = [*members, *self._hub.followers(event.circle)]
        elif restricted(event):
            # A connection reads a group it has joined here (or whose access it
            # checked): the others read the group's stars, reactions and polls
            # when they open it.
            members = [
                c
                for c in members
                if visible_to(event, c.user_id, c.member_of[event.circle], (*c.streams, *c.groups))
            ]
        # The event, then the v1 `highlight` it stands for (only unrestricted
        # events have one): each encoded once per codec for all of them.
        count = self._hub.broadcast(members, event.to_map(), *highlight_frames(event))
        metrics.deliveries.inc(count)
        if isinstance(event, CircleDeleted):
            # Told, then out: `left` with reason `circle_deleted` on each connection.
            self._drop_everyone(event.circle)
            for conn in list(self._hub.followers(event.circle)):
                self._hub.drop_follower(conn, event.circle)
            self._channels.track_soon(event.circle)

    def _admit(self, circle: str, user_id: str, role: str) -> None:
        """The user belongs to the circle in this role (joined, or role changed)."""
        for conn in self._hub.of_user(user_id):
            conn.memberships.pop(circle, None)  # name and role are read again
            _forget_groups(conn, circle)
            self._hub.add_member(conn, circle, role)
        self._channels.track_soon(circle)

    def _admit_follower(self, circle: str, user_id: str) -> None:
        """The user follows the circle: their connections here that do not belong
        to it get its feed."""
        for conn in self._hub.of_user(user_id):
            self._hub.add_follower(conn, circle)
        self._channels.track_soon(circle)

    def _drop_follower(self, circle: str, user_id: str) -> None:
        """The user follows the circle no more: their connections here stop its feed
        (no `left` push: they were never in it; the `follow.removed` event says it)."""
        conns = self._hub.of_user(user_id)
        for conn in conns:
            unfollowed = self._unfollowed.get(conn)
            if unfollowed is not None:
                unfollowed.add(circle)
            self._hub.drop_follower(conn, circle)
        if conns:
            self._channels.track_soon(circle)

    def _drop_everyone(self, circle: str) -> None:
        """The circle is deleted: every connection here leaves it (`left` with
        reason `circle_deleted`)."""
        users = {conn.user_id for conn in self._hub.members(circle)}
        for user_id in users:
            self._drop(circle, user_id, "circle_deleted")

    def _drop(self, circle: str, user_id: str, reason: LeftReason = "removed") -> None:
        """The user is no longer in the circle: their connections here leave it (a
        `left` push)."""
        conns = self._hub.of_user(user_id)
        frame = Left(circle=circle, reason=reason).to_map()
        groups: set[str] = set()
        for conn in conns:
            conn.memberships.pop(circle, None)
            _forget_groups(conn, circle)
            lost = self._loading.get(conn)
            if lost is not None:
                lost.add(circle)
            had = circle in conn.member_of or circle in conn.streams
            self._hub.drop_member(conn, circle)
            # Out of the circle is out of every group of it (general included).
            for group, stream in list(conn.streams.items()):
                if stream.circle == circle:
                    self._presence.left(group, user_id)
                    self._hub.unjoin(conn, group)
                    groups.add(group)
            if had:
                conn.send(frame)
        if conns:
            self._channels.track_soon(circle)
        for group in groups - {circle}:
            self._channels.track_soon(group)

    def _drop_group(self, circle: str, group: str, user_id: str) -> None:
        """The user is out of one group: their connections here stop its chat."""
        frame = Left(circle=circle, reason="removed", group=group).to_map()
        dropped = False
        for conn in self._hub.of_user(user_id):
            conn.groups.pop(group, None)
            if group in conn.streams:
                self._presence.left(group, user_id)
                self._hub.unjoin(conn, group)
                conn.send(frame)
                dropped = True
        if dropped:
            self._channels.track_soon(group)


def _forget_groups(conn: Connection, circle: str) -> None:
    """Drop the connection's cached group access of a circle (read again on use)."""
    for group in [g for g, access in conn.groups.items() if access.circle == circle]:
        del conn.groups[group]
