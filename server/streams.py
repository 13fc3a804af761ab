"""Chat streams: joining a chat group (replay from the store, then live),
leaving it, and what a connection's chat requests rely on: the user's
membership of the circle and access to the group, cached on the connection.

A circle's general group has the circle's id: a protocol v1 client that joins
a circle joins it. A join replays what the client missed from the store and
then switches to the live stream without loss or duplicates: the group's
channel is subscribed before its last seq is read, and live messages that
arrive during the replay are held by the connection until the replay reaches
them.
"""

from __future__ import annotations

from typing import Any

from protocol import Gap, Joined
from store import Forbidden, GroupAccess, Membership, Store

from . import metrics
from .channels import Channels
from .connection import Connection, Stream
from .hub import Hub
from .join_cache import JoinCache
from .presence import PresenceTracker
from .sequencer import Sequencer
from .settings import Settings

# A `since` beyond any seq: the stream starts at the last seq read at the join.
_LATEST = 2**62
# Store reads of a membership while events keep dropping what was read.
_READS = 3


class Streams:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        hub: Hub,
        channels: Channels,
        chat: Sequencer,
        presence: PresenceTracker,
        cache: JoinCache,
    ) -> None:
        self.cache = cache
        self._settings = settings
        self._store = store
        self._hub = hub
        self._channels = channels
        self._chat = chat
        self._presence = presence
        # The circle of every group joined here (presence pushes name both).
        self.circle_of: dict[str, str] = {}

    async def membership(self, conn: Connection, circle: str) -> Membership | None:
        """The connection's membership of a circle, cached on the connection (a
        membership event drops it) and on the node (``JoinCache``: what the user's
        `hello` read), from the store when neither knows."""
        cached = conn.memberships.get(circle)
        if cached is not None:
            return cached
        known = self.cache.memberships(conn.user_id)
        if known is not None:
            cached = known.get(circle)
        else:
            # Read again while a membership event came during the read: the
            # answer kept must not be older than the last event heard.
            for _ in range(_READS):
                stamp = self.cache.stamp
                cached = await self._store.memberships.membership(circle, conn.user_id)
                if self.cache.memberships_unchanged(conn.user_id, stamp):
                    break
        if cached is not None:
            conn.memberships[circle] = cached
        return cached

    async def access(self, conn: Connection, circle: str, group: str) -> GroupAccess:
        """The user's access to a group of the circle, cached on the connection
        (group and membership events drop it): ``Forbidden``, ``NotFound``. The
        general group's from the membership and the circle's general chat
        settings (cached on the node while it follows the circle)."""
        cached = conn.groups.get(group)
        if cached is None or cached.circle != circle:
            if group == circle:
                cached = await self._general_access(conn, circle)
            else:
                cached = await self._store.groups.access(group, conn.user_id, circle)
            conn.groups[group] = cached
        return cached

    async def _general_access(self, conn: Connection, circle: str) -> GroupAccess:
        member = await self.membership(conn, circle)
        if member is None:
            raise Forbidden("not a member of this circle")
        chat = self.cache.general(circle)
        if chat is None:
            stamp = self.cache.stamp
            chat = await self._store.groups.general_chat(circle)
            # Only while the node follows the circle do its settings events come here.
            if self._hub.has_readers(circle):
                self.cache.keep_general(stamp, chat)
        return chat.access(member.role, member.joined_seq)

    async def join(
        self, conn: Connection, circle: str, group: str, since: int | None, reply_id: Any
    ) -> None:
        """Replay what the client missed, then stream live; `joined` goes first."""
        if await self.membership(conn, circle) is None:
            raise Forbidden("not a member of this circle")
        access = await self.access(conn, circle, group)
        self.circle_of[group] = circle
        # Without `since`, from the last seq read below (only what comes after it).
        start = _LATEST if since is None else since
        already = group in conn.streams
        conn.streams[group] = stream = Stream(circle=circle, last=max(start, access.floor))
        if self._hub.join(conn, group):
            self._chat.restart(group)
        # Subscribed before the last seq is read: nothing committed after it is lost.
        await self._channels.track(group)
        if not already:
            self._presence.joined(group, conn.user_id)
        # The group's live feed here, when it runs, knows its last seq.
        last = self._chat.started(group)
        if last is None:
            last = await self._store.chat.last_seq(group)
        self._chat.begin(group, last)
        # A `since` from the future (a reset database) must not hide new messages.
        stream.last = min(stream.last, last)
        online = self._presence.online(group)
        conn.send(
            Joined(id=reply_id, circle=circle, last_seq=last, online=online, group=group).to_map()
        )
        if stream.last < last:
            await self._replay(conn, group, last)
        # The group's live feed may have started (another join) past what we read.
        while stream.last < (ahead := self._chat.delivered(group)):
            if conn.closed or conn.streams.get(group) is not stream:
                break
            await self._replay(conn, group, ahead)
        conn.finish_replay(group)

    async def _replay(self, conn: Connection, group: str, last: int) -> None:
        """Messages up to `last` from the store; what retention pruned is a `gap`."""
        stream = conn.streams.get(group)
        while stream is not None and stream.last < last and not conn.closed:
            page = await self._store.chat.after(group, stream.last, self._settings.replay_page)
            # The first kept seq: anything between the stream and it was pruned
            # (before the join, or by a retention run during this replay).
            kept = page[0]["seq"] if page else last + 1
            if kept > stream.last + 1:
                to_seq = kept - 1
                gap = Gap(
                    circle=stream.circle, from_seq=stream.last + 1, to_seq=to_seq, group=group
                )
                conn.send(gap.to_map())
                stream.last = to_seq
            if not page:
                break
            for message in page:
                await conn.push_paced(conn.codec.encode({"t": "msg", **message}))
                stream.last = message["seq"]
            metrics.frame_out("msg").inc(len(page))
            stream = conn.streams.get(group)

    async def leave(self, conn: Connection, group: str) -> None:
        if group not in conn.streams:
            return
        self._hub.unjoin(conn, group)
        self._presence.left(group, conn.user_id)
        await self._channels.track(group)

    def ended(self, conn: Connection) -> None:
        """The connection is gone: it no longer counts as online anywhere."""
        for group in conn.streams:
            self._presence.left(group, conn.user_id)
