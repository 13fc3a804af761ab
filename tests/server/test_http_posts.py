"""Posts over HTTP: writing, the feed, permissions, pins, must-reads, comments,
likes, catching up with ``since``, and bad input."""

from __future__ import annotations

import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests import timing

API = "/api/v1"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    return body["error"]


@pytest.fixture
def circle(client: TestClient, signup, make_circle) -> dict[str, Any]:
    """A public circle: ann owns it, bob and cat are members, eve is a stranger."""
    ann, bob, cat, eve = signup("ann"), signup("bob"), signup("cat"), signup("eve")
    made = make_circle(ann, "Bakers")
    for who in (bob, cat):
        response = client.post(f"{API}/circles/{made['id']}/join", headers=who.auth)
        assert response.status_code == 200, response.text
    return {"id": made["id"], "ann": ann, "bob": bob, "cat": cat, "eve": eve}


def write(client: TestClient, circle: dict, who, text: str, kind: str = "post") -> dict:
    response = client.post(
        f"{API}/circles/{circle['id']}/posts", json={"kind": kind, "text": text}, headers=who.auth
    )
    assert response.status_code == 201, response.text
    return response.json()


def feed(client: TestClient, circle: dict, who, query: str = "") -> dict:
    response = client.get(f"{API}/circles/{circle['id']}/posts{query}", headers=who.auth)
    assert response.status_code == 200, response.text
    return response.json()


def put(client: TestClient, path: str, who, **kw):
    return client.put(f"{API}{path}", headers=who.auth, **kw)


def say_and_star(client: TestClient, circle: dict, who, text: str) -> dict:
    """A chat message by ``who`` (an owner or admin), starred into a highlight."""
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"t": "hello", "id": "h", "token": who.token})
        assert ws.receive_json()["t"] == "welcome"
        ws.send_json({"t": "say", "id": "s", "circle": circle["id"], "text": text, "nonce": text})
        said = reply(ws, "s")
        ws.send_json({"t": "star", "id": "st", "circle": circle["id"], "seq": said["seq"]})
        starred = reply(ws, "st")
    assert starred["t"] == "ok" and starred["post"] is not None, starred
    return starred["post"]


def reply(ws, frame_id: str) -> dict:
    while (frame := ws.receive_json()).get("id") != frame_id:
        pass
    return frame


# -- writing and permissions -------------------------------------------------------


def test_members_write_posts_and_only_managers_write_notices(client: TestClient, circle) -> None:
    bob, ann = circle["bob"], circle["ann"]
    post = write(client, circle, bob, "Sourdough starter tips")
    assert (post["kind"], post["text"], post["circle"]) == (
        "post",
        "Sourdough starter tips",
        circle["id"],
    )
    assert post["author"]["id"] == bob.id and post["author"]["name"] == "Bob"
    assert post["pinned"] is False and post["must_read"] is False
    assert (post["likes"], post["liked"], post["comments"]) == (0, False, 0)
    assert isinstance(post["created"], int) and post["updated"] >= post["created"]
    url = f"{API}/circles/{circle['id']}/posts"
    notice = {"kind": "notice", "text": "Oven cleaning on Friday"}
    assert_error(client.post(url, json=notice, headers=bob.auth), 403, "forbidden")
    assert client.post(url, json=notice, headers=ann.auth).status_code == 201
    assert_error(
        client.post(url, json={"kind": "post", "text": "hi"}, headers=circle["eve"].auth),
        403,
        "forbidden",
    )


def test_edit_and_delete_own_posts_and_managers_moderate(client: TestClient, circle) -> None:
    bob, cat, ann = circle["bob"], circle["cat"], circle["ann"]
    post = write(client, circle, bob, "first draft")
    url = f"{API}/posts/{post['id']}"
    edited = client.patch(url, json={"text": "second draft"}, headers=bob.auth)
    assert edited.status_code == 200 and edited.json()["text"] == "second draft"
    assert edited.json()["updated"] > post["updated"]
    assert_error(client.patch(url, json={"text": "mine now"}, headers=cat.auth), 403, "forbidden")
    assert_error(client.delete(url, headers=cat.auth), 403, "forbidden")
    assert client.patch(url, json={"text": "moderated"}, headers=ann.auth).status_code == 200
    assert client.get(url, headers=cat.auth).json()["text"] == "moderated"
    assert client.delete(url, headers=bob.auth).status_code == 204
    assert_error(client.get(url, headers=bob.auth), 404, "not_found")
    other = write(client, circle, cat, "cat's")
    assert client.delete(f"{API}/posts/{other['id']}", headers=ann.auth).status_code == 204
    assert feed(client, circle, bob)["posts"] == []


def test_feed_is_pinned_first_in_pin_order_then_newest_with_a_cursor(
    client: TestClient, circle
) -> None:
    ann, bob = circle["ann"], circle["bob"]
    posts = [write(client, circle, bob, f"post {i}") for i in range(7)]
    for i in (2, 5):
        assert put(client, f"/posts/{posts[i]['id']}/pin", ann).status_code == 200
    first = feed(client, circle, bob, "?limit=3")
    ids = [p["id"] for p in first["posts"]]
    assert ids[:2] == [posts[2]["id"], posts[5]["id"]]
    assert all(p["pinned"] for p in first["posts"][:2])
    assert [p["pin_order"] for p in first["posts"][:2]] == sorted(
        p["pin_order"] for p in first["posts"][:2]
    )
    seen = ids
    cursor = first["next"]
    while cursor is not None:
        page = feed(client, circle, bob, f"?limit=3&cursor={cursor}")
        seen += [p["id"] for p in page["posts"]]
        cursor = page["next"]
    unpinned = [p["id"] for p in reversed(posts) if p["id"] not in (posts[2]["id"], posts[5]["id"])]
    assert seen == ids[:2] + unpinned  # every post once, the rest newest first

    reordered = put(
        client,
        f"/circles/{circle['id']}/pins",
        ann,
        json={"order": [posts[5]["id"], posts[2]["id"]]},
    )
    assert reordered.status_code == 200, reordered.text
    assert [p["id"] for p in reordered.json()["posts"]] == [posts[5]["id"], posts[2]["id"]]
    assert [p["id"] for p in feed(client, circle, bob)["posts"][:2]] == [
        posts[5]["id"],
        posts[2]["id"],
    ]
    bad_order = put(client, f"/circles/{circle['id']}/pins", ann, json={"order": [posts[5]["id"]]})
    assert_error(bad_order, 400, "bad_request")
    member = put(
        client,
        f"/circles/{circle['id']}/pins",
        bob,
        json={"order": [posts[2]["id"], posts[5]["id"]]},
    )
    assert_error(member, 403, "forbidden")


# -- pins -----------------------------------------------------------------------------


def test_only_managers_pin_and_the_eleventh_pin_is_a_conflict(client: TestClient, circle) -> None:
    ann, bob = circle["ann"], circle["bob"]
    posts = [write(client, circle, ann, f"notice {i}", "notice") for i in range(11)]
    assert_error(put(client, f"/posts/{posts[0]['id']}/pin", bob), 403, "forbidden")
    for post in posts[:10]:
        response = put(client, f"/posts/{post['id']}/pin", ann)
        assert response.status_code == 200 and response.json()["pinned"] is True
    error = assert_error(put(client, f"/posts/{posts[10]['id']}/pin", ann), 409, "conflict")
    assert "10" in error["message"] and "pinned" in error["message"]
    assert (
        client.delete(f"{API}/posts/{posts[0]['id']}/pin", headers=ann.auth).json()["pinned"]
        is False
    )
    assert put(client, f"/posts/{posts[10]['id']}/pin", ann).status_code == 200
    assert_error(
        client.delete(f"{API}/posts/{posts[1]['id']}/pin", headers=bob.auth), 403, "forbidden"
    )


def test_a_pin_with_until_carries_it(client: TestClient, circle) -> None:
    ann = circle["ann"]
    post = write(client, circle, ann, "for an hour")
    until = int(time.time() * 1000) + 3_600_000
    pinned = put(client, f"/posts/{post['id']}/pin", ann, json={"until": until})
    assert pinned.status_code == 200, pinned.text
    assert pinned.json()["pinned_until"] == until
    past = write(client, circle, ann, "too late")
    assert_error(
        put(client, f"/posts/{past['id']}/pin", ann, json={"until": 1000}), 400, "bad_request"
    )


# -- must-read -------------------------------------------------------------------------


def test_must_read_acks_and_receipts_and_an_edit_asks_again(client: TestClient, circle) -> None:
    ann, bob, cat = circle["ann"], circle["bob"], circle["cat"]
    post = write(client, circle, ann, "House rules v1", "notice")
    url = f"/posts/{post['id']}"
    assert_error(put(client, f"{url}/must-read", bob), 403, "forbidden")
    flagged = put(client, f"{url}/must-read", ann)
    assert flagged.status_code == 200 and flagged.json()["must_read"] is True

    def pending_ids(who) -> list[str]:
        response = client.get(f"{API}/me/must-read", headers=who.auth)
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["posts"]]

    def receipts() -> tuple[set[str], set[str]]:
        response = client.get(f"{API}{url}/receipts", headers=ann.auth)
        assert response.status_code == 200, response.text
        body = response.json()
        assert all({"id", "name", "at"} <= set(r) for r in body["acked"])
        return {r["id"] for r in body["acked"]}, {r["id"] for r in body["pending"]}

    def my_pending_count(who) -> int:
        mine = client.get(f"{API}/me/circles", headers=who.auth).json()["circles"]
        return next(c["must_read_pending"] for c in mine if c["id"] == circle["id"])

    assert pending_ids(bob) == [post["id"]] and pending_ids(cat) == [post["id"]]
    assert my_pending_count(bob) == 1
    acked = put(client, f"{url}/ack", bob)
    assert acked.status_code == 200 and acked.json()["acked"] is True
    assert pending_ids(bob) == [] and my_pending_count(bob) == 0
    done, waiting = receipts()
    assert bob.id in done and bob.id not in waiting and cat.id in waiting and cat.id not in done

    assert_error(client.get(f"{API}{url}/receipts", headers=bob.auth), 403, "forbidden")

    edited = client.patch(f"{API}{url}", json={"text": "House rules v2"}, headers=ann.auth)
    assert edited.status_code == 200
    assert pending_ids(bob) == [post["id"]]  # the edit asks everyone again
    done, waiting = receipts()
    assert bob.id not in done and {bob.id, cat.id} <= waiting
    put(client, f"{url}/ack", bob)
    done, waiting = receipts()
    assert bob.id in done and bob.id not in waiting

    cleared = client.delete(f"{API}{url}/must-read", headers=ann.auth)
    assert cleared.status_code == 200 and cleared.json()["must_read"] is False
    assert pending_ids(cat) == []
    assert_error(put(client, f"{url}/ack", cat), 409, "conflict")


# -- comments and likes -------------------------------------------------------------------


def test_liking_twice_counts_once(client: TestClient, circle) -> None:
    bob, cat = circle["bob"], circle["cat"]
    post = write(client, circle, bob, "like me")
    like = f"/posts/{post['id']}/like"
    for _ in range(2):
        response = put(client, like, cat)
        assert response.status_code == 200 and response.json() == {"likes": 1, "liked": True}
    assert put(client, like, bob).json() == {"likes": 2, "liked": True}
    assert client.delete(f"{API}{like}", headers=cat.auth).json() == {"likes": 1, "liked": False}
    seen = client.get(f"{API}/posts/{post['id']}", headers=bob.auth).json()
    assert (seen["likes"], seen["liked"]) == (1, True)


def test_comments_have_one_level_of_replies(client: TestClient, circle) -> None:
    bob, cat = circle["bob"], circle["cat"]
    post = write(client, circle, bob, "question")
    url = f"{API}/posts/{post['id']}/comments"
    top = client.post(url, json={"text": "answer"}, headers=cat.auth)
    assert top.status_code == 201, top.text
    top = top.json()
    assert (top["post"], top["text"], top["reply_to"]) == (post["id"], "answer", None)
    assert top["author"]["id"] == cat.id
    answer = client.post(url, json={"text": "thanks", "reply_to": top["id"]}, headers=bob.auth)
    assert answer.status_code == 201 and answer.json()["reply_to"] == top["id"]
    deeper = client.post(
        url, json={"text": "too deep", "reply_to": answer.json()["id"]}, headers=cat.auth
    )
    assert_error(deeper, 400, "bad_request")
    listed = client.get(url, headers=bob.auth).json()["comments"]
    assert [c["text"] for c in listed] == ["answer", "thanks"]
    assert client.get(f"{API}/posts/{post['id']}", headers=bob.auth).json()["comments"] == 2
    assert_error(
        client.post(url, json={"text": "hi"}, headers=circle["eve"].auth), 403, "forbidden"
    )


# -- catching up with since --------------------------------------------------------------


def test_since_returns_changes_with_tombstones(client: TestClient, circle) -> None:
    ann, bob = circle["ann"], circle["bob"]
    old = write(client, circle, bob, "before")
    doomed = write(client, circle, bob, "doomed")
    since = max(old["updated"], doomed["updated"])
    timing.sleep_blocking(0.005)
    fresh = write(client, circle, bob, "after")
    client.delete(f"{API}/posts/{doomed['id']}", headers=bob.auth)
    pinned = put(client, f"/posts/{old['id']}/pin", ann).json()
    body = feed(client, circle, bob, f"?since={since}")
    assert set(body) == {"posts"}
    changes = body["posts"]
    assert [p["id"] for p in changes] == [fresh["id"], doomed["id"], old["id"]]
    tombstone = changes[1]
    assert tombstone["deleted"] is True and "text" not in tombstone
    assert changes[2]["pinned"] is True and changes[2]["updated"] == pinned["updated"]
    assert all(p["updated"] > since for p in changes)
    assert feed(client, circle, bob, f"?since={changes[-1]['updated']}")["posts"] == []


def test_deleting_a_highlight_unpromotes_it_and_keeps_the_message(
    client: TestClient, circle
) -> None:
    ann, bob = circle["ann"], circle["bob"]
    post = say_and_star(client, circle, ann, "the recipe is 1:2:3")
    assert post["kind"] == "highlight" and post["source"]["seq"] == 1 and post["pinned"] is True
    assert_error(client.delete(f"{API}/posts/{post['id']}", headers=bob.auth), 403, "forbidden")
    assert client.delete(f"{API}/posts/{post['id']}", headers=ann.auth).status_code == 204
    assert feed(client, circle, bob)["posts"] == []
    changed = feed(client, circle, bob, f"?since={post['updated']}")["posts"]
    assert [(p["id"], p["deleted"]) for p in changed] == [(post["id"], True)]
    history = client.get(f"{API}/circles/{circle['id']}/messages", headers=bob.auth).json()
    assert [m["text"] for m in history["messages"]] == ["the recipe is 1:2:3"]


# -- bad input is a 400, never a 500 --------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "?since=abc",
        "?since=-1",
        "?since=1.5",
        "?since=99999999999999999999",
        "?limit=0",
        "?limit=101",
        "?limit=x",
        "?cursor=%25%25garbage%25%25",
        "?since=5&cursor=abc",
    ],
)
def test_bad_feed_parameters_are_400(client: TestClient, circle, query: str) -> None:
    write(client, circle, circle["bob"], "something")
    response = client.get(f"{API}/circles/{circle['id']}/posts{query}", headers=circle["bob"].auth)
    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/circles/{circle}/posts", {"kind": "post"}),
        ("POST", "/circles/{circle}/posts", {"kind": "essay", "text": "x"}),
        ("POST", "/circles/{circle}/posts", {"kind": "post", "text": 7}),
        ("POST", "/circles/{circle}/posts", {"kind": "post", "text": ""}),
        ("POST", "/circles/{circle}/posts", {"kind": "post", "text": "x" * 20_001}),
        ("POST", "/circles/{circle}/posts", [1, 2]),
        ("PATCH", "/posts/{post}", {"text": None}),
        ("PATCH", "/posts/{post}", {}),
        ("POST", "/posts/{post}/comments", {"text": ["x"]}),
        ("POST", "/posts/{post}/comments", {"text": "x", "reply_to": 5}),
        ("POST", "/posts/{post}/comments", {"text": "x", "reply_to": "no-such-comment"}),
        ("PUT", "/posts/{post}/pin", {"until": "tomorrow"}),
        ("PUT", "/posts/{post}/pin", {"until": True}),
        ("PUT", "/circles/{circle}/pins", {"order": "abc"}),
        ("PUT", "/circles/{circle}/pins", {"order": [1, 2]}),
        ("PUT", "/circles/{circle}/pins", {}),
    ],
)
def test_bad_bodies_are_400(client: TestClient, circle, method, path, body) -> None:
    post = write(client, circle, circle["ann"], "target")
    url = API + path.format(circle=circle["id"], post=post["id"])
    response = client.request(method, url, json=body, headers=circle["ann"].auth)
    assert_error(response, 400, "bad_request")


def test_unknown_posts_and_strangers(client: TestClient, circle, make_circle) -> None:
    ann, eve = circle["ann"], circle["eve"]
    for method, path in [
        ("GET", "/posts/nope"),
        ("PATCH", "/posts/nope"),
        ("PUT", "/posts/nope/like"),
        ("PUT", "/posts/nope/pin"),
        ("GET", "/posts/nope/receipts"),
        ("GET", f"/posts/{'x' * 500}"),
        ("GET", "/circles/nope/posts"),
    ]:
        body = {"text": "x"} if method == "PATCH" else None
        response = client.request(method, f"{API}{path}", json=body, headers=ann.auth)
        assert_error(response, 404, "not_found")
    private = make_circle(ann, "Secret", visibility="private")
    post = write(client, {"id": private["id"]}, ann, "members only")
    assert_error(
        client.get(f"{API}/circles/{private['id']}/posts", headers=eve.auth), 403, "forbidden"
    )
    assert_error(client.get(f"{API}/posts/{post['id']}", headers=eve.auth), 403, "forbidden")
    assert_error(put(client, f"/posts/{post['id']}/like", eve), 403, "forbidden")
    assert_error(client.get(f"{API}/posts/{post['id']}"), 401, "unauthenticated")
