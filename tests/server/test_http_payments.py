"""Paid terms over HTTP: end dates set by owners and admins (and refused to the
others), paid codes, and the signed payment webhook (good, bad, stale, replayed,
banned, malformed: a refusal changes nothing)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from server.api.payments import signature
from server.settings import Settings
from store import now_ms
from tests.server.conftest import Account

SECRET = "whsec_test_0123456789"
HOOK = "/api/v1/payments/webhook"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, payment_webhook_secret=SECRET)


def _signed(body: Any, secret: str = SECRET, at: int | None = None) -> tuple[bytes, dict]:
    raw = orjson.dumps(body)
    t = int(time.time()) if at is None else at
    header = f"t={t},v1={signature(secret, t, raw)}"
    return raw, {"Quanzi-Signature": header, "Content-Type": "application/json"}


def _members(client: TestClient, circle: dict, owner: Account) -> dict[str, dict]:
    answer = client.get(f"/api/v1/circles/{circle['id']}/members", headers=owner.auth)
    return {m["user"]: m for m in answer.json()["members"]}


def _audit(client: TestClient, circle: dict, owner: Account) -> list[dict]:
    return client.get(f"/api/v1/circles/{circle['id']}/audit", headers=owner.auth).json()["entries"]


def test_owners_and_admins_set_and_renew_end_dates(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    ann, bob, cat = signup("ann"), signup("bob"), signup("cat")
    circle = make_circle(ann, "Cohort")
    for person in (bob, cat):
        client.post(f"/api/v1/circles/{circle['id']}/join", headers=person.auth)
    base = f"/api/v1/circles/{circle['id']}/members"
    client.patch(f"{base}/{bob.id}", json={"role": "admin"}, headers=ann.auth)
    later = now_ms() + 86_400_000
    # A member may not; an admin not on the owner; nobody with nonsense.
    assert (
        client.put(f"{base}/{bob.id}/term", json={"ends_at": later}, headers=cat.auth).status_code
        == 403
    )
    assert (
        client.put(f"{base}/{ann.id}/term", json={"ends_at": later}, headers=bob.auth).status_code
        == 403
    )
    for bad in ({"ends_at": "soon"}, {"months": 0}, {"months": True}, {}, {"ends_at": 5}):
        answer = client.put(f"{base}/{cat.id}/term", json=bad, headers=bob.auth)
        assert answer.status_code == 400, (bad, answer.text)
        assert answer.json()["error"]["code"] == "bad_request"
    answer = client.put(f"{base}/{cat.id}/term", json={"ends_at": later}, headers=bob.auth)
    assert answer.status_code == 200, answer.text
    assert answer.json()["ends_at"] == later and answer.json()["removes_at"] > later
    renewed = client.put(f"{base}/{cat.id}/term", json={"months": 1}, headers=bob.auth).json()
    assert renewed["ends_at"] > later + 27 * 86_400_000
    assert _members(client, circle, ann)[cat.id]["ends_at"] == renewed["ends_at"]
    mine = client.get("/api/v1/me/circles", headers=cat.auth).json()["circles"]
    assert mine[0]["ends_at"] == renewed["ends_at"]
    cleared = client.delete(f"{base}/{cat.id}/term", headers=bob.auth)
    assert cleared.status_code == 200 and "ends_at" not in cleared.json()
    actions = [e["action"] for e in _audit(client, circle, ann)]
    assert actions[:3] == ["member.term_cleared", "member.term", "member.term"]


def test_a_paid_code_carries_its_term(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann, "Paid", visibility="private")
    codes = f"/api/v1/circles/{circle['id']}/codes"
    for bad in (
        {"count": 1, "period_months": 0},
        {"count": 1, "deadline": "x"},
        {"count": 1, "period_months": 1, "deadline": now_ms() + 10_000},
    ):
        assert client.post(codes, json=bad, headers=ann.auth).status_code == 400
    made = client.post(codes, json={"count": 1, "period_months": 2}, headers=ann.auth)
    assert made.status_code == 201
    code = made.json()["codes"][0]
    assert code["period_months"] == 2 and code["deadline"] is None
    joined = client.post(
        f"/api/v1/circles/{circle['id']}/join", json={"code": code["code"]}, headers=bob.auth
    ).json()
    assert joined["ends_at"] > now_ms() + 55 * 86_400_000
    listed = client.get(codes, headers=ann.auth).json()["codes"]
    assert listed[0]["period_months"] == 2


def test_the_webhook_grants_and_renews_once(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann, "Course", visibility="private")
    body = {"event_id": "evt_100", "circle": circle["id"], "user": "bob", "months": 1}
    raw, headers = _signed(body)
    answer = client.post(HOOK, content=raw, headers=headers)
    assert answer.status_code == 200, answer.text
    granted = answer.json()
    assert granted["replayed"] is False and granted["member"]["user"] == bob.id
    # The provider retries the very same call: nothing changes.
    again = client.post(HOOK, content=raw, headers=headers).json()
    assert again["replayed"] is True and again["member"]["ends_at"] == granted["member"]["ends_at"]
    raw, headers = _signed({**body, "event_id": "evt_101", "user": bob.id})
    renewed = client.post(HOOK, content=raw, headers=headers).json()["member"]
    assert renewed["ends_at"] > granted["member"]["ends_at"]
    entries = [e for e in _audit(client, circle, ann) if e["action"] == "member.paid"]
    assert [e["actor"]["id"] for e in entries] == ["payments", "payments"]


def test_a_bad_signature_is_refused_and_nothing_changes(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann, "Course", visibility="private")
    body = {"event_id": "evt_200", "circle": circle["id"], "user": "bob", "months": 1}
    raw, good = _signed(body)
    stale_raw, stale = _signed(body, at=int(time.time()) - 3600)
    refusals = [
        (raw, {**good, "Quanzi-Signature": good["Quanzi-Signature"][:-2] + "00"}, 401),
        (raw, {"Content-Type": "application/json"}, 401),
        (_signed(body, secret="someone else")[0], _signed(body, secret="someone else")[1], 401),
        (raw + b" ", good, 401),  # the body changed after signing
        (stale_raw, stale, 401),
        (*_signed("not an object"), 400),
        (*_signed({**body, "months": "one"}), 400),
        (*_signed({"circle": circle["id"], "user": "bob"}), 400),
        (*_signed({**body, "user": "nobody"}), 404),
    ]
    for content, headers, status in refusals:
        answer = client.post(HOOK, content=content, headers=headers)
        assert answer.status_code == status, (headers, answer.text)
        assert "error" in answer.json()
    assert bob.id not in _members(client, circle, ann)
    assert not [e for e in _audit(client, circle, ann) if e["action"] == "member.paid"]
    # The same event, signed right, still applies: nothing of it was stored.
    assert client.post(HOOK, content=raw, headers=good).json()["replayed"] is False


def test_the_webhook_refuses_a_banned_user(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann, "Course")
    client.put(f"/api/v1/circles/{circle['id']}/bans/{bob.id}", json={}, headers=ann.auth)
    raw, headers = _signed({"event_id": "evt_300", "circle": circle["id"], "user": bob.id})
    answer = client.post(HOOK, content=raw, headers=headers)
    assert answer.status_code == 403
    assert answer.json()["error"]["reason"] == "banned"
    assert bob.id not in _members(client, circle, ann)


def test_without_a_secret_there_is_no_webhook(tmp_path: Any, settings: Settings) -> None:
    from server.app import create_app

    with TestClient(create_app(replace(settings, payment_webhook_secret=""))) as client:
        raw, headers = _signed({"event_id": "e", "circle": "c", "user": "u"})
        answer = client.post(HOOK, content=raw, headers=headers)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"
