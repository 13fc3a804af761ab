"""Circle events reach every open page without a reload: star votes and their progress,
receipts (with no polling), member counts, the feed, comments, settings and roles."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Request, expect

from tests import timing
from tests.browser.pages import (
    api,
    circle_id,
    create_circle,
    expect_once,
    highlight,
    invite_link,
    join_with_invite,
    login,
    open_menu,
    open_tab,
    post_card,
    say,
    signup,
    tid,
    two_in_a_circle,
)


def test_a_members_star_vote_and_its_progress_show_in_the_other_page(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Allotment")
    say(ann, "Compost bins on Saturday?")
    on_ann = expect_once(ann, "Compost bins on Saturday?")
    on_bob = expect_once(bob, "Compost bins on Saturday?")

    # Bob's vote: one of the three stars it takes (the default threshold).
    open_menu(on_bob).get_by_test_id("star-btn").click()
    expect(on_bob.get_by_test_id("star-count")).to_have_text("1/3")
    expect(on_ann.get_by_test_id("star-count")).to_have_text("1/3")
    expect(on_ann.get_by_test_id("star-btn")).to_have_attribute("aria-pressed", "false")
    open_menu(on_bob).get_by_test_id("star-btn").click()  # withdrawn
    expect(on_ann.get_by_test_id("star-count")).to_have_text("")
    open_menu(on_bob).get_by_test_id("star-btn").click()
    expect(on_ann.get_by_test_id("star-count")).to_have_text("1/3")

    # The owner lowers the threshold: Bob's page counts towards the new one.
    open_tab(ann, "settings")
    tid(ann, "settings-threshold").fill("2")
    tid(ann, "settings-save").click()
    expect(tid(ann, "settings-saved")).to_have_text("Saved.")
    expect(on_bob.get_by_test_id("star-count")).to_have_text("1/2")

    # The owner's star promotes it at once: both pages show the highlight, a plain count.
    open_menu(on_ann).get_by_test_id("star-btn").click()
    open_tab(bob, "highlights")
    expect(highlight(bob, "Compost bins on Saturday?")).to_have_count(1)
    expect(on_bob.get_by_test_id("msg-promoted")).to_be_visible()
    expect(on_bob.get_by_test_id("star-count")).to_have_text("2")
    expect(on_ann.get_by_test_id("star-count")).to_have_text("2")
    assert ann.errors == [] and bob.errors == []


def test_receipts_move_when_a_member_reads_it_without_polling(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Choir office")
    open_tab(ann, "feed")
    tid(ann, "post-kind").select_option("notice")
    tid(ann, "post-text-input").fill("Concert dress: black")
    tid(ann, "post-submit").click()
    notice = post_card(ann, "Concert dress: black")
    notice.get_by_test_id("mustread-btn").click()
    expect(notice.get_by_test_id("mustread-tag")).to_be_visible()
    expect(notice.get_by_test_id("ack-own")).to_have_text("You posted this")

    asked: list[str] = []

    def note(request: Request) -> None:
        if "/receipts" in request.url:
            asked.append(request.url)

    ann.on("request", note)
    notice.get_by_test_id("receipts-btn").click()
    receipts = notice.get_by_test_id("receipts")
    expect(receipts.get_by_test_id("receipts-pending")).to_have_text("Bob")
    expect(receipts.get_by_test_id("receipts-acked")).to_have_text("")
    assert len(asked) == 1, asked

    # Bob's page got the must-read live; he reads it.
    open_tab(bob, "highlights")
    card = tid(bob, "mustread-list").get_by_test_id("highlight")
    expect(card.get_by_test_id("post-text")).to_have_text("Concert dress: black")
    card.get_by_test_id("ack-btn").click()
    expect(tid(bob, "mustread-list")).to_have_count(0)  # read: no longer waiting for him
    open_tab(bob, "feed")
    expect(post_card(bob, "Concert dress: black").get_by_test_id("acked")).to_be_visible()

    expect(receipts.get_by_test_id("receipts-acked")).to_contain_text("Bob")
    expect(receipts.get_by_test_id("receipts-pending")).to_have_text("")
    expect(receipts.get_by_test_id("receipts-summary")).to_have_text("Read by 1 · waiting for 0")
    # Nothing happens next, and that is the point: longer than the 2.5 s poll that was,
    # and no request for receipts went out after the panel opened.
    ann.wait_for_timeout(timing.seconds(3) * 1000)
    assert len(asked) == 1, asked
    assert ann.errors == [] and bob.errors == []


def test_member_count_follows_joins_and_leaves_in_header_list_and_members(
    open_page: Any,
) -> None:
    ann, bob = open_page(), open_page()
    signup(ann, "ann", "Ann")
    signup(bob, "bob", "Bob")
    create_circle(ann, "Night owls")
    expect(tid(ann, "member-count")).to_have_text("1 member")
    link = invite_link(ann)
    members = tid(ann, "members-list").get_by_test_id("member")
    expect(members).to_have_count(1)
    # Ann's second device is on the home page: a circle she has not opened there.
    home = open_page()
    login(home, "ann")
    item = tid(home, "circle-item").filter(has_text="Night owls")
    expect(item.get_by_test_id("circle-members")).to_have_text("1 member")

    join_with_invite(bob, link, "Night owls")
    expect(tid(ann, "member-count")).to_have_text("2 members")
    expect(members).to_have_count(2)
    expect(members.filter(has_text="Bob").get_by_test_id("member-role")).to_have_text("Member")
    expect(item.get_by_test_id("circle-members")).to_have_text("2 members")

    open_tab(bob, "settings")
    tid(bob, "leave-circle").click()
    expect(tid(bob, "circle-list")).to_be_attached()
    expect(tid(ann, "member-count")).to_have_text("1 member")
    expect(members).to_have_count(1)
    expect(item.get_by_test_id("circle-members")).to_have_text("1 member")
    assert ann.errors == [] and bob.errors == [] and home.errors == []


def test_feed_likes_and_comments_are_live_and_comments_can_be_edited_and_deleted(
    open_page: Any,
) -> None:
    ann, bob = two_in_a_circle(open_page, "Book swap")
    open_tab(ann, "feed")
    open_tab(bob, "feed")
    tid(bob, "post-text-input").fill("Anyone read Dune?")
    tid(bob, "post-submit").click()
    on_bob, on_ann = post_card(bob, "Anyone read Dune?"), post_card(ann, "Anyone read Dune?")
    expect(on_ann).to_have_count(1)  # pushed: no reload, no tab switch

    on_ann.get_by_test_id("like-btn").click()
    expect(on_ann.get_by_test_id("like-count")).to_have_text("1")
    expect(on_ann.get_by_test_id("like-btn")).to_have_attribute("aria-pressed", "true")
    expect(on_bob.get_by_test_id("like-count")).to_have_text("1")
    expect(on_bob.get_by_test_id("like-btn")).to_have_attribute("aria-pressed", "false")

    on_ann.get_by_test_id("comments-btn").click()
    on_bob.get_by_test_id("comments-btn").click()
    on_bob.get_by_test_id("comment-input").fill("Twice!")
    on_bob.get_by_test_id("comment-input").press("Enter")
    bobs = on_ann.get_by_test_id("comment").filter(has_text="Twice")
    expect(bobs.get_by_test_id("comment-text")).to_have_text("Twice!")
    expect(on_ann.get_by_test_id("comments-btn")).to_have_text("Comments (1)")
    expect(on_bob.get_by_test_id("comment")).to_have_count(1)
    # Ann may delete it (owner) but not edit it; Bob may do both.
    expect(bobs.get_by_test_id("comment-edit")).to_have_count(0)
    expect(bobs.get_by_test_id("comment-delete")).to_be_visible()

    # A comment being typed survives the live updates around it.
    on_ann.get_by_test_id("comment-input").fill("Half a thought")
    mine = on_bob.get_by_test_id("comment")  # his only one (its text turns into a field)
    mine.get_by_test_id("comment-edit").click()
    expect(mine.get_by_test_id("comment-edit-input")).to_be_focused()
    mine.get_by_test_id("comment-edit-input").fill("Twice, actually.")
    mine.get_by_test_id("comment-edit-save").click()
    expect(bobs.get_by_test_id("comment-text")).to_have_text("Twice, actually.")
    expect(mine.get_by_test_id("comment-text")).to_have_text("Twice, actually.")
    expect(on_ann.get_by_test_id("comment-input")).to_have_value("Half a thought")

    bobs.get_by_test_id("comment-delete").click()  # the confirm is accepted
    expect(on_bob.get_by_test_id("comment")).to_have_count(0)
    expect(on_ann.get_by_test_id("comment")).to_have_count(0)
    expect(on_bob.get_by_test_id("comments-btn")).to_have_text("Comments (0)")
    assert ann.errors == [] and bob.errors == []


def test_a_new_role_and_new_settings_show_at_once(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Makers")
    circle = circle_id(ann)
    say(ann, "Laser cutter is fixed")
    on_bob = expect_once(bob, "Laser cutter is fixed")
    expect(on_bob.get_by_test_id("veto-btn")).to_have_count(0)
    open_tab(bob, "settings")
    expect(tid(bob, "settings-form")).to_have_count(0)

    bob_id = api(bob, "GET", "/me")["id"]
    api(ann, "PATCH", f"/circles/{circle}/members/{bob_id}", {"role": "admin"})
    expect(open_menu(on_bob).get_by_test_id("veto-btn")).to_be_visible()
    expect(tid(bob, "settings-form")).to_be_visible()
    member = tid(ann, "members-list").get_by_test_id("member").filter(has_text="Bob")
    expect(member.get_by_test_id("member-role")).to_have_text("Admin")

    # Settings saved by one admin show in the other's form and header.
    open_tab(ann, "settings")
    tid(ann, "settings-name").fill("Makers & menders")
    tid(ann, "settings-save").click()
    expect(tid(bob, "circle-title")).to_have_text("Makers & menders")
    expect(tid(bob, "settings-name")).to_have_value("Makers & menders")
    # …but not over what someone is typing there.
    tid(bob, "settings-description").fill("Bob is typing this")
    tid(ann, "settings-name").fill("Makers, menders & more")
    tid(ann, "settings-save").click()
    expect(tid(bob, "circle-title")).to_have_text("Makers, menders & more")
    expect(tid(bob, "settings-description")).to_have_value("Bob is typing this")
    expect(tid(bob, "settings-name")).to_have_value("Makers & menders")
    assert ann.errors == [] and bob.errors == []
