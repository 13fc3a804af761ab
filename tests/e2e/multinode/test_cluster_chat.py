"""Two or three nodes behind one Redis and one PostgreSQL database: members on
different nodes chat, see each other online, get highlights, and are logged
out or removed everywhere."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import httpx

from tests import timing
from tests.e2e.harness import Api, Client, ServerProcess, seconds
from tests.e2e.multinode.conftest import StartNodes


async def members(api: Api, count: int) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """A circle owned by the first of ``count`` users; every user is a member."""
    people = [await api.signup(f"user{i}", f"User {i}") for i in range(count)]
    circle = await api.circle(people[0][0], "Across")
    for token, _ in people[1:]:
        r = await api.join(token, circle)
        assert r.status_code == 200, r.text
    return circle, people


async def test_nodes_report_redis_in_healthz(two_nodes: list[ServerProcess]) -> None:
    ids = set()
    async with httpx.AsyncClient() as http:
        for node in two_nodes:
            body = (await http.get(f"{node.http}/healthz")).json()
            assert body["status"] == "ok" and body["broker"] is True, body
            state = body["broker_state"]
            assert state["kind"] == "redis" and state["connected"] is True, state
            ids.add(state["node"])
    assert len(ids) == 2


async def test_members_on_two_nodes_chat(
    two_nodes: list[ServerProcess], api: Api, codec: str
) -> None:
    a, b = two_nodes
    circle, [(ann_token, _), (bob_token, _)] = await members(api, 2)
    ann = await Client.open(a.ws, ann_token, codec)
    bob = await Client.open(b.ws, bob_token, codec)
    await ann.request({"t": "join", "circle": circle})
    await bob.request({"t": "join", "circle": circle})

    ok = await ann.say(circle, "hello from A", nonce="a1")
    got = await bob.push("msg")
    assert (got["seq"], got["text"], got["nonce"]) == (ok["seq"], "hello from A", "a1")
    assert got["from"]["name"] == "User 0"
    assert (await ann.push("msg"))["seq"] == 1  # the sender's own node too
    ok = await bob.say(circle, "hello from B")
    got = await ann.push("msg")
    assert (got["seq"], got["text"], got["from"]["name"]) == (2, "hello from B", "User 1")
    assert ok["seq"] == 2 and (await bob.push("msg"))["seq"] == 2
    await ann.close()
    await bob.close()


async def test_ten_senders_on_three_nodes_every_member_gets_every_seq_once_in_order(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    nodes = start_nodes(3, shared_redis)
    api = Api(nodes[0].http)
    circle, people = await members(api, 10)
    per_sender = 30
    # Two listeners on every node, in both codecs.
    listeners = [
        await Client.open(node.ws, people[i][0], codec)
        for i, (node, codec) in enumerate(itertools.product(nodes, ["json", "msgpack"]))
    ]
    for listener in listeners:
        await listener.request({"t": "join", "circle": circle})
    senders = [await Client.open(nodes[i % 3].ws, people[i][0]) for i in range(10)]
    acked: list[int] = []

    async def send(k: int, client: Client) -> None:
        for i in range(per_sender):
            reply = await client.request(
                {"t": "say", "circle": circle, "text": f"{k}:{i}", "nonce": f"{k}-{i}"}
            )
            assert reply["t"] == "ok", reply
            acked.append(reply["seq"])

    started = time.monotonic()
    await asyncio.gather(*(send(k, c) for k, c in enumerate(senders)))
    total = 10 * per_sender
    assert sorted(acked) == list(range(1, total + 1))
    for listener in listeners:
        got = await listener.messages(total, timeout=20)
        seqs = [m["seq"] for m in got]
        assert seqs == list(range(1, total + 1)), seqs
        # Each sender's messages in the order it sent them.
        for k in range(10):
            mine = [m["text"] for m in got if m["nonce"].startswith(f"{k}-")]
            assert mine == [f"{k}:{i}" for i in range(per_sender)]
    elapsed = time.monotonic() - started
    # Nothing more: no duplicate trails behind.
    await timing.sleep(0.3)
    for listener in listeners:
        assert all(f["t"] != "msg" for f in _drain(listener))
    print(f"\n{total} messages from 10 senders on 3 nodes to 6 listeners in {elapsed:.2f}s")
    for c in (*listeners, *senders):
        await c.close()
    await api.close()


def _drain(client: Client) -> list[dict[str, Any]]:
    out = []
    while not client.pushes.empty():
        out.append(client.pushes.get_nowait())
    return out


async def test_presence_counts_members_on_every_node_and_forgets_a_dead_node(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    a, b, c = start_nodes(3, shared_redis)
    api = Api(a.http)
    circle, [(ann_t, _), (bob_t, _), (cat_t, _)] = await members(api, 3)
    ann = await Client.open(a.ws, ann_t)
    await ann.request({"t": "join", "circle": circle})
    bob = await Client.open(b.ws, bob_t)
    await bob.request({"t": "join", "circle": circle})
    await online(ann, 2)
    cat = await Client.open(c.ws, cat_t)
    joined = await cat.request({"t": "join", "circle": circle})
    assert joined["online"] in (1, 2, 3)  # the others' nodes are read within a second
    await online(ann, 3)
    # bob on two nodes counts once
    bob_again = await Client.open(c.ws, bob_t)
    await bob_again.request({"t": "join", "circle": circle})
    await timing.sleep(1.5)  # node c has written bob's presence
    await bob.request({"t": "leave", "circle": circle})
    await timing.sleep(2.5)
    assert all(f["online"] == 3 for f in _drain(ann) if f["t"] == "presence")
    # Node c dies without a word: cat and bob's second socket vanish within the ttl.
    c.stop(signal_kill())
    started = time.monotonic()
    await online(ann, 1, timeout=15)
    print(f"\na dead node's members were forgotten after {time.monotonic() - started:.1f}s")
    await ann.close()
    await bob.close()
    await api.close()


async def online(client: Client, count: int, timeout: float = 5) -> None:
    """Presence pushes until one says ``count`` are online."""
    deadline = time.monotonic() + seconds(timeout)
    while (frame := await client.push("presence", deadline - time.monotonic()))["online"] != count:
        pass
    assert frame["online"] == count


def signal_kill() -> int:
    import signal

    return signal.SIGKILL


async def test_logout_closes_the_tokens_sockets_on_every_node_within_a_second(
    two_nodes: list[ServerProcess], api: Api
) -> None:
    a, b = two_nodes
    token, _ = await api.signup("ann")
    r = await api.call("POST", "/auth/login", json={"handle": "ann", "password": "correct horse"})
    other_token = r.json()["token"]
    doomed = [await Client.open(node.ws, token) for node in (a, b)]
    survivor = await Client.open(b.ws, other_token)
    started = time.monotonic()
    r = await api.call("POST", "/auth/logout", token)  # handled by node a
    assert r.status_code == 204
    for client in doomed:
        assert await client.closed(timeout=1) == 4001
    print(f"\nlogout closed the sockets on both nodes in {time.monotonic() - started:.3f}s")
    assert (await survivor.request({"t": "ping"}))["t"] == "pong"
    await survivor.close()


async def test_a_removed_member_loses_the_circle_on_the_other_node(
    two_nodes: list[ServerProcess], api: Api
) -> None:
    a, b = two_nodes
    circle, [(owner_t, _), (bob_t, bob)] = await members(api, 2)
    owner = await Client.open(a.ws, owner_t)
    await owner.request({"t": "join", "circle": circle})
    bob_ws = await Client.open(b.ws, bob_t)
    await bob_ws.request({"t": "join", "circle": circle})
    await owner.say(circle, "before")
    assert (await bob_ws.push("msg"))["text"] == "before"
    r = await api.call("DELETE", f"/circles/{circle}/members/{bob['id']}", owner_t)
    assert r.status_code == 204, r.text
    left = await bob_ws.push("left", timeout=2)
    assert left == {"t": "left", "circle": circle, "reason": "removed"}
    await owner.say(circle, "after")
    assert (await owner.push("msg"))["text"] == "before"
    assert (await owner.push("msg"))["text"] == "after"
    await timing.sleep(0.3)
    assert all(f["t"] != "msg" for f in _drain(bob_ws))
    await owner.close()
    await bob_ws.close()


async def test_the_same_nonce_through_both_nodes_is_one_message(
    two_nodes: list[ServerProcess], api: Api
) -> None:
    a, b = two_nodes
    circle, [(token, _), (bob_t, _)] = await members(api, 2)
    on_a = await Client.open(a.ws, token)
    on_b = await Client.open(b.ws, token, "msgpack")
    watcher = await Client.open(b.ws, bob_t)
    await watcher.request({"t": "join", "circle": circle})
    rounds = 20
    for i in range(rounds):
        frame = {"t": "say", "circle": circle, "text": f"once {i}", "nonce": f"same-{i}"}
        ra, rb = await asyncio.gather(on_a.request(frame), on_b.request(frame))
        assert ra["t"] == rb["t"] == "ok", (ra, rb)
        assert ra["seq"] == rb["seq"] == i + 1
    got = await watcher.messages(rounds)
    assert [m["seq"] for m in got] == list(range(1, rounds + 1))
    history = await watcher.request({"t": "history", "circle": circle, "limit": 200})
    assert [m["text"] for m in history["messages"]] == [f"once {i}" for i in range(rounds)]
    await timing.sleep(0.3)
    assert all(f["t"] != "msg" for f in _drain(watcher))
    for c in (on_a, on_b, watcher):
        await c.close()


async def test_a_highlight_reaches_members_on_the_other_node(
    two_nodes: list[ServerProcess], api: Api, codec: str
) -> None:
    a, b = two_nodes
    circle, [(owner_t, _), (bob_t, _)] = await members(api, 2)
    owner = await Client.open(a.ws, owner_t)
    await owner.request({"t": "join", "circle": circle})
    ok = await owner.say(circle, "worth keeping")
    # bob is connected to node b but has not joined the chat.
    bob = await Client.open(b.ws, bob_t, codec)
    started = time.monotonic()
    reply = await owner.request({"t": "star", "circle": circle, "seq": ok["seq"]})
    assert reply["t"] == "ok" and reply["post"] is not None, reply
    pushed = await bob.push("highlight", timeout=2)
    assert pushed["action"] == "promoted" and pushed["circle"] == circle
    assert pushed["post"]["id"] == reply["post"]["id"]
    assert pushed["post"]["source"]["seq"] == ok["seq"]
    assert time.monotonic() - started < seconds(1.0)
    await owner.close()
    await bob.close()


async def test_a_read_marker_reaches_the_other_node(
    two_nodes: list[ServerProcess], api: Api
) -> None:
    a, b = two_nodes
    circle, [(ann_token, _), (bob_token, bob)] = await members(api, 2)
    ann = await Client.open(a.ws, ann_token)
    reader = await Client.open(b.ws, bob_token)
    await ann.request({"t": "join", "circle": circle})
    await ann.say(circle, "读到了吗", nonce="r1")
    reader.send({"t": "read", "circle": circle, "seq": 1})
    got = await ann.push("read")
    assert got == {"t": "read", "circle": circle, "group": circle, "user": bob["id"], "seq": 1}
    await ann.close()
    await reader.close()
