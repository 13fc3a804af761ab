"""Polls against a real server: a chat poll is a message of its group (a v1
client reads it as text), votes push live to the other members, concurrent
votes count once per member, a private group's polls stay in it, catching up
with the events endpoint, and bad input is a 400."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.harness import Api, Client, ServerProcess


@dataclass
class Person:
    token: str
    id: str


@dataclass
class Scene:
    """An owner's circle (general: the circle's id) with members bob and cat."""

    api: Api
    server: ServerProcess
    circle: str
    owner: Person
    bob: Person
    cat: Person

    async def call(self, method: str, path: str, who: Person, **kw: Any) -> httpx.Response:
        return await self.api.call(method, path, who.token, **kw)

    async def ask(self, who: Person, group: str | None = None, **body: Any) -> dict[str, Any]:
        body = {"question": "周末去哪儿吗", "options": ["香山", "长城", "在家"], **body}
        r = await self.call("POST", f"/groups/{group or self.circle}/polls", who, json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def vote(self, who: Person, poll: str, options: list[int], status: int = 200) -> Any:
        r = await self.call("PUT", f"/polls/{poll}/votes", who, json={"options": options})
        assert r.status_code == status, r.text
        return r.json()["poll"] if status == 200 else r.json()

    async def events(self, who: Person, after: int = 0) -> list[dict[str, Any]]:
        r = await self.call("GET", f"/circles/{self.circle}/events?after={after}", who)
        assert r.status_code == 200, r.text
        return [e for e in r.json()["events"] if e["kind"].startswith("poll.")]


@pytest.fixture
async def scene(server: ServerProcess, api: Api) -> AsyncIterator[Scene]:
    people = []
    for handle in ("owner", "bob", "cat"):
        token, user = await api.signup(handle, handle.title())
        people.append(Person(token, user["id"]))
    circle = await api.circle(people[0].token, "Hikers")
    for person in people[1:]:
        assert (await api.join(person.token, circle)).status_code == 200
    yield Scene(api, server, circle, *people)


async def next_event(client: Client, kind: str) -> dict[str, Any]:
    while True:
        frame = await client.push("event")
        if frame["kind"] == kind:
            return frame


async def test_a_chat_poll_is_a_message_and_votes_push_live(scene: Scene, codec: str) -> None:
    # cat speaks protocol v1: she knows nothing of groups nor polls.
    cat = await Client.open(scene.server.ws, scene.cat.token, codec)
    bob = await Client.open(scene.server.ws, scene.bob.token, codec)
    try:
        assert (await cat.request({"t": "join", "circle": scene.circle}))["t"] != "error"
        created = await scene.ask(scene.owner)
        poll = created["poll"]
        assert created["seq"] == poll["seq"] and poll["group"] == scene.circle
        message = await cat.push("msg")
        assert (message["seq"], message["text"]) == (poll["seq"], "📊 周末去哪儿吗")
        announced = await next_event(bob, "poll.created")
        assert announced["poll"]["id"] == poll["id"] and "mine" not in announced["poll"]

        mine = await scene.vote(scene.cat, poll["id"], [1])
        assert (mine["counts"], mine["voters"], mine["mine"]) == ([0, 1, 0], 1, [1])
        pushed = await next_event(bob, "poll.voted")
        assert (pushed["poll"], pushed["counts"], pushed["voters"]) == (poll["id"], [0, 1, 0], 1)
        assert (pushed["user"], pushed["options"]) == (scene.cat.id, [1])

        r = await scene.call("POST", f"/polls/{poll['id']}/close", scene.bob)
        assert r.status_code == 403
        r = await scene.call("POST", f"/polls/{poll['id']}/close", scene.owner)
        assert r.status_code == 200 and r.json()["poll"]["closed"] is True
        closed = await next_event(bob, "poll.closed")
        assert closed["poll"]["closed"] is True and closed["poll"]["counts"] == [0, 1, 0]
        refused = await scene.vote(scene.bob, poll["id"], [0], status=409)
        assert refused["error"]["code"] == "conflict"
    finally:
        await cat.close()
        await bob.close()
    r = await scene.call("GET", f"/polls/{poll['id']}/voters", scene.bob)
    assert r.json()["voters"] == [{"user": scene.cat.id, "name": "Cat", "options": [1]}]
    listed = await scene.call("GET", f"/groups/{scene.circle}/polls", scene.bob)
    assert [p["id"] for p in listed.json()["polls"]] == [poll["id"]]


async def test_concurrent_votes_count_once_per_member(scene: Scene, api: Api) -> None:
    voters = [scene.owner, scene.bob, scene.cat]
    for i in range(5):
        token, user = await api.signup(f"walker{i}", f"行者{i}")
        assert (await api.join(token, scene.circle)).status_code == 200
        voters.append(Person(token, user["id"]))
    poll = (await scene.ask(scene.owner, multiple=True))["poll"]
    watcher = await Client.open(scene.server.ws, scene.bob.token)
    try:
        # Every member votes twice at once (the same choice): each counts once.
        await asyncio.gather(*(scene.vote(p, poll["id"], [0, 2]) for p in voters for _ in range(2)))
        final = (await scene.call("GET", f"/polls/{poll['id']}", scene.bob)).json()["poll"]
        assert (final["counts"], final["voters"]) == ([8, 0, 8], 8)
        # The pushes come in rev order; the last one carries the final counts.
        last: dict[str, Any] = {}
        while last.get("voters") != 8:
            last = await next_event(watcher, "poll.voted")
        assert last["counts"] == [8, 0, 8]
    finally:
        await watcher.close()
    changes = [e for e in await scene.events(scene.cat) if e["kind"] == "poll.voted"]
    assert len(changes) == 8 and [e["voters"] for e in changes] == list(range(1, 9))


async def test_anonymous_polls_and_a_private_groups_polls(scene: Scene) -> None:
    r = await scene.call(
        "POST",
        f"/circles/{scene.circle}/groups",
        scene.owner,
        json={"name": "北京", "access": "invite"},
    )
    group = r.json()["group"]["id"]
    r = await scene.call("PUT", f"/groups/{group}/members/{scene.bob.id}", scene.owner)
    assert r.status_code == 200
    bob = await Client.open(scene.server.ws, scene.bob.token)
    cat = await Client.open(scene.server.ws, scene.cat.token)
    try:
        assert (await bob.request({"t": "join", "circle": scene.circle, "group": group}))[
            "t"
        ] != "error"
        secret = (await scene.ask(scene.owner, group, anonymous=True))["poll"]
        assert (await next_event(bob, "poll.created"))["poll"]["id"] == secret["id"]
        await scene.vote(scene.bob, secret["id"], [2])
        pushed = await next_event(bob, "poll.voted")
        assert (pushed["counts"], pushed["user"], pushed["options"]) == ([0, 0, 1], None, None)
        # cat is not in the group: nothing of its polls reaches her, nor can she vote.
        public = (await scene.ask(scene.owner))["poll"]
        assert (await next_event(cat, "poll.created"))["poll"]["id"] == public["id"]
        assert await scene.vote(scene.cat, secret["id"], [0], status=403)
    finally:
        await bob.close()
        await cat.close()
    seen_by_cat = await scene.events(scene.cat)
    assert [(e["kind"], e["poll"]["id"]) for e in seen_by_cat] == [("poll.created", public["id"])]
    seen_by_bob = await scene.events(scene.bob)
    assert [e["kind"] for e in seen_by_bob] == ["poll.created", "poll.voted", "poll.created"]
    assert scene.bob.id not in str(seen_by_bob)
    r = await scene.call("GET", f"/polls/{secret['id']}/voters", scene.owner)
    assert r.status_code == 403
    r = await scene.call("GET", f"/polls/{secret['id']}", scene.owner)
    assert r.json()["poll"]["mine"] == [] and r.json()["poll"]["counts"] == [0, 0, 1]
    r = await scene.call("GET", f"/polls/{secret['id']}", scene.bob)
    assert r.json()["poll"]["mine"] == [2]


async def test_a_post_poll_and_catching_up(scene: Scene) -> None:
    r = await scene.call(
        "POST", f"/circles/{scene.circle}/posts", scene.bob, json={"kind": "post", "text": "聚餐"}
    )
    post = r.json()["id"]
    after = (await scene.call("GET", f"/circles/{scene.circle}/events", scene.cat)).json()[
        "last_rev"
    ]
    body = {"question": "吃什么吗", "options": ["火锅", "烧烤"], "multiple": True}
    r = await scene.call("POST", f"/posts/{post}/poll", scene.cat, json=body)
    assert r.status_code == 403
    r = await scene.call("POST", f"/posts/{post}/poll", scene.bob, json=body)
    assert r.status_code == 201, r.text
    poll = r.json()["poll"]
    assert (poll["post"], poll["group"], poll["multiple"]) == (post, None, True)
    r = await scene.call("POST", f"/posts/{post}/poll", scene.bob, json=body)
    assert r.status_code == 409
    await scene.vote(scene.cat, poll["id"], [0, 1])
    await scene.vote(scene.owner, poll["id"], [1])
    r = await scene.call("GET", f"/posts/{post}/poll", scene.owner)
    assert r.json()["poll"]["counts"] == [1, 2] and r.json()["poll"]["mine"] == [1]
    # Away meanwhile, cat catches up on all of it with one call.
    missed = await scene.events(scene.cat, after)
    assert [e["kind"] for e in missed] == ["poll.created", "poll.voted", "poll.voted"]
    assert missed[-1]["counts"] == [1, 2] and missed[-1]["post"] == post


async def test_bad_input_is_a_400(scene: Scene) -> None:
    poll = (await scene.ask(scene.owner))["poll"]
    for body in (
        {},
        {"question": "q"},
        {"question": "q", "options": ["a"]},
        {"question": "q", "options": ["a", "a"]},
        {"question": "q", "options": ["a", 1]},
        {"question": "q", "options": ["a", "b"], "multiple": "yes"},
        {"question": "q", "options": ["a", "b"], "closes_at": 1},
        {"question": "q", "options": ["a", "b"], "closes_at": None},
        {"question": " ", "options": ["a", "b"]},
    ):
        r = await scene.call("POST", f"/groups/{scene.circle}/polls", scene.owner, json=body)
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request", body
    for options in ([0, 1], [3], [-1], ["0"], [True], None, "0"):
        r = await scene.call(
            "PUT", f"/polls/{poll['id']}/votes", scene.bob, json={"options": options}
        )
        assert r.status_code == 400, options
    assert (await scene.call("GET", "/polls/nope", scene.bob)).status_code == 404
    assert (await scene.call("GET", "/groups/nope/polls", scene.bob)).status_code == 404
