"""Web Push end to end: subscriptions over HTTP, and pushes that reach a push
service run by the test (tests/push_service.py), which checks the VAPID token
against the published key and decrypts each payload as a browser would."""

from __future__ import annotations

import dataclasses
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.push_service import Browser, PushService
from tests.server.conftest import Account

PUSH = {
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
        "id": f"n{n}",
        "kind": "mention",
        "circle": circle,
        "circle_name": "Dance school",
        "actor": {"id": "u1", "name": "Ann"},
        "text": f"@bob see you at {n}",
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
        assert push["body"] == "Dance school: @bob see you at 1"
        assert push["url"] == "/#/c/c1"
        assert push["tag"] == "quanzi-n1"
    [push] = service.wait(li_phone, 1)
    assert push["title"] == "Ann 提到了你"
    assert push["url"] == "/#/c/c2"
    assert service.refused == []
    assert all(p.ttl == 86400 for p in service.received)
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
    assert push["tag"] == "quanzi-n1"
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
    assert [p["tag"] for p in pushes] == ["quanzi-n1", "quanzi-n2", "quanzi-summary"]
    assert pushes[2]["title"] == "3 new notifications"
    first, _, summary = (p.at for p in service.received)
    assert summary - first > 0.5  # held for the window's end (1 s), not sent at once
    webpush = client.app.state.node.webpush  # type: ignore[attr-defined]
    client.portal.call(webpush.idle)  # type: ignore[union-attr]
    assert len(service.pushes(browser)) == 3
