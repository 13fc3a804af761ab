"""An invite link asks before it joins: it shows what it invites to (the name
when the circle is public, the code when it is private), and nothing is joined
until the person clicks Join."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import api, create_circle, invite_link, signup, tid


def _my_circle_ids(page: Any) -> list[str]:
    return [c["id"] for c in api(page, "GET", "/me/circles")["circles"]]


def test_an_invite_to_a_private_circle_asks_and_joins_on_the_click(open_page: Any) -> None:
    ann, bob = open_page(), open_page()
    signup(ann, "ann", "Ann")
    signup(bob, "bob", "Bob")
    circle = create_circle(ann, "Bakers", visibility="private")
    link = invite_link(ann)
    code = link.rsplit("/", 1)[1]

    bob.goto(link)
    page = tid(bob, "invite-page")
    expect(page).to_be_visible()
    expect(tid(bob, "invite-title")).to_have_text("You were invited to a circle")
    expect(tid(bob, "invite-code")).to_have_text(code)
    expect(tid(bob, "circle-page")).to_have_count(0)
    assert circle not in _my_circle_ids(bob)
    assert api(ann, "GET", f"/circles/{circle}")["members"] == 1

    tid(bob, "invite-join").click()
    expect(tid(bob, "circle-title")).to_have_text("Bakers")
    assert circle in _my_circle_ids(bob)
    assert bob.errors == []


def test_an_invite_to_a_public_circle_names_it_and_can_be_declined(open_page: Any) -> None:
    ann, bob = open_page(), open_page()
    signup(ann, "ann", "Ann")
    signup(bob, "bob", "Bob")
    circle = create_circle(ann, "Open Garden", visibility="public")
    link = invite_link(ann)

    bob.goto(link)
    expect(tid(bob, "invite-title")).to_have_text("You were invited to join Open Garden")
    expect(tid(bob, "invite-join")).to_have_text("Join Open Garden")
    tid(bob, "invite-cancel").click()
    expect(bob).to_have_url(re.compile(r"#/$"))
    expect(tid(bob, "create-form")).to_be_visible()
    assert circle not in _my_circle_ids(bob)
    assert api(ann, "GET", f"/circles/{circle}")["members"] == 1
