"""The home page's sessions: another browser's session is listed and ended by a
password change (that browser is sent to the login page); "Log out everywhere"
ends this one too."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import login, signup, tid


def test_a_password_change_logs_the_other_browser_out(open_page: Any) -> None:
    mine, theirs = open_page(), open_page()
    signup(mine, "ann", "Ann")
    login(theirs, "ann")
    mine.reload()
    expect(tid(mine, "session-current")).to_have_count(1)
    expect(tid(mine, "session")).to_have_count(1)

    tid(mine, "old-password").fill("correct horse")
    tid(mine, "new-password").fill("battery staple")
    tid(mine, "change-password").click()
    expect(tid(theirs, "auth-form")).to_be_visible()
    expect(tid(mine, "session")).to_have_count(0)
    expect(tid(mine, "session-current")).to_have_count(1)
    expect(tid(mine, "status")).to_have_attribute("data-state", "online")

    tid(mine, "logout-everywhere").click()
    expect(tid(mine, "auth-form")).to_be_visible()
    assert mine.errors == [] and theirs.errors == []
