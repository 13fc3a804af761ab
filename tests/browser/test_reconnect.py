"""The server restarts under two open pages: both come back by themselves, and every
message sent around the restart is shown exactly once."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import expect
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from tests.browser.pages import (
    expect_once,
    highlight,
    messages,
    open_menu,
    open_tab,
    post_card,
    say,
    session_token,
    tid,
    two_in_a_circle,
    wait_live,
)
from tests.e2e.harness import ServerProcess, seconds


def raw_request(server: ServerProcess, token: str, frame: dict[str, Any]) -> dict[str, Any]:
    """One request on a fresh protocol session of its own (another device of the user)."""
    with connect(
        server.ws, subprotocols=[Subprotocol("quanzi.v1.json")], open_timeout=seconds(10)
    ) as ws:
        ws.send(json.dumps({"t": "hello", "id": "h", "token": token}))
        assert json.loads(ws.recv(timeout=seconds(10)))["t"] == "welcome"
        ws.send(json.dumps({**frame, "id": "r"}))
        while True:
            reply = json.loads(ws.recv(timeout=seconds(10)))
            if reply.get("id") == "r":
                assert reply["t"] == "ok", reply
                return reply


def test_restart_reconnects_and_shows_each_message_once(
    open_page: Any, server: ServerProcess
) -> None:
    ann, bob = two_in_a_circle(open_page, "Night shift")
    circle = ann.url.rsplit("/", 1)[1]
    say(ann, "before the restart")
    expect_once(bob, "before the restart")

    server.stop()  # SIGTERM: bye, close 1012
    for page in (ann, bob):
        expect(tid(page, "status")).not_to_have_attribute("data-state", "online")
        expect(tid(page, "status")).to_contain_text(re.compile("reconnecting", re.IGNORECASE))
    say(ann, "typed while the server was down")
    expect(messages(ann, "typed while the server was down")).to_have_attribute(
        "data-state", "pending"
    )

    server.start()  # the same port and data dir
    # Said from another device while the pages are still backing off: they get it by
    # rejoining with `since` (or live, if they were quicker).
    said = raw_request(
        server,
        session_token(bob),
        {"t": "say", "circle": circle, "text": "said during the reconnect", "nonce": "phone-1"},
    )
    # And a highlight made meanwhile: the event, live or from the catch-up, brings it.
    raw_request(server, session_token(ann), {"t": "star", "circle": circle, "seq": 1})

    for page in (ann, bob):
        wait_live(page, timeout=seconds(40) * 1000)
    say(bob, "after the restart")
    texts = [
        "before the restart",
        "typed while the server was down",
        "said during the reconnect",
        "after the restart",
    ]
    for page in (ann, bob):
        for text in texts:
            expect_once(page, text)
        expect(messages(page)).to_have_count(len(texts))
        seqs = [int(s) for s in messages(page).evaluate_all("els => els.map(e => e.dataset.seq)")]
        assert seqs == sorted(set(seqs)) and said["seq"] in seqs
        expect(highlight(page, "before the restart")).to_have_count(1)
        assert page.errors == []


def test_network_drop_resumes_without_loss_or_duplicates(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Commuters")
    say(ann, "entering the tunnel?")
    expect_once(bob, "entering the tunnel?")
    expect(tid(bob, "online-count")).to_have_text("2 online")
    open_tab(bob, "feed")
    open_tab(ann, "feed")

    bob.context.set_offline(True)
    expect(tid(bob, "status")).to_have_attribute("data-state", "offline")
    # Offline, who is online is unknown: no stale count.
    expect(tid(bob, "online-count")).to_have_text("")
    say(ann, "missed while offline 1")
    say(ann, "missed while offline 2")
    expect_once(ann, "missed while offline 2")
    say(bob, "queued in the tunnel")
    expect(messages(bob, "queued in the tunnel")).to_have_attribute("data-state", "pending")
    # Changes of the circle's durable side meanwhile: the catch-up by rev brings them.
    tid(ann, "post-text-input").fill("Posted while Bob was underground")
    tid(ann, "post-submit").click()
    expect(post_card(ann, "Posted while Bob was underground")).to_have_count(1)
    open_menu(expect_once(ann, "missed while offline 1")).get_by_test_id("star-btn").click()
    expect(highlight(ann, "missed while offline 1")).to_have_count(1)

    bob.context.set_offline(False)
    wait_live(bob)
    expect(tid(bob, "online-count")).to_have_text("2 online")
    expect(post_card(bob, "Posted while Bob was underground")).to_have_count(1)
    expect(expect_once(bob, "missed while offline 1").get_by_test_id("star-count")).to_have_text(
        "1"
    )
    texts = [
        "entering the tunnel?",
        "missed while offline 1",
        "missed while offline 2",
        "queued in the tunnel",
    ]
    for page in (ann, bob):
        for text in texts:
            expect_once(page, text)
        expect(messages(page)).to_have_count(len(texts))
