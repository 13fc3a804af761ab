"""The node wires hub, broker, presence and store together, and dispatches
what the broker brings by type.

Two kinds of stream, one road each:

- chat, per chat group of a circle (general's id is the circle's): a `say` is
  group-committed by the store, which calls `_on_committed` right after the
  commit; the node publishes each message on its group's channel, and every
  node (this one included) puts it in seq order (`sequencer.py`) and hands it
  to the connections joined to the group (`streams.py` joins and replays);
- circle events: every other change of a circle is logged by the store in its
  transaction and handed over after the commit (`events.py` builds each event
  once and publishes it); every node puts them in rev order (a second
  sequencer, gaps filled from the change log) and hands them to the circle's
  member connections (`members.py`), joined to its chat or not.
"""

from __future__ import annotations

import asyncio
import logging
import operator
from collections.abc import Awaitable
from typing import Any

from protocol import MEMBERSHIP_EVENTS, Bye, CloseCode, Presence, ReadPush, TypingPush
from store import Store, TokenLifetimes, Unauthenticated, token_hash

from . import cluster, metrics
from .admission import Admission
from .broker import ALL, Broker, circle_channel
from .channels import Channels
from .connection import Connection
from .digests import Digests
from .events import Events
from .housekeeping import Housekeeping
from .hub import Hub
from .inbox import Inbox
from .join_cache import JoinCache
from .limits import Limits
from .mail_channel import MustReadMail
from .mail_links import MailLinks
from .mailer import Mailer
from .media.storage import Media
from .members import Members
from .messages import (
    BrokerMessage,
    ChatMessage,
    CircleChange,
    NotificationsRead,
    Notified,
    ReadMarker,
    Resync,
    TokenRevoked,
    Typing,
)
from .presence import PresenceTracker
from .ratelimit import Limiter
from .reads import ReadMarkers
from .revocations import RevokedTokens
from .sequencer import Sequencer
from .settings import Settings
from .slow_mode import SlowMode
from .streams import Streams
from .vapid import VapidKeys
from .webhook_sender import WebhookSender
from .webpush import WebPush

log = logging.getLogger(__name__)

# A chat message's stream: its group.
GROUP = operator.itemgetter("group")
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


class Node:
    def __init__(self, settings: Settings, store: Store, broker: Broker) -> None:
        self.settings = settings
        self.store = store
        self.broker = broker
        self.hub = hub = Hub()
        metrics.send_queue_depth.set_function(hub.queued_frames)
        self.presence: PresenceTracker = cluster.make_presence(settings, broker)
        self.channels = Channels(broker, hub.interested)
        wait_s, page = settings.reorder_wait_ms / 1000, settings.replay_page
        # Live messages reach the hub through it: in seq order, gaps filled from the store.
        self.chat = Sequencer(
            store.chat.after,
            hub.deliver_message,
            lambda group: any(True for _ in hub.listeners(group)),
            wait_s=wait_s,
            page=page,
            circle_of=GROUP,
        )
        self.events = Events(store, broker)
        # What a chat join needs, on the node (server/join_cache.py).
        self.join_cache = JoinCache(settings.join_cache_size)
        # Circle events reach the members through its feed: in rev order, gaps
        # filled from the change log.
        self.members = Members(
            settings, store, hub, self.channels, self.presence, self.events.since, self.join_cache
        )
        self.feed = self.members.feed
        self.streams = Streams(
            settings, store, hub, self.channels, self.chat, self.presence, self.join_cache
        )
        self.revoked = RevokedTokens(settings.revoked_tokens_kept)
        # The user's chat rate, on every node (the bucket outlives the sockets).
        self.say_limiter: Limiter = cluster.make_say_limiter(settings)
        self.slow_mode = SlowMode()
        # Every other rate limit (per IP and per user) and the login backoff.
        self.limits = Limits(settings)
        # Every connection cap (per node, address and user): http_protocol.py asks
        # it for each connection, `connect` for each hello.
        self.admission = Admission(settings)
        self.reads = ReadMarkers(settings, store, broker)
        # The notification inbox, live on every node (server/inbox.py).
        self.inbox = Inbox(store, broker, hub, self.channels)
        # Blobs of uploads (server/media/storage.py): local disk or S3.
        self.media = Media(settings)
        self.housekeeping = Housekeeping(settings, store, self.media)
        # Members who are away: Web Push to their devices (server/webpush.py).
        self.vapid = VapidKeys.load(settings)
        self.webpush = WebPush(
            settings, store.push_subscriptions, self.vapid, store.notifications.unread_count
        )
        # And email (server/mailer.py; off without an SMTP host): digests, must-reads.
        self.mailer = Mailer(settings)
        self.mail_links = MailLinks.load(settings)
        self.must_read_mail = MustReadMail(store, self.mailer, self.mail_links)
        self.housekeeping.digests = Digests(settings, store, self.mailer, self.mail_links)
        # Outgoing webhooks' deliveries (server/webhook_sender.py).
        self.webhooks = WebhookSender(settings, store)
        self.accepting = True
        self._tasks: list[asyncio.Task[None]] = []
        # Says waiting for their commit, over all sessions (shutdown awaits them).
        self.says_in_flight: set[asyncio.Future[Any]] = set()

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
            password_workers=settings.password_workers,
            password_queue=settings.password_queue,
            membership_grace_ms=int(settings.membership_grace_s * 1000),
            token_lifetimes=TokenLifetimes(
                token_idle_ms=int(settings.token_idle_days * DAY_MS),
                token_max_ms=int(settings.token_max_days * DAY_MS),
                token_touch_ms=int(settings.token_touch_hours * HOUR_MS),
            ),
        )
        node = cls(settings, store, cluster.make_broker(settings))
        # Changes committed from now on take the event route.
        store.on_changes = node.events.committed
        store.on_notifications = node.inbox.committed
        await node.broker.start(node._received)
        await node.presence.start()
        await node.say_limiter.start()
        await node.limits.start()
        await node.broker.subscribe(ALL)
        node._tasks.append(asyncio.create_task(node._presence_loop()))
        node._tasks.append(asyncio.create_task(node._keepalive_loop()))
        if settings.redis_url:
            streams = [
                (node.chat, store.chat.last_seqs),
                (node.feed, store.changes.last_revs),
            ]
            node._tasks.append(
                asyncio.create_task(cluster.tail_check_loop(settings.tail_check_s, streams))
            )
        # The away channels the node owns (server/away.py): Web Push always (it reaches
        # only members who switched a device on), email with an SMTP host.
        node.housekeeping.away.channels.append(node.webpush)
        if node.mailer.enabled:
            node.housekeeping.away.channels.append(node.must_read_mail)
        # The cluster-wide jobs run once per deployment (QUANZI_BACKGROUND_JOBS: of
        # a set of workers only worker 0); the channels they feed run everywhere.
        if settings.background_jobs:
            node.housekeeping.start()
            node.webhooks.start()
        else:
            log.info("background jobs off here (QUANZI_BACKGROUND_JOBS=0)")
        node.webpush.start()
        node.mailer.start()
        await node.media.ready()
        return node

    # -- connections ------------------------------------------------------------

    async def authenticate(self, token: str) -> tuple[dict[str, Any], int]:
        """The token's user, and the count of revocations heard (`RevokedTokens.mark`)
        before the store said so. A live connection with the same token here answers
        without the store (reconnect storms), with the mark of its own read."""
        digest = token_hash(token)
        if digest in self.revoked:
            raise Unauthenticated("invalid or expired token")
        for peer in self.hub.of_token(digest):
            if peer.open:
                return peer.user, peer.token_mark
        mark = self.revoked.mark()
        user = await self.store.accounts.authenticate(token)
        if user.get("bot"):
            # A bot (store/bots.py): its messages' `from` say so.
            return {"id": user["id"], "name": user["name"], "bot": True}, mark
        return {"id": user["id"], "name": user["name"]}, mark

    async def connect(self, conn: Connection) -> None:
        """An authenticated connection: it belongs to its user's circles from now on.

        ``Unauthenticated`` when its token was revoked meanwhile: registered first,
        checked second, so that a logout heard before or after is never missed.
        ``TooManySockets`` when its user has ``user_sockets`` open here already.
        """
        self.admission.open_socket(conn.user_id, conn)
        await self.members.load(conn)
        revoked = self.revoked.check(conn.token_hash, conn.token_mark)
        if revoked is None:
            # Too many logouts to remember since the read: ask the store again
            # (conclusive now that a later revocation finds the connection).
            conn.token_mark = self.revoked.mark()
            await self.store.accounts.authenticate(conn.token)
        elif revoked:
            raise Unauthenticated("invalid or expired token")

    async def disconnect(self, conn: Connection) -> None:
        self.admission.socket_closed(conn.user_id, conn)
        self.streams.ended(conn)
        for circle in self.members.forget(conn):
            await self.channels.track(circle)

    async def token_revoked(self, *token_hashes: str) -> None:
        """Sessions ended (logout, sessions list, password change): close their
        connections on every node. By token hash, which is all the store keeps."""
        for digest in token_hashes:
            self.broker.publish(ALL, TokenRevoked(digest))

    # -- what the broker brings -------------------------------------------------

    def _on_committed(self, messages: list[dict[str, Any]]) -> None:
        metrics.commit_batch.observe(len(messages))
        metrics.commit_seconds.observe(self.store.chat.stats.last_seconds)
        for message in messages:
            self.broker.publish(circle_channel(message["group"]), ChatMessage(message))

    def _received(self, message: BrokerMessage) -> None:
        if isinstance(message, ChatMessage):
            self.chat.message(message.message)
        elif isinstance(message, CircleChange):
            # At once: a join after this must not use what the event changed.
            self.join_cache.heard(message.event)
            if isinstance(message.event, MEMBERSHIP_EVENTS):
                self.members.heard(message.event)
            else:
                self.feed.message(message.event)
        elif isinstance(message, Typing):
            # To the group's listeners here, but not to the typist's own connections.
            frame = TypingPush(message.circle, message.group, message.user).to_map()
            listeners = self.hub.listeners(message.group)
            self.hub.broadcast([c for c in listeners if c.user_id != message.user["id"]], frame)
        elif isinstance(message, ReadMarker):
            # To every listener of the group, the reader's own other tabs too.
            push = ReadPush(message.circle, message.group, message.user, message.seq)
            self.hub.broadcast(self.hub.listeners(message.group), push.to_map())
        elif isinstance(message, Notified):
            self.inbox.heard(message)
        elif isinstance(message, NotificationsRead):
            self.inbox.heard_read(message)
        elif isinstance(message, TokenRevoked):
            self.revoked.add(message.token_hash)
            for conn in self.hub.of_token(message.token_hash):
                conn.close(CloseCode.UNAUTHENTICATED)
        elif isinstance(message, Resync):
            self.join_cache.clear()
            self.channels.spawn(
                cluster.resync([self.chat, self.feed], self._recheck_tokens, self.members.recheck)
            )

    def typing(self, conn: Connection, circle: str, group: str) -> None:
        """The user types in a group they may read: told to its listeners on every
        node, at most once per ``typing_interval_s`` per connection and group (more
        are dropped without a word: typing is a hint, not a request)."""
        now = asyncio.get_running_loop().time()
        if now < conn.typing_until.get(group, 0.0):
            return
        conn.typing_until[group] = now + self.settings.typing_interval_s
        member = conn.memberships.get(circle)
        name = member.name if member is not None else conn.user.get("name", "")
        user = {"id": conn.user_id, "name": name}
        self.broker.publish(circle_channel(group), Typing(circle, group, user))

    async def _recheck_tokens(self) -> None:
        for token in {conn.token for conn in self.hub.connections}:
            try:
                await self.store.accounts.authenticate(token)
            except Unauthenticated:
                self._received(TokenRevoked(token_hash(token)))

    async def _presence_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.presence_interval_s)
            for group, online in self.presence.changes():
                circle = self.streams.circle_of.get(group, group)
                frame = Presence(circle=circle, online=online, group=group).to_map()
                self.hub.broadcast(self.hub.listeners(group), frame)

    async def _keepalive_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.ping_interval_s)
            for conn in list(self.hub.connections):
                conn.link.keepalive()

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
        await _bounded("webhooks", self.webhooks.stop(), 2 * grace)
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
        self.chat.close()
        self.feed.close()
        self.reads.close()
        await _bounded("presence close", self.presence.close(), grace)
        await _bounded("rate limiter close", self.say_limiter.close(), grace)
        await _bounded("limits close", self.limits.close(), grace)
        await _bounded("push close", self.webpush.close(), grace)
        await _bounded("mailer close", self.mailer.close(), grace)
        await _bounded("broker close", self.broker.close(), grace)
        await _bounded("store close", self.store.close(), grace)
        await _bounded("media close", self.media.close(), grace)


async def _bounded(step: str, awaitable: Awaitable[Any], seconds: float) -> None:
    """One shutdown step, given up (and logged) after `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            await awaitable
    except TimeoutError:
        log.error("shutdown: %s did not finish in %.1f s; going on", step, seconds)
    except Exception:
        log.exception("shutdown: %s failed; going on", step)
