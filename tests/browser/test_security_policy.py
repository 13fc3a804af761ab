"""The page under its Content-Security-Policy: the app still works — sign up,
create a circle, chat live over the socket, star, settings — and the browser
reports no violation of the policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import (
    create_circle,
    expect_once,
    highlight,
    invite_link,
    open_menu,
    open_tab,
    say,
    signup,
    tid,
)
from tests.e2e.harness import ServerProcess, seconds

# Installed before any script of the page runs: every violation the page's
# document reports, whatever blocked what.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
});
"""


@pytest.fixture
def page(browser: Any, server: ServerProcess) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(seconds(15) * 1000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda m: m.type == "error" and page.console_errors.append(m.text),  # type: ignore[attr-defined]
    )
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
    yield page
    context.close()


def test_the_app_works_under_its_policy_and_violates_none(
    page: Page, server: ServerProcess
) -> None:
    response = page.goto(server.http + "/")
    assert response is not None
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, policy
    assert "frame-ancestors 'none'" in policy, policy

    signup(page, "ann", "Ann")  # the socket is live: connect-src 'self' lets ws: through
    create_circle(page, "Bakers")
    open_tab(page, "chat")
    say(page, "Fresh bread at 8?")
    msg = expect_once(page, "Fresh bread at 8?")
    open_menu(msg).get_by_test_id("star-btn").click()  # the owner's star promotes
    open_tab(page, "highlights")
    expect(highlight(page, "Fresh bread at 8?")).to_have_count(1)
    invite_link(page)  # the settings tab and its access codes
    expect(tid(page, "code")).to_have_count(1)

    assert page.evaluate("window.__violations") == []
    csp_errors = [m for m in page.console_errors if "Content Security Policy" in m]  # type: ignore[attr-defined]
    assert csp_errors == []
    assert page.errors == []  # type: ignore[attr-defined]
