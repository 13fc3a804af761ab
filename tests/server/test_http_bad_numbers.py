"""Bad numbers in a request are a 400, never a 500: forged page cursors on every
paginated route, and the query and path integers (``since``, ``after``,
``before``, ``limit``, a message's seq), on SQLite and on PostgreSQL (whose
driver refuses what SQLite's does not, and the other way round)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.services import fresh_postgres_database

API = "/api/v1"
# As for the store tests: QUANZI_TEST_BACKENDS=sqlite narrows a quick local run.
BACKENDS = os.environ.get("QUANZI_TEST_BACKENDS", "sqlite,postgresql").split(",")


def cursor_of(raw: str) -> str:
    """Any text shaped as a cursor is (what a client can forge)."""
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


BAD_CURSORS = {
    "past-64-bits": cursor_of(f"{2**63}:abc"),
    "far-past-64-bits": cursor_of(f"{10**30}:abc"),
    "negative": cursor_of("-1:abc"),
    "nul-in-id": cursor_of("5:a\x00b"),
    "no-colon": cursor_of("12345"),
    "not-base64": "!!!",
    "not-ascii": "é",
}
BAD_INTEGERS = {
    "past-64-bits": str(2**63),
    "far-past-64-bits": "9" * 40,
    "negative": "-1",
    "garbage": "abc",
    "float": "1.5",
    "exponent": "1e3",
    "underscored": "1_000",
    "not-ascii-digits": "١٢",
}


@dataclass(frozen=True)
class Scene:
    client: TestClient
    auth: dict[str, str]
    circle: str
    post: str


@pytest.fixture(scope="module", params=BACKENDS)
def scene(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scene]:
    """One app per database for the whole module (every case only reads): an owner,
    her circle, and a must-read post of hers with a comment."""
    with contextlib.ExitStack() as stack:
        url = ""
        if request.param == "postgresql":
            runner = stack.enter_context(asyncio.Runner())
            database = fresh_postgres_database()
            url = runner.run(database.__aenter__())
            stack.callback(runner.run, database.__aexit__(None, None, None))
        data_dir: Path = tmp_path_factory.mktemp("data")
        settings = Settings(data_dir=data_dir, password_time_cost=1, database_url=url)
        client = stack.enter_context(TestClient(create_app(settings)))
        body = {"handle": "ann", "password": "correct horse", "name": "Ann"}
        auth = {
            "Authorization": f"Bearer {client.post(f'{API}/auth/signup', json=body).json()['token']}"
        }
        circle = {"name": "Readers", "kind": "community", "visibility": "public"}
        circle_id = client.post(f"{API}/circles", json=circle, headers=auth).json()["id"]
        post = {"kind": "post", "text": "read me"}
        post_id = client.post(f"{API}/circles/{circle_id}/posts", json=post, headers=auth).json()[
            "id"
        ]
        assert client.put(f"{API}/posts/{post_id}/must-read", headers=auth).status_code == 200
        comment = client.post(f"{API}/posts/{post_id}/comments", json={"text": "ok"}, headers=auth)
        assert comment.status_code == 201, comment.text
        yield Scene(client, auth, circle_id, post_id)


PAGED = {
    "directory": "/circles",
    "feed": "/circles/{circle}/posts",
    "members": "/circles/{circle}/members",
    "comments": "/posts/{post}/comments",
    "receipts": "/posts/{post}/receipts",
}
# Each query integer with the routes that take it.
QUERY_INTEGERS = [
    ("since", "/circles/{circle}/posts"),
    ("after", "/circles/{circle}/events"),
    ("before", "/circles/{circle}/messages"),
    *(("limit", path) for path in PAGED.values()),
    ("limit", "/circles/{circle}/messages"),
    ("limit", "/circles/{circle}/events"),
]


def url(scene: Scene, path: str) -> str:
    return API + path.format(circle=scene.circle, post=scene.post)


def assert_bad_request(response) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == "bad_request"


@pytest.mark.parametrize("route", PAGED)
def test_every_paginated_route_takes_its_own_cursor(scene: Scene, route: str) -> None:
    first = scene.client.get(url(scene, PAGED[route]), params={"limit": 1}, headers=scene.auth)
    assert first.status_code == 200, first.text
    # Where there is a next page, its cursor works (a cursor the store made is good).
    cursor = first.json()["next"] or cursor_of(f"{2**63 - 1}:abc")
    again = scene.client.get(
        url(scene, PAGED[route]), params={"cursor": cursor}, headers=scene.auth
    )
    assert again.status_code == 200, again.text


@pytest.mark.parametrize("cursor", BAD_CURSORS.values(), ids=list(BAD_CURSORS))
@pytest.mark.parametrize("route", PAGED)
def test_a_forged_cursor_is_a_400_on_every_paginated_route(
    scene: Scene, route: str, cursor: str
) -> None:
    response = scene.client.get(
        url(scene, PAGED[route]), params={"cursor": cursor}, headers=scene.auth
    )
    assert_bad_request(response)


@pytest.mark.parametrize("value", BAD_INTEGERS.values(), ids=list(BAD_INTEGERS))
@pytest.mark.parametrize(("name", "path"), QUERY_INTEGERS)
def test_a_bad_query_integer_is_a_400(scene: Scene, name: str, path: str, value: str) -> None:
    response = scene.client.get(url(scene, path), params={name: value}, headers=scene.auth)
    assert_bad_request(response)


@pytest.mark.parametrize("value", BAD_INTEGERS.values(), ids=list(BAD_INTEGERS))
@pytest.mark.parametrize("method", ["put", "delete"])
def test_a_bad_seq_in_the_path_is_a_400(scene: Scene, method: str, value: str) -> None:
    path = url(scene, "/circles/{circle}/messages/") + value + "/veto"
    assert_bad_request(getattr(scene.client, method)(path, headers=scene.auth))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/circles/a%00b",
        "/api/v1/posts/a%00b",
        "/api/v1/circles?q=tea%00",
        "/api/v1/circles/a%00b/events",
        "/api/v1/circles/a%00b/members",
    ],
)
def test_a_nul_in_a_path_or_query_is_never_a_500(scene: Scene, path: str) -> None:
    # PostgreSQL refuses the string (400); SQLite finds nothing (404).
    response = scene.client.get(path, headers=scene.auth)
    assert response.status_code in (400, 404), response.text
    assert set(response.json()) == {"error"}
