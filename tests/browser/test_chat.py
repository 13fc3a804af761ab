"""Two people in two browsers: accounts, a private circle joined by invite, live chat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import (
    create_circle,
    expect_once,
    go_home,
    invite_link,
    join_with_invite,
    login,
    messages,
    open_home_panel,
    open_tab,
    say,
    signup,
    tid,
    wait_live,
)


def test_private_circle_by_invite_and_live_chat_both_ways(
    open_page: Any, screenshots: Path
) -> None:
    ann, bob = open_page(), open_page()
    signup(ann, "ann", "Ann")
    signup(bob, "bob", "Bob")

    create_circle(ann, "Bakers", visibility="private")
    link = invite_link(ann)
    expect(tid(ann, "code")).to_have_text(link.rsplit("/", 1)[1])
    ann.screenshot(path=str(screenshots / "owner-settings.png"))

    join_with_invite(bob, link, "Bakers")
    open_tab(ann, "chat")
    open_tab(bob, "chat")
    expect(tid(ann, "online-count")).to_have_text("2 online")

    say(ann, "Fresh bread at 8?")
    mine = expect_once(ann, "Fresh bread at 8?")
    expect(mine.get_by_test_id("msg-from")).to_have_text("Ann")
    theirs = expect_once(bob, "Fresh bread at 8?")
    expect(theirs.get_by_test_id("msg-from")).to_have_text("Ann")

    say(bob, "Count me in")
    expect(expect_once(ann, "Count me in").get_by_test_id("msg-from")).to_have_text("Bob")
    expect_once(bob, "Count me in")
    assert ann.errors == [] and bob.errors == []


def test_session_survives_reload_history_and_unread_badges(
    open_page: Any, screenshots: Path
) -> None:
    ann, bob = open_page(), open_page()
    signup(ann, "ann", "Ann")
    signup(bob, "bob", "Bob")
    create_circle(ann, "Runners", visibility="private")
    link = invite_link(ann)
    bob.goto(link)  # an invite link opened in the browser asks first
    tid(bob, "invite-join").click()
    expect(tid(bob, "circle-title")).to_have_text("Runners")
    open_tab(ann, "chat")
    texts = [f"lap {n}" for n in range(1, 61)]
    for text in texts:
        say(ann, text)
    expect_once(ann, "lap 60")
    expect_once(bob, "lap 60")

    # A reload keeps the session and the page; the chat comes back from history, and
    # scrolling up loads the older page.
    bob.reload()
    wait_live(bob)
    expect(tid(bob, "circle-title")).to_have_text("Runners")
    expect_once(bob, "lap 60")
    expect(messages(bob, "lap 1")).to_have_count(0)
    tid(bob, "chat-log").evaluate(
        "log => { log.scrollTop = 0; log.dispatchEvent(new Event('scroll')); }"
    )
    expect_once(bob, "lap 1")
    expect(messages(bob)).to_have_count(60)

    # Away from the circle, new messages show as unread on the circle list.
    go_home(bob)
    say(ann, "are you there?")
    expect_once(ann, "are you there?")
    bob.reload()
    wait_live(bob)
    item = tid(bob, "circle-item").filter(has_text="Runners")
    expect(item.get_by_test_id("unread-badge")).to_have_text("1")
    create_circle(ann, "Book club", visibility="public", kind="teaching")
    go_home(ann)
    expect(tid(ann, "circle-item")).to_have_count(2)
    bob.screenshot(path=str(screenshots / "circle-list.png"))

    # Discover finds the public circle by name and kind; join it.
    open_home_panel(bob, "discover")
    tid(bob, "discover-q").fill("book")
    tid(bob, "discover-kind").select_option("teaching")
    result = tid(bob, "discover-item").filter(has_text="Book club")
    expect(result).to_have_count(1)
    result.get_by_test_id("discover-join").click()
    expect(tid(bob, "circle-title")).to_have_text("Book club")

    # Leave it again, then log out: a reload stays logged out.
    open_tab(bob, "settings")
    tid(bob, "leave-circle").click()
    expect(tid(bob, "circle-item")).to_have_count(1)
    tid(bob, "logout").click()
    expect(tid(bob, "auth-form")).to_be_visible()
    bob.reload()
    expect(tid(bob, "auth-form")).to_be_visible()
    login(bob, "bob")
    expect(tid(bob, "circle-item")).to_have_count(1)
