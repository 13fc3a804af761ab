"""A request body is JSON and says so: any other body (a form, text/plain — what
a page of another site can send without asking) is refused with 415 in the
contract's error shape; an optional body may still be left out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from tests.server.conftest import Account

API = "/api/v1"
SIGNUP = f"{API}/auth/signup"
JSON_TEXT = '{"handle": "ann", "password": "correct horse", "name": "Ann"}'


def assert_415(response) -> None:
    assert response.status_code == 415, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    assert "application/json" in error["message"]


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonp",
        "text/json",
    ],
)
def test_a_body_that_is_not_declared_json_is_refused(
    client: TestClient, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    assert_415(client.post(SIGNUP, content=JSON_TEXT.encode(), headers=headers))


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_json_bodies_are_taken(client: TestClient, content_type: str) -> None:
    response = client.post(
        SIGNUP, content=JSON_TEXT.encode(), headers={"Content-Type": content_type}
    )
    assert response.status_code == 201, response.text


def test_a_form_is_refused_on_every_write(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    ann = signup("ann")
    circle = make_circle(ann)
    form = {**ann.auth, "Content-Type": "application/x-www-form-urlencoded"}
    assert_415(client.patch(f"{API}/me", content=b"name=Mallory", headers=form))
    assert_415(client.post(f"{API}/circles", content=b"name=x", headers=form))
    assert_415(client.post(f"{API}/circles/{circle['id']}/join", content=b"code=x", headers=form))
    assert client.get(f"{API}/me", headers=ann.auth).json()["name"] == "Ann"


def test_an_optional_body_may_be_left_out(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)
    joined = client.post(f"{API}/circles/{circle['id']}/join", headers=bob.auth)
    assert joined.status_code == 200, joined.text
    post = client.post(
        f"{API}/circles/{circle['id']}/posts", json={"kind": "post", "text": "hi"}, headers=ann.auth
    ).json()
    pinned = client.put(f"{API}/posts/{post['id']}/pin", headers=ann.auth)
    assert pinned.status_code == 200 and pinned.json()["pinned"] is True
    # A body-less request with a stray content type is still body-less.
    unpinned = client.delete(
        f"{API}/posts/{post['id']}/pin", headers={**ann.auth, "Content-Type": "text/plain"}
    )
    assert unpinned.status_code == 200


def test_a_required_body_left_out_is_a_400(client: TestClient) -> None:
    response = client.post(SIGNUP)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
