"""Web Push end to end: subscriptions over HTTP, and pushes that reach a push
service run by the test (tests/push_service.py), which checks the VAPID token
against the published key and decrypts each payload as a browser would."""

from __future__ import annotations

import dataclasses
import io
import json
import stat
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.push_service import Browser, PushService
from tests.server.conftest import Account

PUSH = {
    # The tests run the away seam themselves.
    "away_check_s": 3600.0,
    "push_allow_loopback_http": True,
    "push_backoff_s": 0.05,
    "push_backoff_max_s": 0.2,
}


@pytest.fixture
def service() -> Iterator[PushService]:
    service = PushService()
    yield service
    service.close()


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    extra = getattr(request, "param", {})
    return dataclasses.replace(settings, **PUSH, **extra)  # type: ignore[arg-type]


@pytest.fixture
def client(settings: Settings, service: PushService) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        service.server_key = test_client.get("/api/v1/push/key").json()["key"]
        yield test_client


def subscribe(client: TestClient, who: Account, browser: Browser, **extra: Any) -> Any:
    body = {**browser.subscription, "label": "Test browser", **extra}
    return client.post("/api/v1/me/push-subscriptions", json=body, headers=who.auth)


def deliver(client: TestClient, who: Account, language: str, *notifications: dict) -> None:
    webpush = client.app.state.node.webpush  # type: ignore[attr-defined]
    client.portal.call(webpush.deliver, who.id, language, list(notifications))  # type: ignore[union-attr]


def mention(n: int = 1, circle: str = "c1") -> dict[str, Any]:
    return {
        "id": n,
        "kind": "mention",
        "circle": circle,
        "about": {
            "circle": circle,
            "seq": n,
            "actor": {"id": "u1", "name": "Ann"},
            "excerpt": f"@bob see you at {n}",
        },
        "created": 1,
    }


def test_the_key_is_made_once_kept_private_and_published(settings: Settings) -> None:
    with TestClient(create_app(settings)) as first:
        key = first.get("/api/v1/push/key").json()["key"]
    path = Path(settings.data_dir) / "vapid-private.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with TestClient(create_app(settings)) as second:
        assert second.get("/api/v1/push/key").json()["key"] == key
    assert len(key) == 87  # a 65-byte uncompressed P-256 point, base64url


def test_subscriptions_are_checked_listed_and_removed(
    client: TestClient, signup: Callable[..., Account], service: PushService
) -> None:
    bob = signup("bob")
    browser = service.browser()
    assert (
        client.post("/api/v1/me/push-subscriptions", json=browser.subscription).status_code == 401
    )
    plain = subscribe(client, bob, browser, endpoint="http://push.example.org/x")
    assert plain.status_code == 400
    assert plain.json()["error"]["reason"] == "push_endpoint_invalid"
    bad_keys = {**browser.subscription, "keys": {"p256dh": "AAAA", "auth": "AAAA"}}
    refused = client.post("/api/v1/me/push-subscriptions", json=bad_keys, headers=bob.auth)
    assert refused.status_code == 400
    assert refused.json()["error"]["reason"] == "push_key_invalid"

    added = subscribe(client, bob, browser)
    assert added.status_code == 201, added.text
    again = subscribe(client, bob, browser)  # the same browser subscribing again
    assert again.status_code == 201
    devices = client.get("/api/v1/me/push-subscriptions", headers=bob.auth).json()["devices"]
    assert [d["label"] for d in devices] == ["Test browser"]
    assert devices[0]["service"] == "127.0.0.1"
    assert "p256dh" not in devices[0] and "endpoint" not in devices[0]

    gone = client.request(
        "DELETE",
        "/api/v1/me/push-subscriptions",
        json={"endpoint": browser.endpoint},
        headers=bob.auth,
    )
    assert gone.status_code == 204
    assert client.get("/api/v1/me/push-subscriptions", headers=bob.auth).json()["devices"] == []
    other = service.browser()
    device = subscribe(client, bob, other).json()
    ann = signup("ann")
    assert (
        client.delete(f"/api/v1/me/push-subscriptions/{device['id']}", headers=ann.auth).status_code
        == 404
    )
    assert (
        client.delete(f"/api/v1/me/push-subscriptions/{device['id']}", headers=bob.auth).status_code
        == 204
    )


def test_a_notification_reaches_the_browser_decrypted_in_its_language(
    client: TestClient, signup: Callable[..., Account], service: PushService
) -> None:
    bob, li = signup("bob"), signup("lily")
    phone, laptop, li_phone = service.browser(), service.browser(), service.browser()
    for who, browser in ((bob, phone), (bob, laptop), (li, li_phone)):
        assert subscribe(client, who, browser).status_code == 201
    deliver(client, bob, "en", mention(1, "c1"))
    deliver(client, li, "zh-CN", mention(2, "c2"))
    for browser in (phone, laptop):
        [push] = service.wait(browser, 1)
        assert push["title"] == "Ann mentioned you"
        assert push["body"] == "@bob see you at 1"
        assert push["url"] == "/#/n/1"
        assert push["tag"] == "quanzi-1"
    [push] = service.wait(li_phone, 1)
    assert push["title"] == "Ann 提到了你"
    assert push["url"] == "/#/n/2"
    assert service.refused == []
    assert all(p.ttl == 86400 for p in service.received)
    webpush = client.app.state.node.webpush  # type: ignore[attr-defined]
    client.portal.call(webpush.idle)  # type: ignore[union-attr]
    devices = client.get("/api/v1/me/push-subscriptions", headers=bob.auth).json()["devices"]
    assert all(d["last_sent"] for d in devices)


def test_a_refusal_by_a_5xx_is_tried_again(
    client: TestClient, signup: Callable[..., Account], service: PushService
) -> None:
    bob = signup("bob")
    browser = service.browser()
    subscribe(client, bob, browser)
    service.answer(browser, 500, 503)
    deliver(client, bob, "en", mention())
    [push] = service.wait(browser, 1)
    assert push["tag"] == "quanzi-1"
    assert len(service.pushes(browser, status=None)) == 3
    assert [p.status for p in service.received] == [500, 503, 201]


def test_a_gone_subscription_is_removed(
    client: TestClient, signup: Callable[..., Account], service: PushService
) -> None:
    bob = signup("bob")
    gone, kept = service.browser(), service.browser()
    subscribe(client, bob, gone)
    subscribe(client, bob, kept)
    service.answer(gone, 410)
    deliver(client, bob, "en", mention())
    service.wait(gone, 1, status=410)
    service.wait(kept, 1)
    webpush = client.app.state.node.webpush  # type: ignore[attr-defined]
    client.portal.call(webpush.idle)  # type: ignore[union-attr]
    devices = client.get("/api/v1/me/push-subscriptions", headers=bob.auth).json()["devices"]
    assert len(devices) == 1
    deliver(client, bob, "en", mention(2))
    service.wait(kept, 2)
    assert len(service.pushes(gone, status=None)) == 1


@pytest.mark.parametrize("settings", [{"push_per_minute": 2, "push_window_s": 1.0}], indirect=True)
def test_pushes_per_user_are_bounded_and_the_rest_collapse_into_one(
    client: TestClient, signup: Callable[..., Account], service: PushService
) -> None:
    bob = signup("bob")
    browser = service.browser()
    subscribe(client, bob, browser)
    deliver(client, bob, "en", *(mention(n) for n in range(1, 6)))
    pushes = service.wait(browser, 3)
    # Two go at once (in either order); the three others wait for the window's end
    # and go as one.
    assert sorted(p["tag"] for p in pushes[:2]) == ["quanzi-1", "quanzi-2"]
    assert pushes[2]["tag"] == "quanzi-summary"
    assert pushes[2]["title"] == "3 new notifications"
    webpush = client.app.state.node.webpush  # type: ignore[attr-defined]
    client.portal.call(webpush.idle)  # type: ignore[union-attr]
    assert len(service.pushes(browser)) == 3


def _mention(client: TestClient, by: Account, circle: str) -> None:
    """Ann mentions Bob in a post: the inbox's rules make his notification."""
    said = client.post(
        f"/api/v1/circles/{circle}/posts",
        json={"kind": "post", "text": "@Bob the lesson moved to 7 pm"},
        headers=by.auth,
    )
    assert said.status_code == 201, said.text


def _run_the_seam(client: TestClient) -> int:
    node = client.app.state.node  # type: ignore[attr-defined]
    handed = client.portal.call(node.housekeeping.away.deliver_away)  # type: ignore[union-attr]
    client.portal.call(node.webpush.idle)  # type: ignore[union-attr]
    return int(handed)


def test_a_mention_reaches_a_closed_page_through_the_away_seam_and_quiet_hours_hold_it(
    client: TestClient,
    signup: Callable[..., Account],
    make_circle: Callable[..., dict],
    service: PushService,
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann, "Dance school")
    browser = service.browser()
    assert subscribe(client, bob, browser).status_code == 201
    store = client.app.state.node.store  # type: ignore[attr-defined]
    hour = datetime.now(UTC).hour
    quiet = {
        "quiet_from": f"{(hour - 1) % 24:02d}:00",
        "quiet_to": f"{(hour + 2) % 24:02d}:00",
        "time_zone": "UTC",
        "language": "en",
    }
    client.portal.call(store.notification_settings.update_settings, bob.id, quiet)  # type: ignore[union-attr]
    assert client.post(f"/api/v1/circles/{circle['id']}/join", headers=bob.auth).status_code == 200
    _mention(client, ann, circle["id"])
    assert _run_the_seam(client) == 0
    assert service.pushes(browser, status=None) == []

    awake = {"quiet_from": None, "quiet_to": None}
    client.portal.call(store.notification_settings.update_settings, bob.id, awake)  # type: ignore[union-attr]
    assert _run_the_seam(client) == 1
    [push] = service.wait(browser, 1)
    assert push["title"] == "Ann mentioned you"
    assert push["body"] == "@Bob the lesson moved to 7 pm"
    [note] = client.get("/api/v1/me/notifications", headers=bob.auth).json()["notifications"]
    assert note["circle"] == circle["id"]
    # The click opens the mention itself (the web client's #/n/<id>).
    assert push["url"] == f"/#/n/{note['id']}"
    assert push["unread"] == 1
    assert service.refused == []
    # Handed once.
    assert _run_the_seam(client) == 0
    assert len(service.pushes(browser, status=None)) == 1


def test_the_export_has_the_devices_and_a_deleted_account_gets_no_more_pushes(
    client: TestClient, signup: Callable[..., Account], service: PushService
) -> None:
    bob = signup("bob")
    browser = service.browser()
    subscribe(client, bob, browser)
    client.patch("/api/v1/me/email", json={"address": "bob@example.org"}, headers=bob.auth)
    export = client.get("/api/v1/me/export", headers=bob.auth)
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        devices = json.loads(archive.read("devices.json"))
        email = json.loads(archive.read("email.json"))
    assert [d["label"] for d in devices] == ["Test browser"]
    assert "p256dh" not in devices[0] and "endpoint" not in devices[0]
    assert email[0]["address"] == "bob@example.org"

    gone = client.post("/api/v1/me/delete", json={"password": "correct horse"}, headers=bob.auth)
    assert gone.status_code == 204
    store = client.app.state.node.store  # type: ignore[attr-defined]
    assert client.portal.call(store.push_subscriptions.of_user, bob.id) == []  # type: ignore[union-attr]
    found = client.portal.call(store.mail_settings.get, bob.id)  # type: ignore[union-attr]
    assert found["address"] is None
