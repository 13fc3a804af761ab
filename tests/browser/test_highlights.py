"""Stars promote chat into highlights live; must-reads, receipts and the owner's tools."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import (
    expect_once,
    go_home,
    highlight,
    open_menu,
    open_tab,
    say,
    tid,
    two_in_a_circle,
)


def test_star_promotes_live_and_must_read_receipts(open_page: Any, screenshots: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "Garden")

    # The owner lets a single member's star promote.
    open_tab(ann, "settings")
    tid(ann, "settings-threshold").fill("1")
    tid(ann, "settings-save").click()
    expect(tid(ann, "settings-saved")).to_have_text("Saved.")

    open_tab(ann, "highlights")
    open_tab(bob, "highlights")
    say(ann, "Seeds arrive Friday")
    say(ann, "Bring gloves")
    msg = expect_once(bob, "Seeds arrive Friday")
    open_menu(msg).get_by_test_id("star-btn").click()
    expect(msg.get_by_test_id("star-count")).to_have_text("1")

    # The promotion reaches the other browser without a reload.
    expect(highlight(ann, "Seeds arrive Friday")).to_have_count(1)
    expect(highlight(bob, "Seeds arrive Friday")).to_have_count(1)
    expect(highlight(ann, "Seeds arrive Friday").get_by_test_id("post-author")).to_have_text("Ann")
    expect(expect_once(ann, "Seeds arrive Friday").get_by_test_id("msg-promoted")).to_be_visible()
    say(bob, "I'll bring the big ones")
    say(ann, "Perfect — see you at the gate at 9")
    expect_once(ann, "I'll bring the big ones")

    # Must-read: the member acknowledges, the owner's receipts follow.
    highlight(ann, "Seeds arrive Friday").get_by_test_id("mustread-btn").click()
    card = tid(bob, "mustread-list").get_by_test_id("highlight")
    expect(card).to_have_count(1)
    # Ann wrote the message: she is not asked to acknowledge it.
    own = highlight(ann, "Seeds arrive Friday")
    expect(own.get_by_test_id("mustread-tag")).to_be_visible()
    expect(own.get_by_test_id("ack-own")).to_have_text("You posted this")
    expect(own.get_by_test_id("ack-btn")).to_have_count(0)
    highlight(ann, "Seeds arrive Friday").get_by_test_id("receipts-btn").click()
    receipts = highlight(ann, "Seeds arrive Friday").get_by_test_id("receipts")
    expect(receipts.get_by_test_id("receipts-pending")).to_contain_text("Bob")
    ann.screenshot(path=str(screenshots / "circle-chat-and-highlights.png"))
    # Bob's circle list counts the must-read he has not acknowledged yet.
    go_home(bob)
    item = tid(bob, "circle-item").filter(has_text="Garden")
    expect(item.get_by_test_id("mustread-badge")).to_have_text("1 must-read")
    item.get_by_role("link").click()
    card.get_by_test_id("ack-btn").click()
    expect(highlight(bob, "Seeds arrive Friday").get_by_test_id("acked")).to_be_visible()
    expect(receipts.get_by_test_id("receipts-acked")).to_contain_text("Bob", timeout=10_000)
    expect(receipts.get_by_test_id("receipts-pending")).not_to_contain_text("Bob")
    assert ann.errors == [] and bob.errors == []


def test_owner_pins_reorders_vetoes_unpromotes_and_removes(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Workshop")
    open_tab(ann, "highlights")
    open_tab(bob, "highlights")
    for text in ("Saw blades", "Glue", "Veto me"):
        say(ann, text)
    # An owner's star promotes at once; promoted posts are pinned in order.
    for text in ("Saw blades", "Glue"):
        open_menu(expect_once(ann, text)).get_by_test_id("star-btn").click()
        expect(highlight(bob, text)).to_have_count(1)
    pinned_bob = tid(bob, "pinned-list").get_by_test_id("post-text")
    expect(pinned_bob).to_have_text(["Saw blades", "Glue"])

    highlight(ann, "Glue").get_by_test_id("pin-up").click()
    expect(tid(ann, "pinned-list").get_by_test_id("post-text")).to_have_text(["Glue", "Saw blades"])
    expect(pinned_bob).to_have_text(["Glue", "Saw blades"])

    highlight(ann, "Saw blades").get_by_test_id("pin-btn").click()  # unpin
    expect(pinned_bob).to_have_text(["Glue"])
    expect(tid(bob, "recent-list").get_by_test_id("post-text")).to_have_text(["Saw blades"])

    # A vetoed message is not promoted by a member's votes (threshold 1 would otherwise).
    open_tab(ann, "settings")
    tid(ann, "settings-threshold").fill("1")
    tid(ann, "settings-save").click()
    expect(tid(ann, "settings-saved")).to_have_text("Saved.")
    veto = open_menu(expect_once(ann, "Veto me")).get_by_test_id("veto-btn")
    veto.click()
    expect(veto).to_have_text("Allow promotion")
    bob_msg = expect_once(bob, "Veto me")
    open_menu(bob_msg).get_by_test_id("star-btn").click()
    expect(bob_msg.get_by_test_id("star-count")).to_have_text("1")
    expect(highlight(bob, "Veto me")).to_have_count(0)

    # Un-promote: the highlight goes everywhere, the chat message stays.
    open_tab(ann, "highlights")
    highlight(ann, "Glue").get_by_test_id("unpromote-btn").click()
    expect(highlight(bob, "Glue")).to_have_count(0)
    expect_once(bob, "Glue")

    # Feed: a member posts, the owner likes and comments.
    open_tab(bob, "feed")
    tid(bob, "post-text-input").fill("Who has spare clamps?")
    tid(bob, "post-submit").click()
    post = tid(bob, "feed-list").get_by_test_id("post").filter(has_text="Who has spare clamps?")
    expect(post).to_have_count(1)
    open_tab(ann, "feed")
    post_ann = tid(ann, "feed-list").get_by_test_id("post").filter(has_text="Who has spare clamps?")
    post_ann.get_by_test_id("like-btn").click()
    expect(post_ann.get_by_test_id("like-count")).to_have_text("1")
    post_ann.get_by_test_id("comments-btn").click()
    post_ann.get_by_test_id("comment-input").fill("Two in the shed")
    post_ann.get_by_test_id("comment-input").press("Enter")
    expect(post_ann.get_by_test_id("comment")).to_contain_text(["Two in the shed"])
    expect(post_ann.get_by_test_id("comments-btn")).to_have_text("Comments (1)")

    # Removing a member: their page learns it at once and leaves the circle.
    open_tab(ann, "settings")
    bob_row = tid(ann, "members-list").get_by_test_id("member").filter(has_text="Bob")
    bob_row.get_by_test_id("member-actions").click()
    bob_row.get_by_test_id("member-remove").click()
    expect(tid(bob, "circle-list")).to_be_attached()
    expect(tid(bob, "circle-item")).to_have_count(0)
    expect(tid(ann, "members-list").get_by_test_id("member")).to_have_count(1)
