"""What a person does in the web client, step by step, for the browser tests."""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.harness import seconds

PASSWORD = "correct horse"


def tid(page: Page | Locator, testid: str) -> Locator:
    return page.get_by_test_id(testid)


def signup(page: Page, handle: str, name: str) -> None:
    form = tid(page, "auth-form")
    expect(form).to_be_visible()
    if form.get_attribute("data-mode") != "signup":
        tid(page, "auth-switch").click()
    # By test id, so the helpers work in every language (axe checks every field's label).
    tid(page, "auth-name").fill(name)
    tid(page, "auth-handle").fill(handle)
    tid(page, "auth-password").fill(PASSWORD)
    tid(page, "auth-submit").click()
    expect(tid(page, "circle-list")).to_be_attached()
    expect(tid(page, "me-name")).to_have_text(name)
    wait_live(page)


def login(page: Page, handle: str) -> None:
    expect(tid(page, "auth-form")).to_be_visible()
    tid(page, "auth-handle").fill(handle)
    tid(page, "auth-password").fill(PASSWORD)
    tid(page, "auth-submit").click()
    wait_live(page)


def wait_live(page: Page, timeout: float = 15_000) -> None:
    expect(tid(page, "status")).to_have_attribute("data-state", "online", timeout=timeout)


HOME_URL = re.compile(r"^[^#]*(#/?)?$")


def go_home(page: Page) -> None:
    """Click the home link and wait until the home page is what is on screen: the address
    says home and no circle page is left (its settings have a "Name" field too). On a
    phone a circle's header replaces the brand: its back link goes home."""
    home = tid(page, "home-link")
    (home if home.is_visible() else tid(page, "back-link")).click()
    expect(page).to_have_url(HOME_URL)
    expect(tid(page, "circle-page")).to_have_count(0)
    expect(tid(page, "home-actions")).to_be_visible()


def open_home_panel(page: Page, panel: str) -> None:
    """Open the home page's "Create circle" or "Discover circles" panel (a button each)."""
    button = tid(page, f"home-{panel}")
    if button.get_attribute("aria-expanded") != "true":
        button.click()
    expect(tid(page, f"panel-{panel}")).to_be_visible()


def create_circle(
    page: Page, name: str, visibility: str = "private", kind: str = "community"
) -> str:
    go_home(page)
    open_home_panel(page, "create")
    form = tid(page, "create-form")
    field = form.get_by_test_id("create-name")
    field.fill(name)
    form.get_by_test_id("create-kind").select_option(kind)
    form.get_by_test_id("create-visibility").select_option(visibility)
    expect(field).to_have_value(name)
    form.get_by_test_id("create-submit").click()
    expect(tid(page, "circle-title")).to_have_text(name)
    return circle_id(page)


def circle_id(page: Page) -> str:
    expect(page).to_have_url(re.compile(r"#/c/"))
    match = re.search(r"#/c/([^/?]+)", page.url)
    assert match, page.url
    return match.group(1)


def open_tab(page: Page, tab: str) -> None:
    """Show a section's panel: its tab, or on a phone More's item for it. The tabs can
    move while the page learns the circle's sections (a teaching circle's chat leaves
    the phone's bar), so a click that finds its button gone is tried again."""
    panel = tid(page, f"panel-{tab}")
    deadline = time.monotonic() + seconds(15)
    while True:
        try:
            button = tid(page, f"tab-{tab}")
            if button.is_visible():
                button.click(timeout=2000)
            elif tab != "settings" and tid(page, "tab-settings").is_visible():
                # A phone's bar holds the circle's first sections: the others are under
                # More (which is the phone's: on a wide screen the chat is always shown).
                tid(page, "tab-settings").click(timeout=2000)
                more = tid(page, f"more-{tab}")
                if more.is_visible():
                    more.click(timeout=2000)
            expect(panel).to_be_visible(timeout=2000)
            return
        except (PlaywrightTimeoutError, AssertionError):
            if time.monotonic() > deadline:
                raise


def invite_link(page: Page) -> str:
    open_tab(page, "settings")
    tid(page, "codes-generate").click()
    link = tid(page, "invite-link").first
    expect(link).to_have_value(re.compile(r"#/join/"))
    return link.input_value()


def join_with_invite(page: Page, link: str, circle_name: str) -> None:
    go_home(page)
    box = tid(page, "invite-input")
    box.fill(link)
    expect(box).to_have_value(link)
    tid(page, "invite-submit").click()
    expect(tid(page, "circle-title")).to_have_text(circle_name)


def say(page: Page, text: str) -> None:
    box = tid(page, "chat-input")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")


def messages(page: Page, text: str | None = None) -> Locator:
    found = tid(page, "chat-log").get_by_test_id("msg")
    if text is not None:
        found = found.filter(has=page.get_by_test_id("msg-text").get_by_text(text, exact=True))
    return found


def message(page: Page, text: str) -> Locator:
    return messages(page, text)


def expect_once(page: Page, text: str, timeout: float = 15_000) -> Locator:
    """The message with this text is shown, confirmed, exactly once."""
    found = messages(page, text)
    expect(found).to_have_count(1, timeout=timeout)
    expect(found).to_have_attribute("data-state", "sent", timeout=timeout)
    return found


def open_menu(msg: Locator) -> Locator:
    """Open a chat message's menu of actions (star, reply, react, veto) the keyboard's way:
    focus the message, press Enter. Already open, it stays open. Returns the message."""
    expect(msg).to_have_count(1)
    if not msg.evaluate("node => node.classList.contains('menu-open')"):
        msg.press("Enter")
    expect(msg).to_have_class(re.compile(r"\bmenu-open\b"))
    return msg


def highlight(page: Page, text: str) -> Locator:
    return (
        tid(page, "panel-highlights")
        .get_by_test_id(re.compile(r"^highlight$"))
        .filter(has=page.get_by_test_id("post-text").get_by_text(text, exact=True))
    )


def session_token(page: Page) -> str:
    value: Any = page.evaluate("JSON.parse(localStorage.getItem('quanzi.session')).token")
    return str(value)


def two_in_a_circle(
    open_page: Any, name: str, width: int = 1280, kind: str = "community"
) -> tuple[Page, Page]:
    """Ann creates a private circle; Bob joins it with the invite link Ann generated."""
    ann, bob = open_page(width), open_page(width)
    signup(ann, "ann", "Ann")
    signup(bob, "bob", "Bob")
    create_circle(ann, name, kind=kind)
    link = invite_link(ann)
    join_with_invite(bob, link, name)
    return ann, bob


def api(page: Page, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call the HTTP API as the page's user (for what the client has no button for)."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const token = JSON.parse(localStorage.getItem('quanzi.session')).token;
            const headers = { Authorization: `Bearer ${token}` };
            if (body !== null) headers['Content-Type'] = 'application/json';
            const response = await fetch('/api/v1' + path, {
                method, headers, body: body === null ? undefined : JSON.stringify(body),
            });
            if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
            return response.status === 204 ? null : response.json();
        }""",
        [method, path, body],
    )


def post_card(page: Page, text: str) -> Locator:
    """A post of the feed, by its text."""
    return (
        tid(page, "feed-list")
        .get_by_test_id("post")
        .filter(has=page.get_by_test_id("post-text").get_by_text(text, exact=True))
    )
