"""The abuse limits at the HTTP edge, in-process: 429 ``rate_limited`` with the
contract's error body and Retry-After (server/limits.py, server/api/throttle.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from server.api.openapi import DOCUMENT
from server.app import create_app
from server.settings import Settings

# Nothing comes back while a test runs: what is allowed is exactly the burst.
NO_REFILL_PER_MIN = 1e-6


class FromHeader:
    """The test client's address from ``X-Test-Ip``: several clients on one app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"x-test-ip":
                    scope = {**scope, "client": (value.decode(), 1234)}
        await self.app(scope, receive, send)


Start = Callable[..., TestClient]


@pytest.fixture
def start(settings: Settings) -> Iterator[Start]:
    """``start(signup_burst=2, ...)``: the app with these limits, in-process."""
    clients: list[TestClient] = []

    def run(**limits: Any) -> TestClient:
        app = create_app(replace(settings, **limits))
        client = TestClient(FromHeader(app))
        client.__enter__()
        clients.append(client)
        return client

    yield run
    for client in clients:
        client.__exit__(None, None, None)


def signup(client: TestClient, handle: str, ip: str = "10.0.0.1") -> httpx.Response:
    body = {"handle": handle, "password": "correct horse", "name": handle}
    return client.post("/api/v1/auth/signup", json=body, headers={"X-Test-Ip": ip})


def login(client: TestClient, handle: str, password: str, ip: str) -> httpx.Response:
    body = {"handle": handle, "password": password}
    return client.post("/api/v1/auth/login", json=body, headers={"X-Test-Ip": ip})


def assert_limited(response: httpx.Response) -> int:
    """A 429 as the contract says; its Retry-After (s)."""
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    assert response.json()["error"]["message"]
    retry = int(response.headers["retry-after"])
    assert retry >= 1
    return retry


def test_signups_of_one_address_are_limited(start: Start) -> None:
    client = start(signup_burst=3, signup_rate_per_min=NO_REFILL_PER_MIN)
    assert [signup(client, f"user{i}").status_code for i in range(3)] == [201] * 3
    assert_limited(signup(client, "user3"))
    # Another address has a bucket of its own.
    assert signup(client, "user4", ip="10.0.0.2").status_code == 201


def test_failed_logins_wait_longer_and_longer_but_not_the_owner_elsewhere(start: Start) -> None:
    client = start(login_failures_per_account_ip=3, login_backoff_base_s=30)
    assert signup(client, "ann").status_code == 201
    attacker = "10.6.6.6"
    assert [login(client, "ann", f"guess{i}", attacker).status_code for i in range(3)] == [401] * 3
    waiting = login(client, "ann", "guess3", attacker)
    retry = assert_limited(waiting)
    assert 1 <= retry <= 30
    # The client says how long to wait, in the page's language: reason and seconds.
    assert waiting.json()["error"]["reason"] == "login_wait"
    assert waiting.json()["error"]["params"] == {"seconds": retry}
    # Refused before the password is checked: even the right one waits.
    assert_limited(login(client, "ann", "correct horse", attacker))
    # The owner, from an address that has not failed, logs in.
    assert login(client, "ann", "correct horse", "10.0.0.1").status_code == 200


def test_an_address_failing_on_many_accounts_waits_on_all(start: Start) -> None:
    client = start(login_failures_per_ip=4)
    for i in range(4):
        assert login(client, f"nobody{i}", "guess", "10.6.6.6").status_code == 401
    assert_limited(login(client, "somebody", "guess", "10.6.6.6"))
    assert login(client, "somebody", "guess", "10.0.0.1").status_code == 401


def test_logins_of_one_address_are_limited_right_or_wrong(start: Start) -> None:
    client = start(login_burst=2, login_rate_per_min=NO_REFILL_PER_MIN)
    assert signup(client, "ann").status_code == 201
    ok = [login(client, "ann", "correct horse", "10.0.0.1").status_code for _ in range(2)]
    assert ok == [200, 200]
    assert_limited(login(client, "ann", "correct horse", "10.0.0.1"))


def test_writes_and_new_circles_are_limited_per_user(start: Start) -> None:
    client = start(
        circle_burst=2,
        circle_rate_per_min=NO_REFILL_PER_MIN,
        write_burst=6,
        write_rate_per_s=1e-9,
    )
    ann = {"Authorization": f"Bearer {signup(client, 'ann').json()['token']}"}
    bob = {"Authorization": f"Bearer {signup(client, 'bob').json()['token']}"}
    body = {"name": "Readers", "kind": "community", "visibility": "public"}
    made = [client.post("/api/v1/circles", json=body, headers=ann) for _ in range(3)]
    assert [r.status_code for r in made[:2]] == [201, 201]
    assert_limited(made[2])
    circle = made[0].json()["id"]
    # Three writes spent of six: three posts more, then 429; reads go on.
    post = {"kind": "post", "text": "hello"}
    posts = [
        client.post(f"/api/v1/circles/{circle}/posts", json=post, headers=ann) for _ in range(4)
    ]
    assert [r.status_code for r in posts[:3]] == [201] * 3
    assert_limited(posts[3])
    assert client.get(f"/api/v1/circles/{circle}/posts", headers=ann).status_code == 200
    # The limit is the user's: another one writes.
    assert client.post(f"/api/v1/circles/{circle}/join", headers=bob).status_code == 200


def test_every_request_of_an_address_counts_but_health_and_metrics(start: Start) -> None:
    client = start(http_burst=5, http_rate_per_s=1e-9)
    answers = [client.get("/api/v1/openapi.json").status_code for _ in range(5)]
    assert answers == [200] * 5
    assert_limited(client.get("/api/v1/openapi.json"))
    assert_limited(client.get("/index.html"))
    assert_limited(client.get("/api/v1/me"))  # refused before the token is looked at
    assert client.get("/healthz").status_code == 200
    other = {"X-Test-Ip": "10.0.0.9"}
    assert client.get("/api/v1/openapi.json", headers=other).status_code == 200


def test_the_document_says_where_429_can_come_and_its_retry_after() -> None:
    for path, item in DOCUMENT["paths"].items():
        if path in ("/healthz", "/metrics"):
            continue
        for method, op in item.items():
            assert "429" in op["responses"], (method, path)
    e429 = DOCUMENT["components"]["responses"]["E429"]
    assert "Retry-After" in e429["headers"]


def test_invite_previews_are_limited_per_address_apart_from_logins(start: Start) -> None:
    client = start(login_burst=2, login_rate_per_min=NO_REFILL_PER_MIN)
    ann = {"Authorization": f"Bearer {signup(client, 'ann').json()['token']}"}
    body = {"name": "Readers", "kind": "community", "visibility": "public"}
    circle = client.post("/api/v1/circles", json=body, headers=ann).json()["id"]

    def preview(ip: str) -> httpx.Response:
        return client.get(f"/api/v1/circles/{circle}/invite", headers={"X-Test-Ip": ip})

    assert [preview("10.7.7.7").status_code for _ in range(2)] == [200, 200]
    refused = preview("10.7.7.7")
    assert_limited(refused)
    assert refused.json()["error"]["reason"] == "too_many_requests"
    assert refused.json()["error"]["params"]["seconds"] >= 1
    # Another address, and logins from this one, are not held up by it.
    assert preview("10.0.0.9").status_code == 200
    assert login(client, "ann", "correct horse", "10.7.7.7").status_code == 200
