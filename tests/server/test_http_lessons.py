"""The course plan and live lessons over HTTP (server/api/lessons.py): teachers'
rights, the refusals with their reasons, the plan with next and missed, the
events on an open socket and in the catch-up, the live banner's list, the
embeddable players the frame policy allows (and the CSP's frame-src), the
materials grouped by lesson, and the reminder job's push."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from server.security_headers import FramePolicy
from server.settings import Settings
from tests.limits import GENEROUS
from tests.server.test_http_joining import error_of, events_until, hello

API = "/api/v1"
PLAYERS = "https://player.example.com https://*.cdn.example.org"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The reminder job every 50 ms: a lesson due is reminded on the next run.
    return Settings(
        data_dir=tmp_path,
        password_time_cost=1,
        reminder_check_s=0.05,
        frame_sources=PLAYERS,
        **GENEROUS,  # type: ignore[arg-type]
    )


def local_in(minutes: int) -> str:
    """The wall-clock time in Shanghai (a circle's default zone) that many minutes on."""
    moment = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_a_lesson_from_the_plan_to_live_and_back(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann", "安老师"), signup("bob", "小波")
    cid = make_circle(ann, "舞蹈课", kind="teaching")["id"]
    assert client.post(f"{API}/circles/{cid}/join", headers=bob.auth).is_success
    url = f"{API}/circles/{cid}/lessons"
    body = {"title": "第一课", "starts_at": local_in(24 * 60), "duration_min": 60}
    assert error_of(client.post(url, json=body, headers=bob.auth), 403)["code"] == "forbidden"
    for bad, reason in (
        ({"title": "x"}, None),
        ({"title": "x", "starts_at": "soon"}, None),
        ({**body, "stream_url": "javascript:alert(1)"}, "bad_url"),
        (
            {**body, "stream_url": "https://elsewhere.example.net/p", "stream_embed": True},
            "embed_not_allowed",
        ),
        ({**body, "mood": "happy"}, None),
        ([], None),
    ):
        refused = error_of(client.post(url, json=bad, headers=ann.auth), 400)
        assert refused["code"] == "bad_request" and refused.get("reason") == reason, bad
    made = client.post(url, json=body, headers=ann.auth)
    assert made.status_code == 201, made.text
    lesson = made.json()
    assert lesson["starts_local"] == body["starts_at"] and lesson["state"] == "scheduled"
    lid = lesson["id"]
    plan = client.get(url, headers=bob.auth).json()
    assert plan["next"] == lid and plan["lessons"][0]["missed"] is False
    start = client.post(f"{API}/lessons/{lid}/start", headers=ann.auth)
    assert error_of(start, 409)["reason"] == "no_stream"
    player = {"stream_url": "https://player.example.com/embed/42", "stream_embed": True}
    patched = client.patch(f"{API}/lessons/{lid}", json=player, headers=ann.auth)
    assert patched.status_code == 200 and patched.json()["stream_embed"] is True
    with client.websocket_connect("/ws") as watcher:
        hello(watcher, bob.token)
        assert error_of(client.post(f"{API}/lessons/{lid}/start", headers=bob.auth), 403)
        live = client.post(f"{API}/lessons/{lid}/start", headers=ann.auth)
        assert live.status_code == 200 and live.json()["state"] == "live"
        pushed = events_until(watcher, "lesson.live")[-1]
        assert pushed["lesson"]["id"] == lid and pushed["lesson"]["live"]["group"] == cid
        banner = client.get(f"{API}/me/live-lessons", headers=bob.auth).json()["lessons"]
        assert [(x["id"], x["circle_name"]) for x in banner] == [(lid, "舞蹈课")]
        again = client.post(f"{API}/lessons/{lid}/start", headers=ann.auth)
        assert error_of(again, 409)["reason"] == "lesson_live"
        assert client.post(f"{API}/lessons/{lid}/end", headers=ann.auth).status_code == 200
        assert events_until(watcher, "lesson.ended")[-1]["lesson"]["state"] == "ended"
    assert client.get(f"{API}/me/live-lessons", headers=bob.auth).json()["lessons"] == []
    ended = client.post(f"{API}/lessons/{lid}/end", headers=ann.auth)
    assert error_of(ended, 409)["reason"] == "lesson_not_live"
    # The past lesson is missed until bob opens it.
    page = client.get(f"{API}/lessons/{lid}", headers=bob.auth).json()
    assert page["past"] and page["missed"] and page["highlights"] == []
    assert client.post(f"{API}/lessons/{lid}/seen", headers=bob.auth).status_code == 204
    assert client.get(f"{API}/lessons/{lid}", headers=bob.auth).json()["missed"] is False
    # Every change is in the catch-up, in order.
    changes = client.get(f"{API}/circles/{cid}/events", params={"after": 0}, headers=bob.auth)
    kinds = [e["kind"] for e in changes.json()["events"] if e["kind"].startswith("lesson")]
    assert kinds == ["lesson.created", "lesson.updated", "lesson.live", "lesson.ended"]
    # Members cannot edit, reorder or delete; the owner can.
    assert error_of(client.delete(f"{API}/lessons/{lid}", headers=bob.auth), 403)
    second = client.post(url, json={**body, "title": "第二课"}, headers=ann.auth).json()
    order = {"order": [second["id"], lid]}
    assert error_of(client.put(f"{url}/order", json=order, headers=bob.auth), 403)
    assert client.put(f"{url}/order", json=order, headers=ann.auth).json() == order
    bad_order = client.put(f"{url}/order", json={"order": [lid]}, headers=ann.auth)
    assert error_of(bad_order, 400)["code"] == "bad_request"
    titles = [x["title"] for x in client.get(url, headers=bob.auth).json()["lessons"]]
    assert titles == ["第二课", "第一课"]
    assert client.delete(f"{API}/lessons/{lid}", headers=ann.auth).status_code == 204
    assert error_of(client.get(f"{API}/lessons/{lid}", headers=bob.auth), 404)


def test_strangers_see_nothing(client: TestClient, signup, make_circle) -> None:
    ann, eve = signup("ann"), signup("eve")
    cid = make_circle(ann, "公开课")["id"]
    body = {"title": "第一课", "starts_at": local_in(60)}
    lid = client.post(f"{API}/circles/{cid}/lessons", json=body, headers=ann.auth).json()["id"]
    assert error_of(client.get(f"{API}/circles/{cid}/lessons", headers=eve.auth), 403)
    assert error_of(client.get(f"{API}/lessons/{lid}", headers=eve.auth), 403)
    assert error_of(client.post(f"{API}/lessons/{lid}/seen", headers=eve.auth), 403)
    by_lesson = client.get(f"{API}/circles/{cid}/attachments/by-lesson", headers=eve.auth)
    assert error_of(by_lesson, 403)
    assert client.get(f"{API}/me/live-lessons", headers=eve.auth).json() == {"lessons": []}


def test_materials_grouped_by_lesson(client: TestClient, signup, make_circle) -> None:
    ann = signup("ann")
    cid = make_circle(ann, "读书会")["id"]
    uploaded = client.post(
        f"{API}/circles/{cid}/uploads",
        content=b"%PDF-1.4\n% notes\n",
        headers={**ann.auth, "Content-Type": "application/pdf", "X-File-Name": "notes.pdf"},
    )
    assert uploaded.status_code in (200, 201), uploaded.text
    pdf = uploaded.json()["id"]
    body = {"title": "第一课", "starts_at": local_in(60), "attachments": [pdf]}
    made = client.post(f"{API}/circles/{cid}/lessons", json=body, headers=ann.auth)
    assert made.status_code == 201, made.text
    client.post(
        f"{API}/circles/{cid}/lessons",
        json={"title": "空", "starts_at": local_in(90)},
        headers=ann.auth,
    )
    grouped = client.get(f"{API}/circles/{cid}/attachments/by-lesson", headers=ann.auth).json()
    assert [(g["title"], [a["id"] for a in g["attachments"]]) for g in grouped["lessons"]] == [
        ("第一课", [pdf])
    ]


def test_the_reminder_job_pushes_once(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann"), signup("bob")
    cid = make_circle(ann, "晨读")["id"]
    assert client.post(f"{API}/circles/{cid}/join", headers=bob.auth).is_success
    with client.websocket_connect("/ws") as watcher:
        hello(watcher, bob.token)
        body = {"title": "晨读", "starts_at": local_in(10), "remind_before_min": 30}
        made = client.post(f"{API}/circles/{cid}/lessons", json=body, headers=ann.auth).json()
        reminder = events_until(watcher, "reminder")[-1]
        assert reminder["user"] == bob.id and reminder["about"]["kind"] == "lesson"
        assert reminder["about"]["id"] == made["id"] and reminder["about"]["title"] == "晨读"
        assert reminder["about"]["at"] == made["starts_at"]
    # Bob's catch-up has his reminder once; Ann's has hers, never Bob's.
    events = client.get(f"{API}/circles/{cid}/events", params={"after": 0}, headers=bob.auth)
    mine = [e for e in events.json()["events"] if e["kind"] == "reminder"]
    assert [e["user"] for e in mine] == [bob.id]
    theirs = client.get(f"{API}/circles/{cid}/events", params={"after": 0}, headers=ann.auth)
    assert [e["user"] for e in theirs.json()["events"] if e["kind"] == "reminder"] == [ann.id]
    got = client.get(f"{API}/lessons/{made['id']}", headers=bob.auth).json()
    assert got["reminded_at"] is not None


def test_the_page_may_frame_only_the_configured_players(client: TestClient) -> None:
    policy = client.get("/").headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives["frame-src"] == ["https://player.example.com", "https://*.cdn.example.org"]
    frames = FramePolicy(PLAYERS)
    assert frames.allows("https://player.example.com/embed?id=1")
    assert frames.allows("https://live.cdn.example.org/x")
    assert not frames.allows("https://cdn.example.org.evil.test/x")
    assert not frames.allows("http://player.example.com/embed")
    assert not frames.allows("https://player.example.com.evil.test/")
    assert FramePolicy("").sources == () and FramePolicy("nonsense https:").sources == ("https:",)
