"""The one event route, in-process: a promoting star is built into its events
once (not per member, not per node hop), encoded once per codec, and reaches
every member connection — joined to the chat or not — with the v1 highlight."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

import protocol.codec
import server.events
from tests.server.test_http_live import frames_until_pong, hello, join_stream

API = "/api/v1"


def reply(ws: Any, frame_id: int, pushes: list[dict]) -> dict:
    """The reply to request ``frame_id`` (a say is answered after its commit);
    the pushes read meanwhile go to ``pushes``."""
    found = None
    for n in range(100):
        for frame in frames_until_pong(ws, f"r{frame_id}-{n}"):
            if frame.get("id") == frame_id:
                found = frame
            elif "id" not in frame:
                pushes.append(frame)
        if found is not None:
            return found
    raise AssertionError(f"no reply to {frame_id}")


def test_a_promoting_star_is_two_events_built_once_and_sent_to_everyone(
    client: TestClient, signup, make_circle, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann, bob, cai = signup("ann"), signup("bob"), signup("cai")
    circle = make_circle(ann)["id"]
    r = client.patch(f"{API}/circles/{circle}", json={"promote_threshold": 2}, headers=ann.auth)
    assert r.status_code == 200
    for who in (bob, cai):
        assert client.post(f"{API}/circles/{circle}/join", headers=who.auth).status_code == 200

    built: list[str] = []
    real_event_of = server.events.event_of

    def counting_event_of(kind: str, *args: Any) -> Any:
        built.append(kind)
        return real_event_of(kind, *args)

    monkeypatch.setattr(server.events, "event_of", counting_event_of)
    encoded: list[str] = []
    real_encode = protocol.codec.JsonCodec.encode

    def counting_encode(self: Any, frame: dict) -> bytes:
        if frame.get("t") in ("event", "highlight"):
            encoded.append(frame.get("kind") or frame["action"])
        return real_encode(self, frame)

    monkeypatch.setattr(protocol.codec.JsonCodec, "encode", counting_encode)

    with (
        client.websocket_connect("/ws") as ann_ws,
        client.websocket_connect("/ws") as bob_ws,
        client.websocket_connect("/ws") as cai_ws,
    ):
        join_stream(ann_ws, ann.token, circle)  # joined to the chat
        hello(bob_ws, bob.token)  # only connected
        hello(cai_ws, cai.token)
        ann_ws.send_json({"t": "say", "id": 3, "circle": circle, "text": "keep", "nonce": "k"})
        sockets = {"ann": ann_ws, "bob": bob_ws, "cai": cai_ws}
        pushes: dict[str, list[dict]] = {name: [] for name in sockets}
        seq = reply(ann_ws, 3, pushes["ann"])["seq"]
        for i, name in enumerate(("bob", "cai")):
            sockets[name].send_json({"t": "star", "id": 10 + i, "circle": circle, "seq": seq})
            assert reply(sockets[name], 10 + i, pushes[name])["t"] == "ok"
        for name, ws in sockets.items():
            pushes[name] += frames_until_pong(ws, "end")
    # Three events (two votes, one promotion), each built once on this node.
    assert built == ["message.starred", "message.starred", "post.promoted"]
    # …and encoded once for all three JSON connections, with the promotion's highlight.
    assert encoded == ["message.starred", "message.starred", "post.promoted", "promoted"]
    for name, frames in pushes.items():
        kinds = [f.get("kind") or f["action"] for f in frames if f["t"] in ("event", "highlight")]
        assert kinds[-4:] == ["message.starred", "message.starred", "post.promoted", "promoted"], (
            name
        )
        stars = [(f["stars"], f["threshold"]) for f in frames if f.get("kind") == "message.starred"]
        assert stars[-2:] == [(1, 2), (2, 2)], name
