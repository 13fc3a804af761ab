"""At 360 px wide the tabs switch between the chat and the highlights; nothing overflows
sideways; the tabs work from the keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.pages import (
    create_circle,
    expect_once,
    go_home,
    highlight,
    open_menu,
    open_tab,
    say,
    signup,
    tid,
)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide"


def test_chat_and_highlights_are_both_reachable_at_360px(open_page: Any, screenshots: Path) -> None:
    page = open_page(360, 740)
    signup(page, "pia", "Pia")
    no_sideways_scroll(page)
    create_circle(page, "Choir")

    chat, highlights = tid(page, "panel-chat"), tid(page, "panel-highlights")
    expect(tid(page, "tab-chat")).to_be_visible()
    expect(chat).to_be_visible()
    expect(highlights).to_be_hidden()
    say(page, "Practice moves to 7 pm")
    open_menu(expect_once(page, "Practice moves to 7 pm")).get_by_test_id("star-btn").click()
    say(page, "Bring the new scores")
    expect_once(page, "Bring the new scores")
    no_sideways_scroll(page)

    open_tab(page, "highlights")
    expect(chat).to_be_hidden()
    expect(highlight(page, "Practice moves to 7 pm")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshots / "phone-highlights.png"))

    # Keyboard: arrow keys move along the tabs; Enter sends from the message box.
    tid(page, "tab-highlights").focus()
    page.keyboard.press("ArrowLeft")
    expect(chat).to_be_visible()
    expect(tid(page, "tab-chat")).to_be_focused()
    page.keyboard.press("Tab")
    tid(page, "chat-input").focus()
    page.keyboard.type("Sent from the keyboard")
    page.keyboard.press("Enter")
    expect_once(page, "Sent from the keyboard")

    open_tab(page, "settings")
    expect(tid(page, "settings-form")).to_be_visible()
    no_sideways_scroll(page)
    go_home(page)
    expect(tid(page, "circle-item")).to_have_count(1)
    no_sideways_scroll(page)
