"""Leaving for good over HTTP: the export ZIP of one's own data, and deleting the
account (password confirmation, no login after, the handle free again, circles
handed over or deleted, the open socket closed)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from store import EXPORT_KINDS
from tests.limits import GENEROUS
from tests.server.conftest import Account

from .test_http_accounts import assert_error
from .test_http_live import hello
from .test_http_sessions import assert_closed_4001

API = "/api/v1"
PASSWORD = "correct horse"


def say(client: TestClient, circle: str, who: Account, text: str, nonce: str) -> None:
    chat = client.app.state.node.store.chat  # type: ignore[attr-defined]
    client.portal.call(lambda: chat.say(circle, who.id, who.name, text, nonce))  # type: ignore[union-attr]


def erase(client: TestClient) -> None:
    """Run the background erasure to its end (housekeeping's job, by hand)."""
    store = client.app.state.node.store  # type: ignore[attr-defined]
    while client.portal.call(lambda: store.account_deletion.erase(batch=50)):  # type: ignore[union-attr]
        pass


def export(client: TestClient, who: Account) -> zipfile.ZipFile:
    answer = client.get(f"{API}/me/export", headers=who.auth)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"].startswith("attachment;")
    return zipfile.ZipFile(io.BytesIO(answer.content))


def test_the_export_holds_what_the_user_wrote_and_no_secret(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    ann, bob = signup("ann", "Ann 安"), signup("bob")
    circle = make_circle(bob, "Readers")["id"]
    assert client.post(f"{API}/circles/{circle}/join", headers=ann.auth).status_code == 200
    nick = {"nickname": "小安"}
    assert client.patch(f"{API}/circles/{circle}/members/{ann.id}", json=nick, headers=ann.auth)
    for i in range(1203):  # more than two pages of the store
        say(client, circle, ann, f"message {i}", f"n{i}")
    say(client, circle, bob, "bob's own", "b0")
    post = client.post(
        f"{API}/circles/{circle}/posts", json={"kind": "post", "text": "我的帖子"}, headers=ann.auth
    ).json()
    client.post(f"{API}/posts/{post['id']}/comments", json={"text": "a comment"}, headers=ann.auth)

    archive = export(client, ann)
    names = set(archive.namelist())
    assert names == {"manifest.json", "profile.json", *(f"{k}.json" for k in EXPORT_KINDS)}
    load = lambda name: orjson.loads(archive.read(name))  # noqa: E731
    profile = load("profile.json")
    assert profile["id"] == ann.id and profile["handle"] == "ann" and profile["name"] == "Ann 安"
    assert set(profile) == {"id", "handle", "name", "created"}
    assert load("manifest.json")["not_included"] == {}
    [membership] = load("memberships.json")
    assert membership["circle"] == circle and membership["role"] == "member"
    assert membership["nickname"] == "小安"
    messages = load("messages.json")
    assert [m["text"] for m in messages] == [f"message {i}" for i in range(1203)]
    assert [m["seq"] for m in messages] == list(range(1, 1204))
    assert {m["circle"] for m in messages} == {circle}
    assert [p["text"] for p in load("posts.json")] == ["我的帖子"]
    assert [c["text"] for c in load("comments.json")] == ["a comment"]
    raw = b"".join(archive.read(n) for n in names)
    assert b"password" not in raw and ann.token.encode() not in raw and b"argon2" not in raw


def test_exports_are_limited_per_user(tmp_path: Path, signup_in) -> None:
    limits = {**GENEROUS, "export_rate_per_min": 0.001, "export_burst": 1}
    settings = Settings(data_dir=tmp_path, password_time_cost=1, **limits)  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as client:
        ann = signup_in(client, "ann")
        export(client, ann)
        again = client.get(f"{API}/me/export", headers=ann.auth)
        assert_error(again, 429, "rate_limited")
        assert again.json()["error"]["reason"] == "too_many_exports"


def test_a_wrong_password_changes_nothing(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    ann = signup("ann")
    circle = make_circle(ann)["id"]
    for body in ({"password": "wrong horse"}, {"password": ""}):
        answer = client.post(f"{API}/me/delete", json=body, headers=ann.auth)
        assert_error(answer, 403, "forbidden")
        assert answer.json()["error"]["reason"] == "password_wrong"
    assert_error(client.post(f"{API}/me/delete", json={}, headers=ann.auth), 400, "bad_request")
    assert client.get(f"{API}/me", headers=ann.auth).json()["name"] == "Ann"
    assert client.get(f"{API}/circles/{circle}", headers=ann.auth).status_code == 200


def test_a_deleted_account_is_gone_and_its_handle_free(
    client: TestClient, signup: Callable[..., Account]
) -> None:
    ann = signup("ann")
    with client.websocket_connect("/ws") as ws:
        hello(ws, ann.token)
        answer = client.post(f"{API}/me/delete", json={"password": PASSWORD}, headers=ann.auth)
        assert answer.status_code == 204, answer.text
        assert_closed_4001(ws)
    assert_error(client.get(f"{API}/me", headers=ann.auth), 401, "unauthenticated")
    login = client.post(f"{API}/auth/login", json={"handle": "ann", "password": PASSWORD})
    assert_error(login, 401, "unauthenticated")
    again = signup("ann", "Another Ann")
    assert again.id != ann.id
    assert client.get(f"{API}/me", headers=again.auth).json()["handle"] == "ann"


def test_circles_pass_to_another_member_or_are_deleted(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    ann, bob = signup("ann"), signup("bob")
    shared = make_circle(ann, "Shared")["id"]
    alone = make_circle(ann, "Alone")["id"]
    assert client.post(f"{API}/circles/{shared}/join", headers=bob.auth).status_code == 200
    say(client, shared, ann, "ann was here", "a1")
    answer = client.post(f"{API}/me/delete", json={"password": PASSWORD}, headers=ann.auth)
    assert answer.status_code == 204
    circle = client.get(f"{API}/circles/{shared}", headers=bob.auth).json()
    assert circle["owner"] == bob.id and circle["members"] == 1
    members = client.get(f"{API}/circles/{shared}/members", headers=bob.auth).json()["members"]
    assert [(m["user"], m["role"]) for m in members] == [(bob.id, "owner")]
    assert client.get(f"{API}/circles/{alone}", headers=bob.auth).status_code == 404
    erase(client)
    history = client.get(f"{API}/circles/{shared}/messages", headers=bob.auth).json()["messages"]
    [message] = history
    assert message["text"] == "" and message["deleted"] == "account"
    assert message["from"] == {"id": ann.id, "name": ""}


@pytest.mark.parametrize("field", ["password"])
def test_delete_refuses_bad_bodies(client: TestClient, signup, field: str) -> None:
    ann = signup("ann")
    for body in ({field: 12}, {field: None}, {field: "x" * 5000}):
        answer = client.post(f"{API}/me/delete", json=body, headers=ann.auth)
        assert_error(answer, 400, "bad_request")
