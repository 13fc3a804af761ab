"""The home page keeps what someone is typing: clicking the home link on a fresh page
('' → '#/', the same route) does not re-render it, and drafts outlive a visit to a circle."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import create_circle, go_home, open_home_panel, signup, tid


def test_home_link_keeps_the_create_form_being_typed_into(open_page: Any) -> None:
    page = open_page()
    signup(page, "hana", "Hana")
    assert "#" not in page.url
    open_home_panel(page, "create")
    name = tid(page, "create-name")
    name.fill("Half-typed")
    page.evaluate("window.__form = document.querySelector('[data-testid=create-form]')")
    tid(page, "home-link").click()
    expect(page).to_have_url(f"{page.url.split('#')[0]}#/")
    expect(name).to_have_value("Half-typed")
    assert page.evaluate("window.__form === document.querySelector('[data-testid=create-form]')"), (
        "the home view was rendered again"
    )

    # A draft outlives leaving the page; a created circle clears it.
    tid(page, "invite-input").fill("not finished")
    create_circle(page, "Potters")
    go_home(page)
    expect(tid(page, "invite-input")).to_have_value("not finished")
    expect(tid(page, "create-name")).to_have_value("")
    assert page.errors == []
