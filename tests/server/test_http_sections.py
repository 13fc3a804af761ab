"""A circle's sections over HTTP (``PATCH /circles/{id}`` with ``sections``): a
teaching circle starts with its template, only an owner changes it (admins and
members 403, bad lists 400, never a 500), and the change reaches a connected
member live as ``circle.updated`` and after a reconnect through the catch-up."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.server.test_http_joining import error_of, events_until, hello

API = "/api/v1"
TEACHING = ["feed", "course", "materials", "homework", "chat", "highlights", "search"]


def test_owner_switches_sections_and_members_see_it_live_and_on_catch_up(
    client: TestClient, signup, make_circle
) -> None:
    wang, li, amy = signup("wang", "王老师"), signup("lili", "李助教"), signup("amy", "Amy")
    circle = make_circle(wang, "舞蹈基础班", kind="teaching")
    cid = circle["id"]
    assert circle["sections"] == TEACHING
    for who in (li, amy):
        assert client.post(f"{API}/circles/{cid}/join", headers=who.auth).is_success
    promoted = client.patch(
        f"{API}/circles/{cid}/members/{li.id}", json={"role": "admin"}, headers=wang.auth
    )
    assert promoted.is_success, promoted.text
    rev = client.get(f"{API}/circles/{cid}", headers=amy.auth).json()["last_rev"]
    wanted = ["feed", "chat", "challenges", "materials"]
    with client.websocket_connect("/ws") as watcher:
        hello(watcher, amy.token)
        changed = client.patch(f"{API}/circles/{cid}", json={"sections": wanted}, headers=wang.auth)
        assert changed.status_code == 200, changed.text
        assert changed.json()["sections"] == wanted
        live = events_until(watcher, "circle.updated")[-1]
        assert live["info"]["sections"] == wanted
    caught = client.get(f"{API}/circles/{cid}/events", params={"after": rev}, headers=amy.auth)
    updates = [e for e in caught.json()["events"] if e["kind"] == "circle.updated"]
    assert [e["info"]["sections"] for e in updates] == [wanted]
    mine = client.get(f"{API}/me/circles", headers=amy.auth).json()["circles"]
    assert [c["sections"] for c in mine if c["id"] == cid] == [wanted]
    # An admin changes settings, not sections; a member neither.
    for who in (li, amy):
        refused = client.patch(
            f"{API}/circles/{cid}", json={"sections": ["chat"]}, headers=who.auth
        )
        assert error_of(refused, 403)["code"] == "forbidden"
    assert client.get(f"{API}/circles/{cid}", headers=amy.auth).json()["sections"] == wanted


@pytest.mark.parametrize(
    "bad",
    [
        [],
        ["chat", "chat"],
        ["lessons"],
        ["settings"],
        "chat",
        [1],
        None,
        {"chat": True},
        ["x" * 40],
    ],
)
def test_bad_section_lists_are_400(client: TestClient, signup, make_circle, bad) -> None:
    ann = signup("ann")
    circle = make_circle(ann)
    refused = client.patch(
        f"{API}/circles/{circle['id']}", json={"sections": bad}, headers=ann.auth
    )
    assert error_of(refused, 400)["code"] == "bad_request"
