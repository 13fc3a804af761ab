"""Points in the page: the owner changes the table (a post earns 5, owners excluded);
a member posts and sees their total, the entry and their rank; the owner, watching
the board, sees the member on it without reloading. Then the member's page in
Chinese on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import api, circle_id, open_tab, tid, two_in_a_circle
from tests.browser.test_media import no_sideways_scroll


def test_the_table_earns_and_the_board_moves_live(open_page: Any, screenshots: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "摄影圈")
    cid = circle_id(ann)
    open_tab(ann, "points")
    expect(tid(ann, "points-empty")).to_be_visible()
    tid(ann, "rule-post").fill("5")
    tid(ann, "rule-exclude").check()
    tid(ann, "rules-save").click()
    expect(tid(ann, "rules-updated")).to_be_visible()
    open_tab(bob, "points")
    expect(tid(bob, "rule-post")).to_have_text("+5")
    api(bob, "POST", f"/circles/{cid}/posts", {"kind": "post", "text": "今天的日落"})
    # Live on Ann's board (the post reaches her page; the board reloads).
    expect(tid(ann, "points-entry")).to_contain_text("Bob")
    expect(tid(ann, "points-entry")).to_contain_text("5 points")
    open_tab(bob, "chat")
    open_tab(bob, "points")
    expect(tid(bob, "points-total")).to_have_text("You have 5 points")
    expect(tid(bob, "ledger-entry")).to_contain_text("A post")
    expect(tid(bob, "points-me")).to_contain_text("#1")
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]


def test_the_points_page_in_chinese_on_a_phone(open_page: Any, screenshots: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "行里", width=360)
    for page in (ann, bob):
        page.set_viewport_size({"width": 360, "height": 740})
    cid = circle_id(bob)
    api(bob, "POST", f"/circles/{cid}/posts", {"kind": "post", "text": "读书笔记"})
    bob.evaluate("localStorage.setItem('quanzi.locale', 'zh-CN')")
    bob.reload()
    open_tab(bob, "settings")
    tid(bob, "more-points").click()
    expect(tid(bob, "points-total")).to_have_text("你有 2 积分")
    expect(tid(bob, "rule-highlight")).to_have_text("+5")
    expect(tid(bob, "points-body")).not_to_contain_text("null")
    no_sideways_scroll(bob)
    bob.screenshot(path=str(screenshots / "points-zh-phone.png"))
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]
