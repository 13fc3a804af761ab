"""Attachments in use, against a real server process: chat messages, posts and
comments carry them to every member live and in history; a starred photo
becomes a highlight with its photo; what nothing uses any more (a message
pruned by retention, a post deleted, an upload never sent) is deleted with its
blob after the grace period, and a highlight keeps its own."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from PIL import Image

from tests.e2e.harness import Api, Client, ServerProcess
from tests.timing import seconds, sleep

# An upload nothing uses is collected this long after it (scaled seconds): long
# enough for a test to send it, short enough to wait for.
GRACE_S = 2.0
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.server_env(
        QUANZI_ATTACHMENT_GRACE_S=str(seconds(GRACE_S)),
        QUANZI_ATTACHMENT_COLLECT_S="0.2",
        QUANZI_RETENTION_INTERVAL_S="0.2",
    ),
]


def picture(colour: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


async def upload(api: Api, token: str, circle: str, data: bytes, name: str) -> dict[str, Any]:
    r = await api.call("POST", f"/circles/{circle}/uploads?name={name}", token, content=data)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def fetch(api: Api, token: str, url: str) -> int:
    return (await api.client.get(url, headers={"Authorization": f"Bearer {token}"})).status_code


async def room(api: Api) -> tuple[str, str, str]:
    ann, _ = await api.signup("ann", "Ann")
    bob, _ = await api.signup("bob", "鲍勃")
    circle = await api.circle(ann, "Dance")
    assert (await api.join(bob, circle)).status_code == 200
    return circle, ann, bob


def blob_files(server: ServerProcess) -> set[str]:
    root = server.data_dir / "blobs" / "circles"
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def test_a_message_carries_its_photos_live_in_history_and_after_a_reconnect(
    server: ServerProcess, api: Api, codec: str
) -> None:
    circle, ann, bob = await room(api)
    red = await upload(api, ann, circle, picture((200, 0, 0)), "红.png")
    blue = await upload(api, ann, circle, picture((0, 0, 200)), "blue.png")
    sender = await Client.open(server.ws, ann, codec)
    reader = await Client.open(server.ws, bob, codec)
    try:
        for client in (sender, reader):
            assert (await client.request({"t": "join", "circle": circle}))["t"] == "joined"
        ids = [blue["id"], red["id"]]
        reply = await sender.request(
            {"t": "say", "circle": circle, "text": "", "nonce": "n1", "attachments": ids}
        )
        assert reply["t"] == "ok", reply
        live = await reader.push("msg")
        assert live["seq"] == reply["seq"] and live["text"] == ""
        assert [a["id"] for a in live["attachments"]] == ids
        shown = live["attachments"][1]
        assert shown == {k: red[k] for k in shown}
        assert shown["kind"] == "image" and shown["name"] == "红.png"
        assert shown["url"] == f"/api/v1/attachments/{red['id']}" and shown["thumb_url"]
        # A text message stays as it was: no attachments field.
        plain = await sender.say(circle, "hello")
        assert "attachments" not in await reader.push("msg")
        # The same nonce again: the stored message, its attachments included.
        again = await sender.request(
            {"t": "say", "circle": circle, "text": "", "nonce": "n1", "attachments": ids}
        )
        assert again["seq"] == reply["seq"]
        history = await reader.request({"t": "history", "circle": circle})
        by_seq = {m["seq"]: m for m in history["messages"]}
        assert [a["id"] for a in by_seq[reply["seq"]]["attachments"]] == ids
        assert "attachments" not in by_seq[plain["seq"]]
    finally:
        await sender.close()
        await reader.close()
    # Caught up after a disconnect: the replay carries them too.
    late = await Client.open(server.ws, bob, codec)
    try:
        joined = await late.request({"t": "join", "circle": circle, "since": reply["seq"] - 1})
        assert joined["t"] == "joined"
        replayed = await late.push("msg")
        assert replayed["seq"] == reply["seq"]
        assert [a["id"] for a in replayed["attachments"]] == ids
    finally:
        await late.close()


async def test_bad_attachment_lists_are_refused_and_nothing_is_stored(
    server: ServerProcess, api: Api
) -> None:
    circle, ann, bob = await room(api)
    other = await api.circle(bob, "Elsewhere")
    theirs = await upload(api, bob, other, picture((0, 200, 0)), "g.png")
    mine = await upload(api, ann, circle, picture((0, 200, 1)), "h.png")
    client = await Client.open(server.ws, ann)
    try:
        cases = [
            ([theirs["id"]], "not_found"),  # another circle's attachment
            (["nope"], "not_found"),
            ([mine["id"], mine["id"]], "bad_frame"),
            ([mine["id"]] * 10, "bad_frame"),
            ("not a list", "bad_frame"),
            ([], "bad_frame"),  # no text and nothing attached
        ]
        for attachments, code in cases:
            frame = {"t": "say", "circle": circle, "text": "", "nonce": os.urandom(4).hex()}
            reply = await client.request({**frame, "attachments": attachments})
            assert (reply["t"], reply.get("code")) == ("error", code), (attachments, reply)
        history = await client.request({"t": "history", "circle": circle})
        assert history["messages"] == []
    finally:
        await client.close()


async def test_posts_and_comments_carry_attachments_and_release_them_when_deleted(
    server: ServerProcess, api: Api
) -> None:
    circle, ann, bob = await room(api)
    plan = await upload(api, ann, circle, b"%PDF-1.4\n" + os.urandom(2000), "课程计划.pdf")
    photo = await upload(api, bob, circle, picture((9, 9, 9)), "作业.png")
    r = await api.call(
        "POST", f"/circles/{circle}/posts", ann, json={"kind": "post", "attachments": [plan["id"]]}
    )
    assert r.status_code == 201, r.text
    post = r.json()
    assert post["text"] == "" and [a["name"] for a in post["attachments"]] == ["课程计划.pdf"]
    r = await api.call(
        "POST",
        f"/posts/{post['id']}/comments",
        bob,
        json={"text": "交作业", "attachments": [photo["id"]]},
    )
    assert r.status_code == 201, r.text
    assert [a["id"] for a in r.json()["attachments"]] == [photo["id"]]
    r = await api.call("GET", f"/posts/{post['id']}/comments", ann)
    assert [a["id"] for a in r.json()["comments"][0]["attachments"]] == [photo["id"]]
    feed = (await api.call("GET", f"/circles/{circle}/posts", bob)).json()["posts"]
    assert [a["id"] for a in feed[0]["attachments"]] == [plan["id"]]
    bad = await api.call(
        "POST", f"/circles/{circle}/posts", ann, json={"kind": "post", "attachments": ["x"] * 10}
    )
    assert bad.status_code == 400, bad.text
    # Still in use after the grace period: kept.
    await sleep(GRACE_S + 1)
    assert await fetch(api, bob, plan["url"]) == 200
    assert await fetch(api, ann, photo["url"]) == 200
    # The post goes, its comments with it: both files are unused now, and collected.
    assert (await api.call("DELETE", f"/posts/{post['id']}", ann)).status_code == 204
    await wait_gone(api, ann, [plan["url"], photo["url"]])
    assert blob_files(server) == set()


async def test_a_highlight_keeps_its_photo_when_retention_prunes_the_chat(
    server: ServerProcess, api: Api
) -> None:
    circle, ann, bob = await room(api)
    r = await api.call(
        "PATCH",
        f"/circles/{circle}",
        ann,
        json={"promote_threshold": 1, "retention_messages": 100},
    )
    assert r.status_code == 200, r.text
    kept = await upload(api, ann, circle, picture((1, 2, 3)), "kept.png")
    pruned = await upload(api, ann, circle, picture((3, 2, 1)), "pruned.png")
    never_sent = await upload(api, ann, circle, picture((5, 5, 5)), "draft.png")
    client = await Client.open(server.ws, ann)
    try:
        first = {}
        for attachment in (kept, pruned):
            reply = await client.request(
                {
                    "t": "say",
                    "circle": circle,
                    "text": attachment["name"],
                    "nonce": attachment["id"],
                    "attachments": [attachment["id"]],
                }
            )
            first[attachment["id"]] = reply["seq"]
        star = await client.request({"t": "star", "circle": circle, "seq": first[kept["id"]]})
        assert star["t"] == "ok", star
        posts = (await api.call("GET", f"/circles/{circle}/posts", bob)).json()["posts"]
        highlight = next(p for p in posts if p["kind"] == "highlight")
        assert [a["id"] for a in highlight["attachments"]] == [kept["id"]]
        # 100 more messages: retention (100 per circle) prunes both photo messages.
        for i in range(100):
            client.send({"t": "say", "circle": circle, "text": f"m{i}", "nonce": f"m{i}"})
        await client.say(circle, "last")
    finally:
        await client.close()
    await wait_gone(api, ann, [pruned["url"], never_sent["url"]])
    assert await fetch(api, bob, kept["url"]) == 200
    assert await fetch(api, bob, kept["thumb_url"]) == 200
    assert blob_files(server) == {kept["sha256"], kept["sha256"] + ".thumb.webp"}


async def wait_gone(api: Api, token: str, urls: list[str], within_s: float = 15) -> None:
    for _ in range(int(within_s / 0.2)):
        if [await fetch(api, token, url) for url in urls] == [404] * len(urls):
            return
        await sleep(0.2)
    raise AssertionError(f"still served: {urls}")
