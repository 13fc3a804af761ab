"""Deleting, recalling and editing chat messages against a real server process:
an admin's delete reaches a watching member live, leaves a tombstone in history,
replay and catch-up, removes the highlight promoted from the message and
releases its photo (collected with its blob); a recall after the window is
refused; an edit reaches everyone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import Api, Client, ServerProcess
from tests.e2e.test_attachments_in_use import blob_files, picture, room, upload
from tests.timing import seconds, sleep

GRACE_S = 2.0
# A tiny recall window (scaled seconds), so a test can outwait it.
RECALL_S = 3.0
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.server_env(
        QUANZI_ATTACHMENT_GRACE_S=str(seconds(GRACE_S)),
        QUANZI_ATTACHMENT_COLLECT_S="0.2",
        QUANZI_RECALL_WINDOW_S=str(seconds(RECALL_S)),
    ),
]


async def event(client: Client, kind: str) -> dict[str, Any]:
    while True:
        push = await client.push("event")
        if push["kind"] == kind:
            return push


async def test_an_admin_deletes_a_spam_photo_everywhere(server: ServerProcess, api: Api) -> None:
    circle, ann, bob = await room(api)
    spam = await upload(api, bob, circle, picture((255, 0, 0)), "spam.png")
    watcher = await Client.open(server.ws, bob)
    owner = await Client.open(server.ws, ann)
    try:
        for c in (watcher, owner):
            assert (await c.request({"t": "join", "circle": circle}))["t"] == "joined"
        said = await watcher.request(
            {
                "t": "say",
                "circle": circle,
                "text": "加微信",
                "nonce": "s1",
                "attachments": [spam["id"]],
            }
        )
        seq = said["seq"]
        starred = await owner.request({"t": "star", "circle": circle, "seq": seq})
        assert starred["t"] == "ok" and starred["post"], starred
        rev = (await api.call("GET", f"/circles/{circle}", bob)).json()["last_rev"]
        assert blob_files(server), "the photo's blob is stored while the message uses it"

        r = await api.call("DELETE", f"/circles/{circle}/messages/{seq}?reason=广告", ann)
        assert r.status_code == 200, r.text
        pushed = await event(watcher, "message.deleted")
        assert (pushed["seq"], pushed["deleted"]) == (seq, "admin")
    finally:
        await watcher.close()
        await owner.close()

    history = (await api.call("GET", f"/circles/{circle}/messages", bob)).json()["messages"]
    tomb = next(m for m in history if m["seq"] == seq)
    assert tomb["text"] == "" and tomb["deleted"] == "admin" and "attachments" not in tomb
    late = await Client.open(server.ws, bob)
    try:
        await late.request({"t": "join", "circle": circle, "since": 0})
        replayed = {m["seq"]: m for m in await late.messages(1)}
        assert replayed[seq]["deleted"] == "admin" and replayed[seq]["text"] == ""
    finally:
        await late.close()
    caught = (await api.call("GET", f"/circles/{circle}/events?after={rev}", bob)).json()
    kinds = [e["kind"] for e in caught["events"]]
    assert "message.deleted" in kinds and "post.deleted" in kinds
    feed = (await api.call("GET", f"/circles/{circle}/posts", bob)).json()["posts"]
    assert feed == []
    # The photo is used by nothing now: collected with its blob after the grace period.
    await sleep(GRACE_S + 1)
    assert blob_files(server) == set()


async def test_a_recall_after_the_window_is_refused_and_an_edit_reaches_everyone(
    server: ServerProcess, api: Api
) -> None:
    circle, ann, bob = await room(api)
    reader = await Client.open(server.ws, ann)
    writer = await Client.open(server.ws, bob)
    try:
        for c in (reader, writer):
            await c.request({"t": "join", "circle": circle})
        quick = await writer.say(circle, "发错了")
        r = await api.call("DELETE", f"/circles/{circle}/messages/{quick['seq']}", bob)
        assert r.status_code == 200 and r.json()["message"]["deleted"] == "author", r.text
        assert (await event(reader, "message.deleted"))["deleted"] == "author"

        slow = await writer.say(circle, "明天八典见")
        r = await api.call(
            "PATCH", f"/circles/{circle}/messages/{slow['seq']}", bob, json={"text": "明天八点见"}
        )
        assert r.status_code == 200, r.text
        edited = await event(reader, "message.edited")
        assert (edited["seq"], edited["text"]) == (slow["seq"], "明天八点见")
        await sleep(RECALL_S + 0.5)
        r = await api.call("DELETE", f"/circles/{circle}/messages/{slow['seq']}", bob)
        assert r.status_code == 403, r.text
        assert r.json()["error"]["reason"] == "recall_window_passed"
    finally:
        await reader.close()
        await writer.close()
    history = (await api.call("GET", f"/circles/{circle}/messages", ann)).json()["messages"]
    assert [m.get("deleted") for m in history] == ["author", None]
    assert history[1]["text"] == "明天八点见" and history[1]["edited"] >= history[1]["ts"]
