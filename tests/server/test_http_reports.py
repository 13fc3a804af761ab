"""Reports and the moderation queue over HTTP (server/api/reports.py): members
report, owners and admins read the queue and resolve, the reporter reads the
outcome; the report events reach managers and the reporter only, live and on
catch-up; every refusal is the contract's error, never a 500."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from server.settings import Settings
from tests import timing
from tests.limits import GENEROUS
from tests.server.conftest import Account
from tests.server.test_http_live import frames_until_pong, hello

API = "/api/v1"
WAIT_S = 10.0


def say(client: TestClient, circle: dict, who: Account, text: str) -> int:
    chat = client.app.state.node.store.chat  # type: ignore[attr-defined]
    message, _ = client.portal.call(chat.say, circle["id"], who.id, who.name, text, f"n-{text}")  # type: ignore[union-attr]
    return int(message["seq"])


def report(client: TestClient, circle: dict, who: Account, kind: str, target: str, **extra):
    body = {"target": {"kind": kind, "id": target}, "reason": "spam", **extra}
    return client.post(f"{API}/circles/{circle['id']}/reports", json=body, headers=who.auth)


def queue(client: TestClient, circle: dict, who: Account, **params):
    return client.get(f"{API}/circles/{circle['id']}/reports", params=params, headers=who.auth)


def resolve(client: TestClient, circle: dict, who: Account, report_id: str, **body):
    url = f"{API}/circles/{circle['id']}/reports/{report_id}/resolve"
    return client.post(url, json=body, headers=who.auth)


@pytest.fixture
def people(client: TestClient, signup, make_circle) -> tuple[dict, Account, Account, Account]:
    """ann owns a public circle; bob and cai are members."""
    ann, bob, cai = signup("ann"), signup("bob"), signup("cai", "蔡")
    circle = make_circle(ann, "茶馆")
    for who in (bob, cai):
        assert (
            client.post(f"{API}/circles/{circle['id']}/join", headers=who.auth).status_code == 200
        )
    return circle, ann, bob, cai


def test_a_report_goes_to_the_queue_and_its_outcome_to_the_reporter(
    client: TestClient, people
) -> None:
    circle, ann, bob, cai = people
    seq = say(client, circle, cai, "加我微信 spam")
    target = f"{circle['id']}:{seq}"
    first = report(client, circle, bob, "message", target, text="广告")
    assert first.status_code == 201, first.text
    again = report(client, circle, bob, "message", target)
    assert again.status_code == 200 and again.json()["report"]["id"] == first.json()["report"]["id"]
    answer = queue(client, circle, ann)
    assert answer.status_code == 200
    body = answer.json()
    assert body["open"] == 1 and body["next"] is None
    item = body["reports"][0]
    assert item["target"]["preview"] == "加我微信 spam" and item["target"]["user_name"] == "蔡"
    assert item["reporter"]["id"] == bob.id and item["text"] == "广告"
    done = resolve(client, circle, ann, item["id"], outcome="dismissed", note="不算广告")
    assert done.status_code == 200 and done.json()["resolved"] == 1
    assert resolve(client, circle, ann, item["id"], outcome="dismissed").json()["error"] == {
        "code": "conflict",
        "message": "this report is resolved already",
        "reason": "report_resolved",
    }
    mine = client.get(f"{API}/me/reports", headers=bob.auth).json()["reports"]
    assert [(r["status"], r["outcome"], r["note"], r["circle_name"]) for r in mine] == [
        ("resolved", "dismissed", "不算广告", "茶馆")
    ]
    assert client.get(f"{API}/me/reports", headers=cai.auth).json() == {"reports": [], "next": None}
    audit = client.get(f"{API}/circles/{circle['id']}/audit", headers=ann.auth).json()
    assert [(e["action"], e["reason"]) for e in audit["entries"]] == [
        ("report.dismissed", "不算广告")
    ]


def test_refusals(client: TestClient, people, signup, make_circle) -> None:
    circle, ann, bob, cai = people
    dan = signup("dan")
    private = make_circle(ann, "密室", visibility="private")
    post = client.post(
        f"{API}/circles/{circle['id']}/posts",
        json={"kind": "post", "text": "hello"},
        headers=cai.auth,
    ).json()
    codes = {
        "outsider": report(client, circle, dan, "post", post["id"]),
        "private": report(client, private, bob, "member", ann.id),
        "no circle": report(client, {"id": "nope"}, bob, "post", post["id"]),
        "kind": report(client, circle, bob, "submission", "x"),
        "reason": client.post(
            f"{API}/circles/{circle['id']}/reports",
            json={"target": {"kind": "post", "id": post["id"]}, "reason": "meh"},
            headers=bob.auth,
        ),
        "no target": client.post(
            f"{API}/circles/{circle['id']}/reports", json={"reason": "spam"}, headers=bob.auth
        ),
        "missing post": report(client, circle, bob, "post", "nope"),
        "bad message": report(client, circle, bob, "message", "x:y"),
        "odd digits": report(client, circle, bob, "message", f"{circle['id']}:²"),
        "long text": report(client, circle, bob, "post", post["id"], text="x" * 501),
        "self": report(client, circle, bob, "member", bob.id),
        "own": report(client, circle, cai, "post", post["id"]),
        "member's queue": queue(client, circle, bob),
        "bad status": queue(client, circle, ann, status="all"),
        "bad cursor": queue(client, circle, ann, cursor="garbage"),
        "member resolves": resolve(client, circle, bob, "x", outcome="dismissed"),
        "bad outcome": resolve(client, circle, ann, "x", outcome="forgiven"),
        "no report": resolve(client, circle, ann, "x", outcome="dismissed"),
        "member's audit": client.get(f"{API}/circles/{circle['id']}/audit", headers=bob.auth),
        "member's csv": client.get(f"{API}/circles/{circle['id']}/audit.csv", headers=bob.auth),
        "no token": client.get(f"{API}/me/reports"),
    }
    status = {name: answer.status_code for name, answer in codes.items()}
    assert status == {
        "outsider": 403,
        "private": 403,
        "no circle": 404,
        "kind": 400,
        "reason": 400,
        "no target": 400,
        "missing post": 404,
        "bad message": 404,
        "odd digits": 404,
        "long text": 400,
        "self": 400,
        "own": 400,
        "member's queue": 403,
        "bad status": 400,
        "bad cursor": 400,
        "member resolves": 403,
        "bad outcome": 400,
        "no report": 404,
        "member's audit": 403,
        "member's csv": 403,
        "no token": 401,
    }
    assert codes["own"].json()["error"]["reason"] == "report_own"
    # An admin works the queue, but the audit log is the owners'.
    client.patch(
        f"{API}/circles/{circle['id']}/members/{bob.id}", json={"role": "admin"}, headers=ann.auth
    )
    assert queue(client, circle, bob).status_code == 200
    assert client.get(f"{API}/circles/{circle['id']}/audit", headers=bob.auth).status_code == 403


def test_reports_are_limited_per_user(tmp_path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        password_time_cost=1,
        **{**GENEROUS, "report_rate_per_min": 0.001, "report_burst": 2},  # type: ignore[arg-type]
    )
    from server.app import create_app

    with TestClient(create_app(settings)) as client:
        tokens = {}
        for handle in ("ann", "bob"):
            body = {"handle": handle, "password": "correct horse", "name": handle}
            data = client.post(f"{API}/auth/signup", json=body).json()
            tokens[handle] = (data["user"]["id"], {"Authorization": f"Bearer {data['token']}"})
        body = {"name": "c", "kind": "community", "visibility": "public"}
        circle = client.post(f"{API}/circles", json=body, headers=tokens["ann"][1]).json()
        client.post(f"{API}/circles/{circle['id']}/join", headers=tokens["bob"][1])
        posts = [
            client.post(
                f"{API}/circles/{circle['id']}/posts",
                json={"kind": "post", "text": f"p{i}"},
                headers=tokens["ann"][1],
            ).json()["id"]
            for i in range(3)
        ]
        answers = [
            client.post(
                f"{API}/circles/{circle['id']}/reports",
                json={"target": {"kind": "post", "id": p}, "reason": "spam"},
                headers=tokens["bob"][1],
            )
            for p in posts
        ]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].json()["error"]["reason"] == "too_many_reports"
    assert int(answers[2].headers["Retry-After"]) >= 1


def events(client: TestClient, circle: dict, who: Account) -> list[str]:
    answer = client.get(
        f"{API}/circles/{circle['id']}/events", params={"after": 0}, headers=who.auth
    )
    assert answer.status_code == 200
    return [e["kind"] for e in answer.json()["events"] if e["kind"].startswith("report.")]


def collect_until(ws, kind: str) -> list[dict]:
    """Every push up to the first event of ``kind`` (and what came with it)."""
    seen: list[dict] = []
    deadline, n = time.monotonic() + WAIT_S, 0
    while time.monotonic() < deadline:
        n += 1
        batch = frames_until_pong(ws, f"w{n}")
        seen += batch
        if any(frame.get("kind") == kind for frame in batch):
            return seen
        timing.sleep_blocking(0.02)
    pytest.fail(f"no {kind} within {WAIT_S} s")


def test_report_events_reach_the_managers_and_the_reporter_only(client: TestClient, people) -> None:
    circle, ann, bob, cai = people
    post = client.post(
        f"{API}/circles/{circle['id']}/posts",
        json={"kind": "post", "text": "buy now"},
        headers=cai.auth,
    ).json()
    with (
        client.websocket_connect("/ws") as ann_ws,
        client.websocket_connect("/ws") as bob_ws,
        client.websocket_connect("/ws") as cai_ws,
    ):
        for ws, who in ((ann_ws, ann), (bob_ws, bob), (cai_ws, cai)):
            hello(ws, who.token)
        filed = report(client, circle, bob, "post", post["id"]).json()["report"]
        pushed = [
            f for f in collect_until(ann_ws, "report.filed") if f.get("kind") == "report.filed"
        ]
        assert pushed[0]["open"] == 1 and "reporter" not in pushed[0]["report"]
        resolve(client, circle, ann, filed["id"], outcome="deleted")
        bob_saw = collect_until(bob_ws, "report.resolved")
        outcome = next(f for f in bob_saw if f.get("kind") == "report.resolved")
        assert outcome["report"]["outcome"] == "deleted" and outcome["open"] == 0
        # Something everyone sees, after the reports: whoever got it got all before it.
        client.post(
            f"{API}/circles/{circle['id']}/posts",
            json={"kind": "post", "text": "after"},
            headers=ann.auth,
        )
        kinds = [f.get("kind") for f in collect_until(cai_ws, "post.created")]
        assert not [k for k in kinds if k and k.startswith("report.")]
        bob_kinds = [f.get("kind") for f in bob_saw + collect_until(bob_ws, "post.created")]
        assert "report.filed" not in bob_kinds
    assert events(client, circle, ann) == ["report.filed", "report.resolved"]
    assert events(client, circle, bob) == ["report.resolved"]
    assert events(client, circle, cai) == []


def test_the_queue_pages_and_counts_reports_by_target(
    client: TestClient, people, signup: Callable[..., Account]
) -> None:
    circle, ann, bob, cai = people
    dan = signup("dan")
    client.post(f"{API}/circles/{circle['id']}/join", headers=dan.auth)
    posts = [
        client.post(
            f"{API}/circles/{circle['id']}/posts",
            json={"kind": "post", "text": f"p{i}"},
            headers=cai.auth,
        ).json()["id"]
        for i in range(3)
    ]
    for p in posts:
        assert report(client, circle, bob, "post", p).status_code == 201
    assert report(client, circle, dan, "post", posts[0]).status_code == 201
    seen, cursor = [], None
    while True:
        body = queue(client, circle, ann, limit=3, **({"cursor": cursor} if cursor else {})).json()
        seen += [(i["target"]["preview"], i["target"]["open_reports"]) for i in body["reports"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == [("p0", 2), ("p2", 1), ("p1", 1), ("p0", 2)] and body["open"] == 4
    first = queue(client, circle, ann).json()["reports"][0]
    assert resolve(client, circle, ann, first["id"], outcome="deleted").json()["resolved"] == 2
    resolved = queue(client, circle, ann, status="resolved").json()
    assert resolved["open"] == 2 and len(resolved["reports"]) == 2
    assert {r["resolved_by"]["id"] for r in resolved["reports"]} == {ann.id}


def test_the_queue_is_searched_by_name(client: TestClient, people) -> None:
    circle, ann, bob, cai = people
    seq = say(client, circle, cai, "广告")
    assert report(client, circle, bob, "message", f"{circle['id']}:{seq}").status_code == 201
    for q, found in (("蔡", 1), ("BOB", 1), ("ann", 0)):
        answer = queue(client, circle, ann, q=q)
        assert answer.status_code == 200, answer.text
        assert len(answer.json()["reports"]) == found and answer.json()["open"] == 1, q
    too_long = queue(client, circle, ann, q="x" * 65)
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == "bad_request"
