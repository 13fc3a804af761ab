"""HTTP changes to posts reach every connected member as `highlight` pushes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.settings import Settings
from tests.server.test_http_live import frames_until_pong, hello, wait_for

API = "/api/v1"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Expiring pins are checked often so the test waits milliseconds, not seconds.
    return Settings(data_dir=tmp_path, password_time_cost=1, pin_check_s=0.05)


def highlights(ws, tag: str) -> list[dict]:
    return [f for f in frames_until_pong(ws, tag) if f["t"] == "highlight"]


def test_pin_unpin_must_read_edit_and_delete_are_pushed(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)["id"]
    client.post(f"{API}/circles/{circle}/join", headers=bob.auth)
    post = client.post(
        f"{API}/circles/{circle}/posts", json={"kind": "notice", "text": "v1"}, headers=ann.auth
    ).json()
    url = f"{API}/posts/{post['id']}"
    with client.websocket_connect("/ws") as ws:
        hello(ws, bob.token)  # connected, never joined to the chat
        client.put(f"{url}/like", headers=bob.auth)  # likes are not pushed
        client.put(f"{url}/pin", headers=ann.auth)
        client.put(f"{url}/must-read", headers=ann.auth)
        client.patch(url, json={"text": "v2"}, headers=ann.auth)
        client.delete(f"{url}/pin", headers=ann.auth)
        client.delete(url, headers=ann.auth)
        got = highlights(ws, "after")
    assert [f["action"] for f in got] == ["pinned", "must_read", "updated", "unpinned", "updated"]
    assert all(f["circle"] == circle and f["post"]["id"] == post["id"] for f in got)
    assert got[0]["post"]["pinned"] is True and got[1]["post"]["must_read"] is True
    assert got[2]["post"]["text"] == "v2" and got[3]["post"]["pinned"] is False
    assert got[4]["post"]["deleted"] is True
    # One push for everyone: nothing in it is about one viewer.
    assert all("liked" not in f["post"] and "acked" not in f["post"] for f in got)


def test_an_expired_pin_unpins_itself_with_a_push(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)["id"]
    client.post(f"{API}/circles/{circle}/join", headers=bob.auth)
    post = client.post(
        f"{API}/circles/{circle}/posts",
        json={"kind": "post", "text": "soon gone"},
        headers=ann.auth,
    ).json()
    with client.websocket_connect("/ws") as ws:
        hello(ws, bob.token)
        until = int(time.time() * 1000) + 300
        response = client.put(
            f"{API}/posts/{post['id']}/pin", json={"until": until}, headers=ann.auth
        )
        assert response.status_code == 200, response.text
        assert wait_for(ws, "highlight")["action"] == "pinned"
        push = wait_for(ws, "highlight")
        assert time.time() * 1000 >= until
    assert (push["action"], push["post"]["id"], push["post"]["pinned"]) == (
        "unpinned",
        post["id"],
        False,
    )
    feed = client.get(f"{API}/circles/{circle}/posts", headers=bob.auth).json()["posts"]
    assert [p["pinned"] for p in feed] == [False]


def test_joining_over_http_while_connected_brings_the_circles_pushes(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)["id"]
    post = client.post(
        f"{API}/circles/{circle}/posts", json={"kind": "post", "text": "x"}, headers=ann.auth
    ).json()
    with client.websocket_connect("/ws") as ws:
        hello(ws, bob.token)
        client.put(f"{API}/posts/{post['id']}/pin", headers=ann.auth)
        assert highlights(ws, "before") == []  # not a member yet
        client.post(f"{API}/circles/{circle}/join", headers=bob.auth)
        client.delete(f"{API}/posts/{post['id']}/pin", headers=ann.auth)
        assert [f["action"] for f in highlights(ws, "member")] == ["unpinned"]
        client.post(f"{API}/circles/{circle}/leave", headers=bob.auth)
        assert wait_for(ws, "left")["circle"] == circle
        client.put(f"{API}/posts/{post['id']}/pin", headers=ann.auth)
        assert highlights(ws, "gone") == []
