"""Mentions and the notification inbox in the browser: Ann @-mentions Bob by completing
his name in the chat composer; Bob, on another page, sees the bell's count (and the tab's
title) rise live, opens the inbox and lands on the message in its chat, which reads
it; the mention is highlighted. On a 360 px phone, the inbox and the circle's
notification level fit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import (
    expect_once,
    go_home,
    open_tab,
    post_card,
    say,
    tid,
    two_in_a_circle,
)
from tests.timing import sleep_blocking

MENTION = "@Bob 看一下作业"


def test_a_mention_rings_the_bell_and_opens_the_message(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "舞蹈班")
    go_home(bob)  # away from the circle's page: only the bell can tell him
    expect(tid(bob, "bell")).to_be_visible()
    expect(tid(bob, "bell-count")).to_be_hidden()

    open_tab(ann, "chat")
    box = tid(ann, "chat-input")
    box.press_sequentially("@Bo")
    option = tid(ann, "mention-option")
    expect(option).to_have_text(["@Bob"])
    box.press("Enter")  # picks the name, does not send
    expect(box).to_have_value("@Bob ")
    box.press_sequentially("看一下作业")
    box.press("Enter")
    expect(box).to_have_value("")
    sent = expect_once(ann, MENTION)
    expect(sent.get_by_test_id("mention")).to_have_text("@Bob")
    for i in range(12):  # the chat goes on: the message is history by the time Bob looks
        say(ann, f"later {i}")
    expect_once(ann, "later 11")

    expect(tid(bob, "bell-count")).to_have_text("1")
    expect(bob).to_have_title("(1) Quanzi")
    tid(bob, "bell").click()
    item = tid(bob, "inbox-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Ann mentioned you in 舞蹈班")
    expect(item).to_contain_text(MENTION)
    item.get_by_test_id("inbox-open").click()

    expect(tid(bob, "circle-title")).to_have_text("舞蹈班")
    target = expect_once(bob, MENTION)
    expect(target).to_be_in_viewport()
    expect(target.get_by_test_id("mention")).to_have_class("mention mention-me")
    expect(tid(bob, "bell-count")).to_be_hidden()
    expect(bob).not_to_have_title("(1) 舞蹈班 · Quanzi")
    assert not bob.errors and not ann.errors


def test_a_push_or_email_link_opens_the_message_it_is_about(open_page: Any) -> None:
    """Where a push or an email leads (server/away_text.py: ``/#/n/<id>``): a page
    opened on it lands on the message in its context, reads it, and Back does not
    come round to it again."""
    ann, bob = two_in_a_circle(open_page, "舞蹈班")
    go_home(bob)
    open_tab(ann, "chat")
    say(ann, "@Bob 链接里的作业")
    expect_once(ann, "@Bob 链接里的作业")
    for i in range(12):
        say(ann, f"later {i}")
    expect_once(ann, "later 11")
    expect(tid(bob, "bell-count")).to_have_text("1")
    tid(bob, "bell").click()
    note = tid(bob, "inbox-item").get_attribute("data-id")
    assert note and note.isdigit()

    bob.goto(bob.url.split("#")[0] + f"#/n/{note}")  # as a click on the push opens it
    expect(tid(bob, "circle-title")).to_have_text("舞蹈班")
    target = expect_once(bob, "@Bob 链接里的作业")
    expect(target).to_be_in_viewport()
    expect(tid(bob, "bell-count")).to_be_hidden()
    assert bob.evaluate("location.hash").startswith("#/c/")
    assert not bob.errors and not ann.errors


def test_inbox_and_levels_on_a_phone_in_chinese(open_page: Any, screenshots: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "读书会", width=360)
    for page in (ann, bob):
        page.set_viewport_size({"width": 360, "height": 740})
    # Bob keeps the circle but only wants what names him.
    open_tab(bob, "settings")  # "More" on a phone
    level = tid(bob, "notify-level")
    expect(level).to_be_enabled()
    level.select_option("mentions")
    expect(tid(bob, "notify-level-saved")).not_to_be_empty()
    open_tab(ann, "chat")
    say(ann, "大家好")  # no mention: nothing for Bob
    say(ann, "@Bob 明天见")
    expect(tid(bob, "bell-count")).to_have_text("1")
    tid(bob, "bell").click()
    expect(tid(bob, "inbox-item")).to_have_count(1)
    tid(bob, "inbox-settings").locator("summary").click()
    expect(tid(bob, "quiet-from")).to_be_visible()
    width = bob.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshots.mkdir(exist_ok=True)
    tid(bob, "inbox-panel").screenshot(path=str(screenshots / "inbox-360.png"))
    tid(bob, "quiet-from").fill("22:00")
    tid(bob, "quiet-to").fill("07:00")
    tid(bob, "kind-level-must_read").select_option("none")
    tid(bob, "quiet-save").click()
    expect(tid(bob, "toasts")).to_contain_text("Notification settings saved")
    settings = bob.evaluate(
        """async () => {
            const token = JSON.parse(localStorage.getItem('quanzi.session')).token;
            const r = await fetch('/api/v1/me/notifications/settings', { headers: { Authorization: `Bearer ${token}` } });
            return r.json();
        }"""
    )
    assert settings["quiet_from"] == "22:00" and settings["quiet_to"] == "07:00"
    assert list(settings["circles"].values()) == ["mentions"]
    assert settings["kinds"] == {"must_read": "none"}


def test_completion_waits_for_the_input_method(open_page: Any) -> None:
    """While a pinyin input method composes, no list opens and its Enter picks nothing;
    the list follows the composed text, in the comment box too."""
    ann, bob = two_in_a_circle(open_page, "书法班")
    open_tab(ann, "chat")
    box = tid(ann, "chat-input")
    box.focus()
    ann.evaluate(
        """() => {
            const box = document.activeElement;
            box.dispatchEvent(new CompositionEvent('compositionstart', { data: '' }));
            box.value = '@bo';
            box.setSelectionRange(3, 3);
            box.dispatchEvent(new InputEvent('input', { data: 'bo', isComposing: true }));
            box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true }));
        }"""
    )
    sleep_blocking(0.5)
    expect(tid(ann, "mention-list")).to_be_hidden()
    expect(box).to_have_value("@bo")  # the composing Enter neither picked nor sent
    ann.evaluate(
        """() => {
            const box = document.activeElement;
            box.value = '@Bo';
            box.setSelectionRange(3, 3);
            box.dispatchEvent(new CompositionEvent('compositionend', { data: 'Bo' }));
        }"""
    )
    expect(tid(ann, "mention-option")).to_have_text(["@Bob"])
    tid(ann, "mention-option").click()
    expect(box).to_have_value("@Bob ")

    # The comment box completes the same way.
    open_tab(ann, "feed")
    tid(ann, "post-text-input").fill("周末练字")
    tid(ann, "post-submit").click()
    card = post_card(ann, "周末练字")
    card.get_by_test_id("comments-btn").click()
    expect(card.get_by_test_id("comment-list")).to_have_count(1)  # loaded (empty)
    comment = card.get_by_test_id("comment-input")
    comment.press_sequentially("@B")
    expect(card.get_by_test_id("mention-option")).to_have_text(["@Bob"])
    comment.press("Tab")
    expect(comment).to_have_value("@Bob ")
    comment.press_sequentially("来吗")
    card.get_by_test_id("comment-send").click()
    expect(card.get_by_test_id("comment-text").get_by_test_id("mention")).to_have_text("@Bob")
    expect(tid(bob, "bell-count")).to_have_text("1")
