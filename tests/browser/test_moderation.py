"""An owner keeps a circle clean from its member list: finds a member by a Chinese name,
mutes them (their open page loses its composer live, and gets it back when the mute is
lifted), sets slow mode, and bans another member (whose page leaves the circle, and who
cannot come back with the invite link)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.pages import (
    create_circle,
    expect_once,
    invite_link,
    join_with_invite,
    open_tab,
    say,
    signup,
    tid,
)
from tests.browser.test_accessibility import check


def member_row(page: Page, name: str) -> Locator:
    return (
        tid(page, "members-list")
        .get_by_test_id("member")
        .filter(has=page.get_by_test_id("member-name").get_by_text(name, exact=True))
    )


def test_mute_from_member_list_slow_mode_and_ban(open_page: Any, screenshots: Path) -> None:
    # The owner and the muted member on phones 360 px wide.
    ann, bob, wang = open_page(360, 740), open_page(), open_page(360, 740, locale="zh-CN")
    signup(ann, "ann", "Ann")
    signup(bob, "bob", "Bob")
    signup(wang, "wang", "王小明")
    create_circle(ann, "Chess club")
    link = invite_link(ann)
    join_with_invite(bob, link, "Chess club")
    join_with_invite(wang, link, "Chess club")
    open_tab(wang, "chat")

    # The owner finds 王小明 by part of the name (the server searches) and mutes them.
    open_tab(ann, "settings")
    expect(tid(ann, "members-list").get_by_test_id("member")).to_have_count(3)
    tid(ann, "members-search").fill("小明")
    expect(tid(ann, "members-list").get_by_test_id("member")).to_have_count(1)
    row = member_row(ann, "王小明")
    # Nobody is offered actions on themselves.
    expect(tid(ann, "members-list").get_by_test_id("member-actions")).to_have_count(1)
    row.get_by_test_id("member-actions").click()
    expect(row.get_by_test_id("member-admin")).to_be_visible()
    seen: list[str] = []
    check(ann, "member actions", seen)  # axe: the actions, the chat rules, the ban list
    row.get_by_test_id("member-mute").click()
    expect(row.get_by_test_id("mute-length")).to_have_value("10")
    check(ann, "mute form", seen)
    screenshots.mkdir(exist_ok=True)
    tid(ann, "members-section").screenshot(path=str(screenshots / "moderation-mute-360.png"))
    row.get_by_test_id("mute-reason").fill("spam links")
    row.get_by_test_id("mute-confirm").click()
    expect(row.get_by_test_id("member-muted")).to_contain_text("Muted until")

    # Their open page shows the notice instead of the composer, live.
    notice = tid(wang, "muted-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("你已被禁言")
    expect(notice).to_contain_text("解除")
    expect(tid(wang, "chat-form")).to_be_hidden()
    expect(tid(wang, "chat-input")).to_be_hidden()
    check(wang, "muted notice", seen)
    wang.screenshot(path=str(screenshots / "moderation-muted-360.png"))

    # The owner lifts it: the composer comes back and works.
    row.get_by_test_id("member-actions").click()
    row.get_by_test_id("member-unmute").click()
    expect(row.get_by_test_id("member-muted")).to_have_count(0)
    expect(notice).to_be_hidden()
    expect(tid(wang, "chat-input")).to_be_visible()
    say(wang, "我会注意的")
    expect_once(ann, "我会注意的")

    # Slow mode for the circle's chat: a second message too soon is refused, text kept.
    tid(ann, "slow-mode").select_option("60")
    tid(ann, "chat-rules-save").click()
    expect(tid(ann, "toast").filter(has_text="Saved.")).to_have_count(1)
    say(wang, "第一条")
    expect_once(ann, "第一条")
    box = tid(wang, "chat-input")
    box.fill("第二条")
    box.press("Enter")
    expect(tid(wang, "toast").filter(has_text="慢速模式")).to_have_count(1)
    expect(box).to_have_value("第二条")
    expect(tid(ann, "chat-log").get_by_text("第二条", exact=True)).to_have_count(0)

    # A new role from the same menu: 王小明 becomes an admin, then a member again.
    row.get_by_test_id("member-actions").click()
    row.get_by_test_id("member-admin").click()
    expect(row.get_by_test_id("member-role")).to_have_text("Admin")
    row.get_by_test_id("member-actions").click()
    row.get_by_test_id("member-member").click()
    expect(row.get_by_test_id("member-role")).to_have_text("Member")

    # The owner bans Bob: his open page leaves the circle, and the ban list shows him.
    tid(ann, "members-search").fill("")
    expect(tid(ann, "members-list").get_by_test_id("member")).to_have_count(3)
    bob_row = member_row(ann, "Bob")
    bob_row.get_by_test_id("member-actions").click()
    bob_row.get_by_test_id("member-ban").click()
    bob_row.get_by_test_id("ban-reason").fill("abuse")
    bob_row.get_by_test_id("ban-confirm").click()
    expect(member_row(ann, "Bob")).to_have_count(0)
    assert ("confirm", "Ban Bob? They leave the circle and cannot join again until unbanned.") in (
        ann.dialogs  # type: ignore[attr-defined]
    )
    expect(tid(bob, "circle-list")).to_be_attached()
    expect(tid(bob, "circle-item")).to_have_count(0)
    ban = tid(ann, "bans-list").get_by_test_id("ban")
    expect(ban).to_have_count(1)
    expect(ban.get_by_test_id("ban-name")).to_have_text("Bob")
    expect(ban.get_by_test_id("ban-reason")).to_have_text("abuse")

    # The invite link no longer lets him in.
    tid(bob, "invite-input").fill(link)
    tid(bob, "invite-submit").click()
    expect(tid(bob, "toast").filter(has_text="You are banned from this circle.")).to_have_count(1)
    expect(tid(bob, "circle-item")).to_have_count(0)

    # Unbanned, he may join again.
    ban.get_by_test_id("unban").click()
    expect(tid(ann, "bans-none")).to_be_visible()
    join_with_invite(bob, link, "Chess club")
    assert not ann.errors and not bob.errors and not wang.errors  # type: ignore[attr-defined]
