"""HTTP changes reach open WebSockets: logout closes them, removal stops the stream."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests import timing

API = "/api/v1"
WAIT_S = timing.seconds(5.0)


def hello(ws, token: str) -> None:
    ws.send_json({"t": "hello", "id": 1, "token": token})
    assert ws.receive_json()["t"] == "welcome"


def frames_until_pong(ws, ping_id: str) -> list[dict]:
    """Ping, then every frame up to that pong: a bounded read (receive has no timeout)."""
    ws.send_json({"t": "ping", "id": ping_id})
    frames = []
    while (frame := ws.receive_json()) != {"t": "pong", "id": ping_id}:
        frames.append(frame)
    return frames


def wait_for(ws, wanted: str) -> dict:
    """The first frame of type ``wanted``, or a failure after WAIT_S."""
    deadline, n = time.monotonic() + WAIT_S, 0
    while time.monotonic() < deadline:
        n += 1
        for frame in frames_until_pong(ws, f"wait-{n}"):
            if frame["t"] == wanted:
                return frame
        timing.sleep_blocking(0.02)
    pytest.fail(f"no {wanted!r} frame within {WAIT_S} s")


def join_stream(ws, token: str, circle_id: str) -> None:
    hello(ws, token)
    ws.send_json({"t": "join", "id": 2, "circle": circle_id})
    wait_for(ws, "joined")


def test_logout_closes_that_tokens_sockets_with_4001(client: TestClient, signup) -> None:
    ann = signup("ann")
    with client.websocket_connect("/ws") as ws:
        hello(ws, ann.token)
        assert client.post(f"{API}/auth/logout", headers=ann.auth).status_code == 204
        with pytest.raises(WebSocketDisconnect) as closed:
            wait_for(ws, "never sent")
        assert closed.value.code == 4001


def test_a_removed_member_gets_left_and_no_more_messages(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)
    client.post(f"{API}/circles/{circle['id']}/join", headers=bob.auth)
    with client.websocket_connect("/ws") as bob_ws, client.websocket_connect("/ws") as ann_ws:
        join_stream(bob_ws, bob.token, circle["id"])
        join_stream(ann_ws, ann.token, circle["id"])
        url = f"{API}/circles/{circle['id']}/members/{bob.id}"
        assert client.delete(url, headers=ann.auth).status_code == 204
        assert wait_for(bob_ws, "left") == {
            "t": "left",
            "circle": circle["id"],
            "reason": "removed",
        }
        ann_ws.send_json({"t": "say", "id": 3, "circle": circle["id"], "text": "hi", "nonce": "n1"})
        assert wait_for(ann_ws, "msg")["text"] == "hi"
        # Ann's copy was delivered; Bob's socket, still open, got none.
        assert all(f["t"] != "msg" for f in frames_until_pong(bob_ws, "last"))
