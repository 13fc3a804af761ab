"""The error contract: one shape, the right status, never a traceback."""

from __future__ import annotations

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings

API = "/api/v1"


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    # A refusal may add its finer `reason` (and `params`): the contract's shape plus those.
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "reason", "params"}
    assert body["error"]["code"] == code


SIGNUP = f"{API}/auth/signup"
HEADERS = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"",
        b"[1, 2]",
        b'"a string"',
        b"null",
        b'{"handle": "ann", "password": "correct horse"}',
        b'{"handle": 7, "password": "correct horse", "name": "Ann"}',
        b'{"handle": "ann", "password": ["x"], "name": "Ann"}',
        b'{"handle": "ann", "password": "correct horse", "name": null}',
        b"\xff\xfe",
    ],
)
def test_bad_bodies_are_400_with_the_contract_shape(client: TestClient, raw: bytes) -> None:
    assert_error(client.post(SIGNUP, content=raw, headers=HEADERS), 400, "bad_request")


def test_the_message_names_the_field(client: TestClient) -> None:
    body = {"handle": "ann", "password": 12345678, "name": "Ann"}
    response = client.post(SIGNUP, json=body)
    assert_error(response, 400, "bad_request")
    assert "password" in response.json()["error"]["message"]
    response = client.post(SIGNUP, json={"handle": "ann", "name": "Ann"})
    assert "password" in response.json()["error"]["message"]


def test_a_body_over_64_kib_is_too_big(client: TestClient) -> None:
    body = {"handle": "ann", "password": "x" * 70_000, "name": "Ann"}
    assert_error(client.post(SIGNUP, json=body), 413, "too_big")


def test_a_streamed_body_over_the_limit_is_too_big(client: TestClient) -> None:
    def chunks():
        for _ in range(80):
            yield b" " * 1024

    assert_error(client.post(SIGNUP, content=chunks(), headers=HEADERS), 413, "too_big")


def test_unknown_routes_are_404_json(client: TestClient) -> None:
    assert_error(client.get(f"{API}/nothing-here"), 404, "not_found")
    assert_error(client.get(f"{API}/circles/x/y/z"), 404, "not_found")


def test_a_wrong_method_is_405_not_found(client: TestClient) -> None:
    response = client.delete(f"{API}/auth/signup")
    assert_error(response, 405, "not_found")
    assert "POST" in response.headers["allow"]
    response = client.delete(f"{API}/me")
    assert_error(response, 405, "not_found")
    assert {"GET", "PATCH"} <= {m.strip() for m in response.headers["allow"].split(",")}


def test_an_unexpected_error_is_a_generic_500(settings: Settings, caplog) -> None:
    async def boom(request):
        raise RuntimeError("secret detail /etc/passwd")

    app = create_app(settings)
    app.router.routes.insert(0, Route("/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert_error(response, 500, "internal")
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    # The hardening headers too, though this answer leaves from outside the middleware.
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    logged = [r for r in caplog.records if r.name == "server.api.errors" and r.exc_info]
    assert logged and "secret detail" in str(logged[0].exc_info[1])
    assert "/boom" in logged[0].getMessage()


def test_ws_over_plain_http_is_426_with_upgrade(client: TestClient) -> None:
    response = client.get("/ws")
    assert_error(response, 426, "bad_request")
    assert response.headers["upgrade"] == "websocket"


async def test_a_client_gone_mid_body_is_no_server_error(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A client that hangs up while sending its body (a login timing out in a storm) is
    logged as that, not as an unhandled error with a traceback."""
    app = create_app(settings)
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"{API}/auth/login",
        "raw_path": f"{API}/auth/login".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"40")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    with caplog.at_level("INFO"):
        await app(scope, receive, send)
    assert sent and sent[0]["status"] == 400
    assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text
    assert "client went away" in caplog.text
