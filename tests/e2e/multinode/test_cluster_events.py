"""Every change of a circle reaches every connected member exactly once, within a
second, on every node: one joined to the chat, one only connected, one on the
other node (Redis between them, PostgreSQL under both). A client away across
ten changes catches up on all ten in one call. Acknowledgements reach only the
post's author and the circle's owners and admins."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests import timing
from tests.e2e.harness import Api, Client, ServerProcess
from tests.e2e.multinode.conftest import StartNodes
from tests.services import RedisServer

# The contract: a change reaches every connected member within a second.
PUSH_S = 1.0


@dataclass
class Member:
    name: str
    token: str
    id: str
    client: Client | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    async def next_events(self, count: int) -> list[dict[str, Any]]:
        """The next ``count`` event pushes, each within the push deadline."""
        assert self.client is not None
        got = [await self.client.push("event", timeout=PUSH_S) for _ in range(count)]
        self.events += got
        return got


async def quiet(members: list[Member], wait: float = 0.3) -> None:
    """No further event reaches anyone (nothing twice)."""
    await timing.sleep(wait)
    for m in members:
        assert m.client is not None
        extra = [f for f in _drain(m.client) if f["t"] == "event"]
        assert extra == [], f"{m.name} got more: {extra}"


def _drain(client: Client) -> list[dict[str, Any]]:
    frames = []
    while not client.pushes.empty():
        frames.append(client.pushes.get_nowait())
    return frames


async def test_every_change_reaches_every_member_once_on_every_node(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    one, two = start_nodes(2, shared_redis)
    api = Api(one.http)
    try:
        await _scenario(api, one, two)
    finally:
        await api.close()


async def _scenario(api: Api, one: ServerProcess, two: ServerProcess) -> None:
    people = {}
    for handle in ("olga", "ann", "bob", "cai", "dee"):
        token, user = await api.signup(handle, handle.title())
        people[handle] = Member(handle, token, user["id"])
    olga, ann, bob, cai, dee = people.values()
    circle = await api.circle(olga.token, "Across")

    async def call(who: Member, method: str, path: str, **kw: Any) -> Any:
        r = await api.call(method, path, who.token, **kw)
        assert r.status_code < 300, r.text
        return r.json() if r.status_code != 204 else None

    await call(olga, "PATCH", f"/circles/{circle}", json={"promote_threshold": 2})
    for m in (ann, bob, cai):
        await call(m, "POST", f"/circles/{circle}/join", json={})
    # ann joins the chat on node one, bob is only connected there, cai is on node two.
    for m, node in ((olga, one), (ann, one), (bob, one), (cai, two)):
        m.client = await Client.open(node.ws, m.token)
    joined = await ann.client.request({"t": "join", "circle": circle})  # type: ignore[union-attr]
    assert joined["t"] == "joined"
    everyone = [olga, ann, bob, cai]
    start = (await call(olga, "GET", f"/circles/{circle}"))["last_rev"]

    async def step(action: Callable[[], Awaitable[Any]], kinds: list[str], only=None) -> Any:
        """Do something; every member (or ``only`` those) gets exactly these events."""
        result = await action()
        for m in everyone:
            expected = (
                kinds if only is None or m in only else [k for k in kinds if k != "post.acked"]
            )
            got = await m.next_events(len(expected))
            assert [e["kind"] for e in got] == expected, (m.name, got)
        return result

    post = await step(
        lambda: call(
            ann, "POST", f"/circles/{circle}/posts", json={"kind": "post", "text": "早上好"}
        ),
        ["post.created"],
    )
    url = f"/posts/{post['id']}"
    await step(lambda: call(ann, "PATCH", url, json={"text": "早上好!"}), ["post.edited"])
    await step(lambda: call(bob, "PUT", f"{url}/like"), ["post.liked"])
    comment = await step(
        lambda: call(cai, "POST", f"{url}/comments", json={"text": "好"}), ["comment.added"]
    )
    await step(
        lambda: call(cai, "PATCH", f"/comments/{comment['id']}", json={"text": "很好"}),
        ["comment.edited"],
    )
    await step(lambda: call(olga, "DELETE", f"/comments/{comment['id']}"), ["comment.deleted"])
    said = await ann.client.say(circle, "star this")  # type: ignore[union-attr]
    seq = said["seq"]

    async def star(who: Member, t: str = "star") -> Any:
        assert who.client is not None
        return await who.client.request({"t": t, "circle": circle, "seq": seq})

    await step(lambda: star(bob), ["message.starred"])
    await step(lambda: star(cai), ["message.starred", "post.promoted"])
    await step(lambda: star(bob, "unstar"), ["message.starred"])
    await step(
        lambda: call(olga, "PUT", f"/circles/{circle}/messages/{seq}/veto"), ["message.vetoed"]
    )
    await step(lambda: call(olga, "PUT", f"{url}/pin", json={}), ["post.pinned"])
    pinned = [
        p["id"]
        for p in (await call(olga, "GET", f"/circles/{circle}/posts"))["posts"]
        if p["pinned"]
    ]
    await step(
        lambda: call(olga, "PUT", f"/circles/{circle}/pins", json={"order": pinned[::-1]}),
        ["pins.reordered"],
    )
    await step(lambda: call(olga, "DELETE", f"{url}/pin"), ["post.unpinned"])
    await step(lambda: call(olga, "PUT", f"{url}/must-read"), ["post.must_read"])
    # Only the author (ann) and the owner (olga) hear of bob's acknowledgement.
    await step(lambda: call(bob, "PUT", f"{url}/ack"), ["post.acked"], only=[olga, ann])
    await step(
        lambda: call(olga, "PATCH", f"/circles/{circle}/members/{cai.id}", json={"role": "admin"}),
        ["member.updated"],
    )
    await step(
        lambda: call(olga, "PATCH", f"/circles/{circle}", json={"name": "跨越"}), ["circle.updated"]
    )
    await step(lambda: call(dee, "POST", f"/circles/{circle}/join", json={}), ["member.joined"])
    await step(lambda: call(dee, "POST", f"/circles/{circle}/leave"), ["member.left"])
    await step(lambda: call(dee, "POST", f"/circles/{circle}/join", json={}), ["member.joined"])
    await step(
        lambda: call(olga, "DELETE", f"/circles/{circle}/members/{dee.id}"), ["member.removed"]
    )
    await step(lambda: call(ann, "DELETE", url), ["post.deleted"])
    await quiet(everyone)

    # In rev order, none twice, and the same stream everywhere (acks aside).
    olga_revs = [e["rev"] for e in olga.events]
    assert olga_revs == list(range(start + 1, start + 1 + len(olga_revs)))
    for m in everyone:
        revs = [e["rev"] for e in m.events]
        assert revs == sorted(set(revs)), m.name
    assert [e for e in cai.events] == [e for e in olga.events if e["kind"] != "post.acked"]
    ack = next(e for e in olga.events if e["kind"] == "post.acked")
    assert ack["user"] == {"id": bob.id, "name": "Bob"} and ack["post"] == post["id"]
    starred = [e for e in olga.events if e["kind"] == "message.starred"]
    assert [(e["stars"], e["threshold"]) for e in starred] == [(1, 2), (2, 2), (1, 2)]
    assert next(e for e in olga.events if e["kind"] == "circle.updated")["info"]["name"] == "跨越"

    # The same log, in one call each, for a client catching up from the start.
    log = await call(olga, "GET", f"/circles/{circle}/events?after={start}")
    assert log["events"] == olga.events and log["more"] is False and log["reset"] is False
    assert log["last_rev"] == log["next"] == olga_revs[-1]
    for_bob = await call(bob, "GET", f"/circles/{circle}/events?after={start}")
    assert for_bob["events"] == bob.events  # no acknowledgement in it
    for m in everyone:
        await m.client.close()  # type: ignore[union-attr]


async def test_a_client_away_across_ten_changes_catches_up_in_one_call(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    one, two = start_nodes(2, shared_redis)
    api = Api(one.http)
    try:
        owner_token, _ = await api.signup("olga")
        token, _ = await api.signup("bob")
        circle = await api.circle(owner_token, "Away")
        assert (await api.join(token, circle)).status_code == 200
        bob = await Client.open(two.ws, token)
        first = await api.call(
            "POST", f"/circles/{circle}/posts", owner_token, json={"kind": "post", "text": "0"}
        )
        seen = await bob.push("event", timeout=PUSH_S)
        assert seen["kind"] == "post.created"
        await bob.close()  # away
        for i in range(1, 11):
            r = await api.call(
                "PATCH", f"/posts/{first.json()['id']}", owner_token, json={"text": f"v{i}"}
            )
            assert r.status_code == 200, r.text
        # Back, on the other node: one call brings all ten, in order, nothing twice.
        other = Api(two.http)
        try:
            r = await other.call("GET", f"/circles/{circle}/events?after={seen['rev']}", token)
        finally:
            await other.close()
        body = r.json()
        assert [e["post"]["text"] for e in body["events"]] == [f"v{i}" for i in range(1, 11)]
        assert [e["rev"] for e in body["events"]] == list(range(seen["rev"] + 1, seen["rev"] + 11))
        assert body["more"] is False and body["last_rev"] == seen["rev"] + 10
        # Reconnected, the live stream goes on from there.
        bob = await Client.open(two.ws, token)
        await api.call("PUT", f"/posts/{first.json()['id']}/pin", owner_token, json={})
        live = await bob.push("event", timeout=PUSH_S)
        assert (live["kind"], live["rev"]) == ("post.pinned", body["last_rev"] + 1)
        await bob.close()
    finally:
        await api.close()


async def test_events_lost_while_redis_is_away_arrive_once_it_is_back(
    start_nodes: StartNodes, own_redis: RedisServer
) -> None:
    """Redis pub/sub is at-most-once: changes made on node one while Redis is
    down reach a member on node two from the change log once Redis is back —
    each once, in rev order — and members on node one get them at once."""
    one, two = start_nodes(2, own_redis.url)
    api = Api(one.http)
    try:
        owner_token, _ = await api.signup("olga")
        ann_token, _ = await api.signup("ann")
        bob_token, _ = await api.signup("bob")
        circle = await api.circle(owner_token, "Outage")
        for token in (ann_token, bob_token):
            assert (await api.join(token, circle)).status_code == 200
        ann = await Client.open(one.ws, ann_token)  # the writer's node
        bob = await Client.open(two.ws, bob_token)  # the other node
        r = await api.call(
            "POST", f"/circles/{circle}/posts", owner_token, json={"kind": "post", "text": "v0"}
        )
        post_id = r.json()["id"]
        for client in (ann, bob):
            assert (await client.push("event", timeout=PUSH_S))["kind"] == "post.created"

        own_redis.stop()
        await _until_broker(one, connected=False)
        for i in range(1, 6):
            r = await api.call("PATCH", f"/posts/{post_id}", owner_token, json={"text": f"v{i}"})
            assert r.status_code == 200, r.text
        got_ann = [await ann.push("event", timeout=PUSH_S) for _ in range(5)]
        assert [e["post"]["text"] for e in got_ann] == [f"v{i}" for i in range(1, 6)]

        own_redis.start()
        got_bob = [await bob.push("event", timeout=10) for _ in range(5)]
        assert [e["post"]["text"] for e in got_bob] == [f"v{i}" for i in range(1, 6)]
        assert got_bob == got_ann
        await quiet_client(bob)
        await ann.close()
        await bob.close()
    finally:
        await api.close()


async def quiet_client(client: Client, wait: float = 0.5) -> None:
    await timing.sleep(wait)
    assert [f for f in _drain(client) if f["t"] == "event"] == []


async def _until_broker(node: ServerProcess, connected: bool) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(200):
            body = (await http.get(f"{node.http}/healthz")).json()
            if body["broker"] is connected:
                return
            await timing.sleep(0.05)
    raise AssertionError(f"broker of {node.http} never became connected={connected}")
