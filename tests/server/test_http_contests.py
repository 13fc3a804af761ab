"""Contests over HTTP (server/api/contests.py): owners open one, members enter and
vote with the refusals' reasons, a vote reaches an open socket as contest.voted
(with its count only when the ranking is live), and the winners are announced once."""

from __future__ import annotations

import csv
import io
import time

from sqlalchemy import update
from starlette.testclient import TestClient

from store.models import CONTESTS
from tests.server.test_http_joining import error_of, events_until, hello

API = "/api/v1"


def test_a_contest_over_http(client: TestClient, signup, make_circle) -> None:
    ann, bob, cai = signup("ann", "安"), signup("bob", "小波"), signup("cai", "蔡")
    cid = make_circle(ann, "美食圈")["id"]
    for who in (bob, cai):
        assert client.post(f"{API}/circles/{cid}/join", headers=who.auth).is_success
    now = int(time.time() * 1000)
    body = {
        "title": "本月最佳菜",
        "entries_close": now + 3_600_000,
        "votes_open": now,
        "votes_close": now + 7_200_000,
    }
    assert error_of(client.post(f"{API}/circles/{cid}/contests", json=body, headers=bob.auth), 403)
    bad = client.post(
        f"{API}/circles/{cid}/contests", json={**body, "ranking": "never"}, headers=ann.auth
    )
    assert error_of(bad, 400)["code"] == "bad_request"
    made = client.post(
        f"{API}/circles/{cid}/contests", json={**body, "ranking": "live"}, headers=ann.auth
    )
    assert made.status_code == 201, made.text
    contest = made.json()
    entered = client.post(
        f"{API}/contests/{contest['id']}/entries", json={"text": "红烧肉"}, headers=bob.auth
    )
    assert entered.status_code == 201, entered.text
    entry = entered.json()
    again = client.post(
        f"{API}/contests/{contest['id']}/entries", json={"text": "糖醋鱼"}, headers=bob.auth
    )
    assert error_of(again, 409)["reason"] == "entries_used_up"
    own = client.put(f"{API}/contest-entries/{entry['id']}/vote", headers=bob.auth)
    assert error_of(own, 403)["reason"] == "own_entry"
    with client.websocket_connect("/ws") as watcher:
        hello(watcher, bob.token)
        voted = client.put(f"{API}/contest-entries/{entry['id']}/vote", headers=cai.auth)
        assert voted.status_code == 200 and voted.json()["my_votes"] == [entry["id"]]
        pushed = events_until(watcher, "contest.voted")[-1]
        assert pushed["entry"] == entry["id"] and pushed["votes"] == 1 and "user" not in pushed
    early = client.post(f"{API}/contests/{contest['id']}/announce", json={}, headers=ann.auth)
    assert error_of(early, 409)["reason"] == "voting_open"
    store = client.app.state.node.store  # type: ignore[attr-defined]

    async def close() -> None:
        async with store.db.write() as conn:
            past = int(time.time() * 1000) - 1
            await conn.execute(
                update(CONTESTS)
                .where(CONTESTS.c.id == contest["id"])
                .values(entries_close=past - 1, votes_close=past)
            )

    client.portal.call(close)  # type: ignore[union-attr]
    late = client.delete(f"{API}/contest-entries/{entry['id']}/vote", headers=cai.auth)
    assert error_of(late, 403)["reason"] == "voting_closed"
    done = client.post(
        f"{API}/contests/{contest['id']}/announce", json={"text": "恭喜"}, headers=ann.auth
    )
    assert done.status_code == 200, done.text
    assert [w["name"] for w in done.json()["winners"]] == ["小波"]
    notice = client.get(f"{API}/posts/{done.json()['post']}", headers=cai.auth).json()
    assert notice["must_read"] is True
    twice = client.post(f"{API}/contests/{contest['id']}/announce", json={}, headers=ann.auth)
    assert error_of(twice, 409)["reason"] == "already_announced"
    final = client.get(f"{API}/contests/{contest['id']}", headers=cai.auth).json()
    assert final["status"] == "closed" and final["entries_list"][0]["votes"] == 1
    assert error_of(
        client.get(f"{API}/contests/{contest['id']}/results.csv", headers=cai.auth), 403
    )
    exported = client.get(f"{API}/contests/{contest['id']}/results.csv", headers=ann.auth)
    assert exported.status_code == 200 and exported.text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert [(r["rank"], r["name"], r["votes"], r["text"]) for r in rows] == [
        ("1", "小波", "1", "红烧肉")
    ]
