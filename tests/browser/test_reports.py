"""Reports in two browsers: Bob reports Ann's chat message from its menu; Ann, the
owner, sees the open count come live, opens the moderation queue with the
message's text, dismisses it with a note; Bob is told the outcome live and reads
it in his reports; the act is in Ann's audit log and its CSV export. On a phone
(360 px) the report dialog fits the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import (
    api,
    circle_id,
    create_circle,
    expect_once,
    open_menu,
    open_tab,
    post_card,
    say,
    signup,
    tid,
    two_in_a_circle,
)


def test_a_member_reports_a_message_the_owner_dismisses_it_the_reporter_learns_it(
    open_page: Any, tmp_path: Path
) -> None:
    ann, bob = two_in_a_circle(open_page, "茶馆")
    open_tab(ann, "settings")
    expect(tid(ann, "moderation-link")).to_be_visible()
    expect(tid(ann, "moderation-badge")).to_be_hidden()
    open_tab(bob, "chat")
    expect(tid(bob, "moderation-link")).to_have_count(0)
    open_tab(ann, "chat")
    say(ann, "加微信领红包")
    open_tab(ann, "settings")
    spam = expect_once(bob, "加微信领红包")

    open_menu(spam).get_by_test_id("report-btn").click()
    dialog = tid(bob, "report-dialog")
    expect(dialog).to_be_visible()
    tid(dialog, "report-reason-spam").check()
    tid(dialog, "report-text").fill("广告")
    tid(dialog, "report-send").click()
    expect(dialog).to_have_count(0)
    expect(tid(bob, "toast").last).to_contain_text("admins will look at it")

    # Ann's count comes live; the queue shows what the message says and who reported it.
    expect(tid(ann, "moderation-badge")).to_have_text("1")
    tid(ann, "moderation-link").click()
    report = tid(ann, "report")
    expect(report).to_have_count(1)
    expect(tid(report, "report-preview")).to_have_text("加微信领红包")
    expect(tid(report, "report-words")).to_have_text("广告")
    expect(report).to_contain_text("Bob")
    expect(tid(ann, "moderation-open")).to_have_text("1 open report")
    # Searched by the reporter's (or the author's) name.
    tid(ann, "reports-search").fill("没有这个人")
    expect(tid(ann, "reports-empty")).to_be_visible()
    tid(ann, "reports-search").fill("bob")
    report = tid(ann, "report")
    expect(report).to_have_count(1)
    tid(report, "resolve-note").fill("不算广告")
    tid(report, "resolve-dismiss").click()
    expect(tid(ann, "reports-empty")).to_be_visible()
    expect(tid(ann, "moderation-open")).to_have_text("0 open reports")
    tid(ann, "reports-tab-resolved").click()
    expect(tid(ann, "report-outcome")).to_contain_text("dismissed")

    # Bob learns it live, and reads it in his reports.
    expect(tid(bob, "toast").filter(has_text="Your report was handled: dismissed")).to_have_count(1)
    bob.goto(bob.url.split("#")[0] + "#/reports")
    mine = tid(bob, "my-report")
    expect(mine).to_have_count(1)
    expect(mine).to_have_attribute("data-status", "resolved")
    expect(tid(mine, "my-report-status")).to_contain_text("dismissed")
    expect(tid(mine, "my-report-status")).to_contain_text("不算广告")

    # Ann's audit log has the act; its export is a CSV Excel reads as UTF-8.
    circle = circle_id(ann)
    ann.goto(ann.url.split("#")[0] + f"#/c/{circle}/audit")
    entry = tid(ann, "audit-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_have_attribute("data-action", "report.dismissed")
    tid(ann, "audit-search").fill("nobody-here")
    expect(tid(ann, "audit-list-empty")).to_be_visible()
    tid(ann, "audit-search").fill("ann")
    expect(tid(ann, "audit-entry")).to_have_count(1)
    with ann.expect_download() as download:
        tid(ann, "audit-export").click()
    saved = tmp_path / "audit.csv"
    download.value.save_as(saved)
    raw = saved.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "report.dismissed" in raw.decode("utf-8-sig") and "不算广告" in raw.decode("utf-8-sig")
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]


def test_the_report_dialog_fits_a_phone_and_speaks_chinese(open_page: Any) -> None:
    ann = open_page(360, 740, locale="zh-CN")
    signup(ann, "ann", "Ann")
    circle = create_circle(ann, "读书会", visibility="public")
    bob = open_page(360, 740, locale="zh-CN")
    signup(bob, "bob", "Bob")
    api(bob, "POST", f"/circles/{circle}/join", {})
    api(ann, "POST", f"/circles/{circle}/posts", {"kind": "post", "text": "出售二手书"})
    bob.goto(bob.url.split("#")[0] + f"#/c/{circle}")
    open_tab(bob, "feed")
    card = post_card(bob, "出售二手书")
    tid(card, "report-btn").click()
    dialog = tid(bob, "report-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("举报这篇帖子")
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    tid(dialog, "report-send").click()
    expect(tid(bob, "toast").last).to_contain_text("感谢举报")
    assert bob.errors == []  # type: ignore[attr-defined]
