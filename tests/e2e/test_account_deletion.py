"""Account deletion leaves no readable text of the user, against a real server
process: a member's open client sees them leave and everything they wrote turn
into tombstones live; the deleted user's own socket is closed; afterwards no API
read (history, replay over /ws, catch-up, feed, comments, highlights, members,
search) and no text column of any table holds a word of theirs."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from tests.e2e.harness import Api, Client, ServerProcess
from tests.readable_text import columns_containing
from tests.timing import sleep

pytestmark = [pytest.mark.e2e, pytest.mark.server_env(QUANZI_RETENTION_INTERVAL_S="0.2")]

MARKER = "qx9unique"


async def events_until(client: Client, done: Any, timeout: float = 20) -> list[dict[str, Any]]:
    """Every `event` push until ``done(events)`` holds."""
    seen: list[dict[str, Any]] = []
    while not done(seen):
        try:
            seen.append(await client.push("event", timeout))
        except TimeoutError:
            pytest.fail(f"after {[e['kind'] for e in seen]}")
    return seen


async def reads(api: Api, token: str, circle: str, group: str, post: str) -> str:
    """Everything the API lets a member read of the circle, as one string."""
    paths = [
        f"/circles/{circle}",
        f"/circles/{circle}/messages?limit=200",
        f"/groups/{group}/messages?limit=200",
        f"/circles/{circle}/events?after=0&limit=500",
        f"/circles/{circle}/posts",
        f"/circles/{circle}/posts?since=0",
        f"/posts/{post}/comments",
        f"/circles/{circle}/members",
        f"/circles/{circle}/members?q={MARKER}",
        f"/circles/{circle}/groups",
        f"/groups/{group}/members",
        "/me/circles",
    ]
    texts = []
    for path in paths:
        r = await api.call("GET", path, token)
        assert r.status_code == 200, (path, r.text)
        texts.append(r.text)
    return "\n".join(texts)


async def test_account_deletion_leaves_no_readable_text_of_the_user(
    server: ServerProcess, api: Api
) -> None:
    ann, ann_user = await api.signup("ann", f"Ann {MARKER}")
    bob, _ = await api.signup("bob", "Bob")
    circle = await api.circle(bob, "Readers")
    assert (await api.join(ann, circle)).status_code == 200
    r = await api.call(
        "PATCH", f"/circles/{circle}/members/{ann_user['id']}", ann, json={"nickname": MARKER}
    )
    assert r.status_code == 200, r.text
    r = await api.call("POST", f"/circles/{circle}/groups", bob, json={"name": "Side"})
    group = r.json()["group"]["id"]
    assert (await api.call("POST", f"/groups/{group}/join", ann)).status_code == 200

    writer = await Client.open(server.ws, ann)
    assert (await writer.request({"t": "join", "circle": circle}))["t"] == "joined"
    first = await writer.say(circle, f"general {MARKER}")
    await writer.say(circle, f"again {MARKER}")
    side = await writer.request(
        {"t": "say", "circle": circle, "group": group, "text": f"side {MARKER}", "nonce": "s1"}
    )
    assert side["t"] == "ok", side
    r = await api.call(
        "POST", f"/circles/{circle}/posts", ann, json={"kind": "post", "text": f"post {MARKER}"}
    )
    assert r.status_code == 201, r.text
    r = await api.call(
        "POST", f"/circles/{circle}/posts", bob, json={"kind": "post", "text": "bob's post"}
    )
    bobs_post = r.json()["id"]
    r = await api.call("POST", f"/posts/{bobs_post}/comments", ann, json={"text": f"c {MARKER}"})
    assert r.status_code == 201, r.text

    member = await Client.open(server.ws, bob)
    try:
        assert (await member.request({"t": "join", "circle": circle}))["t"] == "joined"
        star = await member.request({"t": "star", "circle": circle, "seq": first["seq"]})
        assert star["post"] is not None  # the owner's star promotes it: a highlight
        assert MARKER in await reads(api, bob, circle, group, bobs_post)

        r = await api.call("POST", "/me/delete", ann, json={"password": "correct horse"})
        assert r.status_code == 204, r.text
        assert await writer.closed() == 4001
        assert (await api.call("GET", "/me", ann)).status_code == 401

        def complete(events: list[dict[str, Any]]) -> bool:
            kinds = [e["kind"] for e in events]
            deleted = [e for e in events if e["kind"] == "message.deleted"]
            return (
                "member.left" in kinds
                and len(deleted) == 3  # general's two, the side group's (bob is in it)
                and kinds.count("post.deleted") == 2  # the post and the highlight
                and "comment.deleted" in kinds
            )

        events = await events_until(member, complete)
        for e in events:
            if e["kind"] == "message.deleted":
                assert e["deleted"] == "account" and e["author"] == ann_user["id"]
    finally:
        await member.close()

    for _ in range(100):
        r = await api.call("GET", f"/groups/{group}/messages", bob)
        if all(m["text"] == "" for m in r.json()["messages"]):
            break
        await sleep(0.1)
    # Until the erasure is over, the change log may still be being redacted.
    engine = create_async_engine(f"sqlite+aiosqlite:///{server.data_dir / 'quanzi.db'}")
    try:
        for _ in range(100):
            async with engine.connect() as conn:
                left = await columns_containing(conn, MARKER)
            if not left:
                break
            await sleep(0.1)
        assert left == []
    finally:
        await engine.dispose()

    everything = await reads(api, bob, circle, group, bobs_post)
    assert MARKER not in everything
    replay = await Client.open(server.ws, bob)
    try:
        joined = await replay.request({"t": "join", "circle": circle, "since": 0})
        msgs = await replay.messages(joined["last_seq"])
        side_joined = await replay.request(
            {"t": "join", "circle": circle, "group": group, "since": 0}
        )
        msgs += await replay.messages(side_joined["last_seq"])
        assert msgs and all(m["text"] == "" and m["deleted"] == "account" for m in msgs)
        assert all(m["from"] == {"id": ann_user["id"], "name": ""} for m in msgs)
    finally:
        await replay.close()
    assert MARKER not in repr(msgs)
