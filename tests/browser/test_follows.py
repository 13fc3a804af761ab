"""Following a public circle from the web client: a fan on a phone (Chinese) follows a
creator's circle from Discover without joining it; it appears under Following (关注) on
the home page, and a highlight the owner makes shows up there live, never the chat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import (
    create_circle,
    expect_once,
    go_home,
    open_home_panel,
    open_menu,
    open_tab,
    say,
    signup,
    tid,
)


def test_follow_from_discover_and_see_a_highlight_live(open_page: Any, screenshots: Path) -> None:
    ann = open_page()
    fan = open_page(width=360, height=740, locale="zh-CN")
    signup(ann, "ann", "Ann")
    signup(fan, "fan", "小粉")
    create_circle(ann, "Creator 创作者", visibility="public")

    go_home(fan)
    expect(tid(fan, "following-empty")).to_be_visible()
    open_home_panel(fan, "discover")
    tid(fan, "discover-q").fill("创作者")
    found = tid(fan, "discover-item").filter(has_text="Creator 创作者")
    expect(found).to_have_count(1)
    button = found.get_by_test_id("follow-button")
    expect(button).to_have_text("关注")
    button.click()
    expect(button).to_have_text("取消关注")
    expect(button).to_have_attribute("aria-pressed", "true")

    # Under Following on the home page, not among my circles (a follower is no member).
    item = tid(fan, "following-item").filter(has_text="Creator 创作者")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("1 位关注者")
    expect(tid(fan, "circle-list").get_by_test_id("circle-item")).to_have_count(0)

    # The owner chats, then promotes a line: the highlight reaches the fan live; the chat never.
    say(ann, "just chatting, not for the fans")
    say(ann, "新专辑下周五发布")
    msg = expect_once(ann, "新专辑下周五发布")
    open_menu(msg).get_by_test_id("star-btn").click()
    post = item.get_by_test_id("following-post").filter(has_text="新专辑下周五发布")
    expect(post).to_have_count(1)
    expect(post).to_have_attribute("data-kind", "highlight")
    expect(post).to_contain_text("精华")
    expect(fan.get_by_text("just chatting, not for the fans")).to_have_count(0)
    fan.screenshot(path=str(screenshots / "following-zh-phone.png"))
    # Nothing wider than the phone.
    width = fan.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width

    # Its name leads to its public page, where the fan can join or unfollow.
    item.get_by_test_id("following-name").click()
    expect(tid(fan, "invite-page")).to_be_visible()
    expect(tid(fan, "invite-page").get_by_test_id("follow-button")).to_have_text("取消关注")
    go_home(fan)

    # The owner sees the fan among the circle's followers, found by name.
    open_tab(ann, "settings")
    followers = tid(ann, "followers-section")
    expect(followers.get_by_test_id("follower-name")).to_have_text(["小粉"])
    followers.get_by_test_id("followers-search").fill("nobody")
    expect(followers.get_by_test_id("followers-none")).to_be_visible()
    followers.get_by_test_id("followers-search").fill("粉")
    expect(followers.get_by_test_id("follower-name")).to_have_text(["小粉"])

    # Unfollow from the section: the circle goes.
    item.get_by_test_id("following-unfollow").click()
    expect(tid(fan, "following-item")).to_have_count(0)
    expect(tid(fan, "following-empty")).to_be_visible()
    assert fan.errors == [] and ann.errors == []
