"""The Origin check of a /ws upgrade on the ASGI route (asgi_websocket.py); the
socket path is checked against a real server in tests/e2e/test_origin.py."""

from __future__ import annotations

from dataclasses import replace

import pytest
from starlette.testclient import TestClient, WebSocketDenialResponse

from server.app import create_app
from server.origins import OriginPolicy
from server.settings import Settings

# The TestClient's requests go to http://testserver.
OWN = "http://testserver"


def _opens(client: TestClient, headers: dict[str, str]) -> bool:
    """Upgraded, and the session answers (a frame before hello is refused by it)."""
    with client.websocket_connect("/ws", headers=headers) as ws:
        ws.send_text('{"t":"ping","id":1}')
        return bool(ws.receive_json()["id"] == 1)


def test_a_page_of_another_site_is_refused_before_the_upgrade(client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDenialResponse) as refused,
        client.websocket_connect("/ws", headers={"Origin": "https://evil.example"}),
    ):
        pass
    assert refused.value.status_code == 403


def test_the_own_origin_and_no_origin_are_accepted(client: TestClient) -> None:
    assert _opens(client, {})
    assert _opens(client, {"Origin": OWN})
    assert _opens(client, {"Origin": "https://testserver"})  # TLS ended at a proxy


def test_a_proxy_host_counts_as_the_own_origin(client: TestClient) -> None:
    assert _opens(client, {"Origin": "https://chat.example", "X-Forwarded-Host": "chat.example"})


def test_listed_origins_are_accepted(settings: Settings) -> None:
    listed = replace(settings, allowed_origins="https://app.example, https://other.example/")
    with TestClient(create_app(listed)) as client:
        assert _opens(client, {"Origin": "https://other.example"})
        assert _opens(client, {"Origin": OWN})  # the own origin stays allowed
        with (
            pytest.raises(WebSocketDenialResponse),
            client.websocket_connect("/ws", headers={"Origin": "https://evil.example"}),
        ):
            pass


def test_a_star_allows_any_origin(settings: Settings) -> None:
    with TestClient(create_app(replace(settings, allowed_origins="*"))) as client:
        assert _opens(client, {"Origin": "https://evil.example"})


@pytest.mark.parametrize(
    ("origin", "hosts", "allowed"),
    [
        (None, ["a.example"], True),
        ("http://a.example", ["a.example"], True),
        ("HTTPS://A.example", ["a.example"], True),
        ("http://a.example:8000", ["a.example:8000"], True),
        ("http://a.example:8001", ["a.example:8000"], False),
        ("http://a.example", ["a.example:8000"], False),
        ("http://a.example.evil", ["a.example"], False),
        ("http://evil", ["internal:8000", "chat.example, internal:8000"], False),
        ("https://chat.example", ["internal:8000", "chat.example, edge"], True),
        ("null", ["a.example"], False),
        ("", ["a.example"], False),
        ("ws://a.example", ["a.example"], False),
        ("http://", [""], False),
    ],
)
def test_the_own_origin_is_the_host_the_request_came_to(
    origin: str | None, hosts: list[str], allowed: bool
) -> None:
    assert OriginPolicy().allows(origin, hosts) is allowed


def test_the_list_is_exact_origins() -> None:
    policy = OriginPolicy("https://app.example,null")
    assert policy.allows("https://app.example", [])
    assert policy.allows("null", [])
    assert not policy.allows("http://app.example", [])
    assert not policy.allows("https://app.example:444", [])
