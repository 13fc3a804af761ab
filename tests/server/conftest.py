"""Shared fixtures for the in-process server tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests import migrated
from tests.limits import GENEROUS


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The lowest argon2 cost: tests sign up dozens of users.
    migrated.place(tmp_path / "quanzi.db")
    return Settings(data_dir=tmp_path, password_time_cost=1, **GENEROUS)  # type: ignore[arg-type]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The whole app in-process, lifespan included."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@dataclass(frozen=True)
class Account:
    id: str
    handle: str
    name: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def signup(client: TestClient) -> Callable[..., Account]:
    """``signup("ann")`` creates an account over HTTP and returns its token and ids."""

    def make(handle: str, name: str | None = None, password: str = "correct horse") -> Account:
        name = name or handle.title()
        body = {"handle": handle, "password": password, "name": name}
        response = client.post("/api/v1/auth/signup", json=body)
        assert response.status_code == 201, response.text
        data = response.json()
        return Account(data["user"]["id"], handle, name, data["token"])

    return make


@pytest.fixture
def make_circle(client: TestClient) -> Callable[..., dict]:
    """``make_circle(owner, name, visibility=..., kind=...)`` creates a circle over HTTP."""

    def make(
        owner: Account,
        name: str = "Readers",
        visibility: str = "public",
        kind: str = "community",
        description: str = "",
    ) -> dict:
        body = {"name": name, "kind": kind, "visibility": visibility, "description": description}
        response = client.post("/api/v1/circles", json=body, headers=owner.auth)
        assert response.status_code == 201, response.text
        return response.json()

    return make


@pytest.fixture
def room(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> tuple[dict, Account, Account]:
    """ann's public circle with bob as a member (the media tests' starting point)."""
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann, "Dance school", visibility="public")
    answer = client.post(f"/api/v1/circles/{circle['id']}/join", headers=bob.auth)
    assert answer.status_code == 200
    return circle, ann, bob


@pytest.fixture
def signup_in() -> Callable[[TestClient, str], Account]:
    """``signup_in(client, "ann")``: an account on a client of one's own (tests that
    start several apps)."""

    def make(client: TestClient, handle: str) -> Account:
        body = {"handle": handle, "password": "correct horse", "name": handle.title()}
        data = client.post("/api/v1/auth/signup", json=body).json()
        return Account(data["user"]["id"], handle, handle.title(), data["token"])

    return make
