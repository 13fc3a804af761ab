"""Following a public circle against a real server process: a follower's open
socket gets the circle's highlights and posts live and never its chat nor its
members' business; unfollowing stops it on the open socket; a reconnect and a
catch-up give the feed and nothing else; a follower who joins is a member."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import Api, Client, ServerProcess

pytestmark = pytest.mark.e2e

# What a follower may receive of a followed circle: its feed (protocol/events.py
# FEED_EVENTS) and the events of their own follow.
FEED_KINDS = {
    "post.created",
    "post.promoted",
    "post.edited",
    "post.deleted",
    "post.pinned",
    "post.unpinned",
    "pins.reordered",
    "post.must_read",
    "circle.updated",
    "circle.deleted",
}
OWN_KINDS = {"follow.added", "follow.removed"}


async def ok(api: Api, method: str, path: str, token: str, **kw: Any) -> Any:
    r = await api.call(method, path, token, **kw)
    assert r.status_code < 300, r.text
    return r.json() if r.status_code != 204 else None


async def post(api: Api, circle: str, token: str, text: str) -> dict[str, Any]:
    body = {"kind": "post", "text": text}
    return dict(await ok(api, "POST", f"/circles/{circle}/posts", token, json=body))


async def until_event(client: Client, kind: str, seen: list[dict[str, Any]]) -> dict[str, Any]:
    """Every push up to the next `event` of this kind (kept in ``seen``)."""
    while True:
        frame = await client.push()
        seen.append(frame)
        if frame["t"] == "event" and frame["kind"] == kind:
            return frame


def only_feed(frames: list[dict[str, Any]], user_id: str) -> None:
    for frame in frames:
        if frame["t"] == "notification":
            # Their own inbox: what was done to them (a ban), never the circle's content.
            assert frame["notification"]["kind"] == "moderation", frame
            continue
        assert frame["t"] in ("event", "highlight"), frame
        if frame["t"] == "event":
            assert frame["kind"] in FEED_KINDS | OWN_KINDS, frame
            if frame["kind"] in OWN_KINDS:
                assert frame["user"] == user_id, frame


async def test_follow_delivers_highlights_and_never_chat(
    server: ServerProcess, api: Api, codec: str
) -> None:
    olga, _ = await api.signup("olga", "Olga")
    mia, _ = await api.signup("mia", "Mia")
    fan, fan_user = await api.signup("fan", "粉丝")
    ned, _ = await api.signup("ned", "Ned")
    circle = await api.circle(olga, "Creator")
    assert (await api.join(mia, circle)).status_code == 200
    followed = await ok(api, "POST", f"/circles/{circle}/follow", fan)
    assert followed == {"following": True, "followers": 1}

    owner = await Client.open(server.ws, olga, codec)
    member = await Client.open(server.ws, mia, codec)
    follower = await Client.open(server.ws, fan, codec)
    seen: list[dict[str, Any]] = []
    try:
        for client in (owner, member):
            assert (await client.request({"t": "join", "circle": circle}))["t"] == "joined"
        # A follower is not in the chat: joining it is refused.
        refused = await follower.request({"t": "join", "circle": circle})
        assert refused["t"] == "error" and refused["code"] == "forbidden", refused

        said = await owner.say(circle, "a line worth keeping")
        assert (await member.push("msg"))["text"] == "a line worth keeping"
        # A newcomer joins (a member event) before the highlight.
        assert (await api.join(ned, circle)).status_code == 200
        starred = await owner.request({"t": "star", "circle": circle, "seq": said["seq"]})
        assert starred["t"] == "ok" and starred["post"] is not None, starred
        promoted = await until_event(follower, "post.promoted", seen)
        assert promoted["post"]["text"] == "a line worth keeping"
        highlight = await follower.push("highlight")
        seen.append(highlight)
        assert highlight["action"] == "promoted" and highlight["circle"] == circle
        await post(api, circle, olga, "news for the fans")
        created = await until_event(follower, "post.created", seen)
        assert created["post"]["text"] == "news for the fans"
        # The member heard the chat and the newcomer; the follower neither.
        assert (await member.push("event"))["kind"] == "member.joined"
        only_feed(seen, fan_user["id"])
        assert not [f for f in seen if f.get("kind") == "member.joined"]

        # Unfollowing stops it on the open socket: the post in between never
        # arrives; following again brings the next one.
        gone = await ok(api, "DELETE", f"/circles/{circle}/follow", fan)
        assert gone == {"following": False, "followers": 0}
        removed = await until_event(follower, "follow.removed", seen)
        assert removed["reason"] == "unfollowed"
        await post(api, circle, olga, "while away")
        await ok(api, "POST", f"/circles/{circle}/follow", fan)
        await until_event(follower, "follow.added", seen)
        await post(api, circle, olga, "welcome back")
        back = await until_event(follower, "post.created", seen)
        assert back["post"]["text"] == "welcome back"
        texts = [f["post"]["text"] for f in seen if f.get("kind") == "post.created"]
        assert texts == ["news for the fans", "welcome back"]
        only_feed(seen, fan_user["id"])
    finally:
        for client in (owner, member, follower):
            await client.close()


async def test_reconnect_and_catch_up_give_the_feed_only(server: ServerProcess, api: Api) -> None:
    olga, _ = await api.signup("olga", "Olga")
    mia, _ = await api.signup("mia", "Mia")
    fan, fan_user = await api.signup("fan", "Fan")
    circle = await api.circle(olga, "Creator")
    assert (await api.join(mia, circle)).status_code == 200
    await ok(api, "POST", f"/circles/{circle}/follow", fan)
    owner = await Client.open(server.ws, olga)
    try:
        said = await owner.say(circle, "keep me")
        await owner.request({"t": "star", "circle": circle, "seq": said["seq"]})
        await post(api, circle, mia, "a member's post")
        # A member event the follower must not catch up on.
        ned, _ = await api.signup("ned", "Ned")
        assert (await api.join(ned, circle)).status_code == 200
        # A catch-up after a reconnect: the feed, the follower's own follow, nothing else.
        events = (await ok(api, "GET", f"/circles/{circle}/events?after=0", fan))["events"]
        kinds = [e["kind"] for e in events]
        assert "post.promoted" in kinds and "post.created" in kinds, kinds
        assert "follow.added" in kinds
        assert set(kinds) <= FEED_KINDS | OWN_KINDS, kinds
        # The same call by a member shows what the follower was spared.
        all_kinds = {
            e["kind"]
            for e in (await ok(api, "GET", f"/circles/{circle}/events?after=0", mia))["events"]
        }
        assert {"member.joined", "message.starred"} <= all_kinds

        # A new socket knows the follow from the store: the feed reaches it.
        follower = await Client.open(server.ws, fan)
        try:
            seen: list[dict[str, Any]] = []
            await post(api, circle, olga, "after the reconnect")
            created = await until_event(follower, "post.created", seen)
            assert created["post"]["text"] == "after the reconnect"
            only_feed(seen, fan_user["id"])
            # A follower who joins is a member by the normal join: the chat reaches
            # them from now on, and they follow no more.
            joined = await ok(api, "POST", f"/circles/{circle}/join", fan)
            assert joined["role"] == "member"
            removed = await until_event(follower, "follow.removed", seen)
            assert removed["reason"] == "joined" and removed["followers"] == 0
            await until_event(follower, "member.joined", seen)
            assert (await follower.request({"t": "join", "circle": circle}))["t"] == "joined"
            await owner.say(circle, "hello member")
            assert (await follower.push("msg"))["text"] == "hello member"
        finally:
            await follower.close()
        info = await ok(api, "GET", f"/circles/{circle}", fan)
        assert info["following"] is False and info["follower_count"] == 0
        assert info["members"] == 4
    finally:
        await owner.close()


async def test_a_ban_ends_a_follow_on_the_open_socket_and_a_deleted_circle_goes(
    server: ServerProcess, api: Api
) -> None:
    olga, _ = await api.signup("olga", "Olga")
    fan, fan_user = await api.signup("fan", "Fan")
    circle = await api.circle(olga, "Creator")
    await ok(api, "POST", f"/circles/{circle}/follow", fan)
    follower = await Client.open(server.ws, fan)
    seen: list[dict[str, Any]] = []
    try:
        await ok(api, "PUT", f"/circles/{circle}/bans/{fan_user['id']}", olga, json={})
        removed = await until_event(follower, "follow.removed", seen)
        assert removed["reason"] == "banned" and removed["followers"] == 0
        refused = await api.call("POST", f"/circles/{circle}/follow", fan)
        assert refused.status_code == 403 and refused.json()["error"]["reason"] == "banned"
        await post(api, circle, olga, "while banned")
        await ok(api, "DELETE", f"/circles/{circle}/bans/{fan_user['id']}", olga)
        await ok(api, "POST", f"/circles/{circle}/follow", fan)
        await until_event(follower, "follow.added", seen)
        await post(api, circle, olga, "after")
        await until_event(follower, "post.created", seen)
        texts = [f["post"]["text"] for f in seen if f.get("kind") == "post.created"]
        assert texts == ["after"]
        # The circle deleted: the follower is told, and follows it no more.
        r = await api.call("DELETE", f"/circles/{circle}", olga, json={"confirm": "Creator"})
        assert r.status_code == 204, r.text
        await until_event(follower, "circle.deleted", seen)
        only_feed(seen, fan_user["id"])
        assert (await ok(api, "GET", "/me/following", fan))["circles"] == []
    finally:
        await follower.close()
