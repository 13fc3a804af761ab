"""Homework over HTTP (server/api/homework.py) and over the socket: the state
machine's refusals carry their reasons, a review reaches its student live, the
grades CSV matches the reviews (formulas defused), "excellent" is one
highlight every member receives, and peer visibility holds for each setting
over HTTP, over the live push and over the catch-up alike."""

from __future__ import annotations

import csv
import io

import pytest
from starlette.testclient import TestClient

from tests.server.test_http_joining import error_of, events_until, hello

API = "/api/v1"


def _class(client: TestClient, signup, make_circle) -> tuple:
    ann, bob, cai = signup("ann", "安老师"), signup("bob", "=HYPERLINK(1)"), signup("cai", "蔡")
    circle = make_circle(ann, "舞蹈课", kind="community")
    for who in (bob, cai):
        assert client.post(f"{API}/circles/{circle['id']}/join", headers=who.auth).is_success
    return ann, bob, cai, circle


def _assign(client: TestClient, owner, circle: dict, **fields) -> dict:
    body = {"title": "第一课作业", **fields}
    made = client.post(f"{API}/circles/{circle['id']}/assignments", json=body, headers=owner.auth)
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_submit_review_excellent_and_grades(client: TestClient, signup, make_circle) -> None:
    ann, bob, cai, circle = _class(client, signup, make_circle)
    cid = circle["id"]
    refused = client.post(f"{API}/circles/{cid}/assignments", json={"title": "x"}, headers=bob.auth)
    assert error_of(refused, 403)["code"] == "forbidden"
    for bad in ({"title": ""}, {"title": "x", "peer_visibility": "friends"}, []):
        answer = client.post(f"{API}/circles/{cid}/assignments", json=bad, headers=ann.auth)
        assert error_of(answer, 400)["code"] == "bad_request", bad
    task = _assign(client, ann, circle, due_at=10**13)
    url = f"{API}/assignments/{task['id']}"
    empty = client.post(f"{url}/submissions", json={"text": ""}, headers=bob.auth)
    assert error_of(empty, 400)["reason"] == "empty_submission"
    made = client.post(f"{url}/submissions", json={"text": "我的作业"}, headers=bob.auth)
    assert made.status_code == 201, made.text
    sub = made.json()["submission"]
    again = client.post(f"{url}/submissions", json={"text": "again"}, headers=bob.auth)
    assert error_of(again, 409)["reason"] == "already_submitted"
    surl = f"{API}/submissions/{sub['id']}"
    no_score = client.post(f"{surl}/review", json={"comment": "?"}, headers=ann.auth)
    assert error_of(no_score, 400)["reason"] == "score_or_grade_required"
    not_teacher = client.post(f"{surl}/review", json={"score": 100}, headers=bob.auth)
    assert error_of(not_teacher, 403)["code"] == "forbidden"
    queue = client.get(f"{url}/submissions", params={"state": "submitted"}, headers=ann.auth)
    assert [s["id"] for s in queue.json()["submissions"]] == [sub["id"]]
    roster = client.get(f"{url}/roster", headers=ann.auth).json()
    assert (roster["handed_in"], roster["missing"]) == (1, 1)
    assert client.get(f"{url}/roster", headers=bob.auth).status_code == 403
    with client.websocket_connect("/ws") as student, client.websocket_connect("/ws") as peer:
        hello(student, bob.token)
        hello(peer, cai.token)
        reminded = client.post(f"{url}/remind", headers=ann.auth).json()
        assert reminded == {"reminded": [cai.id]}
        told = events_until(peer, "reminder")[-1]
        assert told["user"] == cai.id and told["about"]["kind"] == "homework"
        assert told["about"]["id"] == task["id"] and told["about"]["title"] == "第一课作业"
        body = {"score": 95, "grade": "=1+1", "comment": "动作到位"}
        reviewed = client.post(f"{surl}/review", json=body, headers=ann.auth)
        assert reviewed.status_code == 200, reviewed.text
        live = events_until(student, "submission.reviewed")[-1]
        assert live["submission"]["review"]["score"] == 95
        assert live["submission"]["review"]["comment"] == "动作到位"
        final = client.patch(surl, json={"text": "改"}, headers=bob.auth)
        assert error_of(final, 409)["reason"] == "already_reviewed"
        best = client.post(f"{surl}/excellent", headers=ann.auth)
        assert best.status_code == 200 and best.json()["promoted"] is True
        post = best.json()["post"]
        assert post["source"]["kind"] == "submission" and post["source"]["id"] == sub["id"]
        promoted = events_until(peer, "post.promoted")[-1]
        assert promoted["post"]["id"] == post["id"]
        assert promoted["post"]["source"]["title"] == "第一课作业"
        twice = client.post(f"{surl}/excellent", headers=ann.auth).json()
        assert twice["promoted"] is False and twice["post"]["id"] == post["id"]
    # The peer never saw the review (hidden work; review is the student's).
    caught = client.get(f"{API}/circles/{cid}/events", headers=cai.auth).json()["events"]
    kinds = [e["kind"] for e in caught]
    assert kinds.count("post.promoted") == 1 and "submission.reviewed" not in kinds
    showcase = client.get(f"{url}/submissions", params={"excellent": "true"}, headers=cai.auth)
    assert [s["id"] for s in showcase.json()["submissions"]] == [sub["id"]]
    assert "review" not in showcase.json()["submissions"][0]
    exported = client.get(f"{url}/grades.csv", headers=ann.auth)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["student_id", "student", "state"]
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[bob.id][1] == "'=HYPERLINK(1)" and by_id[bob.id][2] == "reviewed"
    assert by_id[bob.id][5] == "95" and by_id[bob.id][6] == "'=1+1" and by_id[bob.id][7] == "yes"
    assert by_id[cai.id][2] == "assigned" and by_id[cai.id][5] == ""
    assert client.get(f"{url}/grades.csv", headers=bob.auth).status_code == 403


@pytest.mark.parametrize("visibility", ["hidden", "after_submit", "after_review", "always"])
def test_peer_visibility_over_http_push_and_catch_up(
    client: TestClient, signup, make_circle, visibility: str
) -> None:
    ann, bob, cai, circle = _class(client, signup, make_circle)
    task = _assign(client, ann, circle, peer_visibility=visibility)
    url = f"{API}/assignments/{task['id']}"
    start = client.get(f"{API}/circles/{circle['id']}/events", headers=cai.auth).json()
    after = start["last_rev"]

    def fence(ws, n: int) -> list[dict]:
        """Every event the peer got up to a change everyone receives."""
        body = {"instructions": f"fence {n}"}
        assert client.patch(url, json=body, headers=ann.auth).status_code == 200
        return events_until(ws, "assignment.updated")

    def bobs(events: list[dict]) -> list[str]:
        return [
            e["action"]
            for e in events
            if e["kind"] == "submission.updated" and e["student"] == bob.id
        ]

    def peer_reads(sid: str) -> bool:
        one = client.get(f"{API}/submissions/{sid}", headers=cai.auth)
        listed = client.get(f"{url}/submissions", headers=cai.auth).json()["submissions"]
        seen = [s["id"] for s in listed if s["user"] == bob.id]
        if one.status_code == 403:
            assert one.json()["error"]["reason"] == "submission_hidden" and seen == []
            likes = client.put(f"{API}/submissions/{sid}/like", headers=cai.auth)
            assert error_of(likes, 403)["reason"] == "submission_hidden"
            return False
        assert one.status_code == 200 and seen == [sid]
        assert "review" not in one.json()["submission"]
        return True

    with client.websocket_connect("/ws") as peer:
        hello(peer, cai.token)
        made = client.post(f"{url}/submissions", json={"text": "bob"}, headers=bob.auth)
        sid = made.json()["submission"]["id"]
        pushed = bobs(fence(peer, 1))
        assert peer_reads(sid) is (visibility == "always")
        assert pushed == (["submitted"] if visibility == "always" else [])
        assert client.post(f"{url}/submissions", json={"text": "cai"}, headers=cai.auth).is_success
        assert peer_reads(sid) is (visibility in ("always", "after_submit"))
        review = {"score": 60, "comment": "secret"}
        assert client.post(f"{API}/submissions/{sid}/review", json=review, headers=ann.auth)
        pushed += bobs(fence(peer, 2))
        assert peer_reads(sid) is (visibility != "hidden")
        expected = {
            "hidden": [],
            "after_submit": ["reviewed"],
            "after_review": ["reviewed"],
            "always": ["submitted", "reviewed"],
        }[visibility]
        assert pushed == expected
        if visibility != "hidden":
            said = client.post(
                f"{API}/submissions/{sid}/comments", json={"text": "赞"}, headers=cai.auth
            )
            assert said.status_code == 201, said.text
            assert client.put(f"{API}/submissions/{sid}/like", headers=cai.auth).json() == {
                "likes": 1,
                "liked": True,
            }
    caught = client.get(
        f"{API}/circles/{circle['id']}/events", params={"after": after}, headers=cai.auth
    ).json()["events"]
    assert bobs(caught) == expected
    assert not any(e["kind"] == "submission.reviewed" and e["student"] == bob.id for e in caught)
    # The teacher and the student see everything of it, live or not.
    mine = client.get(
        f"{API}/circles/{circle['id']}/events", params={"after": after}, headers=bob.auth
    ).json()["events"]
    assert bobs(mine) == ["submitted", "reviewed"]
    assert any(e["kind"] == "submission.reviewed" for e in mine)
