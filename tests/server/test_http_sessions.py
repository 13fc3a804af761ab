"""Sessions over HTTP: expiry, the sessions list, ending one or all, and a
password change that ends the others — open WebSockets included."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from server.app import create_app
from server.settings import Settings
from store import token_hash
from store.models import TOKENS

from .test_http_accounts import assert_error
from .test_http_live import hello, wait_for

API = "/api/v1"


def login(client: TestClient, handle: str, password: str = "correct horse") -> dict[str, str]:
    response = client.post(f"{API}/auth/login", json={"handle": handle, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def sessions(client: TestClient, auth: dict[str, str]) -> list[dict]:
    response = client.get(f"{API}/me/sessions", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()["sessions"]


def age_token(client: TestClient, token: str, days: float) -> None:
    """Make a token look as if it was made and last used ``days`` ago."""
    store = client.app.state.node.store
    ms = int(days * 86_400_000)

    async def backdate() -> None:
        async with store.db.write() as conn:
            await conn.execute(
                update(TOKENS)
                .where(TOKENS.c.hash == token_hash(token))
                .values(created=TOKENS.c.created - ms, last_used=TOKENS.c.last_used - ms)
            )

    client.portal.call(backdate)


def assert_closed_4001(ws) -> None:
    with pytest.raises(WebSocketDisconnect) as closed:
        wait_for(ws, "never sent")
    assert closed.value.code == 4001


def test_a_token_idle_past_the_window_is_refused(client: TestClient, signup) -> None:
    ann = signup("ann")
    age_token(client, ann.token, 29)
    assert client.get(f"{API}/me", headers=ann.auth).status_code == 200
    age_token(client, ann.token, 31)
    assert_error(client.get(f"{API}/me", headers=ann.auth), 401, "unauthenticated")
    with client.websocket_connect("/ws") as ws:
        ws.send_json({"t": "hello", "id": 1, "token": ann.token})
        assert ws.receive_json()["code"] == "unauthenticated"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4001


def test_sessions_list_the_callers_with_opaque_ids(client: TestClient, signup) -> None:
    ann = signup("ann")
    other = login(client, "ann")
    signup("bob")
    listed = sessions(client, ann.auth)
    assert len(listed) == 2
    assert [s["current"] for s in listed].count(True) == 1
    assert next(s for s in listed if s["current"]) == next(
        s for s in sessions(client, ann.auth) if s["current"]
    )
    for s in listed:
        assert set(s) == {"id", "created", "last_used", "current"}
        assert s["id"] not in (ann.token, token_hash(ann.token), other["Authorization"][7:])
    assert [s["current"] for s in sessions(client, other)].count(True) == 1


def test_ending_a_session_closes_its_sockets(client: TestClient, signup) -> None:
    ann = signup("ann")
    other = login(client, "ann")
    [theirs] = [s for s in sessions(client, ann.auth) if not s["current"]]
    with client.websocket_connect("/ws") as ws:
        hello(ws, other["Authorization"][7:])
        response = client.delete(f"{API}/me/sessions/{theirs['id']}", headers=ann.auth)
        assert response.status_code == 204
        assert_closed_4001(ws)
    assert_error(client.get(f"{API}/me", headers=other), 401, "unauthenticated")
    assert client.get(f"{API}/me", headers=ann.auth).status_code == 200
    missing = client.delete(f"{API}/me/sessions/{theirs['id']}", headers=ann.auth)
    assert_error(missing, 404, "not_found")


def test_another_users_session_cannot_be_ended(client: TestClient, signup) -> None:
    ann, bob = signup("ann"), signup("bob")
    [bobs] = sessions(client, bob.auth)
    assert_error(
        client.delete(f"{API}/me/sessions/{bobs['id']}", headers=ann.auth), 404, "not_found"
    )
    assert client.get(f"{API}/me", headers=bob.auth).status_code == 200


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/auth/logout-everywhere"), ("DELETE", "/me/sessions")]
)
def test_logout_everywhere_ends_every_session(
    client: TestClient, signup, method: str, path: str
) -> None:
    ann, bob = signup("ann"), signup("bob")
    other = login(client, "ann")
    with client.websocket_connect("/ws") as mine, client.websocket_connect("/ws") as theirs:
        hello(mine, ann.token)
        hello(theirs, other["Authorization"][7:])
        assert client.request(method, f"{API}{path}", headers=ann.auth).status_code == 204
        assert_closed_4001(mine)
        assert_closed_4001(theirs)
    for auth in (ann.auth, other):
        assert_error(client.get(f"{API}/me", headers=auth), 401, "unauthenticated")
    assert client.get(f"{API}/me", headers=bob.auth).status_code == 200


def test_a_password_change_ends_the_other_sessions(client: TestClient, signup) -> None:
    ann = signup("ann")
    other = login(client, "ann")
    body = {"old_password": "correct horse", "new_password": "battery staple"}
    with client.websocket_connect("/ws") as mine, client.websocket_connect("/ws") as theirs:
        hello(mine, ann.token)
        hello(theirs, other["Authorization"][7:])
        response = client.post(f"{API}/me/password", json=body, headers=ann.auth)
        assert response.status_code == 204, response.text
        assert_closed_4001(theirs)
        mine.send_json({"t": "ping", "id": "still"})
        assert mine.receive_json() == {"t": "pong", "id": "still"}
    assert_error(client.get(f"{API}/me", headers=other), 401, "unauthenticated")
    assert client.get(f"{API}/me", headers=ann.auth).status_code == 200
    login(client, "ann", "battery staple")
    wrong = client.post(f"{API}/auth/login", json={"handle": "ann", "password": "correct horse"})
    assert_error(wrong, 401, "unauthenticated")


def test_a_password_change_needs_the_old_password(client: TestClient, signup) -> None:
    ann = signup("ann")
    other = login(client, "ann")
    wrong = {"old_password": "wrong horse", "new_password": "battery staple"}
    assert_error(client.post(f"{API}/me/password", json=wrong, headers=ann.auth), 403, "forbidden")
    short = {"old_password": "correct horse", "new_password": "short"}
    response = client.post(f"{API}/me/password", json=short, headers=ann.auth)
    assert_error(response, 400, "bad_request")
    assert_error(client.post(f"{API}/me/password", json={}, headers=ann.auth), 400, "bad_request")
    assert client.get(f"{API}/me", headers=other).status_code == 200
    login(client, "ann")


def test_the_idle_window_is_the_operators(settings: Settings) -> None:
    with TestClient(create_app(replace(settings, token_idle_days=2))) as client:
        response = client.post(
            f"{API}/auth/signup", json={"handle": "ann", "password": "correct horse", "name": "A"}
        )
        token = response.json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        age_token(client, token, 1)
        assert client.get(f"{API}/me", headers=auth).status_code == 200
        age_token(client, token, 2.5)
        assert_error(client.get(f"{API}/me", headers=auth), 401, "unauthenticated")
