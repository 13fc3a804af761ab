"""Emoji reactions against a real server: on a message of a group and on a post,
over HTTP (URL-encoded emoji), pushed live to another member's socket as
`reaction.changed`, counted once per member, read back per range of seqs and
as who reacted, and caught up with the events endpoint after a reconnect."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from tests.e2e.harness import Api, Client, ServerProcess

THUMBS, HEART, FAMILY = "👍", "❤️", "👨\u200d👩\u200d👧"


@dataclass
class Person:
    token: str
    id: str
    name: str


@dataclass
class Scene:
    """ann's circle with bob as a member and a group both are in."""

    api: Api
    circle: str
    group: str
    ann: Person
    bob: Person

    async def call(self, method: str, path: str, who: Person, **kw: Any) -> httpx.Response:
        return await self.api.call(method, path, who.token, **kw)

    async def react(
        self, who: Person, target: str, emoji: str, on: bool = True, status: int = 200
    ) -> dict[str, Any]:
        r = await self.call("PUT" if on else "DELETE", f"{target}/reactions/{quote(emoji)}", who)
        assert r.status_code == status, r.text
        return dict(r.json())


async def scene(api: Api) -> Scene:
    ann_token, ann = await api.signup("ann_r", "安娜")
    bob_token, bob = await api.signup("bob_r", "Bob")
    circle = await api.circle(ann_token, "表情")
    assert (await api.join(bob_token, circle)).status_code == 200
    r = await api.call("POST", f"/circles/{circle}/groups", ann_token, json={"name": "北京"})
    group = r.json()["group"]["id"]
    assert (await api.call("POST", f"/groups/{group}/join", bob_token)).status_code == 200
    return Scene(
        api,
        circle,
        group,
        Person(ann_token, ann["id"], ann["name"]),
        Person(bob_token, bob["id"], bob["name"]),
    )


async def say(client: Client, circle: str, group: str, text: str) -> int:
    reply = await client.request(
        {"t": "say", "circle": circle, "group": group, "text": text, "nonce": text}
    )
    assert reply["t"] == "ok", reply
    return int(reply["seq"])


async def next_reaction(client: Client, after: int = 0) -> dict[str, Any]:
    """The next `reaction.changed` push with a rev past ``after``."""
    while True:
        event = await client.push("event")
        if event["kind"] == "reaction.changed" and event["rev"] > after:
            return event


async def test_reactions_on_messages_push_live_and_count_once(
    server: ServerProcess, api: Api, codec: str
) -> None:
    s = await scene(api)
    ann = await Client.open(server.ws, s.ann.token, codec)
    bob = await Client.open(server.ws, s.bob.token, codec)
    # A group's reactions reach who reads it: bob follows its chat.
    await bob.request({"t": "join", "circle": s.circle, "group": s.group})
    try:
        seq = await say(ann, s.circle, s.group, "今天吃什么")
        message = f"/groups/{s.group}/messages/{seq}"
        assert await s.react(s.bob, message, THUMBS) == {"emoji": THUMBS, "count": 1, "mine": True}
        event = await next_reaction(ann)
        assert event["circle"] == s.circle
        assert event["target"] == {"group": s.group, "seq": seq}
        assert (event["emoji"], event["user"], event["on"], event["count"]) == (
            THUMBS,
            s.bob.id,
            True,
            1,
        )
        assert (await next_reaction(bob))["rev"] == event["rev"]
        # Twice counts once and pushes nothing; ann's own counts.
        assert (await s.react(s.bob, message, THUMBS))["count"] == 1
        assert (await s.react(s.ann, message, THUMBS))["count"] == 2
        second = await next_reaction(bob)
        assert (second["rev"], second["user"], second["count"]) == (event["rev"] + 1, s.ann.id, 2)
        await s.react(s.ann, message, FAMILY)
        third = await next_reaction(bob)
        assert third["emoji"] == FAMILY

        r = await s.call("GET", f"/groups/{s.group}/reactions?from_seq=1&to_seq={seq + 10}", s.bob)
        assert r.json() == {
            "messages": [
                {
                    "seq": seq,
                    "reactions": [
                        {"emoji": THUMBS, "count": 2, "mine": True},
                        {"emoji": FAMILY, "count": 1, "mine": False},
                    ],
                }
            ]
        }
        who = (await s.call("GET", f"{message}/reactions", s.bob)).json()["reactions"]
        assert who[0] == {
            "emoji": THUMBS,
            "count": 2,
            "users": [{"id": s.bob.id, "name": "Bob"}, {"id": s.ann.id, "name": "安娜"}],
        }
        off = await s.react(s.bob, message, THUMBS, on=False)
        assert off == {"emoji": THUMBS, "count": 1, "mine": False}
        withdrawn = await next_reaction(ann, after=third["rev"])
        assert (withdrawn["on"], withdrawn["count"]) == (False, 1)
    finally:
        await ann.close()
        await bob.close()


async def test_reactions_on_posts_travel_with_the_post(server: ServerProcess, api: Api) -> None:
    s = await scene(api)
    r = await s.call(
        "POST", f"/circles/{s.circle}/posts", s.ann, json={"kind": "post", "text": "周末爬山"}
    )
    post = r.json()["id"]
    bob = await Client.open(server.ws, s.bob.token)
    # A group's reactions reach who reads it: bob follows its chat.
    await bob.request({"t": "join", "circle": s.circle, "group": s.group})
    try:
        await s.react(s.ann, f"/posts/{post}", HEART)
        event = await next_reaction(bob)
        assert (event["target"], event["emoji"], event["count"]) == ({"post": post}, HEART, 1)
    finally:
        await bob.close()
    feed = (await s.call("GET", f"/circles/{s.circle}/posts", s.bob)).json()["posts"]
    assert feed[0]["reactions"] == [{"emoji": HEART, "count": 1, "mine": False}]
    mine = (await s.call("GET", f"/posts/{post}", s.ann)).json()
    assert mine["reactions"] == [{"emoji": HEART, "count": 1, "mine": True}]
    who = (await s.call("GET", f"/posts/{post}/reactions", s.bob)).json()
    assert who["reactions"][0]["users"] == [{"id": s.ann.id, "name": "安娜"}]


async def test_bad_emoji_strangers_and_big_ranges_are_refused(
    server: ServerProcess, api: Api
) -> None:
    s = await scene(api)
    ann = await Client.open(server.ws, s.ann.token)
    try:
        seq = await say(ann, s.circle, s.group, "hi")
    finally:
        await ann.close()
    message = f"/groups/{s.group}/messages/{seq}"
    for bad in ("a", " ", "👍👍x", "x" * 40):
        await s.react(s.bob, message, bad, status=400)
    stranger_token, _ = await api.signup("stranger_r")
    stranger = Person(stranger_token, "", "")
    await s.react(stranger, message, THUMBS, status=403)
    await s.react(s.bob, f"/groups/{s.group}/messages/{seq + 5}", THUMBS, status=404)
    await s.react(s.bob, "/posts/nosuchpost", THUMBS, status=404)
    for query in ("from_seq=1&to_seq=501", "from_seq=5&to_seq=4", "from_seq=1", "to_seq=x"):
        r = await s.call("GET", f"/groups/{s.group}/reactions?{query}", s.bob)
        assert r.status_code == 400, (query, r.text)


async def test_a_member_away_catches_up_on_reactions(server: ServerProcess, api: Api) -> None:
    s = await scene(api)
    ann = await Client.open(server.ws, s.ann.token)
    seq = await say(ann, s.circle, s.group, "catch me")
    await ann.close()
    last_rev = (await s.call("GET", f"/circles/{s.circle}", s.bob)).json()["last_rev"]
    message = f"/groups/{s.group}/messages/{seq}"
    await s.react(s.ann, message, THUMBS)
    await s.react(s.ann, message, HEART)
    await s.react(s.ann, message, THUMBS, on=False)
    r = await s.call("GET", f"/circles/{s.circle}/events?after={last_rev}", s.bob)
    events = [e for e in r.json()["events"] if e["kind"] == "reaction.changed"]
    assert [(e["emoji"], e["on"], e["count"]) for e in events] == [
        (THUMBS, True, 1),
        (HEART, True, 1),
        (THUMBS, False, 0),
    ]
    assert all(e["target"] == {"group": s.group, "seq": seq} for e in events)
    # After reconnecting, the socket pushes what follows.
    bob = await Client.open(server.ws, s.bob.token)
    # A group's reactions reach who reads it: bob follows its chat.
    await bob.request({"t": "join", "circle": s.circle, "group": s.group})
    try:
        await s.react(s.ann, message, FAMILY)
        assert (await next_reaction(bob))["rev"] == events[-1]["rev"] + 1
    finally:
        await bob.close()
