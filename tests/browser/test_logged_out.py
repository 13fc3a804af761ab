"""The logged-out page shows only what a visitor can use: no "Log out", and the name
field only when signing up (`hidden` must win over a class's `display`)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import tid


def test_logged_out_page_hides_log_out_and_the_sign_up_name(open_page: Any) -> None:
    page = open_page()
    form = tid(page, "auth-form")
    expect(form).to_have_attribute("data-mode", "login")
    expect(tid(page, "auth-handle")).to_be_visible()
    expect(tid(page, "logout")).to_be_hidden()
    expect(tid(page, "me-name")).to_be_hidden()
    expect(tid(page, "auth-name")).to_be_hidden()

    tid(page, "auth-switch").click()
    expect(form).to_have_attribute("data-mode", "signup")
    expect(tid(page, "auth-name")).to_be_visible()
    expect(tid(page, "logout")).to_be_hidden()

    tid(page, "auth-switch").click()
    expect(form).to_have_attribute("data-mode", "login")
    expect(tid(page, "auth-name")).to_be_hidden()
    assert page.errors == []
