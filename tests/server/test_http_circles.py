"""Circles over HTTP: directory, settings, membership, codes, history and vetoes."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from tests import timing

API = "/api/v1"


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code


def join(client: TestClient, circle: dict, who, code: str | None = None):
    body = {} if code is None else {"code": code}
    return client.post(f"{API}/circles/{circle['id']}/join", json=body, headers=who.auth)


def codes(client: TestClient, circle: dict, who, **body):
    return client.post(f"{API}/circles/{circle['id']}/codes", json=body, headers=who.auth)


def member_ids(client: TestClient, circle: dict, who) -> set[str]:
    response = client.get(f"{API}/circles/{circle['id']}/members", headers=who.auth)
    return {m["user"] for m in response.json()["members"]}


# -- create, get, patch -------------------------------------------------------


def test_create_circle_makes_the_creator_its_owner(client: TestClient, signup, make_circle) -> None:
    ann = signup("ann")
    circle = make_circle(ann, "Readers", description="books")
    for key in ("id", "name", "kind", "visibility", "description", "owner", "members"):
        assert key in circle
    assert (circle["name"], circle["kind"], circle["visibility"]) == (
        "Readers",
        "community",
        "public",
    )
    assert circle["owner"] == ann.id
    assert circle["members"] == 1
    assert circle["description"] == "books"
    assert isinstance(circle["promote_threshold"], int)
    assert isinstance(circle["created"], int)
    members = client.get(f"{API}/circles/{circle['id']}/members", headers=ann.auth).json()
    assert members["members"][0]["role"] == "owner"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "community", "visibility": "public"},
        {"name": "X", "kind": "party", "visibility": "public"},
        {"name": "X", "kind": "community", "visibility": "secret"},
        {"name": "X", "kind": "community", "visibility": "public", "description": 3},
        {"name": ["X"], "kind": "community", "visibility": "public"},
    ],
)
def test_create_circle_rejects_bad_bodies(client: TestClient, signup, body) -> None:
    ann = signup("ann")
    assert_error(client.post(f"{API}/circles", json=body, headers=ann.auth), 400, "bad_request")


def test_get_circle(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann"), signup("bob")
    public = make_circle(ann, "Open", visibility="public")
    private = make_circle(ann, "Closed", visibility="private")
    assert client.get(f"{API}/circles/{public['id']}", headers=bob.auth).json()["name"] == "Open"
    assert client.get(f"{API}/circles/{private['id']}", headers=ann.auth).status_code == 200
    assert_error(client.get(f"{API}/circles/{private['id']}", headers=bob.auth), 403, "forbidden")
    assert_error(client.get(f"{API}/circles/nope", headers=bob.auth), 404, "not_found")


def test_patch_circle_by_owner(client: TestClient, signup, make_circle) -> None:
    ann = signup("ann")
    circle = make_circle(ann)
    changes = {
        "name": "Book club",
        "promote_threshold": 5,
        "history_for_new_members": False,
        "retention_days": 30,
    }
    response = client.patch(f"{API}/circles/{circle['id']}", json=changes, headers=ann.auth)
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["name"], data["promote_threshold"]) == ("Book club", 5)
    assert data["history_for_new_members"] is False and data["retention_days"] == 30
    again = client.get(f"{API}/circles/{circle['id']}", headers=ann.auth).json()
    assert again["name"] == "Book club" and again["description"] == circle["description"]


def test_patch_circle_by_a_member_or_stranger_is_forbidden(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob, cat = signup("ann"), signup("bob"), signup("cat")
    circle = make_circle(ann)
    join(client, circle, bob)
    for who in (bob, cat):
        response = client.patch(
            f"{API}/circles/{circle['id']}", json={"name": "Mine"}, headers=who.auth
        )
        assert_error(response, 403, "forbidden")


@pytest.mark.parametrize(
    "changes",
    [
        {"promote_threshold": "3"},
        {"promote_threshold": True},
        {"promote_threshold": -1},
        {"promote_threshold": 1.5},
        {"history_for_new_members": "yes"},
        {"history_for_new_members": 1},
        {"name": None},
        {"retention_days": "7"},
        {"retention_days": None},
        {"description": None},
    ],
)
def test_patch_circle_rejects_wrong_types(client: TestClient, signup, make_circle, changes) -> None:
    ann = signup("ann")
    circle = make_circle(ann)
    response = client.patch(f"{API}/circles/{circle['id']}", json=changes, headers=ann.auth)
    assert_error(response, 400, "bad_request")


# -- directory -------------------------------------------------------------------


def test_directory_lists_public_circles_only(client: TestClient, signup, make_circle) -> None:
    ann = signup("ann")
    make_circle(ann, "Chess lovers", kind="community")
    make_circle(ann, "Chess team", kind="business")
    make_circle(ann, "Secret chess", visibility="private")
    make_circle(ann, "Pottery", kind="teaching")
    response = client.get(f"{API}/circles", headers=ann.auth)
    assert response.status_code == 200
    data = response.json()
    assert {c["name"] for c in data["circles"]} == {"Chess lovers", "Chess team", "Pottery"}
    assert data["next"] is None


def test_directory_search_and_kind(client: TestClient, signup, make_circle) -> None:
    ann = signup("ann")
    make_circle(ann, "Chess lovers", kind="community")
    make_circle(ann, "Chess team", kind="business")
    make_circle(ann, "Pottery", kind="teaching")

    def names(query: str) -> set[str]:
        response = client.get(f"{API}/circles?{query}", headers=ann.auth)
        assert response.status_code == 200, response.text
        return {c["name"] for c in response.json()["circles"]}

    assert names("q=chess") == {"Chess lovers", "Chess team"}
    assert names("q=chess&kind=business") == {"Chess team"}
    assert names("kind=teaching") == {"Pottery"}
    assert names("q=nothing-like-it") == set()


def test_directory_pages_with_a_cursor(client: TestClient, signup, make_circle) -> None:
    ann = signup("ann")
    made = {make_circle(ann, f"Circle {i}")["id"] for i in range(5)}
    seen: list[str] = []
    url = f"{API}/circles?limit=2"
    for _ in range(10):
        data = client.get(url, headers=ann.auth).json()
        assert len(data["circles"]) <= 2
        seen += [c["id"] for c in data["circles"]]
        if data["next"] is None:
            break
        url = f"{API}/circles?limit=2&cursor={data['next']}"
    assert sorted(seen) == sorted(made)  # every circle once, none twice


@pytest.mark.parametrize(
    "query", ["limit=abc", "limit=0", "limit=-3", "limit=1.5", "limit=101", "kind=party"]
)
def test_directory_bad_parameters_are_400(client: TestClient, signup, query) -> None:
    ann = signup("ann")
    assert_error(client.get(f"{API}/circles?{query}", headers=ann.auth), 400, "bad_request")


def test_directory_bad_cursor_is_400(client: TestClient, signup) -> None:
    ann = signup("ann")
    response = client.get(f"{API}/circles?cursor=%%garbage%%", headers=ann.auth)
    assert_error(response, 400, "bad_request")


# -- join, leave, codes -------------------------------------------------------------


def test_join_a_public_circle(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)
    response = client.post(f"{API}/circles/{circle['id']}/join", headers=bob.auth)  # no body
    assert response.status_code == 200, response.text
    member = response.json()
    assert member["user"] == bob.id and member["role"] == "member" and member["name"] == "Bob"
    assert join(client, circle, bob).status_code == 200  # idempotent
    assert client.get(f"{API}/circles/{circle['id']}", headers=ann.auth).json()["members"] == 2
    assert_error(client.post(f"{API}/circles/nope/join", headers=bob.auth), 404, "not_found")


def test_join_a_private_circle_needs_a_valid_code(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann, visibility="private")
    assert_error(join(client, circle, bob), 403, "forbidden")
    assert_error(join(client, circle, bob, code="made-up"), 403, "forbidden")
    response = codes(client, circle, ann, count=1)
    assert response.status_code == 201, response.text
    (code,) = response.json()["codes"]
    assert set(code) >= {"code", "max_uses", "uses", "expires"} and code["uses"] == 0
    assert join(client, circle, bob, code=code["code"]).status_code == 200
    assert bob.id in member_ids(client, circle, ann)
    assert client.get(f"{API}/circles/{circle['id']}", headers=bob.auth).status_code == 200


def test_a_used_up_code_is_forbidden(client: TestClient, signup, make_circle) -> None:
    ann, bob, cat = signup("ann"), signup("bob"), signup("cat")
    circle = make_circle(ann, visibility="private")
    (code,) = codes(client, circle, ann, count=1, max_uses=1).json()["codes"]
    assert code["max_uses"] == 1
    assert join(client, circle, bob, code=code["code"]).status_code == 200
    assert_error(join(client, circle, cat, code=code["code"]), 403, "forbidden")


def test_an_expired_code_is_forbidden(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann, visibility="private")
    (code,) = codes(client, circle, ann, count=1, expires_in_s=1).json()["codes"]
    assert isinstance(code["expires"], int)
    # The shortest lifetime the API allows is 1 s; waiting past it cannot flake.
    timing.sleep_blocking(max(0.0, code["expires"] / 1000 - time.time()) + 0.05)
    response = join(client, circle, bob, code=code["code"])
    assert_error(response, 403, "forbidden")
    assert "expired" in response.json()["error"]["message"]


def test_codes_need_an_owner_or_admin(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)
    join(client, circle, bob)
    assert_error(codes(client, circle, bob, count=1), 403, "forbidden")
    response = codes(client, circle, ann, count=3, max_uses=5, expires_in_s=3600)
    assert response.status_code == 201
    made = response.json()["codes"]
    assert len(made) == 3 and len({c["code"] for c in made}) == 3
    assert all(c["max_uses"] == 5 and c["expires"] is not None for c in made)


@pytest.mark.parametrize(
    "body", [{}, {"count": "2"}, {"count": 0}, {"count": True}, {"count": 1, "max_uses": 0}]
)
def test_codes_reject_bad_bodies(client: TestClient, signup, make_circle, body) -> None:
    ann = signup("ann")
    circle = make_circle(ann)
    assert_error(codes(client, circle, ann, **body), 400, "bad_request")


def test_leave(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)
    join(client, circle, bob)
    response = client.post(f"{API}/circles/{circle['id']}/leave", headers=bob.auth)
    assert response.status_code == 204
    assert bob.id not in member_ids(client, circle, ann)
    assert client.get(f"{API}/me/circles", headers=bob.auth).json()["circles"] == []


def test_the_last_owner_cannot_leave(client: TestClient, signup, make_circle) -> None:
    ann = signup("ann")
    circle = make_circle(ann)
    response = client.post(f"{API}/circles/{circle['id']}/leave", headers=ann.auth)
    assert_error(response, 409, "conflict")


# -- members ---------------------------------------------------------------------


def test_members_show_nicknames_as_names(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)
    join(client, circle, bob)
    url = f"{API}/circles/{circle['id']}/members/{bob.id}"
    response = client.patch(url, json={"nickname": "Bobby"}, headers=bob.auth)
    assert response.status_code == 200, response.text
    assert response.json()["nickname"] == "Bobby" and response.json()["name"] == "Bobby"
    members = client.get(f"{API}/circles/{circle['id']}/members", headers=ann.auth).json()[
        "members"
    ]
    by_user = {m["user"]: m for m in members}
    assert by_user[bob.id] == {
        "user": bob.id,
        "role": "member",
        "nickname": "Bobby",
        "name": "Bobby",
    }
    assert by_user[ann.id]["name"] == "Ann" and by_user[ann.id]["role"] == "owner"
    cleared = client.patch(url, json={"nickname": ""}, headers=bob.auth).json()
    assert cleared["nickname"] is None and cleared["name"] == "Bob"


def test_members_of_a_private_circle_are_hidden_from_strangers(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann, visibility="private")
    response = client.get(f"{API}/circles/{circle['id']}/members", headers=bob.auth)
    assert_error(response, 403, "forbidden")


def test_roles_are_set_by_owner_or_admin_only(client: TestClient, signup, make_circle) -> None:
    ann, bob, cat = signup("ann"), signup("bob"), signup("cat")
    circle = make_circle(ann)
    join(client, circle, bob)
    join(client, circle, cat)
    url = f"{API}/circles/{circle['id']}/members"
    assert_error(
        client.patch(f"{url}/{cat.id}", json={"role": "admin"}, headers=bob.auth), 403, "forbidden"
    )
    assert_error(
        client.patch(f"{url}/{bob.id}", json={"role": "admin"}, headers=bob.auth), 403, "forbidden"
    )
    assert_error(
        client.patch(f"{url}/{cat.id}", json={"nickname": "C"}, headers=bob.auth), 403, "forbidden"
    )
    response = client.patch(f"{url}/{bob.id}", json={"role": "admin"}, headers=ann.auth)
    assert response.status_code == 200 and response.json()["role"] == "admin"
    # An admin creates codes and renames others.
    assert codes(client, circle, bob, count=1).status_code == 201
    assert (
        client.patch(f"{url}/{cat.id}", json={"nickname": "C"}, headers=bob.auth).status_code == 200
    )
    assert_error(
        client.patch(f"{url}/{cat.id}", json={"role": 1}, headers=ann.auth), 400, "bad_request"
    )
    assert_error(
        client.patch(f"{url}/{cat.id}", json={"role": "emperor"}, headers=ann.auth),
        400,
        "bad_request",
    )
    assert_error(
        client.patch(f"{url}/nobody", json={"role": "admin"}, headers=ann.auth), 404, "not_found"
    )


def test_remove_member(client: TestClient, signup, make_circle) -> None:
    ann, bob, cat = signup("ann"), signup("bob"), signup("cat")
    circle = make_circle(ann)
    join(client, circle, bob)
    join(client, circle, cat)
    url = f"{API}/circles/{circle['id']}/members"
    assert_error(client.delete(f"{url}/{cat.id}", headers=bob.auth), 403, "forbidden")
    response = client.delete(f"{url}/{cat.id}", headers=ann.auth)
    assert response.status_code == 204
    assert member_ids(client, circle, ann) == {ann.id, bob.id}
    assert client.get(f"{API}/me/circles", headers=cat.auth).json()["circles"] == []


# -- chat history and vetoes ---------------------------------------------------------


def say(client: TestClient, circle: dict, who, text: str) -> dict:
    chat = client.app.state.node.store.chat
    message, _ = client.portal.call(chat.say, circle["id"], who.id, who.name, text, f"n-{text}")
    return message


def history(client: TestClient, circle: dict, who, query: str = ""):
    return client.get(f"{API}/circles/{circle['id']}/messages{query}", headers=who.auth)


def test_history_of_a_new_circle_is_empty(client: TestClient, signup, make_circle) -> None:
    ann = signup("ann")
    circle = make_circle(ann)
    response = history(client, circle, ann)
    assert response.status_code == 200
    assert response.json() == {"messages": [], "more": False}


def test_history_pages_newest_last(client: TestClient, signup, make_circle) -> None:
    ann = signup("ann")
    circle = make_circle(ann)
    for i in range(5):
        say(client, circle, ann, f"m{i}")
    page = history(client, circle, ann, "?limit=2").json()
    assert [m["text"] for m in page["messages"]] == ["m3", "m4"] and page["more"] is True
    assert page["messages"][0]["from"] == {"id": ann.id, "name": "Ann"}
    before = page["messages"][0]["seq"]
    older = history(client, circle, ann, f"?limit=10&before={before}").json()
    assert [m["text"] for m in older["messages"]] == ["m0", "m1", "m2"] and older["more"] is False


@pytest.mark.parametrize(
    "query", ["?limit=abc", "?limit=0", "?limit=201", "?limit=1e3", "?before=x", "?before=0"]
)
def test_history_bad_parameters_are_400(client: TestClient, signup, make_circle, query) -> None:
    ann = signup("ann")
    circle = make_circle(ann)
    assert_error(history(client, circle, ann, query), 400, "bad_request")


def test_history_is_for_members_only(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann"), signup("bob")
    public = make_circle(ann, "Open")
    private = make_circle(ann, "Closed", visibility="private")
    assert_error(history(client, public, bob), 403, "forbidden")
    assert_error(history(client, private, bob), 403, "forbidden")
    assert_error(client.get(f"{API}/circles/nope/messages", headers=bob.auth), 404, "not_found")


def test_history_for_new_members_off_hides_older_chat(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob, cat = signup("ann"), signup("bob"), signup("cat")
    circle = make_circle(ann)
    join(client, circle, cat)  # joined before any message: sees all of them either way
    say(client, circle, ann, "before")
    join(client, circle, bob)
    say(client, circle, ann, "after")
    assert [m["text"] for m in history(client, circle, bob).json()["messages"]] == [
        "before",
        "after",
    ]
    client.patch(
        f"{API}/circles/{circle['id']}", json={"history_for_new_members": False}, headers=ann.auth
    )
    assert [m["text"] for m in history(client, circle, bob).json()["messages"]] == ["after"]
    assert [m["text"] for m in history(client, circle, ann).json()["messages"]] == [
        "before",
        "after",
    ]
    assert [m["text"] for m in history(client, circle, cat).json()["messages"]] == [
        "before",
        "after",
    ]


def test_veto_by_owner_or_admin(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)
    join(client, circle, bob)
    message = say(client, circle, bob, "hello")
    url = f"{API}/circles/{circle['id']}/messages/{message['seq']}/veto"
    assert_error(client.put(url, headers=bob.auth), 403, "forbidden")
    response = client.put(url, headers=ann.auth)
    assert response.status_code == 204 and response.content == b""
    assert client.delete(url, headers=ann.auth).status_code == 204
    assert_error(client.delete(url, headers=bob.auth), 403, "forbidden")
    missing = f"{API}/circles/{circle['id']}/messages/999/veto"
    assert_error(client.put(missing, headers=ann.auth), 404, "not_found")
    garbage = f"{API}/circles/{circle['id']}/messages/abc/veto"
    assert_error(client.put(garbage, headers=ann.auth), 400, "bad_request")
