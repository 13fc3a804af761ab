"""User text is shown as text everywhere: markup in a message, a highlight, a post or a
circle name never becomes elements, and no script runs."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests import timing
from tests.browser.pages import (
    create_circle,
    expect_once,
    go_home,
    highlight,
    open_menu,
    open_tab,
    say,
    tid,
    two_in_a_circle,
)

PAYLOAD = "<img src=x onerror=alert(1)>"


def test_markup_is_shown_as_text_and_runs_nothing(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Safety")
    say(ann, PAYLOAD)
    for page in (ann, bob):
        expect_once(page, PAYLOAD)
        assert tid(page, "chat-log").locator("img").count() == 0

    # Promoted into a highlight (the owner's star): still text on both sides.
    open_menu(expect_once(ann, PAYLOAD)).get_by_test_id("star-btn").click()
    expect(highlight(ann, PAYLOAD)).to_have_count(1)
    expect(highlight(bob, PAYLOAD)).to_have_count(1)

    open_tab(bob, "feed")
    tid(bob, "post-text-input").fill("<script>alert(2)</script><b>bold?</b>")
    tid(bob, "post-submit").click()
    post = tid(bob, "feed-list").get_by_test_id("post-text").filter(has_text="<script>")
    expect(post).to_have_text("<script>alert(2)</script><b>bold?</b>")

    create_circle(ann, "<i>fancy</i>")
    expect(tid(ann, "circle-title")).to_have_text("<i>fancy</i>")
    go_home(ann)
    expect(tid(ann, "circle-item").filter(has_text="<i>fancy</i>")).to_have_count(1)

    ann.wait_for_timeout(timing.seconds(0.5) * 1000)  # an onerror would have fired by now
    for page in (ann, bob):
        assert page.locator("main img, main script, main b, main i").count() == 0
        assert page.dialogs == []
        assert page.errors == []
