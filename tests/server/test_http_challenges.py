"""Check-in challenges over HTTP (server/api/challenges.py): owners and admins
create them, members join and check in today (in the circle's zone), the
refusals carry their reasons, the boards and today's missing list answer, a
check-in invalidated is out of every count, and each change reaches an open
socket as a circle event."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.server.test_http_joining import error_of, events_until, hello

API = "/api/v1"


def test_a_challenge_from_creation_to_the_board(client: TestClient, signup, make_circle) -> None:
    ann, bob, cai = signup("ann", "安"), signup("bob", "小波"), signup("cai", "蔡")
    circle = make_circle(ann, "读书会")
    cid = circle["id"]
    for who in (bob, cai):
        assert client.post(f"{API}/circles/{cid}/join", headers=who.auth).is_success
    body = {"title": "每日阅读", "type": "accumulated", "required_days": 1, "min_text": 2}
    refused = client.post(f"{API}/circles/{cid}/challenges", json=body, headers=bob.auth)
    assert error_of(refused, 403)["code"] == "forbidden"
    for bad in (
        {"title": ""},
        {"title": "x", "type": "hourly"},
        {"title": "x", "starts_on": "soon"},
        [],
    ):
        answer = client.post(f"{API}/circles/{cid}/challenges", json=bad, headers=ann.auth)
        assert error_of(answer, 400)["code"] == "bad_request", bad
    made = client.post(f"{API}/circles/{cid}/challenges", json=body, headers=ann.auth)
    assert made.status_code == 201, made.text
    challenge = made.json()
    assert challenge["status"] == "ongoing" and challenge["participants"] == 0
    url = f"{API}/challenges/{challenge['id']}"
    with client.websocket_connect("/ws") as watcher:
        hello(watcher, cai.token)
        first = client.post(f"{url}/checkins", json={"text": "读了一章"}, headers=bob.auth)
        assert error_of(first, 403)["reason"] == "not_joined"
        joined = client.post(f"{url}/join", headers=bob.auth)
        assert joined.status_code == 200 and joined.json()["standing"]["total"] == 0
        short = client.post(f"{url}/checkins", json={"text": "读"}, headers=bob.auth)
        assert error_of(short, 400) == {
            "code": "bad_request",
            "message": "write at least 2 characters",
            "reason": "text_too_short",
            "params": {"min": 2},
        }
        done = client.post(f"{url}/checkins", json={"text": "读了一章"}, headers=bob.auth)
        assert done.status_code == 201, done.text
        assert done.json()["standing"]["completed"] is True
        again = client.post(f"{url}/checkins", json={"text": "又读了"}, headers=bob.auth)
        assert error_of(again, 409)["reason"] == "already_checked_in"
        added = events_until(watcher, "checkin.added")[-1]
        assert added["checkin"]["text"] == "读了一章" and added["standing"]["user"] == bob.id
    got = client.get(url, headers=bob.auth).json()
    assert got["checked_in_today"] is True and got["me"]["total"] == 1
    board = client.get(f"{url}/board", params={"by": "total"}, headers=cai.auth).json()
    assert [(e["rank"], e["name"]) for e in board["entries"]] == [(1, "小波")] and board[
        "me"
    ] is None
    bad_board = client.get(f"{url}/board", params={"by": "likes"}, headers=cai.auth)
    assert error_of(bad_board, 400)["code"] == "bad_request"
    assert error_of(client.get(f"{url}/board", params={"cursor": "x"}, headers=cai.auth), 400)
    # Today's missing list: managers only.
    client.post(f"{url}/join", headers=cai.auth)
    assert error_of(client.get(f"{url}/missing", headers=bob.auth), 403)
    missing = client.get(f"{url}/missing", headers=ann.auth).json()
    assert missing["count"] == 1 and [e["user"] for e in missing["entries"]] == [cai.id]
    checkins = client.get(f"{url}/checkins", headers=cai.auth).json()["checkins"]
    assert [c["name"] for c in checkins] == ["小波"]
    calendar = client.get(f"{url}/calendar/me", headers=bob.auth).json()
    assert [d["state"] for d in calendar["days"]] == ["valid"]
    # Invalidated by the owner with a reason: out of every count.
    checkin_id = checkins[0]["id"]
    no_reason = client.post(f"{API}/checkins/{checkin_id}/invalidate", json={}, headers=ann.auth)
    assert error_of(no_reason, 400)["code"] == "bad_request"
    by_member = client.post(
        f"{API}/checkins/{checkin_id}/invalidate", json={"reason": "x"}, headers=cai.auth
    )
    assert error_of(by_member, 403)["code"] == "forbidden"
    out = client.post(
        f"{API}/checkins/{checkin_id}/invalidate", json={"reason": "不是读书"}, headers=ann.auth
    )
    assert out.status_code == 200 and out.json()["standing"]["completed"] is False
    assert client.get(f"{url}/completed", headers=ann.auth).json()["entries"] == []
    assert (
        error_of(client.get(f"{API}/challenges/nope", headers=ann.auth), 404)["code"] == "not_found"
    )


def test_the_circle_zone_is_a_setting(client: TestClient, signup, make_circle) -> None:
    ann = signup("ann")
    circle = make_circle(ann)
    assert circle["time_zone"] == "Asia/Shanghai" and circle["day_closes_after"] == 0
    url = f"{API}/circles/{circle['id']}"
    changed = client.patch(
        url, json={"time_zone": "Europe/Berlin", "day_closes_after": 120}, headers=ann.auth
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["time_zone"], changed.json()["day_closes_after"]) == (
        "Europe/Berlin",
        120,
    )
    for bad in ({"time_zone": "Mars/Base"}, {"time_zone": 8}, {"day_closes_after": 721}):
        assert error_of(client.patch(url, json=bad, headers=ann.auth), 400)["code"] == "bad_request"


def test_a_featured_checkin_reaches_everyone_as_a_highlight(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob, cai = signup("ann", "安"), signup("bob", "小波"), signup("cai", "蔡")
    cid = make_circle(ann, "读书会")["id"]
    for who in (bob, cai):
        assert client.post(f"{API}/circles/{cid}/join", headers=who.auth).is_success
    made = client.post(
        f"{API}/circles/{cid}/challenges", json={"title": "每日阅读"}, headers=ann.auth
    )
    url = f"{API}/challenges/{made.json()['id']}"
    assert client.post(f"{url}/join", headers=bob.auth).is_success
    checkin = client.post(f"{url}/checkins", json={"text": "读完一章"}, headers=bob.auth).json()
    feature = f"{API}/checkins/{checkin['checkin']['id']}/feature"
    assert error_of(client.post(feature, headers=cai.auth), 403)["code"] == "forbidden"
    with client.websocket_connect("/ws") as watcher:
        hello(watcher, cai.token)
        done = client.post(feature, headers=ann.auth)
        assert done.status_code == 200, done.text
        assert done.json()["promoted"] is True and done.json()["checkin"]["featured"] is True
        promoted = events_until(watcher, "post.promoted")[-1]
        assert promoted["post"]["source"]["kind"] == "checkin"
    again = client.post(feature, headers=ann.auth).json()
    assert again["promoted"] is False and again["post"]["id"] == done.json()["post"]["id"]
