"""Check-ins, second slice, over HTTP (server/api/checkin_days.py,
server/api/challenge_csv.py): make-up, grant, leave and strict mode with
their reasons, the review queue live on a socket, the reminder pushed by the
housekeeping job's store work (clock given) only to its member and never in quiet hours,
and the CSV exports parsed back to the boards' numbers."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from starlette.testclient import TestClient

from store import now_ms
from store.calendar import local_date
from tests.server.test_http_joining import error_of, events_until, hello

API = "/api/v1"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return local_date(now_ms(), "Asia/Shanghai")


def noon(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI).timestamp() * 1000)


def setup(client: TestClient, signup, make_circle, **rules):
    ann, bob, cai = signup("ann", "安"), signup("bob", "=小波"), signup("cai", "蔡")
    circle = make_circle(ann, "训练营")
    for who in (bob, cai):
        assert client.post(f"{API}/circles/{circle['id']}/join", headers=who.auth).is_success
    body = {"title": "21天打卡", "starts_on": (today() - timedelta(days=5)).isoformat(), **rules}
    made = client.post(f"{API}/circles/{circle['id']}/challenges", json=body, headers=ann.auth)
    assert made.status_code == 201, made.text
    url = f"{API}/challenges/{made.json()['id']}"
    for who in (bob, cai):
        assert client.post(f"{url}/join", headers=who.auth).is_success
    return circle, made.json(), url, ann, bob, cai


def test_makeup_grant_leave_and_exports(client: TestClient, signup, make_circle) -> None:
    _, challenge, url, ann, bob, cai = setup(
        client, signup, make_circle, makeup_days=3, makeup_quota=1, leave_days=1, required_days=3
    )
    assert (challenge["makeup_days"], challenge["leave_days"]) == (3, 1)
    day = today()
    ago = [(day - timedelta(days=n)).isoformat() for n in range(6)]
    assert (
        client.post(f"{url}/checkins", json={"text": "今天"}, headers=bob.auth).status_code == 201
    )
    made = client.post(f"{url}/makeups", json={"date": ago[1], "text": "补"}, headers=bob.auth)
    assert made.status_code == 201 and made.json()["checkin"]["makeup"] is True
    used = client.post(f"{url}/makeups", json={"date": ago[2]}, headers=bob.auth)
    assert error_of(used, 403)["reason"] == "makeup_quota"
    far = client.post(f"{url}/makeups", json={"date": ago[5]}, headers=cai.auth)
    assert error_of(far, 403)["reason"] == "makeup_window"
    assert error_of(client.post(f"{url}/makeups", json={}, headers=cai.auth), 400)
    # The owner grants Bob's day 2 back (audited) — outside his quota.
    by_member = client.post(
        f"{url}/grants", json={"user": bob.id, "date": ago[2], "reason": "x"}, headers=cai.auth
    )
    assert error_of(by_member, 403)["code"] == "forbidden"
    no_reason = client.post(
        f"{url}/grants", json={"user": bob.id, "date": ago[2]}, headers=ann.auth
    )
    assert error_of(no_reason, 400)
    granted = client.post(
        f"{url}/grants", json={"user": bob.id, "date": ago[2], "reason": "停电"}, headers=ann.auth
    )
    assert granted.status_code == 201 and granted.json()["standing"]["completed"] is True
    leave = client.post(f"{url}/leave", headers=cai.auth)
    assert leave.status_code == 201 and leave.json()["checkin"]["kind"] == "leave"
    again = client.post(f"{url}/leave", json={"date": ago[0]}, headers=cai.auth)
    assert error_of(again, 409)["reason"] == "on_leave"
    calendar = client.get(f"{url}/calendar/me", headers=bob.auth).json()["days"]
    assert [(d["date"], d["makeup"]) for d in calendar] == [
        (ago[2], True),
        (ago[1], True),
        (ago[0], False),
    ]
    # The exports: managers only; they parse back to the boards.
    assert error_of(client.get(f"{url}/export.csv", headers=bob.auth), 403)
    answer = client.get(f"{url}/export.csv", headers=ann.auth)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert len(rows) == 4
    assert {r["name"] for r in rows} == {"'=小波", "蔡"}  # a formula defused
    counted: dict[str, int] = {}
    for r in rows:
        if r["kind"] == "checkin" and r["state"] == "valid":
            counted[r["user_id"]] = counted.get(r["user_id"], 0) + 1
    board = client.get(f"{url}/board", params={"by": "total"}, headers=ann.auth).json()
    assert counted == {e["user"]: e["total"] for e in board["entries"]} == {bob.id: 3}
    assert [r["makeup"] for r in rows if r["user_id"] == bob.id] == ["1", "1", "0"]
    assert [r["leave"] for r in rows if r["user_id"] == cai.id] == ["1"]
    done = client.get(f"{url}/completed.csv", headers=ann.auth)
    refund = list(csv.DictReader(io.StringIO(done.text.lstrip("\ufeff"))))
    listed = client.get(f"{url}/completed", headers=ann.auth).json()["entries"]
    assert [(r["user_id"], int(r["total"])) for r in refund] == [
        (e["user"], e["total"]) for e in listed
    ]
    assert error_of(client.get(f"{url}/completed.csv", headers=cai.auth), 403)


def test_strict_mode_refuses_makeup_and_leave(client: TestClient, signup, make_circle) -> None:
    _, challenge, url, ann, bob, _ = setup(client, signup, make_circle, strict=True)
    assert challenge["strict"] is True
    yesterday = (today() - timedelta(days=1)).isoformat()
    made = client.post(f"{url}/makeups", json={"date": yesterday}, headers=bob.auth)
    assert error_of(made, 403)["reason"] == "makeup_strict"
    assert error_of(client.post(f"{url}/leave", headers=bob.auth), 403)["reason"] == "leave_strict"
    granted = client.post(
        f"{url}/grants", json={"user": bob.id, "date": yesterday, "reason": "r"}, headers=ann.auth
    )
    assert error_of(granted, 403)["reason"] == "makeup_strict"


def test_review_queue_is_live(client: TestClient, signup, make_circle) -> None:
    _, _, url, ann, bob, cai = setup(client, signup, make_circle, review=True, required_days=1)
    with client.websocket_connect("/ws") as watcher:
        hello(watcher, cai.token)
        sent = client.post(f"{url}/checkins", json={"text": "读了"}, headers=bob.auth)
        assert sent.status_code == 201 and sent.json()["checkin"]["state"] == "pending"
        assert sent.json()["standing"]["total"] == 0
        assert error_of(client.get(f"{url}/pending", headers=bob.auth), 403)
        queue = client.get(f"{url}/pending", headers=ann.auth).json()["checkins"]
        assert [q["user"] for q in queue] == [bob.id]
        checkin = queue[0]["id"]
        assert error_of(client.post(f"{API}/checkins/{checkin}/approve", headers=cai.auth), 403)
        ok = client.post(f"{API}/checkins/{checkin}/approve", headers=ann.auth)
        assert ok.status_code == 200 and ok.json()["standing"]["completed"] is True
        reviewed = events_until(watcher, "checkin.reviewed")[-1]
        assert reviewed["checkin"]["state"] == "valid" and reviewed["standing"]["total"] == 1
        twice = client.post(f"{API}/checkins/{checkin}/reject", headers=ann.auth)
        assert error_of(twice, 409)["reason"] == "not_pending"
    board = client.get(f"{url}/board", params={"by": "total"}, headers=cai.auth).json()
    assert [e["user"] for e in board["entries"]] == [bob.id]


def test_reminder_is_pushed_to_its_member_only_outside_quiet_hours(
    client: TestClient, signup, make_circle
) -> None:
    circle, _, url, ann, bob, cai = setup(client, signup, make_circle, remind_at="00:00")
    off = client.put(f"{url}/reminders", json={"on": False}, headers=cai.auth)
    assert off.status_code == 200 and off.json()["standing"]["reminders"] is False
    assert error_of(client.put(f"{url}/reminders", json={}, headers=cai.auth), 400)
    store = client.app.state.node.store  # type: ignore[attr-defined]
    at = noon(today())
    quiet = {"quiet_from": "11:00", "quiet_to": "13:00"}
    assert client.patch(f"{API}/circles/{circle['id']}", json=quiet, headers=ann.auth).is_success
    assert client.portal.call(lambda: store.checkin_reminders.remind_due(at)) == 0  # type: ignore[union-attr]
    loud = {"quiet_from": "", "quiet_to": ""}
    changed = client.patch(f"{API}/circles/{circle['id']}", json=loud, headers=ann.auth)
    assert changed.json()["quiet_from"] is None
    with (
        client.websocket_connect("/ws") as bobs,
        client.websocket_connect("/ws") as cais,
    ):
        hello(bobs, bob.token)
        hello(cais, cai.token)
        assert client.portal.call(lambda: store.checkin_reminders.remind_due(at)) == 1  # type: ignore[union-attr]
        assert client.portal.call(lambda: store.checkin_reminders.remind_due(at + 60_000)) == 0  # type: ignore[union-attr]
        reminder = events_until(bobs, "reminder")[-1]
        assert reminder["user"] == bob.id and reminder["about"]["title"] == "21天打卡"
        assert reminder["about"]["kind"] == "checkin"
        # Cai (reminders off) got none; a later event reaches him, the reminder never did.
        client.post(f"{url}/checkins", json={"text": "到"}, headers=bob.auth)
        seen = events_until(cais, "checkin.added")
        assert all(e.get("kind") != "reminder" for e in seen)
