"""Joining by approval in the page: an owner turns approval on with a question, a
user opens the request link, answers and sees that the request waits; the owner
sees a live count on the Settings tab, approves, and the user's page opens the
circle at once. Codes are listed with their uses and can be revoked."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import api, create_circle, invite_link, open_tab, signup, tid


def test_a_request_with_an_answer_is_approved_and_the_user_is_in(open_page: Any) -> None:
    ann, bob = open_page(), open_page(360)
    signup(ann, "ann", "Ann")
    signup(bob, "bob", "Bob")
    circle = create_circle(ann, "Bakers", visibility="private")
    open_tab(ann, "settings")
    tid(ann, "settings-join-approval").check()
    tid(ann, "settings-join-question").fill("Which bakery?")
    tid(ann, "settings-save").click()
    link = tid(ann, "request-link")
    expect(link).to_have_value(re.compile(rf"#/join/{circle}$"))
    expect(tid(ann, "join-requests-none")).to_be_visible()
    open_tab(ann, "chat")

    bob.goto(link.input_value())
    expect(tid(bob, "invite-title")).to_have_text("You were invited to join Bakers")
    expect(tid(bob, "join-question")).to_have_text("Which bakery?")
    expect(tid(bob, "invite-join")).to_be_hidden()
    tid(bob, "join-answer").fill("Rye & Co, since 2019")
    tid(bob, "join-ask").click()
    expect(tid(bob, "join-request-state")).to_have_text("Requested — waiting for approval")
    expect(tid(bob, "join-ask-form")).to_be_hidden()

    # Live: the owner's Settings tab counts it without a reload.
    expect(tid(ann, "tab-settings-requests")).to_have_text("1")
    open_tab(ann, "settings")
    request = tid(ann, "join-request")
    expect(request).to_have_count(1)
    expect(request.get_by_test_id("request-name")).to_have_text("Bob")
    expect(request.get_by_test_id("request-answer")).to_have_text("Rye & Co, since 2019")
    tid(ann, "join-requests-search").fill("张")
    expect(tid(ann, "join-requests-none")).to_be_visible()
    tid(ann, "join-requests-search").fill("bo")
    request = tid(ann, "join-request")
    expect(request).to_have_count(1)
    request.get_by_test_id("request-approve").click()
    expect(tid(ann, "join-request")).to_have_count(0)
    expect(tid(ann, "tab-settings-requests")).to_be_hidden()

    # Bob's open page gets the circle and opens it.
    expect(tid(bob, "circle-title")).to_have_text("Bakers")
    assert circle in [c["id"] for c in api(bob, "GET", "/me/circles")["circles"]]
    assert ann.errors == [] and bob.errors == []


def test_codes_are_listed_with_who_joined_and_revoked(open_page: Any) -> None:
    ann, bob = open_page(), open_page()
    signup(ann, "ann", "Ann")
    signup(bob, "bob", "Bob")
    circle = create_circle(ann, "Bakers", visibility="private")
    link = invite_link(ann)
    code = link.rsplit("/", 1)[1]
    api(bob, "POST", f"/circles/{circle}/join", {"code": code})
    ann.reload()
    open_tab(ann, "settings")
    item = tid(ann, "code-item")
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("code-facts")).to_have_text("unlimited uses")
    item.get_by_test_id("code-show-redemptions").click()
    expect(item.get_by_test_id("code-redemptions")).to_contain_text("Bob")
    ann.once("dialog", lambda dialog: dialog.accept())
    item.get_by_test_id("code-revoke").click()
    expect(tid(ann, "code-item")).to_have_class(re.compile("revoked"))
    expect(tid(ann, "code-facts")).to_contain_text("revoked")
    expect(tid(ann, "invite-link")).to_have_count(0)
    assert api(ann, "GET", f"/circles/{circle}/codes")["codes"][0]["revoked"]
    assert ann.errors == []
