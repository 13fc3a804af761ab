"""Changes a node's join cache (server/join_cache.py) must hear, each checked
with real clients: Sam's first socket joins (the node now knows his circles and
the circle's chat settings), a change is made over HTTP (through ``api``: the
same node, or another one), the socket sees it, and then a NEW socket of Sam's on
``ws`` (which reads no membership at `hello`: his first socket is still there)
joins and must see the change. A stale cache fails each of them.

Used by tests/e2e/test_join_cache.py (one node) and
tests/e2e/multinode/test_cluster_join_cache.py (the change on node one, the
joins on node two).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from store import now_ms
from tests.e2e.harness import Api, Client
from tests.timing import seconds, sleep

# A paid term's grace before the removal (the servers' QUANZI_MEMBERSHIP_GRACE_S).
GRACE_S = seconds(1)
SERVER_ENV = {"QUANZI_MEMBERSHIP_GRACE_S": str(GRACE_S), "QUANZI_MEMBERSHIP_CHECK_S": "0.2"}


@dataclass
class Scene:
    api: Api
    ws: str
    circle: str
    olga: str
    sam: str
    sam_id: str
    first: Client

    @asynccontextmanager
    async def second(self) -> AsyncIterator[Client]:
        """Another socket of Sam's on the joins' node."""
        client = await Client.open(self.ws, self.sam)
        try:
            yield client
        finally:
            await client.close()

    async def join(self, client: Client, since: int | None = None) -> dict[str, object]:
        frame: dict[str, object] = {"t": "join", "circle": self.circle}
        return await client.request(frame if since is None else {**frame, "since": since})

    async def say(self, client: Client, text: str) -> dict[str, object]:
        return await client.request(
            {"t": "say", "circle": self.circle, "text": text, "nonce": text}
        )


@asynccontextmanager
async def scene(api: Api, ws: str) -> AsyncIterator[Scene]:
    """Owner Olga's circle, with two messages said before member Sam came in; Sam's
    first socket on ``ws`` has joined its chat."""
    olga, _ = await api.signup("olga", "Olga")
    sam, sam_user = await api.signup("sam", "Sam")
    circle = await api.circle(olga, "Course")
    owner = await Client.open(ws, olga)
    try:
        assert (await owner.request({"t": "join", "circle": circle}))["t"] == "joined"
        for text in ("before-1", "before-2"):
            await owner.say(circle, text)
    finally:
        await owner.close()
    assert (await api.join(sam, circle)).status_code == 200
    first = await Client.open(ws, sam)
    try:
        assert (await first.request({"t": "join", "circle": circle}))["t"] == "joined"
        yield Scene(api, ws, circle, olga, sam, sam_user["id"], first)
    finally:
        await first.close()


async def heard(client: Client, kind: str) -> dict[str, Any]:
    """The next event of this kind the socket gets (others skipped)."""
    while (event := await client.push("event"))["kind"] != kind:
        pass
    return event


async def refused_after_left(s: Scene) -> None:
    """The first socket heard `left`: a new socket's join is refused, and so is
    the first one's join again."""
    assert (await s.first.push("left"))["circle"] == s.circle
    async with s.second() as client:
        refused = await s.join(client)
        assert refused["t"] == "error", refused
    again = await s.join(s.first)
    assert again["t"] == "error", again


async def leave(s: Scene) -> None:
    r = await s.api.call("POST", f"/circles/{s.circle}/leave", s.sam)
    assert r.status_code in (200, 204), r.text
    await refused_after_left(s)


async def kick(s: Scene) -> None:
    r = await s.api.call("DELETE", f"/circles/{s.circle}/members/{s.sam_id}", s.olga)
    assert r.status_code == 204, r.text
    await refused_after_left(s)


async def ban(s: Scene) -> None:
    r = await s.api.call("PUT", f"/circles/{s.circle}/bans/{s.sam_id}", s.olga, json={})
    assert r.status_code == 200, r.text
    await refused_after_left(s)


async def read_only_then_role(s: Scene) -> None:
    """The general chat made read-only (a group setting), then Sam made an admin (a
    role change): a new socket's join and say follow each."""
    r = await s.api.call("PATCH", f"/groups/{s.circle}", s.olga, json={"read_only": True})
    assert r.status_code == 200, r.text
    await heard(s.first, "group.updated")
    async with s.second() as client:
        assert (await s.join(client))["t"] == "joined"
        refused = await s.say(client, "while-read-only")
        assert refused["t"] == "error", refused
    r = await s.api.call(
        "PATCH", f"/circles/{s.circle}/members/{s.sam_id}", s.olga, json={"role": "admin"}
    )
    assert r.status_code == 200, r.text
    await heard(s.first, "member.updated")
    async with s.second() as client:
        assert (await s.join(client))["t"] == "joined"
        assert (await s.say(client, "as-admin"))["t"] == "ok"


async def hidden_history(s: Scene) -> None:
    """The circle made private with its history hidden from newcomers: a new
    socket's join from seq 0 replays nothing from before Sam came in."""
    async with s.second() as client:
        assert (await s.join(client, since=0))["t"] == "joined"
        seen = [m["text"] for m in await client.messages(2)]
        assert seen == ["before-1", "before-2"]
    body = {"history_for_new_members": False, "visibility": "private"}
    r = await s.api.call("PATCH", f"/circles/{s.circle}", s.olga, json=body)
    assert r.status_code == 200, r.text
    await heard(s.first, "circle.updated")
    async with s.second() as client:
        assert (await s.join(client, since=0))["t"] == "joined"
        assert (await s.say(s.first, "after"))["t"] == "ok"
        assert (await client.push("msg"))["text"] == "after"


async def term_ends(s: Scene) -> None:
    """A paid term's end date: a new socket may join but not speak once it is
    past, and after the grace Sam is removed and its join refused."""
    ends = now_ms() + int(seconds(0.5) * 1000)
    term = f"/circles/{s.circle}/members/{s.sam_id}/term"
    r = await s.api.call("PUT", term, s.olga, json={"ends_at": ends})
    assert r.status_code == 200, r.text
    assert (await heard(s.first, "member.updated"))["member"]["ends_at"] == ends
    while now_ms() <= ends:
        await sleep(0.05)
    async with s.second() as client:
        assert (await s.join(client))["t"] == "joined"
        refused = await s.say(client, "after-the-end")
        assert refused.get("reason") == "membership_ended", refused
    left = await s.first.push("left", timeout=GRACE_S + 10)
    assert left["circle"] == s.circle
    async with s.second() as client:
        refused = await s.join(client)
        assert refused["t"] == "error", refused


CASES: list[Callable[[Scene], Awaitable[None]]] = [
    leave,
    kick,
    ban,
    read_only_then_role,
    hidden_history,
    term_ends,
]
