"""Chat streams: joining a circle's chat (replay from the store, then live),
leaving it, and the membership a connection's chat requests rely on.

A join replays what the client missed from the store and then switches to the
live stream without loss or duplicates: the circle's channel is subscribed
before its last seq is read, and live messages that arrive during the replay
are held by the connection until the replay reaches them.
"""

from __future__ import annotations

from typing import Any

from protocol import Gap, Joined
from store import Forbidden, Membership, Store

from . import metrics
from .channels import Channels
from .connection import Connection, Stream
from .hub import Hub
from .presence import PresenceTracker
from .sequencer import Sequencer
from .settings import Settings


class Streams:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        hub: Hub,
        channels: Channels,
        chat: Sequencer,
        presence: PresenceTracker,
    ) -> None:
        self._settings = settings
        self._store = store
        self._hub = hub
        self._channels = channels
        self._chat = chat
        self._presence = presence

    async def membership(self, conn: Connection, circle: str) -> Membership | None:
        """The connection's membership of a circle, cached on the connection (a
        membership event drops the cache)."""
        cached = conn.memberships.get(circle)
        if cached is None:
            cached = await self._store.memberships.membership(circle, conn.user_id)
            if cached is not None:
                conn.memberships[circle] = cached
        return cached

    async def join(self, conn: Connection, circle: str, since: int | None, reply_id: Any) -> None:
        """Replay what the client missed, then stream live; `joined` goes first."""
        member = await self.membership(conn, circle)
        if member is None:
            raise Forbidden("not a member of this circle")
        info = await self._store.circles.get(circle, conn.user_id)
        floor = member.history_floor(info)
        start = info["last_seq"] if since is None else since
        start = max(start, floor)
        already = circle in conn.streams
        conn.streams[circle] = stream = Stream(last=start)
        if self._hub.join(conn, circle):
            self._chat.restart(circle)
        # Subscribed before the last seq is read: nothing committed after it is lost.
        await self._channels.track(circle)
        if not already:
            self._presence.joined(circle, conn.user_id)
        last = await self._store.chat.last_seq(circle)
        self._chat.begin(circle, last)
        # A `since` from the future (a reset database) must not hide new messages.
        stream.last = min(stream.last, last)
        online = self._presence.online(circle)
        conn.send(Joined(id=reply_id, circle=circle, last_seq=last, online=online).to_map())
        if stream.last < last:
            await self._replay(conn, circle, last)
        # The circle's live feed may have started (another join) past what we read.
        while stream.last < (ahead := self._chat.delivered(circle)):
            if conn.closed or conn.streams.get(circle) is not stream:
                break
            await self._replay(conn, circle, ahead)
        conn.finish_replay(circle)

    async def _replay(self, conn: Connection, circle: str, last: int) -> None:
        """Messages up to `last` from the store; what retention pruned is a `gap`."""
        stream = conn.streams.get(circle)
        while stream is not None and stream.last < last and not conn.closed:
            page = await self._store.chat.after(circle, stream.last, self._settings.replay_page)
            # The first kept seq: anything between the stream and it was pruned
            # (before the join, or by a retention run during this replay).
            kept = page[0]["seq"] if page else last + 1
            if kept > stream.last + 1:
                to_seq = kept - 1
                conn.send(Gap(circle=circle, from_seq=stream.last + 1, to_seq=to_seq).to_map())
                stream.last = to_seq
            if not page:
                break
            for message in page:
                await conn.push_paced(conn.codec.encode({"t": "msg", **message}))
                stream.last = message["seq"]
            metrics.frame_out("msg").inc(len(page))
            stream = conn.streams.get(circle)

    async def leave(self, conn: Connection, circle: str) -> None:
        if circle not in conn.streams:
            return
        self._hub.unjoin(conn, circle)
        self._presence.left(circle, conn.user_id)
        await self._channels.track(circle)

    def ended(self, conn: Connection) -> None:
        """The connection is gone: it no longer counts as online anywhere."""
        for circle in conn.streams:
            self._presence.left(circle, conn.user_id)
