"""Chat groups over the socket: each group its own stream, one circle over them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.e2e.harness import Api, Client, ServerProcess


class Scene:
    """A circle owned by ann, with bob and cat as members, and two more groups:
    bob is in "north", cat in "south" (ann, who made them, is in both)."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.tokens: dict[str, str] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.circle = ""
        self.north = ""
        self.south = ""

    async def build(self) -> Scene:
        for name in ("ann", "bob", "cat"):
            self.tokens[name], self.users[name] = await self.api.signup(name)
        self.circle = await self.api.circle(self.tokens["ann"], "Hikers")
        for name in ("bob", "cat"):
            r = await self.api.join(self.tokens[name], self.circle)
            assert r.status_code == 200, r.text
        self.north = await self.group("north")
        self.south = await self.group("south")
        await self.enter("bob", self.north)
        await self.enter("cat", self.south)
        return self

    async def group(self, name: str, **settings: Any) -> str:
        r = await self.api.call(
            "POST",
            f"/circles/{self.circle}/groups",
            self.tokens["ann"],
            json={"name": name, **settings},
        )
        assert r.status_code == 201, r.text
        return str(r.json()["group"]["id"])

    async def enter(self, who: str, group: str) -> None:
        r = await self.api.call("POST", f"/groups/{group}/join", self.tokens[who])
        assert r.status_code == 200 and r.json()["member"]["approved"], r.text

    async def client(self, server: ServerProcess, who: str, codec: str = "json") -> Client:
        return await Client.open(server.ws, self.tokens[who], codec)


async def _say(client: Client, circle: str, group: str | None, text: str) -> dict[str, Any]:
    frame = {"t": "say", "circle": circle, "text": text, "nonce": f"{group}-{text}"}
    if group is not None:
        frame["group"] = group
    return await client.request(frame)


async def test_messages_stay_in_their_group(server: ServerProcess, api: Api, codec: str) -> None:
    scene = await Scene(api).build()
    bob = await scene.client(server, "bob", codec)
    cat = await scene.client(server, "cat", codec)
    joined = await bob.request({"t": "join", "circle": scene.circle, "group": scene.north})
    assert joined["t"] == "joined" and joined["group"] == scene.north and joined["last_seq"] == 0
    await cat.request({"t": "join", "circle": scene.circle, "group": scene.south})
    # Neither may join the other's group.
    refused = await bob.request({"t": "join", "circle": scene.circle, "group": scene.south})
    assert refused["t"] == "error" and refused["code"] == "forbidden"
    refused = await cat.request(
        {"t": "say", "circle": scene.circle, "group": scene.north, "text": "x", "nonce": "x"}
    )
    assert refused["t"] == "error" and refused["code"] == "forbidden"

    assert (await _say(bob, scene.circle, scene.north, "north 1"))["seq"] == 1
    assert (await _say(cat, scene.circle, scene.south, "south 1"))["seq"] == 1
    assert (await _say(cat, scene.circle, scene.south, "south 2"))["seq"] == 2
    got = await bob.push("msg")
    assert (got["group"], got["circle"], got["seq"], got["text"]) == (
        scene.north,
        scene.circle,
        1,
        "north 1",
    )
    got = await cat.messages(2)
    assert [(m["group"], m["text"]) for m in got] == [
        (scene.south, "south 1"),
        (scene.south, "south 2"),
    ]
    # A group he is not in is not his to read either.
    history = await bob.request({"t": "history", "circle": scene.circle, "group": scene.south})
    assert history["t"] == "error" and history["code"] == "forbidden"
    # A group of another circle is not found through this one.
    other = await api.circle(scene.tokens["bob"], "Elsewhere")
    stray = await bob.request({"t": "join", "circle": other, "group": scene.north})
    assert stray["t"] == "error" and stray["code"] == "not_found"
    # South's messages never reached bob: his next message is north's next.
    await _say(bob, scene.circle, scene.north, "north 2")
    got = await bob.push("msg")
    assert (got["group"], got["seq"], got["text"]) == (scene.north, 2, "north 2")
    await bob.close()
    await cat.close()


async def test_seq_per_group_has_no_gap_under_concurrent_writers(
    server: ServerProcess, api: Api
) -> None:
    scene = await Scene(api).build()
    await scene.enter("bob", scene.south)
    writers = [await scene.client(server, who) for who in ("ann", "bob", "ann", "bob")]
    groups = [scene.north, scene.south, scene.circle]

    async def burst(client: Client, index: int) -> list[tuple[str, int]]:
        acks = []
        for i in range(30):
            group = groups[(i + index) % len(groups)]
            reply = await _say(client, scene.circle, group, f"w{index}-{i}")
            assert reply["t"] == "ok", reply
            acks.append((group, reply["seq"]))
        return acks

    results = await asyncio.gather(*(burst(c, i) for i, c in enumerate(writers)))
    by_group: dict[str, list[int]] = {}
    for acks in results:
        for group, seq in acks:
            by_group.setdefault(group, []).append(seq)
    for group in groups:
        assert sorted(by_group[group]) == list(range(1, len(by_group[group]) + 1)), group
    # Replay with `since`, per group: exactly what followed, in order.
    reader = await scene.client(server, "bob")
    await reader.request({"t": "join", "circle": scene.circle, "group": scene.south, "since": 10})
    count = len(by_group[scene.south]) - 10
    replayed = await reader.messages(count)
    assert [m["seq"] for m in replayed] == list(range(11, 11 + count))
    assert {m["group"] for m in replayed} == {scene.south}
    for client in [*writers, reader]:
        await client.close()


async def test_a_v1_client_chats_in_general_as_before(
    server: ServerProcess, api: Api, codec: str
) -> None:
    scene = await Scene(api).build()
    bob = await scene.client(server, "bob", codec)
    ann = await scene.client(server, "ann", codec)
    await bob.request({"t": "join", "circle": scene.circle})
    await ann.request({"t": "join", "circle": scene.circle, "group": scene.north})
    await _say(ann, scene.circle, scene.north, "only north")
    assert (await bob.say(scene.circle, "hello general"))["seq"] == 1
    got = await bob.push("msg")
    # The v1 fields as ever; `group` is the general group, the circle's own id.
    assert (got["circle"], got["seq"], got["text"]) == (scene.circle, 1, "hello general")
    assert got["group"] == scene.circle
    history = await bob.request({"t": "history", "circle": scene.circle})
    assert [m["text"] for m in history["messages"]] == ["hello general"]
    await bob.close()
    await ann.close()


async def test_a_star_in_a_group_is_a_circle_highlight_that_outlives_the_group(
    server: ServerProcess, api: Api
) -> None:
    scene = await Scene(api).build()
    bob = await scene.client(server, "bob")
    cat = await scene.client(server, "cat")  # not in north, but in the circle
    await bob.request({"t": "join", "circle": scene.circle, "group": scene.north})
    seq = (await _say(bob, scene.circle, scene.north, "the best trail"))["seq"]
    ann = await scene.client(server, "ann")
    starred = await ann.request(
        {"t": "star", "circle": scene.circle, "group": scene.north, "seq": seq}
    )
    assert starred["t"] == "ok" and starred["post"]["source"]["group"] == scene.north
    # Cat sees the highlight live, though she never saw the chat.
    highlight = await cat.push("highlight")
    assert highlight["post"]["text"] == "the best trail"
    assert highlight["post"]["source"]["group"] == scene.north
    r = await api.call(
        "PATCH", f"/groups/{scene.north}", scene.tokens["ann"], json={"archived": True}
    )
    assert r.status_code == 200, r.text
    r = await api.call("GET", f"/circles/{scene.circle}/posts", scene.tokens["cat"])
    assert [p["text"] for p in r.json()["posts"]] == ["the best trail"]
    # An archived group is read, never written.
    refused = await _say(bob, scene.circle, scene.north, "too late")
    assert refused["t"] == "error" and refused["code"] == "conflict"
    for client in (ann, bob, cat):
        await client.close()


async def test_removed_from_a_group_the_chat_stops_with_a_left_naming_it(
    server: ServerProcess, api: Api
) -> None:
    scene = await Scene(api).build()
    bob = await scene.client(server, "bob")
    await bob.request({"t": "join", "circle": scene.circle, "group": scene.north})
    await bob.request({"t": "join", "circle": scene.circle})
    r = await api.call(
        "DELETE",
        f"/groups/{scene.north}/members/{scene.users['bob']['id']}",
        scene.tokens["ann"],
    )
    assert r.status_code == 204, r.text
    left = await bob.push("left")
    assert left == {"t": "left", "circle": scene.circle, "group": scene.north, "reason": "removed"}
    ann = await scene.client(server, "ann")
    await _say(ann, scene.circle, scene.north, "bob cannot read this")
    await ann.say(scene.circle, "but this, yes")
    got = await bob.push("msg")
    assert (got["group"], got["text"]) == (scene.circle, "but this, yes")
    refused = await _say(bob, scene.circle, scene.north, "let me back")
    assert refused["t"] == "error" and refused["code"] == "forbidden"
    await bob.close()
    await ann.close()


async def test_a_read_only_group_takes_only_its_admins(server: ServerProcess, api: Api) -> None:
    scene = await Scene(api).build()
    notices = await scene.group("notices", read_only=True)
    await scene.enter("bob", notices)
    bob = await scene.client(server, "bob")
    ann = await scene.client(server, "ann")
    await bob.request({"t": "join", "circle": scene.circle, "group": notices})
    refused = await _say(bob, scene.circle, notices, "may I?")
    assert refused["t"] == "error" and refused["code"] == "forbidden"
    assert (await _say(ann, scene.circle, notices, "lesson at 8"))["t"] == "ok"
    assert (await bob.push("msg"))["text"] == "lesson at 8"
    await bob.close()
    await ann.close()


async def test_typing_reaches_the_group_only_rate_limited_and_unstored(
    server: ServerProcess, api: Api
) -> None:
    scene = await Scene(api).build()
    ann = await scene.client(server, "ann")
    bob = await scene.client(server, "bob")
    cat = await scene.client(server, "cat")
    await ann.request({"t": "join", "circle": scene.circle, "group": scene.north})
    await bob.request({"t": "join", "circle": scene.circle, "group": scene.north})
    await cat.request({"t": "join", "circle": scene.circle, "group": scene.south})
    for _ in range(5):
        bob.send({"t": "typing", "circle": scene.circle, "group": scene.north})
    typing = await ann.push("typing")
    assert typing == {
        "t": "typing",
        "circle": scene.circle,
        "group": scene.north,
        "user": {"id": scene.users["bob"]["id"], "name": "bob"},
    }
    # A say after the burst arrives next: the four other hints were dropped.
    await _say(bob, scene.circle, scene.north, "done typing")
    frame = await ann.push()
    while frame["t"] == "presence":
        frame = await ann.push()
    assert frame["t"] == "msg" and frame["text"] == "done typing"
    # Not stored: the group's seq moved by the message alone.
    assert frame["seq"] == 1
    # Cat, in another group, heard nothing of it; a non-member may not type there.
    refused = await cat.request({"t": "typing", "circle": scene.circle, "group": scene.north})
    assert refused["t"] == "error" and refused["code"] == "forbidden"
    assert all(f["t"] == "presence" for f in _drain(cat))
    for client in (ann, bob, cat):
        await client.close()


def _drain(client: Client) -> list[dict[str, Any]]:
    return [client.pushes.get_nowait() for _ in range(client.pushes.qsize())]


@pytest.mark.parametrize("field", ["group"])
async def test_a_bad_group_field_is_a_bad_frame(
    server: ServerProcess, api: Api, field: str
) -> None:
    scene = await Scene(api).build()
    bob = await scene.client(server, "bob")
    for bad in (5, "", "x" * 65, ["a"]):
        reply = await bob.request({"t": "join", "circle": scene.circle, field: bad})
        assert reply["t"] == "error" and reply["code"] == "bad_frame", reply
    await bob.close()


async def test_what_happens_in_a_groups_chat_stays_with_who_may_read_it(
    server: ServerProcess, api: Api
) -> None:
    scene = await Scene(api).build()
    bob = await scene.client(server, "bob")
    cat = await scene.client(server, "cat")
    ann = await scene.client(server, "ann")
    await bob.request({"t": "join", "circle": scene.circle, "group": scene.north})
    seq = (await _say(bob, scene.circle, scene.north, "a vote, not yet a highlight"))["seq"]
    starred = await bob.request(
        {"t": "star", "circle": scene.circle, "group": scene.north, "seq": seq}
    )
    assert starred["t"] == "ok" and starred["stars"] == 1 and starred["post"] is None
    # The circle's owner hears of the vote; bob too (he is reading north).
    for client in (ann, bob):
        event = await client.push("event")
        while event["kind"] != "message.starred":
            event = await client.push("event")
        assert (event["group"], event["seq"]) == (scene.north, seq)
    # Cat, not in north, hears nothing of it: her next event is general's.
    await bob.request({"t": "join", "circle": scene.circle})
    general_seq = (await bob.say(scene.circle, "in general"))["seq"]
    await bob.request({"t": "star", "circle": scene.circle, "seq": general_seq})
    event = await cat.push("event")
    while event["kind"] != "message.starred":
        event = await cat.push("event")
    assert (event["group"], event["seq"]) == (scene.circle, general_seq)
    # Nor when catching up.
    r = await api.call("GET", f"/circles/{scene.circle}/events?after=0", scene.tokens["cat"])
    stars = [e for e in r.json()["events"] if e["kind"] == "message.starred"]
    assert [e["group"] for e in stars] == [scene.circle]
    r = await api.call("GET", f"/circles/{scene.circle}/events?after=0", scene.tokens["bob"])
    stars = [e for e in r.json()["events"] if e["kind"] == "message.starred"]
    assert [e["group"] for e in stars] == [scene.north, scene.circle]
    for client in (ann, bob, cat):
        await client.close()
