"""The catch-up after a reconnect, made deterministic: the page's events?after= request is
held while frames are put into its socket, then answered. A live event that arrives while
the catch-up is in flight is neither lost nor applied twice; an event at or below the
cursor is skipped; a rev may jump; `reset` reloads the circle's posts."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from playwright.sync_api import Page, Route, WebSocketRoute, expect

from tests.browser.pages import (
    api,
    circle_id,
    create_circle,
    open_tab,
    post_card,
    signup,
    tid,
    wait_live,
)

EVENTS = re.compile(r"/api/v1/circles/[^/]+/events\?")


def fake_post(circle: str, post_id: str, text: str) -> dict[str, Any]:
    now = int(time.time() * 1000)
    return {
        "id": post_id,
        "circle": circle,
        "kind": "post",
        "author": {"id": "u_someone", "name": "Someone"},
        "text": text,
        "created": now,
        "updated": now,
        "pinned": False,
        "must_read": False,
        "likes": 0,
        "comments": 0,
    }


def event(circle: str, rev: int, kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "t": "event",
        "circle": circle,
        "rev": rev,
        "ts": int(time.time() * 1000),
        "kind": kind,
        **fields,
    }


class Wire:
    """The page's socket, routed: server frames pass through; the test adds its own."""

    def __init__(self, page: Page, circle: str) -> None:
        self.page, self.circle = page, circle
        self.sockets: list[WebSocketRoute] = []
        self.held: list[Route] = []
        self.markers = 0
        page.route_web_socket(re.compile(r"/ws$"), self.connect)

    def connect(self, ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        self.sockets.append(ws)

    def send(self, frame: dict[str, Any]) -> None:
        self.sockets[-1].send(json.dumps(frame))

    def received(self) -> None:
        """Wait until the page has taken every frame sent so far: a gap notice sent after
        them shows in the chat at once, and frames are handled in order."""
        self.markers += 1
        start = 100_000 + 10 * self.markers
        self.send({"t": "gap", "circle": self.circle, "from_seq": start, "to_seq": start + 1})
        expect(
            tid(self.page, "chat-log").get_by_text(f"Messages {start}–{start + 1}")
        ).to_have_count(1)

    def reconnect_and_hold_catch_up(self) -> Route:
        """Drop the connection (as a restart would); the page reconnects and asks for the
        events it missed: that request is held, and returned."""
        self.page.route(EVENTS, lambda route: self.held.append(route))
        with self.page.expect_request(EVENTS):
            self.sockets[-1].close(code=1012, reason="restart")
        wait_live(self.page)
        return self.held[-1]

    def answer(self, held: Route, reply: dict[str, Any]) -> None:
        held.fulfill(json=reply)
        self.page.unroute(EVENTS)  # not before: that would let the held request go on


def test_live_events_during_a_catch_up_are_neither_lost_nor_doubled(open_page: Any) -> None:
    ann = open_page()
    signup(ann, "ann", "Ann")
    create_circle(ann, "Relay")
    circle = circle_id(ann)
    wire = Wire(ann, circle)
    ann.reload()  # the socket is routed from now on
    wait_live(ann)
    open_tab(ann, "feed")
    expect(tid(ann, "feed-empty")).to_be_visible()
    rev = api(ann, "GET", f"/circles/{circle}")["last_rev"]

    held = wire.reconnect_and_hold_catch_up()
    assert f"after={rev}" in held.request.url, held.request.url
    first = event(
        circle, rev + 1, "post.created", post=fake_post(circle, "p_one", "From the catch-up")
    )
    second = event(
        circle, rev + 2, "post.created", post=fake_post(circle, "p_two", "Live meanwhile")
    )
    wire.send(second)  # pushed live while the catch-up is in flight
    wire.received()
    expect(post_card(ann, "Live meanwhile")).to_have_count(0)  # held back, not applied yet
    wire.answer(
        held,
        {
            "events": [first, second],
            "last_rev": rev + 2,
            "next": rev + 2,
            "more": False,
            "reset": False,
        },
    )
    expect(post_card(ann, "From the catch-up")).to_have_count(1)
    expect(post_card(ann, "Live meanwhile")).to_have_count(1)
    expect(tid(ann, "feed-list").get_by_test_id("post")).to_have_count(2)

    # A late copy of an event already applied changes nothing; a jump in revs is fine.
    stale = fake_post(circle, "p_one", "A stale edit")
    wire.send(event(circle, rev + 1, "post.edited", post=stale))
    wire.received()
    expect(post_card(ann, "A stale edit")).to_have_count(0)
    fresh = fake_post(circle, "p_one", "Edited after a jump")
    wire.send(event(circle, rev + 4, "post.edited", post=fresh))
    expect(post_card(ann, "Edited after a jump")).to_have_count(1)

    # The log no longer reaches back: the circle's posts are loaded afresh.
    tid(ann, "post-text-input").fill("A real post")
    tid(ann, "post-submit").click()
    expect(post_card(ann, "A real post")).to_have_count(1)
    held = wire.reconnect_and_hold_catch_up()
    assert f"after={rev + 4}" in held.request.url, held.request.url
    last = api(ann, "GET", f"/circles/{circle}")["last_rev"]
    wire.answer(held, {"events": [], "last_rev": last, "next": last, "more": False, "reset": True})
    expect(post_card(ann, "Edited after a jump")).to_have_count(0)
    expect(post_card(ann, "Live meanwhile")).to_have_count(0)
    expect(post_card(ann, "A real post")).to_have_count(1)
    assert ann.errors == []
