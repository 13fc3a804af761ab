"""Chat groups in the web client: the list with unread counts, switching, creating and
joining groups, highlights across groups, typing, quoted replies and "read by N"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.pages import (
    api,
    circle_id,
    expect_once,
    highlight,
    messages,
    open_menu,
    open_tab,
    say,
    tid,
    two_in_a_circle,
)


def group_item(page: Page, name: str) -> Any:
    return (
        tid(page, "group-list")
        .locator("li")
        .filter(has=page.locator(".group-name").get_by_text(f"# {name}", exact=True))
    )


def select_group(page: Page, name: str) -> None:
    open_tab(page, "chat")
    if tid(page, "groups-open").is_visible():
        tid(page, "groups-open").click()
    group_item(page, name).get_by_test_id("group-item").click()
    expect(tid(page, "group-title")).to_have_text(f"# {name}")


def create_group(page: Page, name: str, topic: str = "") -> None:
    open_tab(page, "chat")
    if tid(page, "groups-open").is_visible():
        tid(page, "groups-open").click()
    tid(page, "group-new").click()
    form = tid(page, "group-form")
    form.get_by_test_id("group-name-input").fill(name)
    if topic:
        form.get_by_test_id("group-topic-input").fill(topic)
    form.get_by_test_id("group-create").click()
    expect(tid(page, "group-title")).to_have_text(f"# {name}")


def test_members_of_different_groups_share_highlights_not_chat(
    open_page: Any, screenshots: Path
) -> None:
    ann, bob = two_in_a_circle(open_page, "Hikers")
    circle = circle_id(ann)
    api(ann, "PATCH", f"/circles/{circle}", {"promote_threshold": 1})
    # Ann creates 北方 from the list and is switched to it.
    create_group(ann, "北方", "雪山路线")
    expect(tid(ann, "group-topic")).to_have_text("雪山路线")
    expect(group_item(bob, "北方").get_by_test_id("group-join")).to_be_visible()
    # South: made by Ann over HTTP, which she then leaves; Bob joins it from the list.
    south = api(ann, "POST", f"/circles/{circle}/groups", {"name": "South"})["group"]["id"]
    api(ann, "POST", f"/groups/{south}/leave")
    group_item(bob, "South").get_by_test_id("group-join").click()
    expect(tid(bob, "group-title")).to_have_text("# South")
    expect(group_item(ann, "South").get_by_test_id("group-join")).to_be_visible()

    say(ann, "北边下雪了")
    say(bob, "South only")
    expect_once(ann, "北边下雪了")
    expect_once(bob, "South only")
    # Each star promotes into the circle's highlights, naming the group it came from.
    open_tab(ann, "highlights")
    open_tab(bob, "highlights")
    open_menu(expect_once(ann, "北边下雪了")).get_by_test_id("star-btn").click()
    open_menu(expect_once(bob, "South only")).get_by_test_id("star-btn").click()
    for page in (ann, bob):
        expect(highlight(page, "北边下雪了").get_by_test_id("post-group")).to_have_text("# 北方")
        expect(highlight(page, "South only").get_by_test_id("post-group")).to_have_text("# South")
    # Neither chat shows the other's group.
    expect(messages(ann, "South only")).to_have_count(0)
    expect(messages(bob, "北边下雪了")).to_have_count(0)
    select_group(bob, "general")
    expect(messages(bob, "北边下雪了")).to_have_count(0)

    # Unread counts move live in the groups not shown, and clear when shown.
    say(bob, "general news")
    general = tid(ann, "group-list").get_by_test_id("group-item").first
    expect(general.get_by_test_id("group-unread")).to_have_text("1")
    ann.screenshot(path=str(screenshots / "groups-desktop.png"))
    general.click()
    expect_once(ann, "general news")
    expect(general.get_by_test_id("group-unread")).to_have_count(0)
    assert ann.errors == [] and bob.errors == []


def test_typing_quoted_reply_and_read_by(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Trail crew")
    say(ann, "Who brings the map?\nAnd the compass")
    # Bob has it in view: his marker moves, and Ann's message says so.
    expect_once(bob, "Who brings the map?\nAnd the compass")
    mine = expect_once(ann, "Who brings the map?\nAnd the compass")
    expect(mine.get_by_test_id("read-by")).to_have_text("read by 1")
    mine.get_by_test_id("read-by").click()
    expect(mine.get_by_test_id("read-who-has")).to_have_text("Bob")
    expect(mine.get_by_test_id("read-who-not")).to_have_text("nobody")

    # Typing shows under Ann's chat while Bob types.
    box = tid(bob, "chat-input")
    box.press_sequentially("我来带")
    expect(tid(ann, "typing")).to_have_text("Bob is typing…")

    # Bob replies to it: the quote is above his composer, then above the reply.
    open_menu(expect_once(bob, "Who brings the map?\nAnd the compass")).get_by_test_id(
        "reply-btn"
    ).click()
    expect(tid(bob, "reply-quote")).to_contain_text("Who brings the map?")
    box.fill("我来带地图")
    box.press("Enter")
    reply = expect_once(ann, "我来带地图")
    quote = reply.get_by_test_id("msg-reply")
    expect(quote.get_by_test_id("quote-from")).to_have_text("Ann")
    expect(quote.get_by_test_id("quote-text")).to_have_text(": Who brings the map?")
    # Done typing: the line goes with the message.
    expect(tid(ann, "typing")).to_have_text("")
    quote.click()
    expect(mine).to_have_class("msg mine flash")
    assert ann.errors == [] and bob.errors == []


SAY_MANY = """async ([circle, count]) => {
    // Chat from a second socket of the same user: many messages, one after the other.
    const token = JSON.parse(localStorage.getItem('quanzi.session')).token;
    const ws = new WebSocket(`ws://${location.host}/ws`, ['quanzi.v1.json']);
    await new Promise((resolve) => { ws.onopen = resolve; });
    let id = 0;
    const waiting = new Map();
    ws.onmessage = (event) => {
        const frame = JSON.parse(event.data);
        if (waiting.has(frame.id)) waiting.get(frame.id)(frame);
    };
    const request = (frame) => new Promise((resolve) => {
        id += 1;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ ...frame, id }));
    });
    await request({ t: 'hello', token });
    for (let i = 0; i < count; i += 1) {
        await request({ t: 'say', circle, text: `filler ${i}`, nonce: `filler-${i}-${Date.now()}` });
    }
    ws.close();
}"""


def test_a_quote_not_loaded_is_fetched(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Archive")
    circle = circle_id(ann)
    say(ann, "The very first line\nsecond line")
    expect_once(bob, "The very first line\nsecond line")
    ann.evaluate(SAY_MANY, [circle, 60])
    expect_once(bob, "filler 59")
    open_menu(expect_once(bob, "The very first line\nsecond line")).get_by_test_id(
        "reply-btn"
    ).click()
    say(bob, "Replying to the first")
    expect_once(ann, "Replying to the first")
    # After a reload the chat shows its last page: the quoted message is not among
    # them, and comes by a history request of its own.
    ann.reload()
    reply = expect_once(ann, "Replying to the first")
    expect(messages(ann, "The very first line\nsecond line")).to_have_count(0)
    expect(reply.get_by_test_id("quote-from")).to_have_text("Ann")
    expect(reply.get_by_test_id("quote-text")).to_have_text(": The very first line")
    assert ann.errors == [] and bob.errors == []


def test_groups_drawer_on_a_phone(open_page: Any, screenshots: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "Pocket", width=360)
    create_group(ann, "Cooks")
    expect(tid(ann, "groups-aside")).to_be_hidden()
    tid(ann, "groups-open").click()
    expect(tid(ann, "groups-aside")).to_be_visible()
    expect(group_item(ann, "Cooks").get_by_test_id("group-item")).to_have_attribute(
        "aria-current", "true"
    )
    ann.screenshot(path=str(screenshots / "groups-phone.png"))
    group_item(ann, "general").get_by_test_id("group-item").click()
    expect(tid(ann, "groups-aside")).to_be_hidden()
    expect(tid(ann, "group-title")).to_have_text("# general")
    width = ann.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    # A read-only group: Bob joins it from the drawer and reads, but does not write.
    circle = circle_id(ann)
    api(ann, "POST", f"/circles/{circle}/groups", {"name": "Notices", "read_only": True})
    open_tab(bob, "chat")
    tid(bob, "groups-open").click()
    group_item(bob, "Notices").get_by_test_id("group-join").click()
    expect(tid(bob, "group-title")).to_have_text("# Notices")
    expect(tid(bob, "groups-aside")).to_be_hidden()
    expect(tid(bob, "chat-input")).to_be_disabled()
    expect(tid(ann, "chat-input")).to_be_enabled()
    assert ann.errors == [] and bob.errors == []


def test_requests_approval_rename_reorder_and_archive_live(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Club")
    create_group(ann, "Secret")
    # Ann makes it take requests; Bob asks, Ann approves from the group's admin panel.
    group_item(ann, "Secret").get_by_test_id("group-manage").click()
    panel = tid(ann, "group-admin")
    panel.get_by_test_id("group-access").select_option("request")
    panel.get_by_test_id("group-save").click()
    open_tab(bob, "chat")
    ask = group_item(bob, "Secret").get_by_test_id("group-join")
    expect(ask).to_have_text("Ask to join")
    ask.click()
    expect(group_item(bob, "Secret").get_by_test_id("group-requested")).to_be_visible()
    request = panel.get_by_test_id("group-request").filter(has_text="Bob")
    expect(request).to_have_count(1)
    request.get_by_test_id("group-approve").click()
    expect(panel.get_by_test_id("group-member").filter(has_text="Bob")).to_have_count(1)
    item = group_item(bob, "Secret").get_by_test_id("group-item")
    expect(item).to_have_attribute("aria-current", "false")
    item.click()
    expect(tid(bob, "group-title")).to_have_text("# Secret")
    say(bob, "谢谢批准")
    tid(ann, "group-admin-close").click()
    expect_once(ann, "谢谢批准")

    # Renamed: Bob's list and title follow live.
    group_item(ann, "Secret").get_by_test_id("group-manage").click()
    panel.get_by_test_id("group-name-input").fill("秘密")
    panel.get_by_test_id("group-save").click()
    expect(tid(bob, "group-title")).to_have_text("# 秘密")

    # A second group, moved above the first.
    tid(ann, "group-admin-close").click()
    create_group(ann, "Later")
    group_item(ann, "Later").get_by_test_id("group-manage").click()
    tid(ann, "group-admin").get_by_test_id("group-up").click()
    names = tid(bob, "group-list").locator(".group-name")
    expect(names).to_have_text(["# general", "# Later", "# 秘密"])

    # Archived: it leaves everyone's list, and Bob, who was in it, is back in general.
    tid(ann, "group-admin-close").click()
    group_item(ann, "秘密").get_by_test_id("group-manage").click()
    tid(ann, "group-admin").get_by_test_id("group-archive").click()
    expect(names).to_have_text(["# general", "# Later"])
    expect(tid(bob, "group-title")).to_have_text("# general")
    assert ann.errors == [] and bob.errors == []
