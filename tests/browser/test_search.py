"""Search in a circle in the browser: typing 作业 through an input method searches only
once the word is composed, the result shows with the word marked, and choosing it jumps
to the message in the chat — history loaded back to it; on a phone (360 px, Chinese)
search is under "More"."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

from playwright.sync_api import expect

from tests.browser.pages import create_circle, expect_once, open_tab, say, signup, tid
from tests.timing import sleep_blocking

TARGET = "今天的作业是跳舞"
# More than the chat's first page (50): the target is not loaded when the circle opens.
LATER = 55


def compose(page: Any, typed: str, word: str) -> None:
    """What a pinyin input method does in the search field: letters while composing,
    then the word at compositionend. Only the word is searched for."""
    asked: list[str] = []

    def seen(request: Any) -> None:
        if "/search?" in request.url:
            asked.append(unquote(request.url.split("q=")[1].split("&")[0]))

    page.on("request", seen)
    page.evaluate(
        """([typed, word]) => {
            const box = document.querySelector('[data-testid="search-input"]');
            box.focus();
            box.dispatchEvent(new CompositionEvent('compositionstart', { data: '' }));
            box.value = typed;
            box.dispatchEvent(new InputEvent('input', { data: typed, isComposing: true }));
        }""",
        [typed, word],
    )
    # Mid-composition nothing is asked, however long the pause (the field waits 0.3 s).
    sleep_blocking(0.8)
    assert asked == []
    expect(tid(page, "search-result")).to_have_count(0)
    page.evaluate(
        """([typed, word]) => {
            const box = document.querySelector('[data-testid="search-input"]');
            box.value = word;
            box.dispatchEvent(new InputEvent('input', { data: word, isComposing: true }));
            box.dispatchEvent(new CompositionEvent('compositionend', { data: word }));
        }""",
        [typed, word],
    )
    expect(tid(page, "search-result").first).to_be_visible()
    assert asked == [word]
    page.remove_listener("request", seen)


def test_search_finds_the_word_and_jumps_to_the_message(open_page: Any) -> None:
    page = open_page()
    signup(page, "ann", "Ann")
    create_circle(page, "舞蹈班")
    open_tab(page, "chat")
    say(page, TARGET)
    expect_once(page, TARGET)
    for i in range(LATER):
        say(page, f"message {i}")
    expect_once(page, f"message {LATER - 1}")
    page.reload()
    expect_once(page, f"message {LATER - 1}")
    expect(tid(page, "chat-log").get_by_text(TARGET, exact=True)).to_have_count(0)

    open_tab(page, "search")
    compose(page, "zuoye", "作业")
    result = tid(page, "search-result")
    expect(result).to_have_count(1)
    expect(result.get_by_test_id("search-snippet")).to_have_text(TARGET)
    expect(result.locator("mark")).to_have_text(["作业"])
    expect(result.get_by_test_id("search-author")).to_have_text("Ann")

    result.get_by_test_id("search-open").click()
    expect(tid(page, "panel-chat")).to_be_visible()
    target = expect_once(page, TARGET)
    expect(target).to_be_in_viewport()

    # English, by the start of a word; nothing found says so.
    open_tab(page, "search")
    box = tid(page, "search-input")
    box.fill("messa")
    expect(tid(page, "search-result").first).to_be_visible()
    box.fill("直播")
    expect(tid(page, "search-status")).to_have_text("Nothing found.")


def test_search_on_a_phone_in_chinese(open_page: Any, screenshots: Path) -> None:
    page = open_page(width=360, height=740, locale="zh-CN")
    signup(page, "wang", "王老师")
    create_circle(page, "直播课")
    open_tab(page, "chat")
    say(page, "明天晚上八点直播,记得交作业")
    expect_once(page, "明天晚上八点直播,记得交作业")
    expect(tid(page, "tab-search")).to_be_hidden()
    open_tab(page, "settings")  # "More" on a phone
    tid(page, "more-search").click()
    expect(tid(page, "panel-search")).to_be_visible()
    compose(page, "zhibo", "直播")
    result = tid(page, "search-result")
    expect(result.locator("mark")).to_have_text(["直播"])
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshots.mkdir(exist_ok=True)
    tid(page, "panel-search").screenshot(path=str(screenshots / "search-360-zh.png"))
    result.get_by_test_id("search-open").click()
    expect(expect_once(page, "明天晚上八点直播,记得交作业")).to_be_in_viewport()
