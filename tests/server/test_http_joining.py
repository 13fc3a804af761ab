"""Joining over HTTP: join requests (ask, approve, reject, the managers' live
count), access codes listed with their redemptions, revoked (and so their invite
links), and every refusal."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from tests import timing
from tests.server.test_http_live import frames_until_pong, hello

API = "/api/v1"
WAIT_S = timing.seconds(5.0)


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    return dict(response.json()["error"])


def approval(client: TestClient, circle: dict, owner, question: str = "") -> None:
    body = {"join_approval": True, "join_question": question}
    response = client.patch(f"{API}/circles/{circle['id']}", json=body, headers=owner.auth)
    assert response.status_code == 200, response.text
    assert response.json()["join_approval"] is True


def new_code(client: TestClient, circle: dict, owner, **limits) -> str:
    body = {"count": 1, **limits}
    response = client.post(f"{API}/circles/{circle['id']}/codes", json=body, headers=owner.auth)
    assert response.status_code == 201, response.text
    return str(response.json()["codes"][0]["code"])


def events_until(ws, kind: str) -> list[dict]:
    """Every `event` push up to and including the first of ``kind`` (fails after WAIT_S)."""
    deadline, n, seen = time.monotonic() + WAIT_S, 0, []
    while time.monotonic() < deadline:
        n += 1
        for frame in frames_until_pong(ws, f"wait-{n}"):
            if frame["t"] == "event":
                seen.append(frame)
                if frame["kind"] == kind:
                    return seen
        timing.sleep_blocking(0.02)
    pytest.fail(f"no {kind!r} event within {WAIT_S} s")


def test_request_approve_is_live_for_the_requester_and_the_managers(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob, cai = signup("ann"), signup("bob"), signup("cai")
    circle = make_circle(ann, "Bakers", visibility="private")
    cid = circle["id"]
    code = new_code(client, circle, ann)
    assert client.post(
        f"{API}/circles/{cid}/join", json={"code": code}, headers=cai.auth
    ).is_success
    approval(client, circle, ann, "Which bakery?")
    preview = client.get(f"{API}/circles/{cid}/invite").json()
    assert preview["join_question"] == "Which bakery?" and preview["code_admits"] is False
    refused = client.post(f"{API}/circles/{cid}/join", headers=bob.auth)
    assert error_of(refused, 403)["reason"] == "approval_required"
    with (
        client.websocket_connect("/ws") as ann_ws,
        client.websocket_connect("/ws") as bob_ws,
        client.websocket_connect("/ws") as cai_ws,
    ):
        for ws, who in ((ann_ws, ann), (bob_ws, bob), (cai_ws, cai)):
            hello(ws, who.token)
        asked = client.post(
            f"{API}/circles/{cid}/join-requests", json={"answer": "Rye & Co"}, headers=bob.auth
        )
        assert asked.status_code == 201, asked.text
        assert asked.json()["state"] == "pending"
        again = client.post(f"{API}/circles/{cid}/join-requests", json={}, headers=bob.auth)
        assert again.json() == asked.json()
        mine = client.get(f"{API}/circles/{cid}/join-requests/mine", headers=bob.auth)
        assert mine.json()["state"] == "pending"
        requested = events_until(ann_ws, "join.requested")[-1]
        assert (requested["user"], requested["name"], requested["pending"]) == (bob.id, "Bob", 1)
        listed = client.get(f"{API}/circles/{cid}/join-requests", headers=ann.auth).json()
        assert listed["pending"] == 1 and listed["next"] is None
        assert [(r["user"], r["answer"]) for r in listed["requests"]] == [(bob.id, "Rye & Co")]
        # A plain member neither lists the requests nor hears of them.
        assert error_of(client.get(f"{API}/circles/{cid}/join-requests", headers=cai.auth), 403)
        path = f"{API}/circles/{cid}/join-requests/{bob.id}/approve"
        assert error_of(client.post(path, headers=cai.auth), 403)["code"] == "forbidden"
        approved = client.post(path, headers=ann.auth)
        assert approved.status_code == 200, approved.text
        assert approved.json()["state"] == "approved"
        twice = client.post(path, headers=ann.auth)
        assert error_of(twice, 409)["reason"] == "request_decided"
        # Live: the requester's open socket gets the circle, the managers' count moves.
        joined = events_until(bob_ws, "member.joined")[-1]
        assert joined["circle"] == cid and joined["member"]["user"] == bob.id
        decided = events_until(ann_ws, "join.decided")[-1]
        assert (decided["state"], decided["pending"]) == ("approved", 0)
        seen = events_until(cai_ws, "member.joined")
        assert not [e for e in seen if e["kind"].startswith("join.")]
        bob_ws.send_json({"t": "join", "id": 9, "circle": cid})
        while (frame := bob_ws.receive_json()).get("id") != 9:
            pass
        assert frame["t"] == "joined", frame
    member = client.post(f"{API}/circles/{cid}/join-requests", json={}, headers=bob.auth)
    assert error_of(member, 409)["reason"] == "already_member"


def test_reject_with_a_reason_the_requester_reads(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann, "Bakers", visibility="private")
    cid = circle["id"]
    closed = client.post(f"{API}/circles/{cid}/join-requests", json={}, headers=bob.auth)
    assert error_of(closed, 403)["reason"] == "requests_closed"
    approval(client, circle, ann)
    assert client.post(f"{API}/circles/{cid}/join-requests", headers=bob.auth).status_code == 201
    # The pending list is searched by the asker's name.
    listed = f"{API}/circles/{cid}/join-requests"
    for q, found in (("BO", 1), ("安", 0)):
        page = client.get(listed, params={"q": q}, headers=ann.auth).json()
        assert (len(page["requests"]), page["pending"]) == (found, 1), q
    path = f"{API}/circles/{cid}/join-requests/{bob.id}/reject"
    rejected = client.post(path, json={"reason": "members only"}, headers=ann.auth)
    assert rejected.status_code == 200, rejected.text
    mine = client.get(f"{API}/circles/{cid}/join-requests/mine", headers=bob.auth).json()
    assert (mine["state"], mine["reason"]) == ("rejected", "members only")
    assert error_of(client.post(path, headers=ann.auth), 409)["reason"] == "request_decided"
    nobody = client.post(f"{API}/circles/{cid}/join-requests/nobody/approve", headers=ann.auth)
    assert error_of(nobody, 404)["code"] == "not_found"
    bad = client.post(f"{API}/circles/{cid}/join-requests", json={"answer": 5}, headers=bob.auth)
    assert error_of(bad, 400)["code"] == "bad_request"
    # Turning approval off revokes the request link: the address alone shows nothing.
    invite = f"{API}/circles/{cid}/invite"
    assert client.get(invite).status_code == 200
    off = {"join_approval": False}
    assert client.patch(f"{API}/circles/{cid}", json=off, headers=ann.auth).is_success
    assert error_of(client.get(invite), 404)["code"] == "not_found"
    closed = client.post(f"{API}/circles/{cid}/join-requests", json={}, headers=bob.auth)
    assert error_of(closed, 403)["reason"] == "requests_closed"


def test_codes_listed_with_redemptions_and_revoked(client: TestClient, signup, make_circle) -> None:
    ann, bob, cai = signup("ann"), signup("bob"), signup("cai")
    circle = make_circle(ann, "Bakers", visibility="private")
    cid = circle["id"]
    code = new_code(client, circle, ann, max_uses=3, expires_in_s=3600)
    body = {"code": code}
    assert client.post(f"{API}/circles/{cid}/join", json=body, headers=bob.auth).is_success
    listed = client.get(f"{API}/circles/{cid}/codes", headers=ann.auth)
    assert listed.status_code == 200, listed.text
    [entry] = listed.json()["codes"]
    assert (entry["code"], entry["uses"], entry["max_uses"]) == (code, 1, 3)
    assert entry["created_by"] == ann.id and entry["revoked"] is None and entry["expires"]
    used = client.get(f"{API}/circles/{cid}/codes/{code}/redemptions", headers=ann.auth).json()
    assert [(r["user"], r["name"]) for r in used["redemptions"]] == [(bob.id, "Bob")]
    # A member who is not a manager: 403 for all of it.
    for method, path in (
        ("GET", f"/circles/{cid}/codes"),
        ("GET", f"/circles/{cid}/codes/{code}/redemptions"),
        ("DELETE", f"/circles/{cid}/codes/{code}"),
    ):
        refused = client.request(method, f"{API}{path}", headers=bob.auth)
        assert error_of(refused, 403)["code"] == "forbidden", path
    assert error_of(client.delete(f"{API}/circles/{cid}/codes/NOPE", headers=ann.auth), 404)
    invite = f"{API}/circles/{cid}/invite"
    assert client.get(invite, params={"code": code}).status_code == 200
    revoked = client.delete(f"{API}/circles/{cid}/codes/{code}", headers=ann.auth)
    assert revoked.status_code == 200 and revoked.json()["revoked"]
    # Revoked: refused at a join, and the invite link answers as an unknown code.
    refused = client.post(f"{API}/circles/{cid}/join", json=body, headers=cai.auth)
    assert error_of(refused, 403)["message"] == "this access code is not valid for this circle"
    unknown = client.get(invite, params={"code": "WRONGCODE"})
    assert unknown.status_code == 404
    assert client.get(invite, params={"code": code}).json() == unknown.json()
