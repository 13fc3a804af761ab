"""Deleting, recalling and editing chat messages over HTTP: who may, within which
window, and the contract's refusals (403 with a reason, never a 500)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update
from starlette.testclient import TestClient

from store.models import MESSAGES
from tests.server.conftest import Account

API = "/api/v1"


def say(client: TestClient, group: str, who: Account, text: str) -> dict:
    chat = client.app.state.node.store.chat  # type: ignore[attr-defined]
    circle = client.get(f"{API}/groups/{group}", headers=who.auth).json()["group"]["circle"]
    message, _ = client.portal.call(  # type: ignore[union-attr]
        lambda: chat.say(circle, who.id, who.name, text, f"n-{text}", group_id=group)
    )
    return message


def age(client: TestClient, group: str, seq: int, ms: int) -> None:
    db = client.app.state.node.store.db  # type: ignore[attr-defined]

    async def older() -> None:
        async with db.write() as conn:
            await conn.execute(
                update(MESSAGES)
                .where(MESSAGES.c.group_id == group, MESSAGES.c.seq == seq)
                .values(ts=MESSAGES.c.ts - ms)
            )

    client.portal.call(older)  # type: ignore[union-attr]


def refused(response, status: int, code: str, reason: str | None = None) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error.get("reason") == reason


def history(client: TestClient, group: str, who: Account) -> list[dict]:
    answer = client.get(f"{API}/groups/{group}/messages", headers=who.auth)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["messages"])


def test_an_admin_deletes_and_members_may_not(
    client: TestClient, room: tuple[dict, Account, Account], signup: Callable[..., Account]
) -> None:
    circle, ann, bob = room
    cat = signup("cat")
    assert client.post(f"{API}/circles/{circle['id']}/join", headers=cat.auth).status_code == 200
    spam = say(client, circle["id"], bob, "加微信领红包")
    url = f"{API}/circles/{circle['id']}/messages/{spam['seq']}"
    refused(client.delete(url, headers=cat.auth), 403, "forbidden", "not_your_message")
    refused(
        client.patch(url, json={"text": "x"}, headers=cat.auth),
        403,
        "forbidden",
        "not_your_message",
    )
    outsider = signup("dan")
    refused(client.delete(url, headers=outsider.auth), 403, "forbidden")

    answer = client.delete(f"{url}?reason=广告", headers=ann.auth)
    assert answer.status_code == 200, answer.text
    tomb = answer.json()["message"]
    assert tomb["deleted"] == "admin" and tomb["text"] == "" and tomb["seq"] == spam["seq"]
    assert history(client, circle["id"], cat) == [tomb]
    refused(client.delete(url, headers=ann.auth), 404, "not_found")
    audit = client.app.state.node.store.audit  # type: ignore[attr-defined]
    acts, _ = client.portal.call(audit.page, circle["id"], ann.id)  # type: ignore[union-attr]
    assert acts[0]["action"] == "message.deleted" and acts[0]["reason"] == "广告"


def test_the_author_recalls_and_edits_within_the_windows(
    client: TestClient, room: tuple[dict, Account, Account]
) -> None:
    circle, ann, bob = room
    general = circle["id"]
    typo = say(client, general, bob, "明天八典")
    url = f"{API}/groups/{general}/messages/{typo['seq']}"
    answer = client.patch(url, json={"text": "明天八点"}, headers=bob.auth)
    assert answer.status_code == 200, answer.text
    edited = answer.json()["message"]
    assert edited["text"] == "明天八点" and edited["edited"] >= typo["ts"]
    assert history(client, general, ann) == [edited]
    refused(client.patch(url, json={}, headers=bob.auth), 400, "bad_request")
    refused(client.patch(url, json={"text": 5}, headers=bob.auth), 400, "bad_request")
    refused(client.patch(url, json={"text": "x" * 4001}, headers=bob.auth), 400, "bad_request")

    age(client, general, typo["seq"], 10 * 60 * 1000)
    refused(client.delete(url, headers=bob.auth), 403, "forbidden", "recall_window_passed")
    age(client, general, typo["seq"], 2 * 24 * 3600 * 1000)
    refused(
        client.patch(url, json={"text": "后天"}, headers=bob.auth),
        403,
        "forbidden",
        "edit_window_passed",
    )

    fresh = say(client, general, bob, "发错群了")
    answer = client.delete(f"{API}/circles/{general}/messages/{fresh['seq']}", headers=bob.auth)
    assert answer.status_code == 200 and answer.json()["message"]["deleted"] == "author"
    for bad in ("0", "abc", "99999999999999999999999"):
        response = client.delete(f"{API}/circles/{general}/messages/{bad}", headers=bob.auth)
        assert response.status_code in (400, 404)
    refused(
        client.delete(f"{API}/circles/{general}/messages/999", headers=bob.auth), 404, "not_found"
    )


def test_a_groups_deletes_and_edits_reach_only_who_may_read_it(
    client: TestClient, room: tuple[dict, Account, Account], signup: Callable[..., Account]
) -> None:
    circle, ann, bob = room
    cat = signup("cat")
    assert client.post(f"{API}/circles/{circle['id']}/join", headers=cat.auth).status_code == 200
    made = client.post(
        f"{API}/circles/{circle['id']}/groups", json={"name": "北组"}, headers=ann.auth
    )
    assert made.status_code == 201, made.text
    north = made.json()["group"]["id"]
    assert client.post(f"{API}/groups/{north}/join", headers=bob.auth).status_code == 200
    rev = client.get(f"{API}/circles/{circle['id']}", headers=ann.auth).json()["last_rev"]
    said = say(client, north, bob, "只给北组")
    url = f"{API}/groups/{north}/messages/{said['seq']}"
    refused(client.delete(url, headers=cat.auth), 403, "forbidden")
    assert client.patch(url, json={"text": "只给北组看"}, headers=bob.auth).status_code == 200
    assert client.delete(url, headers=ann.auth).status_code == 200

    def kinds(who: Account) -> list[str]:
        answer = client.get(f"{API}/circles/{circle['id']}/events?after={rev}", headers=who.auth)
        assert answer.status_code == 200, answer.text
        return [e["kind"] for e in answer.json()["events"] if e["kind"].startswith("message.")]

    assert kinds(bob) == ["message.edited", "message.deleted"]
    assert kinds(ann) == ["message.edited", "message.deleted"]
    assert kinds(cat) == []
