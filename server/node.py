"""The node wires hub, broker, presence and store together.

Chat flows one way: a `say` is group-committed by the store, which calls
`_on_committed` right after the commit; the node publishes each message to
the broker, and every node (this one included) hands it to its hub. Order and
completeness come from the store's seq; a joining connection replays from the
store and then switches to the live stream without loss or duplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from protocol import Bye, CloseCode, Joined, Left, Presence
from store import Membership, Store
from store.errors import Forbidden

from . import metrics
from .broker import ALL, Broker, Event, InProcessBroker, circle_channel
from .connection import Connection, Stream, to_wire
from .hub import Hub
from .presence import LocalPresence
from .ratelimit import RateLimiter
from .settings import Settings

log = logging.getLogger(__name__)


class Node:
    def __init__(self, settings: Settings, store: Store, broker: Broker) -> None:
        self.settings = settings
        self.store = store
        self.broker = broker
        self.hub = Hub()
        self.presence = LocalPresence()
        self.say_limiter = RateLimiter(settings.say_rate_per_s, settings.say_burst)
        self.accepting = True
        self._tasks: list[asyncio.Task[None]] = []
        # Says waiting for their commit, over all sessions (shutdown awaits them).
        self.says_in_flight: set[asyncio.Task[None]] = set()

    @classmethod
    async def start(cls, settings: Settings) -> Node:
        if not settings.database_url:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        node: Node
        store = await Store.open(
            settings.store_url,
            on_committed=lambda messages: node._on_committed(messages),
            batch_max=settings.commit_batch_max,
            password_time_cost=settings.password_time_cost,
        )
        node = cls(settings, store, InProcessBroker())
        await node.broker.start(node._deliver)
        await node.broker.subscribe(ALL)
        node._tasks.append(asyncio.create_task(node._presence_loop()))
        return node

    # -- chat streams -------------------------------------------------------

    async def membership(self, conn: Connection, circle: str) -> Membership | None:
        """The connection's membership of a circle, cached on the connection."""
        cached = conn.memberships.get(circle)
        if cached is None:
            cached = await self.store.circles.membership(circle, conn.user_id)
            if cached is not None:
                conn.memberships[circle] = cached
        return cached

    async def join(self, conn: Connection, circle: str, since: int | None, reply_id: Any) -> None:
        """Replay what the client missed, then stream live; `joined` goes first."""
        member = await self.membership(conn, circle)
        if member is None:
            raise Forbidden("not a member of this circle")
        info = await self.store.circles.get(circle, conn.user_id)
        floor = 0 if info["history_for_new_members"] else member.joined_seq
        start = info["last_seq"] if since is None else since
        start = max(start, floor)
        already = circle in conn.streams
        conn.streams[circle] = stream = Stream(last=start)
        if self.hub.join(conn, circle):
            await self.broker.subscribe(circle_channel(circle))
        if not already:
            self.presence.joined(circle, conn.user_id)
        last = await self.store.chat.last_seq(circle)
        # A `since` from the future (a reset database) must not hide new messages.
        stream.last = min(stream.last, last)
        online = self.presence.online(circle)
        conn.send(Joined(id=reply_id, circle=circle, last_seq=last, online=online).to_map())
        if stream.last < last:
            await self._replay(conn, circle, stream.last, last)
        conn.finish_replay(circle)

    async def _replay(self, conn: Connection, circle: str, start: int, last: int) -> None:
        first = await self.store.chat.first_seq(circle)
        if first is None or first > start + 1:
            to_seq = last if first is None else first - 1
            conn.send({"t": "gap", "circle": circle, "from_seq": start + 1, "to_seq": to_seq})
            conn.streams[circle].last = to_seq
        stream = conn.streams.get(circle)
        while stream is not None and stream.last < last and not conn.closed:
            page = await self.store.chat.after(circle, stream.last, self.settings.replay_page)
            if not page:
                break
            for message in page:
                await conn.push_paced(to_wire(conn.codec, {"t": "msg", **message}))
                stream.last = message["seq"]
            metrics.frames_out.labels("msg").inc(len(page))
            stream = conn.streams.get(circle)

    async def leave(self, conn: Connection, circle: str) -> None:
        if circle not in conn.streams:
            return
        if self.hub.unjoin(conn, circle):
            await self.broker.unsubscribe(circle_channel(circle))
        self.presence.left(circle, conn.user_id)

    async def disconnect(self, conn: Connection) -> None:
        for circle in list(conn.streams):
            await self.leave(conn, circle)
        self.hub.remove(conn)
        if not self.hub.of_user(conn.user_id):
            self.say_limiter.forget(conn.user_id)

    # -- events between nodes -------------------------------------------------

    def _on_committed(self, messages: list[dict[str, Any]]) -> None:
        metrics.commit_batch.observe(len(messages))
        metrics.commit_seconds.observe(self.store.chat.stats.last_seconds)
        for message in messages:
            self.broker.publish(circle_channel(message["circle"]), {"k": "msg", "m": message})

    def _deliver(self, channel: str, event: Event) -> None:
        kind = event.get("k")
        if kind == "msg":
            self.hub.deliver_message(event["m"])
        elif kind == "presence":
            frame = Presence(circle=event["circle"], online=event["online"]).to_map()
            self.hub.broadcast(self.hub.listeners(event["circle"]), frame)
        elif kind == "revoke":
            for conn in self.hub.of_token(event["token"]):
                conn.close(CloseCode.UNAUTHENTICATED)
        elif kind == "removed":
            self._drop_member(event["circle"], event["user"], event["reason"])
        elif kind == "member":
            for conn in self.hub.of_user(event["user"]):
                conn.memberships.pop(event["circle"], None)
        else:
            log.warning("unknown broker event %r on %s", kind, channel)

    def _drop_member(self, circle: str, user_id: str, reason: str) -> None:
        frame = Left(circle=circle, reason=reason).to_map()
        for conn in self.hub.of_user(user_id):
            conn.memberships.pop(circle, None)
            if circle in conn.streams:
                self.presence.left(circle, user_id)
                if self.hub.unjoin(conn, circle):
                    asyncio.ensure_future(self.broker.unsubscribe(circle_channel(circle)))
            conn.send(frame)

    async def _presence_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.presence_interval_s)
            for circle, online in self.presence.changes():
                self._deliver("", {"k": "presence", "circle": circle, "online": online})

    # -- hooks for the HTTP API ----------------------------------------------

    async def token_revoked(self, token: str) -> None:
        self.broker.publish(ALL, {"k": "revoke", "token": token})

    async def member_removed(self, circle: str, user_id: str, reason: str = "removed") -> None:
        self.broker.publish(
            ALL, {"k": "removed", "circle": circle, "user": user_id, "reason": reason}
        )

    def membership_changed(self, circle: str, user_id: str) -> None:
        self.broker.publish(ALL, {"k": "member", "circle": circle, "user": user_id})

    def circle_changed(self, circle: str) -> None:
        """Circle settings are read from the store on each join: nothing cached yet."""

    # -- shutdown ---------------------------------------------------------------

    async def shutdown(self) -> None:
        """Stop accepting, flush pending writes, say bye, close with 1012."""
        self.accepting = False
        for task in self._tasks:
            task.cancel()
        await self.store.chat.flush()
        if self.says_in_flight:
            await asyncio.wait(list(self.says_in_flight), timeout=self.settings.shutdown_grace_s)
        bye = Bye(reason="shutdown").to_map()
        conns = list(self.hub.connections)
        self.hub.broadcast(conns, bye)
        for conn in conns:
            conn.close(CloseCode.RESTART)
        if conns:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.shutdown_grace_s):
                    await asyncio.gather(*(c.drained() for c in conns), return_exceptions=True)

    async def close(self) -> None:
        await self.broker.close()
        await self.store.close()
