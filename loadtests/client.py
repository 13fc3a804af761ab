"""One simulated member: a Quanzi protocol session over one WebSocket.

Requests are matched to replies by `id`; `msg` pushes go straight into the
worker's `Stats` (latency from the send time carried in the nonce, seq into the
stream's ledger) without a task or a queue, because that is the hot path.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

import msgpack
import orjson

from protocol import SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK, codec_for

from .seqcheck import StreamLedger
from .stats import Stats
from .wsclient import LeanWebSocket, LibraryWebSocket, open_lean, open_library

NONCE_PREFIX = "lt-"
PushHook = Callable[["Client", dict[str, Any]], None]


def make_nonce(worker: int, conn: int, n: int, sent_ns: int) -> str:
    """Unique per user (worker, connection, counter) and carrying the send time."""
    return f"{NONCE_PREFIX}{worker}-{conn}-{n}-{sent_ns}"


def sent_ns_of(nonce: object) -> int | None:
    if isinstance(nonce, str) and nonce.startswith(NONCE_PREFIX):
        try:
            return int(nonce[nonce.rindex("-") + 1 :])
        except ValueError:
            return None
    return None


class RequestFailed(Exception):
    def __init__(self, reply: dict[str, Any]) -> None:
        super().__init__(f"{reply.get('code')}: {reply.get('message')}")
        self.code = str(reply.get("code"))
        self.reply = reply


class Client:
    def __init__(
        self,
        index: int,
        worker: int,
        url: str,
        token: str,
        codec: str,
        stats: Stats,
        library: bool = False,
        source: str | None = None,
    ) -> None:
        self.index, self.worker, self.url, self.token = index, worker, url, token
        self.source = source  # the local address to connect from (None: the kernel's choice)
        self.codec = codec_for(SUBPROTOCOL_MSGPACK if codec == "msgpack" else SUBPROTOCOL_JSON)
        # The shared codec validates what a server must not trust; a load generator reading
        # the server's own frames can skip that and save a third of its decoding time.
        self._decode = (
            (lambda b: msgpack.unpackb(b, raw=False)) if self.codec.binary else orjson.loads
        )
        self.stats = stats
        self.library = library
        self.ws: LeanWebSocket | LibraryWebSocket | None = None
        self.user: dict[str, Any] = {}
        self.ledgers: dict[str, StreamLedger] = {}
        # The circle of each stream joined (a group's; general's id is its circle's).
        self.circle_of: dict[str, str] = {}
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        # id -> (sent ns, stream): a stream is a chat group (general's id is its circle's)
        self.say_sent: dict[int, tuple[int, str]] = {}
        self.ids = itertools.count(1)
        self.nonces = itertools.count(1)
        self.closing = False
        self.on_push: PushHook | None = None
        # Called once with the arrival time (ns) of the next `msg`, then cleared.
        self.on_next_msg: Callable[[int], None] | None = None
        self.on_closed: Callable[[Client, int], None] | None = None

    # -- lifecycle
    async def connect(self, wait_s: float = 30.0) -> None:
        """Open the socket and say hello; records connect and hello times."""
        t0 = time.perf_counter_ns()
        opener = open_library if self.library else open_lean
        self.closing = False
        self.ws = await opener(
            self.url, self.codec.subprotocol, self._on_message, self._on_close, wait_s, self.source
        )
        t1 = time.perf_counter_ns()
        welcome = await self.request({"t": "hello", "token": self.token}, wait_s)
        t2 = time.perf_counter_ns()
        self.user = welcome.get("user") or {}
        self.stats.connect_us.record((t2 - t0) // 1000)
        self.stats.upgrade_us.record((t1 - t0) // 1000)

    async def join(
        self,
        circle: str,
        since: int | None = None,
        wait_s: float = 30.0,
        group: str | None = None,
    ) -> int:
        """Start the stream of a circle's chat group (general without `group`),
        resuming after `since`; its last_seq at the join."""
        stream = group or circle
        self.circle_of[stream] = circle
        ledger = self.ledgers.get(stream)
        if ledger is None:
            ledger = self.ledgers[stream] = StreamLedger(stream)
            self.stats.ledgers.append(ledger)
        frame: dict[str, Any] = {"t": "join", "circle": circle}
        if group is not None:
            frame["group"] = group
        if since is not None:
            frame["since"] = since
        reply = await self.request(frame, wait_s)
        if ledger.join_seq is None:
            ledger.join_seq = int(reply.get("last_seq", 0))
        ledger.open_at_end = True
        return int(reply.get("last_seq", 0))

    async def rejoin(self) -> None:
        """After a reconnect: every stream again, each from what its ledger has."""
        for stream, ledger in self.ledgers.items():
            circle = self.circle_of.get(stream, stream)
            group = None if stream == circle else stream
            await self.join(circle, since=ledger.resume_point(), group=group)

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            self.ws.close(1000)
            try:
                await asyncio.wait_for(asyncio.shield(self.ws.closed), 3)
            except TimeoutError:
                self.ws.abort()

    @property
    def is_open(self) -> bool:
        return self.ws is not None and self.ws.is_open

    # -- requests
    def send(self, frame: dict[str, Any]) -> None:
        assert self.ws is not None
        self.ws.send(self.codec.encode(frame), text=not self.codec.binary)

    async def request(self, frame: dict[str, Any], wait_s: float = 30.0) -> dict[str, Any]:
        rid = next(self.ids)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[rid] = fut
        frame["id"] = rid
        self.send(frame)
        try:
            reply = await asyncio.wait_for(fut, wait_s)
        finally:
            self.pending.pop(rid, None)
        if reply.get("t") == "error":
            raise RequestFailed(reply)
        return reply

    def say(self, circle: str, text: str, group: str | None = None) -> None:
        """Fire a say (in a group of the circle, or general); the ok (or error) is
        accounted for when it comes back."""
        now = time.time_ns()
        rid = next(self.ids)
        self.say_sent[rid] = (now, group or circle)
        nonce = make_nonce(self.worker, self.index, next(self.nonces), now)
        frame = {"t": "say", "id": rid, "circle": circle, "text": text, "nonce": nonce}
        if group is not None:
            frame["group"] = group
        self.send(frame)
        self.stats.says_sent += 1

    async def say_and_wait(self, circle: str, text: str, wait_s: float = 30.0) -> dict[str, Any]:
        """A say whose ok is awaited (closed-loop senders)."""
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        rid = next(self.ids)
        self.pending[rid] = fut
        now = time.time_ns()
        self.say_sent[rid] = (now, circle)
        nonce = make_nonce(self.worker, self.index, next(self.nonces), now)
        self.send({"t": "say", "id": rid, "circle": circle, "text": text, "nonce": nonce})
        self.stats.says_sent += 1
        try:
            return await asyncio.wait_for(fut, wait_s)
        finally:
            self.pending.pop(rid, None)

    # -- the hot path
    def _on_message(self, data: bytes, is_text: bool, now: int) -> None:
        try:
            m = self._decode(data)
        except Exception:
            self.stats.count_error("undecodable")
            return
        t = m.get("t")
        stats = self.stats
        if t == "msg":
            seq = m.get("seq")
            # Its group's ledger (servers before groups send only `circle`).
            ledger = self.ledgers.get(m.get("group") or m.get("circle"))
            if ledger is not None and isinstance(seq, int):
                ledger.add(seq)
            stats.deliveries += 1
            sent = sent_ns_of(m.get("nonce"))
            if sent is not None:
                stats.latency_us.record((now - sent) // 1000)
            if self.on_next_msg is not None:
                hook, self.on_next_msg = self.on_next_msg, None
                hook(now)
            return
        rid = m.get("id")
        if rid is not None:
            said = self.say_sent.pop(rid, None)
            if said is not None:
                self._on_say_reply(m, said, now)
            fut = self.pending.get(rid)
            if fut is not None and not fut.done():
                fut.set_result(m)
            elif said is None and t == "error":
                stats.count_error(str(m.get("code")))
            return
        if t == "error":
            stats.count_error(str(m.get("code")))
        elif t == "bye":
            stats.count_push("bye")
        else:
            stats.count_push(str(t))
        if self.on_push is not None:
            self.on_push(self, m)

    def _on_say_reply(self, m: dict[str, Any], said: tuple[int, str], now: int) -> None:
        sent, circle = said
        if m.get("t") == "ok" and isinstance(m.get("seq"), int):
            self.stats.record_ack(circle, m["seq"], (now - sent) // 1000)
        else:
            self.stats.count_error(f"say:{m.get('code')}")

    def _on_close(self, code: int, reason: str) -> None:
        for fut in self.pending.values():
            if not fut.done():
                fut.set_exception(ConnectionError(f"closed with {code} {reason}".strip()))
        self.pending.clear()
        self.stats.unacked += len(self.say_sent)
        self.say_sent.clear()
        if not self.closing:
            self.stats.count_close(code)
        if self.on_closed is not None:
            self.on_closed(self, code)
