"""Faults with real processes: a node killed or stopped under load, Redis gone
for ten seconds. Acknowledged messages are never lost or duplicated, and every
member ends up with every message, in order."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosed

from tests import timing
from tests.e2e.harness import Api, Client, ServerProcess, seconds
from tests.e2e.multinode.conftest import StartNodes
from tests.e2e.multinode.test_cluster_chat import members
from tests.services import RedisServer

_GONE = (ConnectionError, ConnectionClosed, TimeoutError, OSError)


@dataclass
class Follower:
    """A member following a circle's chat, moving to another node when its own
    goes away and resuming with `since`: every seq it was given, in order."""

    token: str
    circle: str
    urls: list[str]
    codec: str = "json"
    seqs: list[int] = field(default_factory=list)
    reconnects: int = 0
    byes: int = 0
    close_codes: list[int | None] = field(default_factory=list)
    client: Client | None = None
    task: asyncio.Task[None] | None = None

    async def start(self) -> Follower:
        self.client = await self._join(self.urls[0], None)
        self.task = asyncio.create_task(self._run())
        return self

    async def _join(self, url: str, since: int | None) -> Client:
        client = await Client.open(url, self.token, self.codec)
        frame: dict[str, Any] = {"t": "join", "circle": self.circle}
        if since is not None:
            frame["since"] = since
        reply = await client.request(frame)
        assert reply["t"] == "joined", reply
        return client

    async def _run(self) -> None:
        node = 0
        while True:
            client = self.client
            assert client is not None
            frame = await _next_push(client)
            if frame is None:  # the connection is gone: resume on the next node
                self.close_codes.append(client.ws.close_code)
                node = (node + 1) % len(self.urls)
                since = self.seqs[-1] if self.seqs else 0
                self.client = await self._join(self.urls[node], since)
                self.reconnects += 1
            elif frame["t"] == "msg":
                self.seqs.append(frame["seq"])
            elif frame["t"] == "bye":
                self.byes += 1

    async def until(self, last: int, timeout: float) -> None:
        deadline = time.monotonic() + seconds(timeout)
        while (self.seqs[-1] if self.seqs else 0) < last:
            if time.monotonic() > deadline:
                raise TimeoutError(f"follower at {self.seqs[-1:]} of {last}")
            if self.task is not None and self.task.done():
                self.task.result()
            await timing.sleep(0.02)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.close()


async def _next_push(client: Client) -> dict[str, Any] | None:
    """The next push, or None once the connection closed and everything was read."""
    while True:
        if not client.pushes.empty():
            return client.pushes.get_nowait()
        if client.reader.done():
            return None
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(client.pushes.get(), 0.1)


@dataclass
class Sender:
    """Says numbered messages until stopped; a say without a reply is sent again
    with the same nonce through the next node."""

    k: int
    token: str
    circle: str
    urls: list[str]
    acked: dict[str, int] = field(default_factory=dict)
    resent: int = 0
    client: Client | None = None

    async def run(self, stop: asyncio.Event, pause: float = 0.005) -> None:
        node = 0
        self.client = await Client.open(self.urls[node], self.token)
        i = 0
        while not stop.is_set():
            nonce = f"{self.k}-{i}"
            frame = {"t": "say", "circle": self.circle, "text": f"{self.k}:{i}", "nonce": nonce}
            while True:
                try:
                    if self.client.reader.done():
                        raise ConnectionError("closed")
                    reply = await self.client.request(frame, timeout=3)
                    break
                except _GONE:
                    node = (node + 1) % len(self.urls)
                    self.resent += 1
                    self.client = await _open_retrying(self.urls[node], self.token)
            assert reply["t"] == "ok", reply
            self.acked[nonce] = reply["seq"]
            i += 1
            await timing.sleep(pause)

    async def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.close()


async def _open_retrying(url: str, token: str) -> Client:
    for _ in range(50):
        try:
            return await Client.open(url, token)
        except (OSError, ConnectionClosed, TimeoutError):
            await timing.sleep(0.1)
    raise RuntimeError(f"cannot connect to {url}")


async def stored(node: ServerProcess, token: str, circle: str) -> list[dict[str, Any]]:
    """Every message of the circle in the store, oldest first."""
    client = await Client.open(node.ws, token)
    out: list[dict[str, Any]] = []
    before = None
    while True:
        frame: dict[str, Any] = {"t": "history", "circle": circle, "limit": 200}
        if before is not None:
            frame["before"] = before
        page = await client.request(frame)
        out[:0] = page["messages"]
        if not page["more"]:
            break
        before = page["messages"][0]["seq"]
    await client.close()
    return out


def check_complete(
    history: list[dict[str, Any]], senders: list[Sender], followers: list[Follower]
) -> None:
    """No acknowledged message lost or stored twice; every follower got every seq once, in order."""
    seqs = [m["seq"] for m in history]
    assert seqs == list(range(1, len(seqs) + 1)), "the store's seqs have a gap or a duplicate"
    nonces = [m["nonce"] for m in history]
    assert len(nonces) == len(set(nonces)), "a nonce was stored twice"
    by_nonce = {m["nonce"]: m["seq"] for m in history}
    for sender in senders:
        for nonce, seq in sender.acked.items():
            assert by_nonce.get(nonce) == seq, f"acknowledged {nonce}@{seq} is not stored"
    for follower in followers:
        assert follower.seqs == seqs, (
            f"follower got {len(follower.seqs)} seqs, store has {len(seqs)}; "
            f"first difference at {_first_difference(follower.seqs, seqs)}"
        )


def _first_difference(a: list[int], b: list[int]) -> int | None:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


async def chatters(
    people: list[tuple[str, dict[str, Any]]], circle: str, urls: list[str]
) -> tuple[list[Follower], list[Sender]]:
    """Four followers (started, both codecs) and four senders of eight people,
    half of each starting on either node."""
    followers = [
        await Follower(people[i][0], circle, urls if i % 2 == 0 else urls[::-1], codec).start()
        for i, codec in zip(range(4), ["json", "msgpack", "msgpack", "json"], strict=True)
    ]
    senders = [
        Sender(k, people[4 + k][0], circle, urls if k % 2 == 0 else urls[::-1]) for k in range(4)
    ]
    return followers, senders


async def test_a_node_killed_under_load_loses_nothing_acknowledged(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    a, b = start_nodes(2, shared_redis)
    api = Api(b.http)
    circle, people = await members(api, 8)
    # Half of everyone on the doomed node a.
    followers, senders = await chatters(people, circle, [a.ws, b.ws])
    stop = asyncio.Event()
    running = [asyncio.create_task(s.run(stop)) for s in senders]
    await timing.sleep(1.5)
    before = sum(len(s.acked) for s in senders)
    a.stop(signal.SIGKILL)
    killed_at = time.monotonic()
    await timing.sleep(2)
    stop.set()
    await asyncio.gather(*running)
    history = await stored(b, people[0][0], circle)
    for follower in followers:
        await follower.until(len(history), timeout=10)
    await timing.sleep(0.3)  # anything trailing would be a duplicate
    check_complete(history, senders, followers)
    moved = [f for f in followers if f.reconnects]
    assert len(moved) == 2 and all(f.reconnects == 1 for f in moved)
    assert sum(s.resent for s in senders) >= 2
    after = sum(len(s.acked) for s in senders) - before
    assert after > 0, "nothing was acknowledged after the kill"
    print(
        f"\nSIGKILL: {len(history)} messages stored, {before} acked before the kill, "
        f"{after} after; clients moved within {time.monotonic() - killed_at:.1f}s"
    )
    for f in followers:
        await f.stop()
    for s in senders:
        await s.close()
    await api.close()


async def test_sigterm_says_bye_and_clients_resume_on_the_other_node(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    a, b = start_nodes(2, shared_redis)
    api = Api(b.http)
    circle, people = await members(api, 4)
    urls = [a.ws, b.ws]
    followers = [await Follower(people[i][0], circle, urls).start() for i in range(2)]
    senders = [Sender(k, people[2 + k][0], circle, urls) for k in range(2)]
    stop = asyncio.Event()
    running = [asyncio.create_task(s.run(stop)) for s in senders]
    await timing.sleep(1)
    a.proc.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    await timing.sleep(1.5)
    stop.set()
    await asyncio.gather(*running)
    assert a.stop() in (0, -signal.SIGTERM)
    history = await stored(b, people[0][0], circle)
    for follower in followers:
        await follower.until(len(history), timeout=10)
    await timing.sleep(0.3)
    check_complete(history, senders, followers)
    for follower in followers:
        assert follower.byes == 1 and follower.close_codes == [1012], follower
    for f in followers:
        await f.stop()
    for s in senders:
        await s.close()
    await api.close()


async def test_redis_away_for_ten_seconds(start_nodes: StartNodes, own_redis: RedisServer) -> None:
    a, b = start_nodes(2, own_redis.url)
    api = Api(a.http)
    circle, people = await members(api, 4)
    # ann and cat on node a, bob and dan on node b.
    followers = [
        await Follower(people[i][0], circle, [node.ws], codec).start()
        for i, node, codec in [(0, a, "json"), (1, b, "msgpack"), (2, a, "msgpack"), (3, b, "json")]
    ]
    ann, _, cat, _ = followers
    senders = [Sender(0, people[0][0], circle, [a.ws]), Sender(1, people[1][0], circle, [b.ws])]
    for sender in senders:
        sender.client = await Client.open(sender.urls[0], sender.token)

    async def say(sender: Sender, text: str) -> int:
        assert sender.client is not None
        reply = await sender.client.request(
            {"t": "say", "circle": circle, "text": text, "nonce": text}
        )
        assert reply["t"] == "ok", reply
        sender.acked[text] = reply["seq"]
        return int(reply["seq"])

    await say(senders[0], "before-a")
    await say(senders[1], "before-b")
    for f in followers:
        await f.until(2, timeout=5)

    # A second session of ann's, on node b, logged out through node a while
    # Redis is away: the logout must still reach node b once Redis is back.
    r = await api.call("POST", "/auth/login", json={"handle": "user0", "password": "correct horse"})
    doomed_token = r.json()["token"]
    doomed = await Client.open(b.ws, doomed_token)

    own_redis.stop()
    stopped_at = time.monotonic()
    async with httpx.AsyncClient() as http:
        for node in (a, b):
            for _ in range(100):
                body = (await http.get(f"{node.http}/healthz")).json()
                if body["broker"] is False:
                    break
                await timing.sleep(0.05)
            assert body["status"] == "degraded" and body["broker_state"]["connected"] is False
    # Both nodes still store and acknowledge; members on the same node keep chatting.
    local_checks = 0
    i = 0
    while time.monotonic() - stopped_at < seconds(10):
        seq_a = await say(senders[0], f"outage-a-{i}")
        await cat.until(seq_a, timeout=2)  # same node as the sender
        await say(senders[1], f"outage-b-{i}")
        local_checks += 1
        i += 1
        await timing.sleep(0.2)
    assert local_checks >= 5
    assert (await api.call("POST", "/auth/logout", doomed_token)).status_code == 204

    own_redis.start()
    back_at = time.monotonic()
    history = await stored(a, people[0][0], circle)
    for f in followers:
        await f.until(len(history), timeout=5)
    caught_up = time.monotonic() - back_at
    assert await doomed.closed(timeout=5) == 4001
    await timing.sleep(0.3)
    check_complete(history, senders, followers)
    # And live chat across nodes again.
    async with httpx.AsyncClient() as http:
        for node in (a, b):
            for _ in range(100):
                if (await http.get(f"{node.http}/healthz")).json()["broker"]:
                    break
                await timing.sleep(0.05)
    last = await say(senders[1], "after")
    await ann.until(last, timeout=2)
    print(
        f"\nRedis away {back_at - stopped_at:.1f}s: {len(history)} messages, "
        f"every member had all of them {caught_up:.2f}s after Redis returned"
    )
    assert caught_up < 5
    for f in followers:
        await f.stop()
    for s in senders:
        await s.close()
    await api.close()
