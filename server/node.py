"""The node wires hub, broker, presence and store together.

Chat flows one way: a `say` is group-committed by the store, which calls
`_on_committed` right after the commit; the node publishes each message to
the broker, and every node (this one included) hands it to its hub. Order and
completeness come from the store's seq; a joining connection replays from the
store and then switches to the live stream without loss or duplicates.

Highlights flow the same way: a post change is published on the circle's
channel, and every node hands it to all the connections of the circle's
members there, joined to its chat or not. A node subscribes a circle's
channel while any of its connections listens to that circle or belongs to it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Coroutine
from typing import Any

from protocol import Bye, CloseCode, Gap, Joined, Left, Presence
from store import Membership, Store
from store.errors import Forbidden

from . import cluster, metrics
from .broker import ALL, Broker, Event, circle_channel
from .connection import Connection, Stream
from .highlights import Action, highlight_event, highlight_frame
from .housekeeping import Housekeeping
from .hub import Hub
from .presence import PresenceTracker
from .ratelimit import RateLimiter
from .sequencer import Sequencer
from .settings import Settings

log = logging.getLogger(__name__)


class Node:
    def __init__(self, settings: Settings, store: Store, broker: Broker) -> None:
        self.settings = settings
        self.store = store
        self.broker = broker
        self.hub = Hub()
        metrics.send_queue_depth.set_function(self.hub.queued_frames)
        self.presence: PresenceTracker = cluster.make_presence(settings, broker)
        # Live messages reach the hub through it: in seq order, gaps filled from the store.
        self.sequencer = Sequencer(
            store.chat.after,
            self.hub.deliver_message,
            lambda circle: any(True for _ in self.hub.listeners(circle)),
            wait_s=settings.reorder_wait_ms / 1000,
            page=settings.replay_page,
        )
        self.say_limiter = RateLimiter(settings.say_rate_per_s, settings.say_burst)
        self.accepting = True
        self._tasks: list[asyncio.Task[None]] = []
        # Says waiting for their commit, over all sessions (shutdown awaits them).
        self.says_in_flight: set[asyncio.Future[Any]] = set()
        self.housekeeping = Housekeeping(settings, store, self.publish_highlight)
        # Circles whose broker channel this node subscribed, and a lock per circle
        # so that a subscribe and an unsubscribe of one channel never interleave.
        self._subscribed: set[str] = set()
        self._channel_locks: dict[str, asyncio.Lock] = {}
        # Connections reading their circles at hello, with the circles they were
        # removed from meanwhile (a stale read must not undo a removal).
        self._loading: dict[Connection, set[str]] = {}
        self._background: set[asyncio.Task[None]] = set()

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
        node = cls(settings, store, cluster.make_broker(settings))
        await node.broker.start(node._deliver)
        await node.presence.start()
        await node.broker.subscribe(ALL)
        node._tasks.append(asyncio.create_task(node._presence_loop()))
        node._tasks.append(asyncio.create_task(node._keepalive_loop()))
        if settings.redis_url:
            node._tasks.append(asyncio.create_task(cluster.tail_check_loop(node)))
        node.housekeeping.start()
        return node

    # -- connections ------------------------------------------------------------

    async def authenticate(self, token: str) -> dict[str, str]:
        """The token's user. A live connection with the same token here answers
        without the store: a revoked token's connections are closed at once."""
        for peer in self.hub.of_token(token):
            if peer.open:
                return peer.user
        user = await self.store.accounts.authenticate(token)
        return {"id": user["id"], "name": user["name"]}

    async def connect(self, conn: Connection) -> None:
        """Register an authenticated connection with the circles of its user.

        Called before `welcome`, so every highlight after it reaches the client.
        The connection is in the hub first: a join or removal that happens while
        its circles are read still reaches it.
        """
        self.hub.add(conn)
        # Another live connection of the user here already knows its circles
        # (membership events keep them current): reconnect storms skip the store.
        peer = next(
            (
                c
                for c in self.hub.of_user(conn.user_id)
                if c is not conn and c.open and c not in self._loading
            ),
            None,
        )
        lost = self._loading[conn] = set()
        try:
            if peer is not None:
                circles = list(peer.member_of)
            else:
                circles = await self.store.circles.circle_ids_of(conn.user_id)
        finally:
            del self._loading[conn]
        for circle in circles:
            if circle not in lost:
                self.hub.add_member(conn, circle)
                await self._track(circle)

    async def _track(self, circle: str) -> None:
        """Hold the circle's broker channel exactly while a connection here needs it."""
        lock = self._channel_locks.setdefault(circle, asyncio.Lock())
        async with lock:
            wanted = self.hub.interested(circle)
            if wanted and circle not in self._subscribed:
                await self.broker.subscribe(circle_channel(circle))
                self._subscribed.add(circle)
            elif not wanted and circle in self._subscribed:
                self._subscribed.discard(circle)
                await self.broker.unsubscribe(circle_channel(circle))
        if not lock.locked() and not self.hub.interested(circle):
            self._channel_locks.pop(circle, None)

    def _track_soon(self, circle: str) -> None:
        """`_track` from synchronous code (broker events)."""
        self._spawn(self._track(circle))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run in the background, held until done."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

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
            self.sequencer.restart(circle)
        # Subscribed before the last seq is read: nothing committed after it is lost.
        await self._track(circle)
        if not already:
            self.presence.joined(circle, conn.user_id)
        last = await self.store.chat.last_seq(circle)
        self.sequencer.begin(circle, last)
        # A `since` from the future (a reset database) must not hide new messages.
        stream.last = min(stream.last, last)
        online = self.presence.online(circle)
        conn.send(Joined(id=reply_id, circle=circle, last_seq=last, online=online).to_map())
        if stream.last < last:
            await self._replay(conn, circle, stream.last, last)
        # The circle's live feed may have started (another join) past what we read.
        while stream.last < (ahead := self.sequencer.delivered(circle)):
            if conn.closed or conn.streams.get(circle) is not stream:
                break
            await self._replay(conn, circle, stream.last, ahead)
        conn.finish_replay(circle)

    async def _replay(self, conn: Connection, circle: str, start: int, last: int) -> None:
        """Messages after `start` from the store; what retention pruned is a `gap`."""
        stream = conn.streams.get(circle)
        while stream is not None and stream.last < last and not conn.closed:
            page = await self.store.chat.after(circle, stream.last, self.settings.replay_page)
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
        self.hub.unjoin(conn, circle)
        self.presence.left(circle, conn.user_id)
        await self._track(circle)

    async def disconnect(self, conn: Connection) -> None:
        for circle in conn.streams:
            self.presence.left(circle, conn.user_id)
        for circle in self.hub.remove(conn):
            await self._track(circle)
        if not self.hub.of_user(conn.user_id):
            self.say_limiter.forget(conn.user_id)

    # -- highlights ---------------------------------------------------------------

    def publish_highlight(self, action: Action, post: dict[str, Any]) -> None:
        """Push a post change to every connected member of its circle, on every node.

        Call it after the change is committed (the store's methods return then).
        """
        self.broker.publish(circle_channel(post["circle"]), highlight_event(action, post))

    # -- events between nodes -------------------------------------------------

    def _on_committed(self, messages: list[dict[str, Any]]) -> None:
        metrics.commit_batch.observe(len(messages))
        metrics.commit_seconds.observe(self.store.chat.stats.last_seconds)
        for message in messages:
            self.broker.publish(circle_channel(message["circle"]), {"k": "msg", "m": message})

    def _deliver(self, channel: str, event: Event) -> None:
        kind = event.get("k")
        if kind == "msg":
            self.sequencer.message(event["m"])
        elif kind == "highlight":
            self.hub.broadcast(self.hub.members(event["circle"]), highlight_frame(event))
        elif kind == "presence":
            frame = Presence(circle=event["circle"], online=event["online"]).to_map()
            self.hub.broadcast(self.hub.listeners(event["circle"]), frame)
        elif kind == "revoke":
            for conn in self.hub.of_token(event["token"]):
                conn.close(CloseCode.UNAUTHENTICATED)
        elif kind == "removed":
            self._drop_member(event["circle"], event["user"], event["reason"])
        elif kind == "resync":
            self._spawn(cluster.resync(self))
        elif kind == "member":
            self._member_changed(event["circle"], event["user"])
        else:
            log.warning("unknown broker event %r on %s", kind, channel)

    def _member_changed(self, circle: str, user_id: str) -> None:
        """A user joined the circle or their role or name changed there."""
        conns = self.hub.of_user(user_id)
        for conn in conns:
            conn.memberships.pop(circle, None)
            self.hub.add_member(conn, circle)
        if conns:
            self._track_soon(circle)

    def _drop_member(self, circle: str, user_id: str, reason: str) -> None:
        frame = Left(circle=circle, reason=reason).to_map()
        conns = self.hub.of_user(user_id)
        for conn in conns:
            conn.memberships.pop(circle, None)
            lost = self._loading.get(conn)
            if lost is not None:
                lost.add(circle)
            self.hub.drop_member(conn, circle)
            if circle in conn.streams:
                self.presence.left(circle, user_id)
                self.hub.unjoin(conn, circle)
            conn.send(frame)
        if conns:
            self._track_soon(circle)

    async def _presence_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.presence_interval_s)
            for circle, online in self.presence.changes():
                self._deliver("", {"k": "presence", "circle": circle, "online": online})

    async def _keepalive_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.ping_interval_s)
            for conn in list(self.hub.connections):
                conn.link.keepalive()

    # -- hooks for the HTTP API ----------------------------------------------

    async def token_revoked(self, token: str) -> None:
        self.broker.publish(ALL, {"k": "revoke", "token": token})

    async def member_removed(self, circle: str, user_id: str, reason: str = "removed") -> None:
        self.broker.publish(
            ALL, {"k": "removed", "circle": circle, "user": user_id, "reason": reason}
        )

    def membership_changed(self, circle: str, user_id: str) -> None:
        self.broker.publish(ALL, {"k": "member", "circle": circle, "user": user_id})

    # -- shutdown ---------------------------------------------------------------

    async def shutdown(self) -> None:
        """Stop accepting, flush pending writes, say bye, close with 1012.

        Every step is bounded: a SIGTERM must end the process even when Redis
        or the database stopped answering (what was committed stays committed).
        """
        if not self.accepting:
            return
        self.accepting = False
        for task in self._tasks:
            task.cancel()
        grace = self.settings.shutdown_grace_s
        await _bounded("housekeeping", self.housekeeping.stop(), 2 * grace)
        await _bounded("commit flush", self.store.chat.flush(), grace)
        if self.says_in_flight:
            await asyncio.wait(list(self.says_in_flight), timeout=grace)
        bye = Bye(reason="shutdown").to_map()
        conns = list(self.hub.connections)
        self.hub.broadcast(conns, bye)
        for conn in conns:
            conn.close(CloseCode.RESTART)
        if conns:
            drained = asyncio.gather(*(c.drained() for c in conns), return_exceptions=True)
            await _bounded("socket drain", drained, grace)

    async def close(self) -> None:
        grace = self.settings.shutdown_grace_s
        self.sequencer.close()
        await _bounded("presence close", self.presence.close(), grace)
        await _bounded("broker close", self.broker.close(), grace)
        await _bounded("store close", self.store.close(), grace)


async def _bounded(step: str, awaitable: Awaitable[Any], seconds: float) -> None:
    """One shutdown step, given up (and logged) after `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            await awaitable
    except TimeoutError:
        log.error("shutdown: %s did not finish in %.1f s; going on", step, seconds)
    except Exception:
        log.exception("shutdown: %s failed; going on", step)
