"""Reminders (store/reminders.py): one personal event per member, pushed only
to that member's open connections and caught up only by that member."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from store.reminders import about, remind
from tests.server.test_http_live import frames_until_pong, hello

API = "/api/v1"


def test_a_reminder_reaches_only_the_members_it_names(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob, cai = signup("ann"), signup("bob", "小白"), signup("cai")
    circle = make_circle(ann, "读书会")["id"]
    for who in (bob, cai):
        assert client.post(f"{API}/circles/{circle}/join", headers=who.auth).status_code == 200
    store = client.app.state.node.store  # type: ignore[attr-defined]
    subject = about("lesson", "l1", "第一课 基本功", at=1_800_000_000_000)

    async def send() -> None:
        async with store.db.write() as conn:
            await remind(conn, circle, [bob.id, bob.id, ann.id], subject)

    with (
        client.websocket_connect("/ws") as ann_ws,
        client.websocket_connect("/ws") as bob_ws,
        client.websocket_connect("/ws") as cai_ws,
    ):
        for ws, who in ((ann_ws, ann), (bob_ws, bob), (cai_ws, cai)):
            hello(ws, who.token)
        client.portal.call(send)  # type: ignore[union-attr]
        got = {
            name: [f for f in frames_until_pong(ws, "p") if f.get("kind") == "reminder"]
            for name, ws in (("ann", ann_ws), ("bob", bob_ws), ("cai", cai_ws))
        }
    assert [f["user"] for f in got["bob"]] == [bob.id]  # once, though named twice
    assert [f["user"] for f in got["ann"]] == [ann.id]
    assert got["cai"] == []
    assert got["bob"][0]["about"] == subject

    def caught_up(who) -> list[dict]:
        r = client.get(f"{API}/circles/{circle}/events?after=0", headers=who.auth)
        assert r.status_code == 200, r.text
        return [e for e in r.json()["events"] if e["kind"] == "reminder"]

    assert [e["user"] for e in caught_up(bob)] == [bob.id]
    assert caught_up(cai) == []


def test_a_reminder_names_what_it_is_about() -> None:
    assert about("homework", "a1", "x" * 300)["title"] == "x" * 200
    with pytest.raises(ValueError):
        about("homework", "", "作业")
    with pytest.raises(Exception, match="kind"):
        about("party", "a1", "生日会")
