"""At 360 px wide the tabs switch between the chat and the highlights; nothing overflows
sideways; the tabs work from the keyboard. The phone layout gives the conversation the
screen: one header row, a tab bar at the bottom, the composer in sight with the on-screen
keyboard up; in English and Chinese."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.pages import (
    create_circle,
    expect_once,
    go_home,
    highlight,
    message,
    open_menu,
    open_tab,
    say,
    signup,
    tid,
    wait_live,
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


# -- the phone layout: the conversation gets the screen ------------------------------------

PHONE = {"width": 360, "height": 740}
KEYBOARD = {"width": 360, "height": 420}  # 740 less an on-screen keyboard of 320 px
TABS = ["chat", "highlights", "feed", "settings"]
# Chinese punctuation is full-width, as it should be.
CHAT_ZH = ["明天春游，8点在校门口集合", "记得带水和帽子", "下雨的话改到周五", "收到，谢谢老师！"]  # noqa: RUF001
OFFLINE_ZH = re.compile(r"网络已断开，\d+ 秒后重新连接|正在重新连接")  # noqa: RUF001


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not laid out"
    return found


def inside_viewport(page: Page, locator: Locator) -> None:
    size = page.viewport_size
    assert size is not None
    b = box(locator)
    assert b["x"] >= 0 and b["y"] >= 0, b
    assert b["x"] + b["width"] <= size["width"] + 0.5, (b, size)
    assert b["y"] + b["height"] <= size["height"] + 0.5, (b, size)


LAST_ABOVE_COMPOSER = """() => {
  const log = document.querySelector('[data-testid="chat-log"]');
  const all = log.querySelectorAll('[data-testid="msg"]');
  const last = all[all.length - 1];
  const form = document.querySelector('[data-testid="chat-form"]').getBoundingClientRect();
  const m = last.getBoundingClientRect(), l = log.getBoundingClientRect();
  return m.bottom <= form.top + 0.5 && m.bottom <= l.bottom + 0.5 && m.top >= l.top - 0.5;
}"""


def check_phone_chat(page: Page, last: str) -> None:
    """The composer is on screen, the newest message just above it, the headers take at
    most 64 px, and the tab bar sits at the bottom with targets of 44 px and more."""
    size = page.viewport_size
    assert size is not None
    form = tid(page, "chat-form")
    expect(form).to_be_visible()
    inside_viewport(page, form)
    page.wait_for_function(LAST_ABOVE_COMPOSER)
    expect(message(page, last)).to_be_in_viewport()
    # Headers: the top bar holds the circle's header; the general chat has no group bar.
    topbar, head = box(tid(page, "topbar")), box(tid(page, "circle-head"))
    assert (
        head["y"] >= topbar["y"]
        and head["y"] + head["height"] <= topbar["y"] + topbar["height"] + 0.5
    )
    assert topbar["y"] + topbar["height"] <= 56.5, topbar
    expect(tid(page, "group-bar")).to_be_hidden()
    assert box(tid(page, "chat-log"))["y"] <= 64, "the conversation starts below 64 px"
    no_sideways_scroll(page)

    bar = tid(page, "tabs")
    expect(bar).to_have_attribute("role", "tablist")
    b = box(bar)
    assert abs(b["y"] + b["height"] - size["height"]) <= 0.5, (b, size)
    assert box(form)["y"] + box(form)["height"] <= b["y"] + 0.5, "the composer is under the tab bar"
    for key in TABS:
        tab = tid(page, f"tab-{key}")
        expect(tab).to_be_visible()
        t = box(tab)
        assert t["height"] >= 44 and t["width"] >= 44, (key, t)
        assert t["y"] >= b["y"] - 0.5


def keyboard_up(page: Page, last: str) -> None:
    """The on-screen keyboard takes the bottom of the screen (what a phone with
    interactive-widget=resizes-content does: the page gets shorter)."""
    tid(page, "chat-input").focus()
    page.set_viewport_size(KEYBOARD)
    form = tid(page, "chat-form")
    page.wait_for_function(LAST_ABOVE_COMPOSER)
    inside_viewport(page, form)
    inside_viewport(page, message(page, last))
    expect(tid(page, "chat-input")).to_be_focused()
    assert box(tid(page, "chat-log"))["y"] <= 64
    # The tab bar gives its room to the conversation while the keyboard is up.
    expect(tid(page, "tabs")).to_be_hidden()
    b = box(form)
    assert b["y"] + b["height"] >= KEYBOARD["height"] - 8, "the composer sits on the keyboard"


def test_phone_layout_gives_the_conversation_the_screen(open_page: Any, screenshots: Path) -> None:
    page = open_page(**PHONE)
    signup(page, "quinn", "Quinn")
    create_circle(page, "Parents of class 3")
    for n in range(1, 13):
        say(page, f"Message number {n} about the school trip")
    last = "Message number 12 about the school trip"
    expect_once(page, last)
    check_phone_chat(page, last)
    expect(tid(page, "tab-chat")).to_have_attribute("aria-selected", "true")
    expect(tid(page, "tab-settings")).to_have_accessible_name("More")
    page.screenshot(path=str(screenshots / "phone-chat-en.png"))

    # The bar switches the panels.
    chat = tid(page, "panel-chat")
    for key in ["highlights", "feed", "settings"]:
        tid(page, f"tab-{key}").click()
        expect(tid(page, f"tab-{key}")).to_have_attribute("aria-selected", "true")
        expect(tid(page, f"tab-{key}")).to_have_attribute("aria-controls", f"panel-{key}")
        expect(page.locator(f"#panel-{key}")).to_be_visible()
        expect(chat).to_be_hidden()
        box_ = box(tid(page, "tabs"))
        assert abs(box_["y"] + box_["height"] - PHONE["height"]) <= 0.5
    # More: the groups, the members, the settings.
    expect(tid(page, "more-menu")).to_be_visible()
    expect(tid(page, "settings-form")).to_be_visible()
    tid(page, "more-members").click()
    expect(tid(page, "members-section")).to_be_in_viewport()
    tid(page, "more-groups").click()
    expect(chat).to_be_visible()
    expect(tid(page, "groups-aside")).to_be_visible()
    tid(page, "groups-close").click()
    expect(tid(page, "groups-aside")).to_be_hidden()
    expect(tid(page, "tab-chat")).to_have_attribute("aria-selected", "true")
    # The header's groups button, from another tab, opens the drawer over the chat; Escape
    # closes it and gives the focus back to the button.
    tid(page, "tab-feed").click()
    tid(page, "groups-open").click()
    expect(tid(page, "groups-aside")).to_be_visible()
    expect(tid(page, "groups-open")).to_have_attribute("aria-expanded", "true")
    expect(tid(page, "tab-chat")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Escape")
    expect(tid(page, "groups-aside")).to_be_hidden()
    expect(tid(page, "groups-open")).to_be_focused()

    keyboard_up(page, last)
    page.keyboard.type("Typed with the keyboard up")
    page.keyboard.press("Enter")
    expect_once(page, "Typed with the keyboard up")
    page.wait_for_function(LAST_ABOVE_COMPOSER)
    inside_viewport(page, message(page, "Typed with the keyboard up"))
    page.set_viewport_size(PHONE)
    check_phone_chat(page, "Typed with the keyboard up")
    # On a wide screen, the same page keeps the chat beside the side panel.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(tid(page, "tab-chat")).to_be_hidden()
    expect(tid(page, "back-link")).to_be_visible()
    expect(tid(page, "panel-highlights")).to_be_visible()  # shown beside the chat
    assert box(chat)["width"] > box(tid(page, "panel-highlights"))["width"]
    inside_viewport(page, tid(page, "chat-form"))
    assert page.errors == []


def test_phone_layout_in_chinese(open_page: Any, screenshots: Path) -> None:
    page = open_page(**PHONE)
    signup(page, "lan", "兰老师")
    create_circle(page, "三年级二班家长群")
    # The language, from the phone's More menu; the page comes back on More.
    open_tab(page, "settings")
    tid(page, "more-language").select_option("zh-CN")
    expect(tid(page, "tab-settings")).to_have_attribute("aria-selected", "true")
    expect(tid(page, "tab-settings")).to_have_accessible_name("更多")
    expect(tid(page, "more-members")).to_have_text("成员")
    expect(tid(page, "more-groups")).to_have_text("群组")
    tid(page, "tab-chat").click()
    for key, label in zip(TABS, ["聊天", "精华", "动态", "更多"], strict=True):
        expect(tid(page, f"tab-{key}")).to_have_accessible_name(label)
    expect(tid(page, "tabs")).to_have_attribute("aria-label", "圈子里的栏目")
    expect(tid(page, "back-link")).to_have_attribute("aria-label", "返回我的圈子")
    expect(tid(page, "groups-open")).to_have_attribute("title", "群组")
    expect(tid(page, "online-count")).to_have_text("1 人在线")
    expect(tid(page, "member-count")).to_have_text("1 位成员")
    expect(tid(page, "status")).to_have_text("已连接")
    for text in CHAT_ZH:
        say(page, text)
    last = CHAT_ZH[-1]
    expect_once(page, last)
    check_phone_chat(page, last)
    page.screenshot(path=str(screenshots / "phone-chat-zh.png"))
    keyboard_up(page, last)
    page.keyboard.type("好的")
    page.screenshot(path=str(screenshots / "phone-keyboard-zh.png"))
    assert page.errors == []


def test_status_line_in_both_languages(open_page: Any) -> None:
    page = open_page(**PHONE)
    signup(page, "ola", "Ola")
    create_circle(page, "Offline club")
    page.context.set_offline(True)
    status = tid(page, "status")
    expect(status).to_have_attribute("data-state", "offline")
    expect(status).to_contain_text(
        re.compile(r"Offline — reconnecting in \d+ seconds?|Reconnecting")
    )
    open_tab(page, "settings")
    tid(page, "more-language").select_option("zh-CN")
    expect(status).to_contain_text(OFFLINE_ZH)
    page.context.set_offline(False)
    wait_live(page)
    expect(status).to_have_text("已连接")
    assert page.errors == []
