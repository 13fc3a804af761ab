"""Chat groups over HTTP against a real server: creating, listing with unread
counts, joining (open, on request, invite-only), caps, leaving, archiving,
group admins, members, a group's chat history and vetoes."""

from __future__ import annotations

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
    """An owner's circle with three members (bob, cat, dan)."""

    api: Api
    server: ServerProcess
    circle: str
    owner: Person
    bob: Person
    cat: Person
    dan: Person

    async def call(self, method: str, path: str, who: Person, **kw: Any) -> httpx.Response:
        return await self.api.call(method, path, who.token, **kw)

    async def create(self, name: str, status: int = 201, **settings: Any) -> dict[str, Any]:
        r = await self.call(
            "POST", f"/circles/{self.circle}/groups", self.owner, json={"name": name, **settings}
        )
        assert r.status_code == status, r.text
        return dict(r.json()["group"]) if status == 201 else {}

    async def join(self, group: str, who: Person, status: int = 200) -> dict[str, Any]:
        r = await self.call("POST", f"/groups/{group}/join", who)
        assert r.status_code == status, r.text
        return dict(r.json()["member"]) if status == 200 else {}

    async def put_member(
        self, group: str, actor: Person, who: Person, status: int = 200, **body: Any
    ) -> httpx.Response:
        r = await self.call("PUT", f"/groups/{group}/members/{who.id}", actor, json=body)
        assert r.status_code == status, r.text
        return r

    async def groups(self, who: Person, query: str = "") -> dict[str, dict[str, Any]]:
        r = await self.call("GET", f"/circles/{self.circle}/groups{query}", who)
        assert r.status_code == 200, r.text
        return {g["id"]: g for g in r.json()["groups"]}

    async def members(self, group: str, who: Person, query: str = "") -> dict[str, Any]:
        r = await self.call("GET", f"/groups/{group}/members{query}", who)
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def say(self, who: Person, group: str, *texts: str) -> list[int]:
        client = await Client.open(self.server.ws, who.token)
        seqs = []
        for text in texts:
            reply = await client.request(
                {"t": "say", "circle": self.circle, "group": group, "text": text, "nonce": text}
            )
            assert reply["t"] == "ok", reply
            seqs.append(int(reply["seq"]))
        await client.close()
        return seqs


@pytest.fixture
async def scene(server: ServerProcess, api: Api) -> AsyncIterator[Scene]:
    people = []
    for handle in ("owner", "bob", "cat", "dan"):
        token, user = await api.signup(handle, handle.title())
        people.append(Person(token, user["id"]))
    circle = await api.circle(people[0].token, "Hikers")
    for person in people[1:]:
        assert (await api.join(person.token, circle)).status_code == 200
    yield Scene(api, server, circle, *people)


async def test_the_owner_creates_groups_a_member_cannot(scene: Scene) -> None:
    group = await scene.create("Beijing", topic="northern trails", max_members=50)
    assert group["circle"] == scene.circle and group["general"] is False
    assert (group["name"], group["topic"], group["access"]) == (
        "Beijing",
        "northern trails",
        "open",
    )
    assert (group["max_members"], group["members"], group["read_only"]) == (50, 1, False)
    r = await scene.call("GET", f"/groups/{group['id']}", scene.bob)
    assert r.status_code == 200 and r.json()["group"] == group
    r = await scene.call(
        "POST", f"/circles/{scene.circle}/groups", scene.bob, json={"name": "Mine"}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    # Bad input is a 400, never a 500.
    for body in (
        {},
        {"name": None},
        {"name": "x", "access": "secret"},
        {"name": "x", "max_members": 1},
        {"name": "x", "max_members": "ten"},
        {"name": "x", "read_only": "yes"},
        {"name": "\u202eevil"},
    ):
        r = await scene.call("POST", f"/circles/{scene.circle}/groups", scene.owner, json=body)
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request", body
    r = await scene.call("GET", "/groups/nope", scene.owner)
    assert r.status_code == 404


async def test_the_list_in_order_with_each_viewers_standing_and_unread(scene: Scene) -> None:
    first = await scene.create("first")
    second = await scene.create("second", access="request")
    third = await scene.create("third")
    await scene.join(first["id"], scene.bob)
    await scene.join(second["id"], scene.cat)
    await scene.say(scene.owner, first["id"], "one", "two", "three")
    await scene.say(scene.owner, scene.circle, "hello general")

    listed = await scene.groups(scene.bob)
    assert list(listed) == [scene.circle, first["id"], second["id"], third["id"]]
    general = listed[scene.circle]
    assert (general["general"], general["joined"], general["role"]) == (True, True, "member")
    assert general["unread"] == 1 and general["members"] == 4
    mine = listed[first["id"]]
    assert (mine["joined"], mine["role"], mine["requested"], mine["unread"]) == (
        True,
        "member",
        False,
        3,
    )
    assert listed[second["id"]]["joined"] is False and listed[second["id"]]["unread"] is None
    assert (await scene.groups(scene.cat))[second["id"]]["requested"] is True
    assert (await scene.groups(scene.owner))[first["id"]]["role"] == "admin"

    # The owner moves the third group to the top of the others.
    r = await scene.call("PATCH", f"/groups/{third['id']}", scene.owner, json={"position": 0})
    assert r.status_code == 200 and r.json()["group"]["position"] == 0
    order = list(await scene.groups(scene.bob))
    assert order.index(third["id"]) < order.index(first["id"])

    r = await scene.call("GET", f"/circles/{scene.circle}/groups?archived=maybe", scene.bob)
    assert r.status_code == 400
    token, _ = await scene.api.signup("stranger")
    r = await scene.api.call("GET", f"/circles/{scene.circle}/groups", token)
    assert r.status_code == 403


async def test_joining_open_request_and_invite_only_groups(scene: Scene) -> None:
    opened = await scene.create("open")
    asked = await scene.create("asked", access="request")
    cohort = await scene.create("cohort", access="invite")

    assert (await scene.join(opened["id"], scene.bob))["approved"] is True
    pending = await scene.join(asked["id"], scene.bob)
    assert pending == {
        "group": asked["id"],
        "user": scene.bob.id,
        "role": "member",
        "approved": False,
    }
    # A member cannot approve; the owner makes cat a group admin, and cat can.
    await scene.put_member(asked["id"], scene.dan, scene.bob, status=403)
    r = await scene.put_member(asked["id"], scene.owner, scene.cat, role="admin")
    assert r.json()["member"]["role"] == "admin"
    r = await scene.put_member(asked["id"], scene.cat, scene.bob)
    assert r.json()["member"] == {**pending, "approved": True}
    assert (await scene.groups(scene.bob))[asked["id"]]["joined"] is True
    await scene.put_member(asked["id"], scene.cat, scene.bob, role="owner", status=400)

    r = await scene.call("POST", f"/groups/{cohort['id']}/join", scene.bob)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = await scene.put_member(cohort["id"], scene.owner, scene.bob)
    assert r.json()["member"]["approved"] is True
    assert (await scene.groups(scene.bob))[cohort["id"]]["joined"] is True


async def test_a_full_group_answers_409(scene: Scene) -> None:
    pair = await scene.create("pair", max_members=2)
    await scene.join(pair["id"], scene.bob)
    await scene.join(pair["id"], scene.cat, status=409)
    await scene.put_member(pair["id"], scene.owner, scene.cat, status=409)
    # Lifting the cap (0: none) lets cat in.
    r = await scene.call("PATCH", f"/groups/{pair['id']}", scene.owner, json={"max_members": 0})
    assert r.status_code == 200 and r.json()["group"]["max_members"] is None
    await scene.join(pair["id"], scene.cat)


async def test_leaving_and_what_general_refuses(scene: Scene) -> None:
    group = await scene.create("g")
    await scene.join(group["id"], scene.bob)
    r = await scene.call("POST", f"/groups/{group['id']}/leave", scene.bob)
    assert r.status_code == 204
    listed = await scene.groups(scene.bob)
    assert listed[group["id"]]["joined"] is False and listed[group["id"]]["members"] == 1

    r = await scene.call("POST", f"/groups/{scene.circle}/leave", scene.bob)
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    for change in ({"archived": True}, {"access": "invite"}, {"max_members": 10}):
        r = await scene.call("PATCH", f"/groups/{scene.circle}", scene.owner, json=change)
        assert r.status_code == 409, change
    r = await scene.call("PATCH", f"/groups/{scene.circle}", scene.owner, json={"topic": "hi"})
    assert r.status_code == 200 and r.json()["group"]["topic"] == "hi"


async def test_archiving_hides_a_group_unless_asked(scene: Scene) -> None:
    group = await scene.create("old")
    r = await scene.call("PATCH", f"/groups/{group['id']}", scene.owner, json={"archived": True})
    assert r.status_code == 200 and r.json()["group"]["archived"] is True
    assert group["id"] not in await scene.groups(scene.bob)
    assert group["id"] not in await scene.groups(scene.bob, "?archived=false")
    archived = await scene.groups(scene.bob, "?archived=true")
    assert archived[group["id"]]["archived"] is True
    await scene.join(group["id"], scene.bob, status=409)


async def test_a_group_admin_edits_name_and_topic_not_archive_or_place(scene: Scene) -> None:
    group = await scene.create("g")
    await scene.join(group["id"], scene.bob)
    await scene.put_member(group["id"], scene.owner, scene.bob, role="admin")
    path = f"/groups/{group['id']}"
    r = await scene.call("PATCH", path, scene.bob, json={"name": "Trail crew", "topic": "maps"})
    assert r.status_code == 200, r.text
    assert (r.json()["group"]["name"], r.json()["group"]["topic"]) == ("Trail crew", "maps")
    for change in ({"archived": True}, {"position": 5}, {"access": "invite"}):
        r = await scene.call("PATCH", path, scene.bob, json=change)
        assert r.status_code == 403, change
    r = await scene.call("PATCH", path, scene.cat, json={"name": "not mine"})
    assert r.status_code == 403
    r = await scene.call("PATCH", path, scene.owner, json={"position": -1})
    assert r.status_code == 400
    assert (await scene.groups(scene.bob))[group["id"]]["name"] == "Trail crew"


async def test_members_hide_pending_requests_from_non_admins(scene: Scene) -> None:
    group = await scene.create("g", access="request")
    await scene.put_member(group["id"], scene.owner, scene.bob)
    await scene.join(group["id"], scene.cat)
    everyone = await scene.members(group["id"], scene.owner)
    assert everyone["next"] is None
    assert [(m["user"], m["role"], m["approved"]) for m in everyone["members"]] == [
        (scene.owner.id, "admin", True),
        (scene.bob.id, "member", True),
        (scene.cat.id, "member", False),
    ]
    assert {m["name"] for m in everyone["members"]} == {"Owner", "Bob", "Cat"}
    seen = await scene.members(group["id"], scene.bob)
    assert [m["user"] for m in seen["members"]] == [scene.owner.id, scene.bob.id]
    # A page at a time.
    page = await scene.members(group["id"], scene.owner, "?limit=2")
    assert len(page["members"]) == 2 and page["next"]
    rest = await scene.members(group["id"], scene.owner, f"?limit=2&cursor={page['next']}")
    assert [m["user"] for m in rest["members"]] == [scene.cat.id] and rest["next"] is None
    # Not a member (a pending request is not one): 403; general's are the circle's: 409.
    r = await scene.call("GET", f"/groups/{group['id']}/members", scene.cat)
    assert r.status_code == 403
    r = await scene.call("GET", f"/groups/{scene.circle}/members", scene.owner)
    assert r.status_code == 409
    # Declining a request.
    r = await scene.call("DELETE", f"/groups/{group['id']}/members/{scene.cat.id}", scene.owner)
    assert r.status_code == 204
    assert (await scene.groups(scene.cat))[group["id"]]["requested"] is False
    r = await scene.call("DELETE", f"/groups/{group['id']}/members/{scene.cat.id}", scene.owner)
    assert r.status_code == 404


async def test_a_groups_chat_is_for_its_members(scene: Scene) -> None:
    group = await scene.create("g")
    await scene.join(group["id"], scene.bob)
    seqs = await scene.say(scene.bob, group["id"], "in the group 1", "in the group 2")
    await scene.say(scene.owner, scene.circle, "in general")
    assert seqs == [1, 2]

    r = await scene.call("GET", f"/groups/{group['id']}/messages", scene.bob)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [m["text"] for m in body["messages"]] == ["in the group 1", "in the group 2"]
    assert {m["group"] for m in body["messages"]} == {group["id"]} and body["more"] is False
    r = await scene.call("GET", f"/groups/{group['id']}/messages?before=2&limit=1", scene.bob)
    assert [m["seq"] for m in r.json()["messages"]] == [1] and r.json()["more"] is False
    r = await scene.call("GET", f"/groups/{group['id']}/messages", scene.cat)
    assert r.status_code == 403
    # The circle's chat is general's alone, and the same through either road.
    general = await scene.call("GET", f"/circles/{scene.circle}/messages", scene.cat)
    assert [m["text"] for m in general.json()["messages"]] == ["in general"]
    same = await scene.call("GET", f"/groups/{scene.circle}/messages", scene.cat)
    assert same.json() == general.json()


async def test_vetoes_through_the_group_route(scene: Scene) -> None:
    group = await scene.create("g")
    await scene.join(group["id"], scene.bob)
    (seq,) = await scene.say(scene.bob, group["id"], "please do not promote")
    path = f"/groups/{group['id']}/messages/{seq}/veto"
    r = await scene.call("PUT", path, scene.bob)
    assert r.status_code == 403
    r = await scene.call("PUT", f"/groups/{group['id']}/messages/99/veto", scene.owner)
    assert r.status_code == 404
    assert (await scene.call("PUT", path, scene.owner)).status_code == 204
    assert (await scene.call("DELETE", path, scene.owner)).status_code == 204
    r = await scene.call("GET", f"/circles/{scene.circle}/events", scene.owner)
    vetoes = [e for e in r.json()["events"] if e["kind"] == "message.vetoed"]
    assert [(e["group"], e["seq"], e["vetoed"]) for e in vetoes] == [
        (group["id"], seq, True),
        (group["id"], seq, False),
    ]


async def test_a_member_removed_from_the_circle_is_out_of_its_groups(scene: Scene) -> None:
    group = await scene.create("g")
    await scene.join(group["id"], scene.bob)
    await scene.join(group["id"], scene.cat)
    r = await scene.call("DELETE", f"/circles/{scene.circle}/members/{scene.bob.id}", scene.owner)
    assert r.status_code == 204, r.text
    members = await scene.members(group["id"], scene.owner)
    assert [m["user"] for m in members["members"]] == [scene.owner.id, scene.cat.id]
    assert (await scene.groups(scene.cat))[group["id"]]["members"] == 2
    r = await scene.call("GET", f"/groups/{group['id']}/messages", scene.bob)
    assert r.status_code == 403
    # Back in the circle, not back in the group.
    assert (await scene.api.join(scene.bob.token, scene.circle)).status_code == 200
    assert (await scene.groups(scene.bob))[group["id"]]["joined"] is False


async def test_newcomers_to_a_group_see_its_chat_from_when_they_joined(scene: Scene) -> None:
    r = await scene.call(
        "PATCH", f"/circles/{scene.circle}", scene.owner, json={"history_for_new_members": False}
    )
    assert r.status_code == 200, r.text
    group = await scene.create("g")
    await scene.say(scene.owner, group["id"], "before bob")
    await scene.join(group["id"], scene.bob)
    await scene.say(scene.owner, group["id"], "after bob")
    r = await scene.call("GET", f"/groups/{group['id']}/messages", scene.bob)
    assert [m["text"] for m in r.json()["messages"]] == ["after bob"]
    r = await scene.call("GET", f"/groups/{group['id']}/messages", scene.owner)
    assert [m["text"] for m in r.json()["messages"]] == ["before bob", "after bob"]
