"""Highlights end to end: stars promote chat into pinned posts that every
connected member sees arrive, and the durable side outlives the scroll."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import timing
from tests.e2e.conftest import FAST
from tests.e2e.harness import Api, Client, ServerProcess, seconds

# The contract: a highlight reaches every connected member within one second.
PUSH_S = 1.0


@dataclass
class Member:
    token: str
    user: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.user["id"])


@dataclass
class Scene:
    api: Api
    server: ServerProcess
    circle: str
    owner: Member
    members: list[Member]

    async def call(self, method: str, path: str, who: Member, **kw: Any) -> Any:
        return await self.api.call(method, path, who.token, **kw)

    async def connect(self, who: Member, codec: str = "json") -> Client:
        return await Client.open(self.server.ws, who.token, codec)

    async def feed(self, who: Member | None = None) -> list[dict[str, Any]]:
        r = await self.call("GET", f"/circles/{self.circle}/posts?limit=100", who or self.owner)
        assert r.status_code == 200, r.text
        return list(r.json()["posts"])


async def make_scene(
    api: Api, server: ServerProcess, members: int = 3, threshold: int = 2
) -> Scene:
    """An owner and ``members`` members; member stars promote at ``threshold``."""
    token, user = await api.signup("owner", "Olga")
    owner = Member(token, user)
    circle = await api.circle(token, "Bakers")
    r = await api.call("PATCH", f"/circles/{circle}", token, json={"promote_threshold": threshold})
    assert r.status_code == 200 and r.json()["promote_threshold"] == threshold, r.text
    joined = []
    for i in range(members):
        t, u = await api.signup(f"member{i}", f"Member {i}")
        assert (await api.join(t, circle)).status_code == 200
        joined.append(Member(t, u))
    return Scene(api, server, circle, owner, joined)


@pytest.fixture
async def scene(server: ServerProcess, api: Api) -> AsyncIterator[Scene]:
    yield await make_scene(api, server)


async def star(client: Client, circle: str, seq: int) -> dict[str, Any]:
    reply = await client.request({"t": "star", "circle": circle, "seq": seq})
    assert reply["t"] == "ok", reply
    return reply


async def no_push(client: Client, t: str = "highlight", wait: float = 0.3) -> None:
    with pytest.raises(TimeoutError):
        await client.push(t, timeout=wait)


async def close_all(*clients: Client) -> None:
    await asyncio.gather(*(c.close() for c in clients))


# -- promotion and live push ------------------------------------------------------------


async def test_two_member_stars_promote_and_every_connected_member_is_told(
    scene: Scene, codec: str
) -> None:
    bob, cat, dan = scene.members
    owner = await scene.connect(scene.owner, codec)
    await owner.request({"t": "join", "circle": scene.circle})  # joined to the chat
    b = await scene.connect(bob, codec)
    c = await scene.connect(cat, codec)
    d = await scene.connect(dan, codec)  # only connected: hello, no join
    said = await b.say(scene.circle, "Proof the dough overnight in the fridge")

    first = await star(b, scene.circle, said["seq"])
    assert (first["stars"], first["post"]) == (1, None)
    await no_push(owner)
    second = await star(c, scene.circle, said["seq"])
    post = second["post"]
    assert second["stars"] == 2 and post is not None
    assert (post["kind"], post["circle"], post["text"]) == (
        "highlight",
        scene.circle,
        "Proof the dough overnight in the fridge",
    )
    assert post["pinned"] is True and post["must_read"] is False
    assert post["source"]["seq"] == said["seq"] and post["source"]["ts"] == said["ts"]
    assert post["source"]["from"] == {"id": bob.id, "name": "Member 0"}

    for client in (owner, b, c, d):
        push = await client.push("highlight", timeout=PUSH_S)
        assert (push["circle"], push["action"]) == (scene.circle, "promoted")
        assert push["post"]["id"] == post["id"] and push["post"]["source"]["seq"] == said["seq"]

    # Starring again counts once and promotes nothing new.
    again = await star(b, scene.circle, said["seq"])
    assert again["stars"] == 2 and again["post"]["id"] == post["id"]
    await no_push(d)
    assert [p["id"] for p in await scene.feed(dan)] == [post["id"]]
    await close_all(owner, b, c, d)


async def test_an_admin_star_promotes_at_once(scene: Scene) -> None:
    bob, cat, dan = scene.members
    r = await scene.call(
        "PATCH", f"/circles/{scene.circle}/members/{cat.id}", scene.owner, json={"role": "admin"}
    )
    assert r.status_code == 200 and r.json()["role"] == "admin", r.text
    b = await scene.connect(bob)
    c = await scene.connect(cat)
    d = await scene.connect(dan)
    said = await b.say(scene.circle, "Oven at 250 for the first 20 minutes")
    reply = await star(c, scene.circle, said["seq"])
    assert reply["stars"] == 1 and reply["post"]["kind"] == "highlight"
    push = await d.push("highlight", timeout=PUSH_S)
    assert (push["action"], push["post"]["id"]) == ("promoted", reply["post"]["id"])
    await close_all(b, c, d)


async def test_fifty_concurrent_stars_make_exactly_one_post(
    server: ServerProcess, api: Api
) -> None:
    scene = await make_scene(api, server, members=50, threshold=3)
    clients = await asyncio.gather(*(scene.connect(m) for m in scene.members))
    watcher = await scene.connect(scene.owner)
    said = await clients[0].say(scene.circle, "Everyone loves this one")
    replies = await asyncio.gather(*(star(c, scene.circle, said["seq"]) for c in clients))
    assert max(r["stars"] for r in replies) == 50
    post_ids = {r["post"]["id"] for r in replies if r["post"] is not None}
    assert len(post_ids) == 1
    highlights = [p for p in await scene.feed() if p["kind"] == "highlight"]
    assert [p["id"] for p in highlights] == list(post_ids)
    assert highlights[0]["source"]["seq"] == said["seq"]
    push = await watcher.push("highlight", timeout=PUSH_S)
    assert push["post"]["id"] in post_ids
    await no_push(watcher, wait=0.5)  # promoted once, pushed once
    await close_all(watcher, *clients)


async def test_a_veto_blocks_promotion_by_votes(scene: Scene) -> None:
    bob, cat, dan = scene.members
    b, c, d = await scene.connect(bob), await scene.connect(cat), await scene.connect(dan)
    said = await b.say(scene.circle, "Spam spam spam")
    veto = f"/circles/{scene.circle}/messages/{said['seq']}/veto"
    assert (await scene.call("PUT", veto, scene.owner)).status_code == 204
    for client in (b, c, d):
        assert (await star(client, scene.circle, said["seq"]))["post"] is None
    await no_push(d)
    assert await scene.feed() == []
    # Lifting the veto lets votes count again: bob's withdrawn and renewed star promotes.
    assert (await scene.call("DELETE", veto, scene.owner)).status_code == 204
    await b.request({"t": "unstar", "circle": scene.circle, "seq": said["seq"]})
    post = (await star(b, scene.circle, said["seq"]))["post"]
    assert post is not None and post["source"]["seq"] == said["seq"]
    assert (await d.push("highlight", timeout=PUSH_S))["post"]["id"] == post["id"]
    await close_all(b, c, d)


# -- retention and gaps ----------------------------------------------------------------


@pytest.fixture
def retaining_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server whose retention runs five times a second."""
    proc = ServerProcess(tmp_path / "node", QUANZI_RETENTION_INTERVAL_S="0.2", **FAST).start()
    yield proc
    if proc.proc is not None:
        proc.stop()


async def _pruned_scene(api: Api, server: ServerProcess) -> tuple[Scene, dict[str, Any], int]:
    """151 messages in a circle keeping 100: the first, promoted, is pruned.
    Returns the scene, the post and the first seq still kept."""
    scene = await make_scene(api, server)
    r = await scene.call(
        "PATCH", f"/circles/{scene.circle}", scene.owner, json={"retention_messages": 100}
    )
    assert r.status_code == 200, r.text
    bob = await scene.connect(scene.members[0])
    first = await bob.say(scene.circle, "The one worth keeping")
    owner = await scene.connect(scene.owner)
    post = (await star(owner, scene.circle, first["seq"]))["post"]
    for i in range(150):
        await bob.say(scene.circle, f"chatter {i}")
    deadline = asyncio.get_running_loop().time() + seconds(10)
    while True:
        r = await scene.call("GET", f"/circles/{scene.circle}/messages?limit=200", scene.owner)
        kept = [m["seq"] for m in r.json()["messages"]]
        if len(kept) == 100:
            break
        assert asyncio.get_running_loop().time() < deadline, f"not pruned: {len(kept)} kept"
        await timing.sleep(0.1)
    assert kept == list(range(52, 152))
    await close_all(bob, owner)
    return scene, post, kept[0]


async def test_retention_prunes_the_message_and_its_post_survives(
    retaining_server: ServerProcess,
) -> None:
    api = Api(retaining_server.http)
    try:
        scene, post, first_kept = await _pruned_scene(api, retaining_server)
        assert first_kept > post["source"]["seq"]
        r = await scene.call("GET", f"/posts/{post['id']}", scene.members[1])
        assert r.status_code == 200, r.text
        survived = r.json()
        assert survived["kind"] == "highlight" and survived["text"] == "The one worth keeping"
        assert survived["source"] == post["source"]
        assert survived["source"]["from"]["id"] == scene.members[0].id
        assert [p["id"] for p in await scene.feed()] == [post["id"]]
    finally:
        await api.close()


async def test_rejoining_with_an_old_since_gets_a_gap_then_the_rest(
    retaining_server: ServerProcess, codec: str
) -> None:
    api = Api(retaining_server.http)
    try:
        scene, _, first_kept = await _pruned_scene(api, retaining_server)
        client = await scene.connect(scene.members[1], codec)
        joined = await client.request({"t": "join", "circle": scene.circle, "since": 10})
        assert joined["t"] == "joined" and joined["last_seq"] == 151
        frames = []
        while len(frames) < 1 + 151 - first_kept + 1:
            frame = await client.push()
            if frame["t"] != "presence":
                frames.append(frame)
        gap, rest = frames[0], frames[1:]
        assert gap == {
            "t": "gap",
            "circle": scene.circle,
            "group": scene.circle,
            "from_seq": 11,
            "to_seq": first_kept - 1,
        }
        assert [(m["t"], m["seq"]) for m in rest] == [("msg", s) for s in range(first_kept, 152)]
        await no_push(client, "msg")
        await client.close()
    finally:
        await api.close()


# -- permissions, pins and must-reads ---------------------------------------------------------


async def test_a_member_cannot_pin_flag_must_read_or_see_receipts(scene: Scene) -> None:
    bob = scene.members[0]

    async def write(who: Member, text: str) -> str:
        body = {"kind": "post", "text": text}
        r = await scene.call("POST", f"/circles/{scene.circle}/posts", who, json=body)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    plain = await write(bob, "mine")
    flagged = await write(scene.owner, "read me")
    for action in ("pin", "must-read"):
        r = await scene.call("PUT", f"/posts/{flagged}/{action}", scene.owner)
        assert r.status_code == 200, r.text
    for method, path in [
        ("PUT", f"/posts/{plain}/pin"),
        ("PUT", f"/posts/{plain}/must-read"),
        ("DELETE", f"/posts/{flagged}/pin"),
        ("DELETE", f"/posts/{flagged}/must-read"),
        ("GET", f"/posts/{flagged}/receipts"),
    ]:
        r = await scene.call(method, path, bob)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", (path, r.text)


async def test_the_eleventh_pin_is_refused_and_a_promotion_still_goes_through(
    scene: Scene,
) -> None:
    bob = scene.members[0]
    watcher = await scene.connect(bob)
    ids = []
    for i in range(11):
        r = await scene.call(
            "POST",
            f"/circles/{scene.circle}/posts",
            scene.owner,
            json={"kind": "notice", "text": f"Rule {i}"},
        )
        ids.append(r.json()["id"])
    for post in ids[:10]:
        assert (await scene.call("PUT", f"/posts/{post}/pin", scene.owner)).status_code == 200
        push = await watcher.push("highlight", timeout=PUSH_S)
        assert (push["action"], push["post"]["id"]) == ("pinned", post)
    r = await scene.call("PUT", f"/posts/{ids[10]}/pin", scene.owner)
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    assert "10" in r.json()["error"]["message"]
    await no_push(watcher)
    # The pin cap never blocks a promotion: the highlight is created unpinned.
    owner = await scene.connect(scene.owner)
    said = await watcher.say(scene.circle, "Still worth keeping")
    post = (await star(owner, scene.circle, said["seq"]))["post"]
    assert post["kind"] == "highlight" and post["pinned"] is False
    assert (await watcher.push("highlight", timeout=PUSH_S))["action"] == "promoted"
    assert sum(p["pinned"] for p in await scene.feed()) == 10
    await close_all(watcher, owner)


async def test_acknowledgements_and_receipts_after_an_edit_asks_again(scene: Scene) -> None:
    bob, cat, _ = scene.members
    b = await scene.connect(bob)
    r = await scene.call(
        "POST",
        f"/circles/{scene.circle}/posts",
        scene.owner,
        json={"kind": "notice", "text": "Wash your hands"},
    )
    post = r.json()["id"]
    assert (await scene.call("PUT", f"/posts/{post}/must-read", scene.owner)).status_code == 200
    push = await b.push("highlight", timeout=PUSH_S)
    assert (push["action"], push["post"]["must_read"]) == ("must_read", True)

    async def pending(who: Member) -> list[str]:
        r = await scene.call("GET", "/me/must-read", who)
        return [p["id"] for p in r.json()["posts"]]

    async def receipts() -> tuple[set[str], set[str]]:
        r = await scene.call("GET", f"/posts/{post}/receipts", scene.owner)
        assert r.status_code == 200, r.text
        return {a["id"] for a in r.json()["acked"]}, {p["id"] for p in r.json()["pending"]}

    assert await pending(bob) == [post] and await pending(cat) == [post]
    assert (await scene.call("PUT", f"/posts/{post}/ack", bob)).status_code == 200
    acked, waiting = await receipts()
    assert bob.id in acked and bob.id not in waiting and cat.id in waiting
    assert await pending(bob) == []

    r = await scene.call("PATCH", f"/posts/{post}", scene.owner, json={"text": "Wash them well"})
    assert r.status_code == 200
    push = await b.push("highlight", timeout=PUSH_S)
    assert (push["action"], push["post"]["text"]) == ("updated", "Wash them well")
    acked, waiting = await receipts()
    assert bob.id not in acked and {bob.id, cat.id} <= waiting
    assert await pending(bob) == [post]
    assert (await scene.call("PUT", f"/posts/{post}/ack", cat)).status_code == 200
    acked, waiting = await receipts()
    assert cat.id in acked and bob.id in waiting
    await b.close()


# -- catching up after a reconnect ----------------------------------------------------------


async def test_a_reconnecting_client_catches_up_on_highlights_with_since(
    scene: Scene, codec: str
) -> None:
    bob, cat, _ = scene.members
    owner = await scene.connect(scene.owner)
    b = await scene.connect(bob, codec)
    first = await owner.say(scene.circle, "first tip")
    await star(owner, scene.circle, first["seq"])
    seen = (await b.push("highlight", timeout=PUSH_S))["post"]
    await b.close()  # bob goes away; changes keep coming
    await timing.sleep(0.01)  # later changes get a later `updated` (ms)

    second = await owner.say(scene.circle, "second tip")
    promoted = (await star(owner, scene.circle, second["seq"]))["post"]
    r = await scene.call("DELETE", f"/posts/{seen['id']}", scene.owner)  # un-promote
    assert r.status_code == 204
    r = await scene.call(
        "POST", f"/circles/{scene.circle}/posts", cat, json={"kind": "post", "text": "hello"}
    )
    written = r.json()

    b = await scene.connect(bob, codec)
    r = await scene.call("GET", f"/circles/{scene.circle}/posts?since={seen['updated']}", bob)
    assert r.status_code == 200, r.text
    changes = r.json()["posts"]
    assert [p["id"] for p in changes] == [promoted["id"], seen["id"], written["id"]]
    assert changes[1]["deleted"] is True
    assert changes[0]["kind"] == "highlight" and changes[0]["source"]["seq"] == second["seq"]
    # And live again from here.
    third = await owner.say(scene.circle, "third tip")
    await star(owner, scene.circle, third["seq"])
    push = await b.push("highlight", timeout=PUSH_S)
    assert push["post"]["source"]["seq"] == third["seq"]
    await close_all(owner, b)
