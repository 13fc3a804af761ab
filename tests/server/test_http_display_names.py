"""Names over HTTP: signup, PATCH /me and nicknames answer a bad name with a
400 naming the field, and keep real names (Chinese, emoji) as typed, in NFC."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from tests.server.conftest import Account

API = "/api/v1"


def assert_bad_field(response, field: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    assert error["message"].startswith(f"{field} must not contain")


def test_signup_and_rename_refuse_invisible_characters(
    client: TestClient, signup: Callable[..., Account]
) -> None:
    body = {"handle": "mallory", "password": "correct horse", "name": "\u202enimda"}
    assert_bad_field(client.post(f"{API}/auth/signup", json=body), "name")
    ann = signup("ann", "张云妮")
    assert client.get(f"{API}/me", headers=ann.auth).json()["name"] == "张云妮"
    assert_bad_field(
        client.patch(f"{API}/me", json={"name": "Ann\u200b"}, headers=ann.auth), "name"
    )
    renamed = client.patch(f"{API}/me", json={"name": "Zoe\u0308 🌸"}, headers=ann.auth)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Zoë 🌸"


def test_nicknames_refuse_them_too(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    ann = signup("ann")
    circle = make_circle(ann)
    url = f"{API}/circles/{circle['id']}/members/{ann.id}"
    assert_bad_field(
        client.patch(url, json={"nickname": "Ann\u2066"}, headers=ann.auth), "nickname"
    )
    named = client.patch(url, json={"nickname": "提拉米蘇小妮妮"}, headers=ann.auth)
    assert named.status_code == 200 and named.json()["name"] == "提拉米蘇小妮妮"
