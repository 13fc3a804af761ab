"""Events in the page: the owner announces a birthday party with one seat; a member
answers going and the owner's card counts them live; the owner's own "going" waits
on the list until the member gives up the seat, then the owner is seated, live. Then
the member's page in Chinese on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.pages import open_tab, tid, two_in_a_circle
from tests.browser.test_media import no_sideways_scroll


def announce(page: Page, title: str, capacity: str = "") -> None:
    tid(page, "gathering-new").locator("summary").click()
    tid(page, "gathering-title-input").fill(title)
    tid(page, "gathering-starts").fill("2099-12-24T19:00")
    tid(page, "gathering-place-input").fill("三楼活动室")
    if capacity:
        tid(page, "gathering-capacity").fill(capacity)
    tid(page, "gathering-create").click()
    expect(tid(page, "gathering-title")).to_have_text(title)


def test_answers_count_live_and_the_waiting_list_gets_the_seat(
    open_page: Any, screenshots: Path
) -> None:
    ann, bob = two_in_a_circle(open_page, "工会之家")
    open_tab(ann, "events")
    announce(ann, "十二月生日会", capacity="1")
    expect(tid(ann, "gathering-when")).to_have_text("2099-12-24 19:00 (Asia/Shanghai)")
    open_tab(bob, "events")
    tid(bob, "rsvp-going").click()
    expect(tid(bob, "rsvp-going")).to_have_attribute("aria-pressed", "true")
    # Live on Ann's page.
    expect(tid(ann, "gathering-counts")).to_contain_text("1 going")
    tid(ann, "rsvp-going").click()
    expect(tid(ann, "gathering-waiting")).to_be_visible()
    expect(tid(bob, "gathering-counts")).to_contain_text("1 waiting")
    tid(bob, "rsvp-not_going").click()
    # Ann gets the seat without reloading.
    expect(tid(ann, "gathering-waiting")).to_have_count(0)
    expect(tid(ann, "gathering-counts")).to_have_text("1 going · 0 maybe · 1 seat")
    tid(ann, "gathering-who").locator("summary").click()
    expect(tid(ann, "rsvp-entry")).to_have_count(2)
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]


def test_the_events_page_in_chinese_on_a_phone(open_page: Any, screenshots: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "行里", width=360)
    for page in (ann, bob):
        page.set_viewport_size({"width": 360, "height": 740})
    open_tab(ann, "settings")
    tid(ann, "more-events").click()
    announce(ann, "新年联欢会")
    bob.evaluate("localStorage.setItem('quanzi.locale', 'zh-CN')")
    bob.reload()
    open_tab(bob, "settings")
    tid(bob, "more-events").click()
    tid(bob, "rsvp-maybe").click()
    expect(tid(bob, "rsvp-maybe")).to_have_attribute("aria-pressed", "true")
    expect(tid(bob, "gathering-counts")).to_have_text("0 人参加 · 1 人待定")
    expect(tid(bob, "gatherings-body")).not_to_contain_text("null")
    no_sideways_scroll(bob)
    bob.screenshot(path=str(screenshots / "events-zh-phone.png"))
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]
