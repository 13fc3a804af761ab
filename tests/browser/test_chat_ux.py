"""The chat as people read it (issue 12): compact runs per author (how many messages fit a
laptop's screen), own messages set apart, the menu of actions from the keyboard, the list as
one Tab stop with arrow keys, the skip link to the composer, safe links, emoji (the
composer's picker, emoji-only messages large), an IME's Enter never sending, jump to latest
with the count of new ones, the composer's length from the welcome; and the screenshots of
a Chinese class's chat in both languages and on a phone."""

# Chinese messages use Chinese (full-width) punctuation: that is what they are about.
# ruff: noqa: RUF001

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.pages import (
    create_circle,
    expect_once,
    invite_link,
    join_with_invite,
    login,
    messages,
    open_tab,
    say,
    signup,
    tid,
    two_in_a_circle,
)

FULLY_VISIBLE = """log => {
    const box = log.getBoundingClientRect();
    return [...log.querySelectorAll('li.msg')].filter((m) => {
        const r = m.getBoundingClientRect();
        return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
    }).length;
}"""


def serious_violations(page: Page, selector: str) -> list[str]:
    """axe-core's serious and critical findings inside `selector`."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=selector)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def visible_messages(page: Page) -> int:
    return int(tid(page, "chat-log").evaluate(FULLY_VISIBLE))


def test_a_laptop_shows_a_dozen_short_messages_of_one_author(open_page: Any) -> None:
    page = open_page(1280, 800)
    signup(page, "ann", "Ann")
    create_circle(page, "Runs")
    for i in range(1, 17):
        say(page, f"short message {i}")
    expect_once(page, "short message 16")
    log = tid(page, "chat-log")
    log.evaluate("log => { log.scrollTop = log.scrollHeight; }")
    shown = visible_messages(page)
    print(f"\nmessages fully visible at 1280x800, one author: {shown}")
    assert shown >= 12, f"only {shown} messages fit"
    # One run: the first has the name line and avatar, the others continue it; all mine.
    items = messages(page)
    expect(items.first).not_to_have_class(re.compile(r"\bcont\b"))
    expect(items.first.get_by_test_id("msg-from")).to_be_visible()
    expect(items.nth(1)).to_have_class(re.compile(r"\bcont\b"))
    expect(items.first.locator(".avatar")).to_be_visible()
    expect(items.nth(1).locator(".avatar")).to_be_hidden()
    expect(page.locator("li.msg:not(.mine)")).to_have_count(0)
    # No permanent row of buttons: the menu is hidden until asked for.
    expect(items.nth(3).get_by_test_id("star-btn")).to_be_hidden()
    # A day separator heads the day.
    expect(tid(page, "day-sep")).to_have_text(["Today"])
    assert page.errors == []


def test_another_author_breaks_the_run_and_jump_to_latest_counts_new_ones(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Jumps")
    for i in range(1, 31):
        say(ann, f"line {i}")
    on_bob = expect_once(bob, "line 30")
    expect(on_bob).not_to_have_class(re.compile(r"\bmine\b"))
    say(bob, "Bob here")
    mine = expect_once(bob, "Bob here")
    expect(mine).to_have_class(re.compile(r"\bmine\b"))
    expect(mine).not_to_have_class(re.compile(r"\bcont\b"))
    say(ann, "Ann again")
    expect(expect_once(bob, "Ann again")).not_to_have_class(re.compile(r"\bcont\b"))

    jump = tid(bob, "jump-latest")
    expect(jump).to_be_hidden()
    tid(bob, "chat-log").evaluate("log => { log.scrollTop = 0; }")
    expect(jump).to_be_visible()
    say(ann, "news 1")
    say(ann, "news 2")
    expect(jump).to_have_text("↓ 2 new")
    expect(jump).to_have_attribute("aria-label", "Jump to the latest messages (2 new)")
    jump.click()
    expect(jump).to_be_hidden()
    assert visible_messages(bob) >= 12
    assert ann.errors == [] and bob.errors == []


def test_the_list_is_one_tab_stop_with_arrow_keys_and_a_menu(open_page: Any) -> None:
    page = open_page()
    signup(page, "kim", "Kim")
    create_circle(page, "Keys")
    for text in ["first", "second", "third", "fourth"]:
        say(page, text)
    expect_once(page, "fourth")
    focused = "() => document.activeElement.closest('li.msg')?.querySelector('[data-testid=msg-text]')?.textContent ?? document.activeElement.dataset.testid"

    # The skip link comes before the list and goes to the composer.
    skip = tid(page, "skip-composer")
    skip.focus()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(tid(page, "chat-input")).to_be_focused()

    # From the skip link one Tab lands on the newest message, the next one leaves the list.
    skip.focus()
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "fourth"
    page.keyboard.press("ArrowUp")
    assert page.evaluate(focused) == "third"
    page.keyboard.press("Home")
    assert page.evaluate(focused) == "first"
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == "second"
    page.keyboard.press("End")
    assert page.evaluate(focused) == "fourth"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    left = page.evaluate("() => !document.activeElement.closest('[data-testid=chat-log]')")
    assert left, "a second Tab stop inside the list"
    # Shift+Tab comes back to the message last visited.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(focused) == "third"

    # Enter opens its menu (the star first), Escape closes it and returns to the message.
    third = expect_once(page, "third")
    page.keyboard.press("Enter")
    expect(third).to_have_class(re.compile(r"\bmenu-open\b"))
    expect(third.get_by_test_id("star-btn")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(third.get_by_test_id("reply-btn")).to_be_focused()
    page.keyboard.press("Escape")
    expect(third).not_to_have_class(re.compile(r"\bmenu-open\b"))
    expect(third).to_be_focused()
    # The star from the keyboard: Enter, Enter — counted, and the menu stays.
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(third.get_by_test_id("star-count")).to_have_text(re.compile(r"^1"))
    expect(third.get_by_test_id("star-badge")).to_be_visible()
    expect(third.get_by_test_id("star-btn")).to_be_focused()
    # Reply from the menu: the composer quotes it.
    page.keyboard.press("Escape")
    expect(third).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(tid(page, "reply-quote")).to_contain_text("third")
    expect(tid(page, "chat-input")).to_be_focused()
    assert page.errors == []


def test_links_are_safe_and_emoji_are_large_or_picked(open_page: Any) -> None:
    page = open_page()
    signup(page, "luke", "Lu")
    create_circle(page, "Links")
    text = "看这个https://example.com/a?b=1谢谢 javascript:alert(1) (see http://example.org/x)."
    say(page, text)
    item = expect_once(page, text)
    links = item.get_by_test_id("msg-text").locator("a")
    expect(links).to_have_count(2)
    expect(links.first).to_have_attribute("href", "https://example.com/a?b=1")
    expect(links.nth(1)).to_have_attribute("href", "http://example.org/x")
    for i in range(2):
        expect(links.nth(i)).to_have_attribute("rel", "noopener noreferrer")
        expect(links.nth(i)).to_have_attribute("target", "_blank")

    say(page, "👍🎉")
    expect(expect_once(page, "👍🎉").get_by_test_id("msg-text")).to_have_class(
        re.compile(r"\bjumbo\b")
    )
    say(page, "ok 👍")
    expect(expect_once(page, "ok 👍").get_by_test_id("msg-text")).not_to_have_class(
        re.compile(r"\bjumbo\b")
    )

    # The picker from the keyboard: open, arrow right, Enter puts 😂 at the caret.
    box = tid(page, "chat-input")
    box.fill("哈")
    tid(page, "emoji-open").focus()
    page.keyboard.press("Enter")
    panel = tid(page, "emoji-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("emoji-cell").first).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(panel).to_be_hidden()
    expect(box).to_have_value("哈😂")
    expect(box).to_be_focused()
    tid(page, "emoji-open").click()
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(tid(page, "emoji-open")).to_be_focused()
    assert page.errors == []


COMPOSE = """async () => {
    const input = document.querySelector('[data-testid=chat-input]');
    input.focus();
    const key = (init) => {
        const e = new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true, ...init });
        input.dispatchEvent(e);
        return e.keyCode;
    };
    const codes = [];
    input.dispatchEvent(new CompositionEvent('compositionstart', { data: '' }));
    input.value = 'ni';
    input.dispatchEvent(new InputEvent('input', { data: 'ni', inputType: 'insertCompositionText', isComposing: true }));
    codes.push(key({ isComposing: true, keyCode: 229 }));  // Chrome, Firefox: still composing
    codes.push(key({ keyCode: 229 }));  // Safari: the candidate's Enter is keyCode 229
    input.value = '你';
    input.dispatchEvent(new CompositionEvent('compositionend', { data: '你' }));
    codes.push(key({ keyCode: 13 }));  // the Enter right after compositionend, same tick
    await new Promise((r) => setTimeout(r, 50));
    return codes;
}"""


def test_an_ime_enter_never_sends(open_page: Any) -> None:
    page = open_page(locale="zh-CN")
    signup(page, "zhang", "张云妮")
    create_circle(page, "输入法")
    codes = page.evaluate(COMPOSE)
    assert codes == [229, 229, 13]
    box = tid(page, "chat-input")
    expect(box).to_have_value("你")
    expect(messages(page)).to_have_count(0)
    # A real Enter, later, sends.
    box.press("Enter")
    expect(box).to_have_value("")
    expect_once(page, "你")
    assert page.errors == []


def test_the_composer_takes_its_length_from_the_welcome(open_page: Any) -> None:
    page = open_page()

    def handler(ws: Any) -> None:
        server = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if isinstance(message, str):
                frame = json.loads(message)
                if isinstance(frame.get("limits"), dict):
                    frame["limits"]["text_chars"] = 1234
                    message = json.dumps(frame)
            ws.send(message)

        server.on_message(from_server)

    page.route_web_socket(re.compile(r"/ws"), handler)
    page.reload()
    signup(page, "max", "Max")
    create_circle(page, "Limits")
    expect(tid(page, "chat-input")).to_have_attribute("maxlength", "1234")
    assert page.errors == []


# -- screenshots --------------------------------------------------------------------

YESTERDAY = {"明天上午九点开家长会，请大家准时参加。", "收到，谢谢王老师！", "好的👍"}
DAY_MS = 24 * 60 * 60 * 1000


def _shift(frame: Any) -> None:
    """Messages of YESTERDAY a day older, wherever a frame carries them."""
    items = frame.get("messages") if isinstance(frame.get("messages"), list) else [frame]
    for item in items:
        if (
            isinstance(item, dict)
            and item.get("text") in YESTERDAY
            and isinstance(item.get("ts"), int)
        ):
            item["ts"] -= DAY_MS


def yesterday_and_unread(page: Page) -> None:
    """The page's socket sees YESTERDAY's messages a day older, and sends no read marker:
    the new-messages line stays where it was for every page of this test."""

    def handler(ws: Any) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            if isinstance(message, str) and json.loads(message).get("t") == "read":
                return
            server.send(message)

        def from_server(message: str | bytes) -> None:
            if isinstance(message, str):
                frame = json.loads(message)
                _shift(frame)
                message = json.dumps(frame, ensure_ascii=False)
            ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)

    page.route_web_socket(re.compile(r"/ws"), handler)


def test_screenshots_of_a_class_chat_in_both_languages_and_on_a_phone(
    open_page: Any, screenshots: Path
) -> None:
    wang = open_page(locale="zh-CN")
    signup(wang, "wang", "王老师")
    create_circle(wang, "三年二班家长群")
    link = invite_link(wang)
    zhang, li = open_page(locale="zh-CN"), open_page(locale="zh-CN")
    signup(zhang, "zhang", "张云妮")
    join_with_invite(zhang, link, "三年二班家长群")
    signup(li, "liming", "李明")
    join_with_invite(li, link, "三年二班家长群")
    open_tab(wang, "chat")

    say(wang, "明天上午九点开家长会，请大家准时参加。")
    expect_once(zhang, "明天上午九点开家长会，请大家准时参加。")
    say(zhang, "收到，谢谢王老师！")
    expect_once(li, "收到，谢谢王老师！")
    say(li, "好的👍")
    say(zhang, "老师，孩子的作业本落在教室了，明天能带回来吗？")
    expect_once(wang, "老师，孩子的作业本落在教室了，明天能带回来吗？")
    say(wang, "可以的，我放在讲台上。")
    say(wang, "运动会的报名表在这里：https://example.com/sports-day 周五前交。")
    expect_once(zhang, "运动会的报名表在这里：https://example.com/sports-day 周五前交。")
    # Wang has read all that (Zhang sees it), then leaves the chat.
    expect(
        expect_once(zhang, "老师，孩子的作业本落在教室了，明天能带回来吗？").get_by_test_id(
            "read-by"
        )
    ).to_have_text("2 人已读")
    tid(wang, "home-link").click()
    expect(tid(wang, "circle-page")).to_have_count(0)

    say(zhang, "🎉🎉")
    say(li, "运动会我报名接力跑！")
    say(zhang, "我家孩子也想参加，还有名额吗？")
    say(li, "加油！")
    expect_once(zhang, "加油！")

    shots = [
        ("en-US", 1280, 800, "chat-en.png"),
        ("zh-CN", 1280, 800, "chat-zh.png"),
        ("zh-CN", 390, 844, "chat-zh-phone.png"),
    ]
    for locale, width, height, name in shots:
        page = open_page(width, height, locale=locale)
        yesterday_and_unread(page)
        page.reload()
        login(page, "wang")
        tid(page, "circle-list").get_by_text("三年二班家长群").click()
        open_tab(page, "chat")
        expect_once(page, "加油！")
        expect(tid(page, "day-sep")).to_have_text(
            ["Yesterday", "Today"] if locale == "en-US" else ["昨天", "今天"]
        )
        line = tid(page, "new-line")
        expect(line).to_have_text("New messages" if locale == "en-US" else "以下是新消息")
        # The line stands above the first message Wang has not read.
        first_new = line.evaluate(
            "l => l.nextElementSibling.querySelector('[data-testid=msg-text]').textContent"
        )
        assert first_new == "🎉🎉"
        expect(expect_once(page, "🎉🎉").get_by_test_id("msg-text")).to_have_class(
            re.compile(r"\bjumbo\b")
        )
        expect(expect_once(page, "可以的，我放在讲台上。")).to_have_class(re.compile(r"\bmine\b"))
        expect(page.locator("a.msg-link")).to_have_attribute(
            "href", "https://example.com/sports-day"
        )
        tid(page, "chat-log").evaluate("log => { log.scrollTop = log.scrollHeight; }")
        page.mouse.move(0, 0)
        page.screenshot(path=str(screenshots / name))
        # No serious accessibility finding in the chat, with a message's menu and the emoji open.
        assert serious_violations(page, "[data-testid=panel-chat]") == []
        expect_once(page, "加油！").press("Enter")
        tid(page, "emoji-open").click()
        assert serious_violations(page, "[data-testid=panel-chat]") == []
        assert page.errors == []
    assert wang.errors == [] and zhang.errors == [] and li.errors == []
