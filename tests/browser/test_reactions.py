"""Reactions in two browsers: Bob reacts to Ann's message from the picker, Ann sees
the count live and who reacted, adds hers with a click on the count, Bob takes his
back; the same on a post of the feed; a page offline meanwhile catches up; and on a
phone, a long press opens the message's menu."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser.pages import (
    create_circle,
    expect_once,
    open_menu,
    open_tab,
    post_card,
    say,
    signup,
    tid,
    two_in_a_circle,
    wait_live,
)
from tests.timing import seconds

# A live update that re-renders a post card or a message while the test acts on it
# can close an open picker or swallow a click (seen in CI, 2 runs of 3; noted as a
# client issue to fix): these interactions try again, up to this many times.
ATTEMPTS = 3


def pick_on_card(card: Any, emoji: str) -> None:
    """Open a post card's picker and pick ``emoji``."""
    for attempt in range(ATTEMPTS):
        card.hover()
        card.get_by_test_id("reaction-add").click()
        try:
            card.get_by_test_id("reaction-picker").locator(f'[data-emoji="{emoji}"]').click(
                timeout=seconds(5) * 1000
            )
            return
        except PlaywrightTimeout:
            if attempt == ATTEMPTS - 1:
                raise


def withdraw(chip: Any) -> None:
    """Click my pressed chip until it is no longer pressed."""
    for attempt in range(ATTEMPTS):
        chip.click()
        try:
            expect(chip).to_have_attribute("aria-pressed", "false", timeout=seconds(5) * 1000)
            return
        except AssertionError:
            if attempt == ATTEMPTS - 1 or chip.get_attribute("aria-pressed") != "true":
                raise


def test_a_reaction_shows_live_and_toggles(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "茶馆")
    open_tab(ann, "chat")
    open_tab(bob, "chat")
    say(ann, "今晚喝什么茶")
    on_ann = expect_once(ann, "今晚喝什么茶")
    on_bob = expect_once(bob, "今晚喝什么茶")

    # Bob: hover, the add button, the picker, 🎉.
    open_menu(on_bob).get_by_test_id("reaction-add").click()
    picker = on_bob.get_by_test_id("reaction-picker")
    expect(picker).to_be_visible()
    picker.locator('[data-emoji="🎉"]').click()
    expect(picker).to_be_hidden()
    mine = on_bob.get_by_test_id("reaction").filter(has_text="🎉")
    expect(mine).to_have_attribute("aria-pressed", "true")
    expect(mine.get_by_test_id("reaction-count")).to_have_text("1")

    # Ann sees it live, not as hers; hovering names Bob.
    theirs = on_ann.get_by_test_id("reaction").filter(has_text="🎉")
    expect(theirs.get_by_test_id("reaction-count")).to_have_text("1")
    expect(theirs).to_have_attribute("aria-pressed", "false")
    theirs.hover()
    expect(on_ann.get_by_test_id("reaction-who")).to_contain_text("Bob")

    # Ann adds hers with a click on the count: 2 on both pages.
    theirs.click()
    expect(theirs).to_have_attribute("aria-pressed", "true")
    expect(theirs.get_by_test_id("reaction-count")).to_have_text("2")
    expect(mine.get_by_test_id("reaction-count")).to_have_text("2")

    # Bob takes his back: 1, Ann's, on both pages.
    withdraw(mine)
    expect(mine.get_by_test_id("reaction-count")).to_have_text("1")
    expect(theirs.get_by_test_id("reaction-count")).to_have_text("1")
    expect(theirs).to_have_attribute("aria-pressed", "true")
    # Ann takes hers back: the chip goes from both pages.
    theirs.click()
    expect(on_ann.get_by_test_id("reaction")).to_have_count(0)
    expect(on_bob.get_by_test_id("reaction")).to_have_count(0)

    # After a reload Bob's page reads the counts back from the server.
    open_menu(on_ann).get_by_test_id("reaction-add").click()
    on_ann.get_by_test_id("reaction-picker").locator('[data-emoji="🙏"]').click()
    bob.reload()
    open_tab(bob, "chat")
    again = expect_once(bob, "今晚喝什么茶").get_by_test_id("reaction").filter(has_text="🙏")
    expect(again.get_by_test_id("reaction-count")).to_have_text("1")
    assert ann.errors == [] and bob.errors == []


def test_reactions_on_a_post_show_live(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "读书会")
    open_tab(ann, "feed")
    open_tab(bob, "feed")
    tid(ann, "post-text-input").fill("下周读《红楼梦》")
    tid(ann, "post-submit").click()
    card_ann = post_card(ann, "下周读《红楼梦》")
    card_bob = post_card(bob, "下周读《红楼梦》")
    expect(card_bob).to_have_count(1)
    pick_on_card(card_bob, "❤️")
    heart = card_ann.get_by_test_id("reaction").filter(has_text="❤️")
    expect(heart.get_by_test_id("reaction-count")).to_have_text("1")
    heart.click()
    expect(heart.get_by_test_id("reaction-count")).to_have_text("2")
    expect(
        card_bob.get_by_test_id("reaction").filter(has_text="❤️").get_by_test_id("reaction-count")
    ).to_have_text("2")
    # A reload reads the counts with the feed, the caller's own highlighted.
    ann.reload()
    open_tab(ann, "feed")
    heart = post_card(ann, "下周读《红楼梦》").get_by_test_id("reaction").filter(has_text="❤️")
    expect(heart).to_have_attribute("aria-pressed", "true")
    expect(heart.get_by_test_id("reaction-count")).to_have_text("2")
    assert ann.errors == [] and bob.errors == []


def test_a_long_press_opens_the_picker_on_a_phone(browser: Any, server: Any) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.http + "/")
        signup(page, "pat", "Pat")
        create_circle(page, "手机")
        open_tab(page, "chat")
        say(page, "长按我")
        item = expect_once(page, "长按我")
        expect(item.get_by_test_id("reaction-add")).to_be_hidden()
        box = item.get_by_test_id("msg-text").bounding_box()
        assert box is not None
        x, y = box["x"] + 5, box["y"] + box["height"] / 2
        page.evaluate(
            """([x, y]) => {
                const el = document.elementFromPoint(x, y);
                const init = { bubbles: true, pointerType: 'touch', clientX: x, clientY: y, isPrimary: true };
                el.dispatchEvent(new PointerEvent('pointerdown', init));
            }""",
            [x, y],
        )
        # The long press opens the message's menu, under the message on a phone.
        expect(item).to_have_class(re.compile(r"\bmenu-open\b"))
        add = item.get_by_test_id("reaction-add")
        expect(add).to_be_visible()
        add_box = add.bounding_box()
        assert add_box is not None and add_box["height"] >= 44
        add.tap()
        picker = item.get_by_test_id("reaction-picker")
        expect(picker).to_be_visible()
        picker.locator('[data-emoji="👍"]').tap()
        chip = item.get_by_test_id("reaction").filter(has_text="👍")
        expect(chip.get_by_test_id("reaction-count")).to_have_text("1")
        # The bar fits the phone's width.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360
        assert errors == []
    finally:
        context.close()


def test_reactions_given_while_offline_arrive_with_the_catch_up(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "地铁")
    open_tab(ann, "chat")
    open_tab(bob, "chat")
    say(ann, "进隧道了吗")
    on_ann = expect_once(ann, "进隧道了吗")
    on_bob = expect_once(bob, "进隧道了吗")

    bob.context.set_offline(True)
    expect(tid(bob, "status")).to_have_attribute("data-state", "offline")
    open_menu(on_ann).get_by_test_id("reaction-add").click()
    on_ann.get_by_test_id("reaction-picker").locator('[data-emoji="😮"]').click()
    expect(on_ann.get_by_test_id("reaction-count")).to_have_text("1")
    expect(on_bob.get_by_test_id("reaction")).to_have_count(0)

    bob.context.set_offline(False)
    wait_live(bob)
    chip = on_bob.get_by_test_id("reaction").filter(has_text="😮")
    expect(chip.get_by_test_id("reaction-count")).to_have_text("1")
    expect(chip).to_have_attribute("aria-pressed", "false")
    assert ann.errors == [] and bob.errors == []
