"""A highlight its author rewrites after it was promoted (and made a must-read)
shows as edited to every member, live."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import (
    api,
    circle_id,
    expect_once,
    highlight,
    open_menu,
    open_tab,
    say,
    two_in_a_circle,
)


def test_an_edited_highlight_shows_as_edited(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Garden")
    circle = circle_id(ann)
    open_tab(ann, "chat")
    open_tab(bob, "chat")
    say(bob, "Seeds arrive Friday")
    open_menu(expect_once(ann, "Seeds arrive Friday")).get_by_test_id(
        "star-btn"
    ).click()  # the owner's star
    open_tab(ann, "highlights")
    open_tab(bob, "highlights")
    card = highlight(ann, "Seeds arrive Friday")
    expect(card).to_have_count(1)
    card.get_by_test_id("mustread-btn").click()
    expect(card.get_by_test_id("mustread-tag")).to_be_visible()
    expect(card.get_by_test_id("edited-tag")).to_have_count(0)

    posts = api(ann, "GET", f"/circles/{circle}/posts")["posts"]
    post = next(p for p in posts if p["text"] == "Seeds arrive Friday")
    api(bob, "PATCH", f"/posts/{post['id']}", {"text": "Seeds arrive Monday"})

    for page in (ann, bob):
        edited = highlight(page, "Seeds arrive Monday")
        expect(edited).to_have_count(1)
        expect(edited.get_by_test_id("edited-tag")).to_have_text("edited")
    assert ann.errors == [] and bob.errors == []
