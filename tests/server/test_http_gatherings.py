"""Events over HTTP (server/api/gatherings.py): owners and admins announce one on
the circle's clock, members answer, a full event puts the next on its waiting
list, the refusals carry their reasons, each change reaches an open socket as a
circle event, and the answers come out as CSV that parses back to the counts."""

from __future__ import annotations

import csv
import io

from starlette.testclient import TestClient

from tests.server.test_http_joining import error_of, hello
from tests.server.test_http_live import frames_until_pong

API = "/api/v1"


def test_an_event_from_announcement_to_the_answers_csv(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob, cai = signup("ann", "安"), signup("bob", "=小波"), signup("cai", "蔡")
    cid = make_circle(ann, "工会")["id"]
    for who in (bob, cai):
        assert client.post(f"{API}/circles/{cid}/join", headers=who.auth).is_success
    body = {
        "title": "十二月生日会",
        "starts_at": "2099-12-24T19:00",
        "place": "三楼",
        "capacity": 1,
    }
    refused = client.post(f"{API}/circles/{cid}/gatherings", json=body, headers=bob.auth)
    assert error_of(refused, 403)["code"] == "forbidden"
    for bad in ({"title": "x"}, {**body, "starts_at": "明天"}, {**body, "capacity": -1}, []):
        answer = client.post(f"{API}/circles/{cid}/gatherings", json=bad, headers=ann.auth)
        assert error_of(answer, 400)["code"] == "bad_request", bad
    made = client.post(f"{API}/circles/{cid}/gatherings", json=body, headers=ann.auth)
    assert made.status_code == 201, made.text
    party = made.json()
    assert party["starts_local"] == "2099-12-24T19:00" and party["status"] == "upcoming"
    url = f"{API}/gatherings/{party['id']}"
    with client.websocket_connect("/ws") as watcher:
        hello(watcher, cai.token)
        wrong = client.put(f"{url}/rsvp", json={"answer": "yes"}, headers=bob.auth)
        assert error_of(wrong, 400)["code"] == "bad_request"
        going = client.put(f"{url}/rsvp", json={"answer": "going"}, headers=bob.auth)
        assert going.status_code == 200, going.text
        assert going.json()["rsvp"]["waiting"] is False
        full = client.put(f"{url}/rsvp", json={"answer": "going"}, headers=cai.auth).json()
        assert full["rsvp"]["waiting"] is True and full["gathering"]["waiting"] == 1
        client.put(f"{url}/rsvp", json={"answer": "not_going"}, headers=bob.auth)
        changes: list[dict] = []
        for n in range(200):
            frames = frames_until_pong(watcher, f"p{n}")
            changes += [f for f in frames if f.get("kind") == "rsvp.changed"]
            if len(changes) >= 3:
                break
        assert [(e["user"], e["answer"], e["waiting"], e["promoted"]) for e in changes] == [
            (bob.id, "going", False, []),
            (cai.id, "going", True, []),
            (bob.id, "not_going", False, [cai.id]),
        ]
        assert changes[-1]["gathering"]["going"] == 1
    listed = client.get(f"{API}/circles/{cid}/gatherings", headers=cai.auth).json()
    assert [g["me"]["answer"] for g in listed["gatherings"]] == ["going"]
    answers = client.get(f"{url}/rsvps", params={"answer": "going"}, headers=bob.auth).json()
    assert [(r["name"], r["waiting"]) for r in answers["rsvps"]] == [("蔡", False)]
    assert error_of(client.get(f"{url}/rsvps.csv", headers=bob.auth), 403)["code"] == "forbidden"
    exported = client.get(f"{url}/rsvps.csv", headers=ann.auth)
    assert exported.status_code == 200 and exported.text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert {r["name"]: (r["answer"], r["waiting"]) for r in rows} == {
        "'=小波": ("not_going", "no"),
        "蔡": ("going", "no"),
    }
    got = client.get(url, headers=ann.auth).json()
    assert (got["going"], got["not_going"]) == (sum(r["answer"] == "going" for r in rows), 1)
    cancelled = client.post(f"{url}/cancel", headers=ann.auth)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    late = client.put(f"{url}/rsvp", json={"answer": "maybe"}, headers=bob.auth)
    assert error_of(late, 409)["reason"] == "gathering_cancelled"
    assert error_of(client.get(f"{API}/gatherings/nope", headers=bob.auth), 404)
