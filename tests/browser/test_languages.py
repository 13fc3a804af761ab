"""Languages of the durable side of a circle: highlights (a must-read with its receipts),
the feed (a post with comments), settings (access codes, members with their roles) and a
chat group's admin panel, walked in a Chinese browser and in an English one.

The Chinese walk is the parent's check: no visible word of those panels is English except
what people wrote (names, posts, comments, codes), which the views mark data-user-text.
Screen-reader labels, tooltips and placeholders are held to the same rule. The switcher
in the top bar changes the language of the page shown, and the choice survives a reload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests import timing
from tests.browser.pages import PASSWORD, highlight, open_tab, post_card, tid, wait_live

# Parts of these panels that other views draw (reactions, polls): their own languages
# are checked with those views, not here.
OTHER_VIEWS = [
    '[data-testid="reactions"]',
    '[data-testid="reaction-add"]',
    '[data-testid="post-poll-open"]',
    '[data-testid="post-poll-slot"]',
    ".poll-card",
]

# Every visible text node outside what people wrote, and the labels read out or shown for
# a control (aria-label, title, placeholder) with the names of the people in them taken out:
# the ones holding a run of three Latin letters, i.e. an English word.
ENGLISH_WORDS_JS = """
([root, exclude, names]) => {
  const english = /[A-Za-z]{3,}/;
  const found = [];
  const excluded = (el) => el.closest('[data-user-text]') || exclude.some((sel) => el.closest(sel));
  // An <option> has no box of its own: it shows when its <select> does.
  const visible = (el) => (el.closest('select') || el).checkVisibility({ checkVisibilityCSS: true });
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || excluded(el) || !visible(el)) continue;
    if (['SCRIPT', 'STYLE'].includes(el.tagName)) continue;
    if (english.test(node.textContent)) found.push(node.textContent.trim());
  }
  for (const el of [root, ...root.querySelectorAll('[aria-label], [title], [placeholder]')]) {
    if (exclude.some((sel) => el.closest(sel)) || !visible(el)) continue;
    for (const attr of ['aria-label', 'title', 'placeholder']) {
      let value = el.getAttribute(attr);
      if (!value) continue;
      for (const name of names) value = value.split(name).join('');
      if (english.test(value)) found.push(`${attr}="${el.getAttribute(attr)}"`);
    }
  }
  return found;
}
"""


def english_words(area: Locator, names: list[str]) -> list[str]:
    """What an area shows or labels in English, apart from what people wrote."""
    expect(area).to_be_visible()
    found: list[str] = area.evaluate(
        f"(root, args) => ({ENGLISH_WORDS_JS})([root, ...args])", [OTHER_VIEWS, names]
    )
    return found


def call(page: Page, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    """The HTTP API as the page's user, or as the holder of `token`."""
    return page.evaluate(
        """async ([method, path, body, token]) => {
            const saved = JSON.parse(localStorage.getItem('quanzi.session') || 'null');
            const bearer = token || (saved && saved.token);
            const headers = {};
            if (bearer) headers.Authorization = `Bearer ${bearer}`;
            if (body !== null) headers['Content-Type'] = 'application/json';
            const response = await fetch('/api/v1' + path, {
                method, headers, body: body === null ? undefined : JSON.stringify(body),
            });
            if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
            return response.status === 204 ? null : response.json();
        }""",
        [method, path, body, token],
    )


def signed_up(page: Page, handle: str, name: str) -> dict[str, Any]:
    """Sign up through the API (the sign-up form is the home view's, tested there) and
    open the client logged in."""
    reply: dict[str, Any] = call(
        page, "POST", "/auth/signup", {"handle": handle, "password": PASSWORD, "name": name}
    )
    page.evaluate(
        "(r) => localStorage.setItem('quanzi.session', JSON.stringify({token: r.token, user: r.user}))",
        reply,
    )
    page.reload()
    wait_live(page)
    return reply


@dataclass
class Walk:
    owner: Page  # Ann: the circle's owner
    admin: Page  # Bob: an admin, who reads the must-read
    circle: str
    group: str
    names: list[str]


NOTICE = "Concert dress: black"
POST = "Who has spare clamps?"
GROUP = "Parents"


def walk(open_page: Any, locale: str) -> Walk:
    """Ann owns a teaching circle; Bob (an admin) and 王小明 (a member) joined with a code.
    Ann publishes a notice and makes it a must-read; Bob posts, both comment; Ann pins it;
    王小明 asks to join Ann's group. Each step through the views of this walk."""
    ann, bob = open_page(locale=locale), open_page(locale=locale)
    signed_up(ann, "ann", "Ann")
    bob_id = signed_up(bob, "bob", "Bob")["user"]["id"]
    cai = call(
        ann, "POST", "/auth/signup", {"handle": "cai", "password": PASSWORD, "name": "王小明"}
    )
    circle = call(
        ann,
        "POST",
        "/circles",
        {"name": "Choir 合唱团", "kind": "teaching", "visibility": "private"},
    )["id"]
    code = call(ann, "POST", f"/circles/{circle}/codes", {"count": 2})["codes"][0]["code"]
    call(bob, "POST", f"/circles/{circle}/join", {"code": code})
    call(ann, "POST", f"/circles/{circle}/join", {"code": code}, token=cai["token"])
    call(ann, "PATCH", f"/circles/{circle}/members/{bob_id}", {"role": "admin"})
    group = call(ann, "POST", f"/circles/{circle}/groups", {"name": GROUP, "access": "request"})
    group_id = group["group"]["id"]
    call(ann, "POST", f"/groups/{group_id}/join", token=cai["token"])
    for page in (ann, bob):
        page.goto(f"{page.url.split('#')[0]}#/c/{circle}")
        expect(tid(page, "circle-page")).to_be_visible()
        wait_live(page)

    # The feed: a notice made a must-read, a member's post with comments, pinned.
    open_tab(ann, "feed")
    tid(ann, "post-kind").select_option("notice")
    tid(ann, "post-text-input").fill(NOTICE)
    tid(ann, "post-submit").click()
    post_card(ann, NOTICE).get_by_test_id("mustread-btn").click()
    expect(post_card(ann, NOTICE).get_by_test_id("mustread-tag")).to_be_visible()
    post_card(ann, NOTICE).get_by_test_id("pin-btn").click()
    expect(post_card(ann, NOTICE).get_by_test_id("pinned-tag")).to_be_visible()
    open_tab(bob, "feed")
    tid(bob, "post-text-input").fill(POST)
    tid(bob, "post-submit").click()
    for page, comment in ((ann, "Two in the shed"), (bob, "谢谢")):
        card = post_card(page, POST)
        card.get_by_test_id("comments-btn").click()
        card.get_by_test_id("comment-input").fill(comment)
        card.get_by_test_id("comment-send").click()
        expect(card.get_by_test_id("comment-text").filter(has_text=comment)).to_have_count(1)
    post_card(ann, POST).get_by_test_id("like-btn").click()
    post_card(ann, POST).get_by_test_id("pin-btn").click()
    expect(post_card(ann, POST).get_by_test_id("pinned-tag")).to_be_visible()
    expect(post_card(ann, POST).get_by_test_id("comment")).to_have_count(2)

    # Highlights: Bob is asked to read the notice; Ann follows the receipts.
    open_tab(bob, "highlights")
    expect(tid(bob, "mustread-list").get_by_test_id("ack-btn")).to_be_visible()
    open_tab(ann, "highlights")
    notice = highlight(ann, NOTICE)  # pinned: her own must-read is not waiting for her
    notice.get_by_test_id("receipts-btn").click()
    expect(notice.get_by_test_id("receipts-pending")).to_contain_text("Bob")
    return Walk(ann, bob, circle, group_id, ["Ann", "Bob", GROUP])


def bob_reads_it(w: Walk) -> Locator:
    tid(w.admin, "mustread-list").get_by_test_id("ack-btn").click()
    receipts = highlight(w.owner, NOTICE).get_by_test_id("receipts")
    expect(receipts.get_by_test_id("receipts-acked")).to_contain_text("Bob")
    return receipts


def open_settings(page: Page) -> Locator:
    open_tab(page, "settings")
    tid(page, "codes-generate").click()
    # Every code of the circle is listed (the invite link's from before too).
    expect(tid(page, "code-item").first.get_by_test_id("code-copy")).to_be_visible()
    members = tid(page, "members-list").get_by_test_id("member")
    expect(members).to_have_count(3)
    return members


def open_group_admin(page: Page) -> Locator:
    open_tab(page, "chat")
    item = (
        tid(page, "group-list")
        .locator("li")
        .filter(has=page.locator(".group-name").get_by_text(f"# {GROUP}", exact=True))
    )
    item.get_by_test_id("group-manage").click()
    panel = tid(page, "group-admin")
    expect(panel.get_by_test_id("group-request")).to_have_count(1)
    return panel


def remove_button(members: Locator, name: str) -> Locator:
    """The member's Remove button, in their actions (opened here)."""
    row = members.filter(
        has=members.page.get_by_test_id("member-name").get_by_text(name, exact=True)
    )
    row.get_by_test_id("member-actions").click()
    return row.get_by_test_id("member-remove")


def role_of(members: Locator, name: str) -> Locator:
    return members.filter(
        has=members.page.get_by_test_id("member-name").get_by_text(name, exact=True)
    ).get_by_test_id("member-role")


def test_a_parent_meets_no_english_word(open_page: Any, screenshots: Path) -> None:
    w = walk(open_page, "zh-CN")
    ann, bob = w.owner, w.admin
    expect(ann.locator("html")).to_have_attribute("lang", "zh-CN")

    # Bob, before he reads it: the button says 我已读.
    expect(tid(bob, "mustread-list").get_by_test_id("ack-btn")).to_have_text("我已读")
    assert english_words(tid(bob, "panel-highlights"), w.names) == []

    receipts = bob_reads_it(w)
    expect(receipts.get_by_test_id("receipts-summary")).to_have_text("1 人已读 · 1 人未读")
    expect(highlight(ann, NOTICE).get_by_test_id("mustread-tag")).to_have_text("必读")
    expect(highlight(ann, NOTICE).get_by_test_id("receipts-btn")).to_have_text("收起已读情况")
    expect(highlight(ann, POST).get_by_test_id("pin-btn")).to_have_text("取消置顶")
    assert english_words(tid(ann, "panel-highlights"), w.names) == []
    ann.screenshot(path=str(screenshots / "highlights-zh.png"))

    open_tab(ann, "feed")
    card = post_card(ann, POST)
    expect(card.get_by_test_id("comments-btn")).to_have_text("评论（2）")  # noqa: RUF001
    expect(tid(ann, "post-submit")).to_have_text("发布")
    assert english_words(tid(ann, "panel-feed"), w.names) == []
    # The words someone wrote stay as they were written.
    expect(card.get_by_test_id("comment-text").first).to_have_text("Two in the shed")

    members = open_settings(ann)
    expect(role_of(members, "Ann")).to_have_text("老师")  # a teaching circle: its teacher
    expect(role_of(members, "Bob")).to_have_text("助教")
    expect(role_of(members, "王小明")).to_have_text("成员")
    expect(tid(ann, "settings-threshold")).to_be_visible()
    expect(tid(ann, "panel-settings").get_by_label("一条消息得到几颗星就设为精华")).to_be_visible()
    assert english_words(tid(ann, "panel-settings"), w.names) == []
    # The picture shows the codes and the members with their roles.
    tid(ann, "codes-form").evaluate("el => el.scrollIntoView({block: 'start'})")
    ann.screenshot(path=str(screenshots / "settings-zh.png"))
    # A member's settings: no circle form, the same language.
    open_tab(bob, "settings")
    expect(tid(bob, "members-list").get_by_test_id("member")).to_have_count(3)
    assert english_words(tid(bob, "panel-settings"), w.names) == []

    panel = open_group_admin(ann)
    expect(panel.get_by_test_id("group-approve")).to_have_text("同意")
    assert english_words(panel, w.names) == []
    panel.get_by_test_id("group-approve").click()
    expect(panel.get_by_test_id("group-member")).to_have_count(2)
    assert english_words(panel, w.names) == []
    tid(ann, "group-admin-close").click()
    tid(ann, "group-new").click()
    assert english_words(tid(ann, "group-form"), w.names) == []
    # A confirmation asks in Chinese too.
    open_tab(ann, "settings")
    remove_button(members, "王小明").click()
    expect(members).to_have_count(2)
    assert ann.dialogs == [("confirm", "确定把 王小明 移出这个圈子吗？")]  # noqa: RUF001
    assert ann.errors == [] and bob.errors == []


def test_the_same_walk_in_english(open_page: Any, screenshots: Path) -> None:
    w = walk(open_page, "en-US")
    ann, bob = w.owner, w.admin
    expect(tid(bob, "mustread-list").get_by_test_id("ack-btn")).to_have_text("I’ve read it")  # noqa: RUF001
    receipts = bob_reads_it(w)
    expect(receipts.get_by_test_id("receipts-summary")).to_have_text("Read by 1 · waiting for 1")
    expect(tid(ann, "panel-highlights").locator("h2")).to_have_text("Highlights")
    expect(highlight(ann, NOTICE).get_by_test_id("mustread-tag")).to_have_text("must-read")
    expect(highlight(ann, POST).get_by_test_id("pin-btn")).to_have_text("Unpin")
    # The check of the Chinese walk finds English words when there are some.
    found = english_words(tid(ann, "panel-highlights"), w.names)
    assert "Highlights" in found and "Unpin" in found, found
    assert not any("Concert dress" in text for text in found), found  # what Ann wrote
    ann.screenshot(path=str(screenshots / "highlights-en.png"))

    open_tab(ann, "feed")
    expect(post_card(ann, POST).get_by_test_id("comments-btn")).to_have_text("Comments (2)")
    expect(tid(ann, "post-text-input")).to_have_attribute(
        "placeholder", "Share something that should stay"
    )

    members = open_settings(ann)
    expect(role_of(members, "Ann")).to_have_text("Teacher")  # a teaching circle
    expect(role_of(members, "Bob")).to_have_text("Assistant")
    expect(role_of(members, "王小明")).to_have_text("Member")
    expect(
        tid(ann, "panel-settings").get_by_label("Stars needed to promote a message")
    ).to_be_visible()
    expect(tid(ann, "code-copy").first).to_have_text("Copy invite link")
    remove = remove_button(members, "王小明")
    expect(remove).to_have_attribute("aria-label", "Remove 王小明 from the circle")

    panel = open_group_admin(ann)
    expect(panel.get_by_test_id("group-approve")).to_have_text("Approve")
    expect(panel.get_by_test_id("group-approve")).to_have_attribute("aria-label", "Let 王小明 join")
    expect(panel.locator("h3")).to_have_text(f"Manage # {GROUP}")
    assert ann.errors == [] and bob.errors == []


def test_the_switcher_changes_the_language_and_keeps_it(open_page: Any) -> None:
    page = open_page(locale="en-US")
    signed_up(page, "ann", "Ann")
    circle = call(
        page, "POST", "/circles", {"name": "Choir", "kind": "teaching", "visibility": "private"}
    )
    expect(tid(page, "circle-list")).to_be_attached()
    # Mark the home page drawn in English: a switch draws it anew.
    tid(page, "circle-list").evaluate("el => { el.dataset.drawnIn = 'en'; }")
    switch = tid(page, "locale")
    expect(switch).to_have_value("en")
    switch.select_option(label="简体中文")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(tid(page, "logout")).to_have_text("退出登录")
    # The home page is drawn again (its own words are checked with it), and a circle's
    # views open in Chinese.
    expect(tid(page, "circle-list")).to_be_attached()
    expect(page.locator("[data-drawn-in]")).to_have_count(0)
    page.goto(f"{page.url.split('#')[0]}#/c/{circle['id']}")
    open_tab(page, "highlights")
    expect(tid(page, "panel-highlights").locator("h2")).to_have_text("精华")

    page.reload()
    wait_live(page)
    expect(switch).to_have_value("zh-CN")
    expect(tid(page, "logout")).to_have_text("退出登录")
    open_tab(page, "highlights")
    expect(tid(page, "highlights-empty")).to_contain_text("给聊天消息点星")
    assert english_words(tid(page, "panel-highlights"), ["Ann"]) == []
    switch.select_option("en")
    expect(tid(page, "panel-highlights").locator("h2")).to_have_text("Highlights")
    assert re.fullmatch(r"Nothing here yet\..*", tid(page, "highlights-empty").inner_text())
    assert page.errors == []


SMALL_TARGETS_JS = """
([root, exclude]) => [...root.querySelectorAll('button, select, input:not([type="checkbox"]), textarea')]
  .filter((el) => !exclude.some((sel) => el.closest(sel)) && el.checkVisibility())
  .map((el) => [el.dataset.testid || el.textContent.trim(), el.getBoundingClientRect()])
  .filter(([, box]) => box.width < 44 || box.height < 44)
  .map(([name, box]) => `${name}: ${Math.round(box.width)}×${Math.round(box.height)}`)
"""


def small_targets(area: Locator) -> list[str]:
    """The controls of an area a finger would miss: less than 44 × 44 px."""
    expect(area).to_be_visible()
    found: list[str] = area.evaluate(
        f"(root, exclude) => ({SMALL_TARGETS_JS})([root, exclude])", OTHER_VIEWS
    )
    return found


def test_touch_targets_on_a_phone(open_page: Any) -> None:
    page = open_page(360, 740, locale="zh-CN")
    signed_up(page, "ann", "Ann")
    circle = call(
        page, "POST", "/circles", {"name": "班级", "kind": "teaching", "visibility": "private"}
    )["id"]
    post = call(page, "POST", f"/circles/{circle}/posts", {"kind": "notice", "text": "明天春游"})
    call(page, "POST", f"/posts/{post['id']}/comments", {"text": "收到"})
    call(page, "PUT", f"/posts/{post['id']}/must-read")
    call(page, "PUT", f"/posts/{post['id']}/pin", {})
    page.goto(f"{page.url.split('#')[0]}#/c/{circle}")
    wait_live(page)

    open_tab(page, "feed")
    card = post_card(page, "明天春游")
    opener = card.get_by_test_id("comments-btn")
    # Just after the page opens, the feed redraws as the post's events arrive: a click
    # that lands on a card being replaced is lost (seen on a busy machine), so open again.
    for _ in range(3):
        if opener.get_attribute("aria-expanded") != "true":
            opener.click()
        try:
            expect(opener).to_have_attribute(
                "aria-expanded", "true", timeout=timing.seconds(3) * 1000
            )
            break
        except AssertionError:
            continue
    expect(card.get_by_test_id("comment")).to_have_count(1)
    assert small_targets(tid(page, "panel-feed")) == []
    open_tab(page, "highlights")
    highlight(page, "明天春游").get_by_test_id("receipts-btn").click()
    expect(highlight(page, "明天春游").get_by_test_id("receipts")).to_be_visible()
    assert small_targets(tid(page, "panel-highlights")) == []
    open_tab(page, "settings")
    tid(page, "codes-generate").click()
    expect(tid(page, "code-item")).to_have_count(1)
    assert small_targets(tid(page, "panel-settings")) == []
    assert page.errors == []
