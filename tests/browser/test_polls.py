"""Polls in two browsers: one member asks a poll in the chat, the other votes, and
the bars move live on both; the author closes it; a poll on a post; at 360 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.pages import open_tab, tid, two_in_a_circle


def ask_in_chat(page: Page, question: str, options: list[str], multiple: bool = False) -> None:
    tid(page, "poll-open").click()
    composer = tid(page, "poll-composer")
    composer.get_by_test_id("poll-question-input").fill(question)
    while composer.get_by_test_id("poll-option-input").count() < len(options):
        composer.get_by_test_id("poll-add-option").click()
    for box, text in zip(composer.get_by_test_id("poll-option-input").all(), options, strict=False):
        box.fill(text)
    if multiple:
        composer.get_by_test_id("poll-multiple").check()
    composer.get_by_test_id("poll-submit").click()
    expect(composer).to_have_count(0)


def chat_poll(page: Page, question: str) -> Locator:
    return (
        tid(page, "chat-log")
        .get_by_test_id("poll")
        .filter(has=page.get_by_test_id("poll-question").get_by_text(question, exact=True))
    )


def expect_shares(poll: Locator, shares: list[int], counts: list[int]) -> None:
    options = poll.get_by_test_id("poll-option")
    expect(options).to_have_count(len(shares))
    for i, (share, count) in enumerate(zip(shares, counts, strict=True)):
        option = options.nth(i)
        expect(option.get_by_test_id("poll-share")).to_have_text(f"{share}%")
        expect(option.get_by_test_id("poll-count")).to_have_text(str(count))
        expect(option.get_by_test_id("poll-bar")).to_have_attribute("data-share", str(share))


def test_a_chat_poll_moves_live_on_both_pages(open_page: Any, screenshots: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "Hikers")
    open_tab(ann, "chat")
    open_tab(bob, "chat")
    ask_in_chat(ann, "周末去哪儿", ["香山", "长城", "在家休息"])
    mine, theirs = chat_poll(ann, "周末去哪儿"), chat_poll(bob, "周末去哪儿")
    expect(mine).to_have_count(1)
    expect(theirs).to_have_count(1)
    expect_shares(theirs, [0, 0, 0], [0, 0, 0])

    theirs.get_by_test_id("poll-choose").nth(1).click()
    expect_shares(mine, [0, 100, 0], [0, 1, 0])
    expect_shares(theirs, [0, 100, 0], [0, 1, 0])
    expect(theirs.get_by_test_id("poll-option").nth(1)).to_have_class("poll-option chosen")
    expect(mine.get_by_test_id("poll-option").nth(1)).to_have_class("poll-option")
    expect(mine.get_by_test_id("poll-voters")).to_have_text("1 voter")
    expect(mine).not_to_contain_text("null")

    mine.get_by_test_id("poll-choose").nth(0).click()
    expect_shares(theirs, [50, 50, 0], [1, 1, 0])
    expect_shares(mine, [50, 50, 0], [1, 1, 0])
    # A single-choice poll: choosing again moves the vote.
    theirs.get_by_test_id("poll-choose").nth(2).click()
    expect_shares(mine, [50, 0, 50], [1, 0, 1])
    tid(ann, "panel-chat").screenshot(path=str(screenshots / "poll-in-chat.png"))

    # Who voted for what (not anonymous).
    mine.get_by_test_id("poll-voters-btn").click()
    expect(mine.get_by_test_id("poll-voter-list")).to_contain_text("Bob: 在家休息")

    # Bob cannot close Ann's poll; Ann closes it and Bob's card says so.
    expect(theirs.get_by_test_id("poll-close")).to_have_count(0)
    mine.get_by_test_id("poll-close").click()
    expect(theirs.get_by_test_id("poll-closed")).to_be_visible()
    expect(theirs.get_by_test_id("poll-choose").nth(0)).to_be_disabled()
    assert ann.errors == [] and bob.errors == []


def test_a_poll_on_a_post_and_on_a_phone(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Cooks", width=360)
    open_tab(ann, "feed")
    open_tab(bob, "feed")
    tid(ann, "post-text-input").fill("周六聚餐")
    tid(ann, "post-poll-open").click()
    composer = tid(ann, "poll-composer")
    composer.get_by_test_id("poll-question-input").fill("吃什么")
    for box, text in zip(
        composer.get_by_test_id("poll-option-input").all(), ["火锅", "烧烤"], strict=True
    ):
        box.fill(text)
    composer.get_by_test_id("poll-multiple").check()
    composer.get_by_test_id("poll-submit").click()
    expect(tid(ann, "post-poll-ready")).to_have_text("📊 吃什么")
    tid(ann, "post-submit").click()

    theirs = tid(bob, "feed-list").get_by_test_id("poll")
    expect(theirs).to_have_count(1)
    expect(theirs.get_by_test_id("poll-question")).to_have_text("吃什么")
    theirs.get_by_test_id("poll-choose").nth(0).click()
    theirs.get_by_test_id("poll-choose").nth(1).click()
    mine = tid(ann, "feed-list").get_by_test_id("poll")
    expect_shares(mine, [100, 100], [1, 1])
    # Nothing sticks out of a 360 px screen.
    width = ann.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    open_tab(ann, "chat")
    ask_in_chat(ann, "几点集合", ["八点", "九点"])
    open_tab(bob, "chat")
    expect(chat_poll(bob, "几点集合")).to_have_count(1)
    assert ann.errors == [] and bob.errors == []
