"""Check-in challenges in the page: the owner starts one that asks for a photo; a
member joins, is told a photo is missing, checks in with one and sees their
streak; the owner, watching, sees the board and today's list move live and the
"not yet checked in" list shrink. Then the member's page in Chinese on a phone."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import expect

from tests.browser.pages import highlight, open_tab, tid, two_in_a_circle
from tests.browser.test_media import no_sideways_scroll


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def test_a_member_checks_in_with_a_photo_and_the_owner_watches_the_board(
    open_page: Any, screenshots: Path
) -> None:
    ann, bob = two_in_a_circle(open_page, "读书会")
    open_tab(ann, "challenges")
    tid(ann, "challenge-new").locator("summary").click()
    tid(ann, "challenge-title-input").fill("每日阅读一小时")
    tid(ann, "challenge-type").select_option("continuous")
    tid(ann, "challenge-days").fill("3")
    tid(ann, "challenge-photo").check()
    tid(ann, "challenge-create").click()
    expect(tid(ann, "challenge-title")).to_have_text("每日阅读一小时")
    expect(tid(ann, "board-empty")).to_be_visible()

    open_tab(bob, "challenges")
    tid(bob, "challenge-open").click()
    tid(bob, "challenge-join").click()
    # Ann, an owner watching, gets the participant in the "not yet checked in" list.
    expect(tid(ann, "missing-member")).to_have_text(["Bob"])
    tid(bob, "checkin-text").fill("读完了第一章")
    tid(bob, "checkin-send").click()
    expect(tid(bob, "checkin-error")).to_have_text(
        "Add the photo or recording this challenge asks for."
    )
    composer = tid(bob, "checkin-composer")
    tid(composer, "attach-input").set_input_files(
        files=[{"name": "page.png", "mimeType": "image/png", "buffer": png()}]
    )
    expect(tid(composer, "att-chip")).to_have_attribute("data-state", "done")
    tid(bob, "checkin-send").click()
    expect(tid(bob, "challenge-checked")).to_be_visible()
    expect(tid(bob, "challenge-standing")).to_have_text("Streak 1 · 1 days in all")
    expect(tid(bob, "board-me")).to_contain_text("#1")

    # Live on Ann's page: the board, today's check-ins with the photo, nobody missing.
    entry = tid(ann, "board-entry")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Bob")
    checkin = tid(ann, "checkin")
    expect(checkin.get_by_test_id("checkin-words")).to_have_text("读完了第一章")
    expect(checkin.locator("img")).to_have_count(1)
    expect(tid(ann, "missing-member")).to_have_count(0)
    tid(ann, "board-total").click()
    expect(tid(ann, "board-total")).to_have_attribute("aria-selected", "true")
    expect(tid(ann, "board-entry")).to_contain_text("1 day")

    # Ann features it (精选): a highlight of the circle, on Bob's page live, tagged
    # with its challenge; the check-in is marked featured.
    tid(checkin, "checkin-feature").click()
    expect(tid(checkin, "checkin-featured")).to_be_visible()
    open_tab(bob, "highlights")
    card = highlight(bob, "读完了第一章")
    expect(tid(card, "post-checkin")).to_contain_text("每日阅读一小时")
    open_tab(bob, "challenges")

    # Ann invalidates it with a reason: Bob's count goes back, live.
    expect(tid(checkin, "checkin-invalidate")).to_be_disabled()
    tid(checkin, "checkin-reason").fill("照片与读书无关")
    tid(checkin, "checkin-invalidate").click()
    expect(tid(ann, "checkin-invalid")).to_have_text("Invalidated: 照片与读书无关")
    expect(tid(bob, "challenge-standing")).to_have_text("Streak 0 · 0 days in all")
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]


def test_the_challenge_page_in_chinese_on_a_phone(open_page: Any, screenshots: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "晨读", width=360)
    for page in (ann, bob):
        page.set_viewport_size({"width": 360, "height": 740})
    open_tab(ann, "settings")
    tid(ann, "more-challenges").click()
    tid(ann, "challenge-new").locator("summary").click()
    tid(ann, "challenge-title-input").fill("21天晨读")
    tid(ann, "challenge-create").click()
    expect(tid(ann, "challenge-title")).to_have_text("21天晨读")
    bob.evaluate("localStorage.setItem('quanzi.locale', 'zh-CN')")
    bob.reload()
    open_tab(bob, "settings")
    tid(bob, "more-challenges").click()
    tid(bob, "challenge-open").click()
    tid(bob, "challenge-join").click()
    tid(bob, "checkin-text").fill("早上读了三十页")
    tid(bob, "checkin-send").click()
    expect(tid(bob, "challenge-checked")).to_have_text("今天已打卡 ✓")
    expect(tid(bob, "challenge-standing")).to_have_text("连续 1 天 · 累计 1 天")
    expect(tid(bob, "challenges-body")).not_to_contain_text("null")
    no_sideways_scroll(bob)
    bob.screenshot(path=str(screenshots / "checkin-zh-phone.png"))
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]


def test_review_queue_make_up_leave_reminders_and_export(open_page: Any, screenshots: Path) -> None:
    """A challenge with make-up, leave, a review queue and a reminder: the member's
    refusals are said, a check-in waits for review and counts once approved (live on
    the member's page), the calendar shows the day, the reminder switch, the CSV."""
    ann, bob = two_in_a_circle(open_page, "训练营")
    open_tab(ann, "challenges")
    # The circle's quiet hours (no reminders then), kept as a setting.
    tid(ann, "quiet-hours").locator("summary").click()
    tid(ann, "quiet-from").fill("22:00")
    tid(ann, "quiet-to").fill("07:00")
    tid(ann, "quiet-save").click()
    expect(tid(ann, "quiet-save")).to_be_enabled()
    tid(ann, "challenge-new").locator("summary").click()
    tid(ann, "challenge-title-input").fill("21天训练营")
    tid(ann, "rule-makeup-days").fill("2")
    tid(ann, "rule-makeup-quota").fill("1")
    tid(ann, "rule-leave-days").fill("1")
    tid(ann, "rule-review").check()
    tid(ann, "rule-remind-at").fill("20:00")
    tid(ann, "challenge-create").click()
    expect(tid(ann, "challenge-title")).to_have_text("21天训练营")
    expect(tid(ann, "review-empty")).to_be_visible()

    open_tab(bob, "challenges")
    tid(bob, "challenge-open").click()
    tid(bob, "challenge-join").click()
    # Yesterday is before the challenge started: the refusal is said.
    yesterday = bob.evaluate(
        "(() => { const d = new Date(Date.now() - 86400000 + 8 * 3600000);"
        " return d.toISOString().slice(0, 10); })()"
    )
    tid(bob, "makeup-date").fill(yesterday)
    tid(bob, "makeup-send").click()
    expect(tid(bob, "makeup-error")).to_have_text("This challenge has not started yet.")
    # Reminders: on by default, turned off.
    expect(tid(bob, "reminder-toggle")).to_be_checked()
    tid(bob, "reminder-toggle").uncheck()
    expect(tid(bob, "reminder-toggle")).not_to_be_checked()

    tid(bob, "checkin-text").fill("跑了五公里")
    tid(bob, "checkin-send").click()
    expect(tid(bob, "challenge-pending")).to_be_visible()
    expect(tid(bob, "calendar-day")).to_have_attribute("data-kind", "pending")
    expect(tid(bob, "challenge-standing")).to_have_text("Streak 0 · 0 days in all")
    # Leave today after checking in: refused, said.
    tid(bob, "leave-send").click()
    expect(tid(bob, "leave-error")).to_have_text("You have checked in today already.")

    # Ann's review queue has it, live; she approves: Bob's count moves, live.
    item = tid(ann, "review-item")
    expect(item).to_contain_text("跑了五公里")
    tid(item, "review-approve").click()
    expect(tid(ann, "review-empty")).to_be_visible()
    expect(tid(bob, "challenge-standing")).to_have_text("Streak 1 · 1 days in all")
    expect(tid(bob, "calendar-day")).to_have_attribute("data-kind", "ontime")
    expect(tid(bob, "challenge-checked")).to_be_visible()

    # The grant form refuses a day before the start, said; the CSV downloads.
    tid(ann, "grant-new").locator("summary").click()
    tid(ann, "grant-date").fill(yesterday)
    tid(ann, "grant-reason").fill("系统故障")
    tid(ann, "grant-send").click()
    expect(tid(ann, "grant-error")).to_have_text("This challenge has not started yet.")
    with ann.expect_download() as download:
        tid(ann, "csv-export").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("user_id,name,date,kind,state,on_time")
    assert "跑了五公里" not in text and ",checkin,valid,1,0,0," in text
    tid(ann, "challenge-back").click()
    expect(tid(ann, "quiet-from")).to_have_value("22:00")
    expect(tid(ann, "quiet-to")).to_have_value("07:00")
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]


def test_make_up_and_leave_in_chinese_on_a_phone(open_page: Any, screenshots: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "晨读营", width=360)
    for page in (ann, bob):
        page.set_viewport_size({"width": 360, "height": 740})
    open_tab(ann, "settings")
    tid(ann, "more-challenges").click()
    tid(ann, "challenge-new").locator("summary").click()
    tid(ann, "challenge-title-input").fill("严格21天")
    tid(ann, "rule-strict").check()
    tid(ann, "challenge-create").click()
    expect(tid(ann, "challenge-title")).to_have_text("严格21天")
    bob.evaluate("localStorage.setItem('quanzi.locale', 'zh-CN')")
    bob.reload()
    open_tab(bob, "settings")
    tid(bob, "more-challenges").click()
    tid(bob, "challenge-open").click()
    tid(bob, "challenge-join").click()
    tid(bob, "leave-send").click()
    expect(tid(bob, "leave-error")).to_have_text("严格模式的挑战不能请假。")
    tid(bob, "checkin-text").fill("早上读了三十页")
    tid(bob, "checkin-send").click()
    expect(tid(bob, "calendar-day")).to_have_attribute("data-kind", "ontime")
    expect(tid(bob, "calendar-day")).to_contain_text("已打卡")
    no_sideways_scroll(bob)
    bob.screenshot(path=str(screenshots / "checkin-days-zh-phone.png"))
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]
