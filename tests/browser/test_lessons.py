"""The course plan and live lessons in the page: the teacher adds a lesson with an
embeddable player and starts it; the student, on another tab of the circle, gets
the "live now" banner live, opens the player (the page's CSP lets the frame
load), chats "during the lesson", keeps the banner on the home page and after a
reload (a member who connects mid-lesson), and loses it when the teacher ends
the lesson, whose page then shows the replay and the lesson's highlight. Then a
student's phone in Chinese: the banner on the home page and the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.pages import (
    api,
    circle_id,
    expect_once,
    go_home,
    open_menu,
    open_tab,
    say,
    tid,
    two_in_a_circle,
    wait_live,
)
from tests.browser.test_media import no_sideways_scroll

PLAYER = "https://player.bilibili.com/player.html?bvid=BV1xx411c7mD"


def fake_player(page: Page) -> None:
    """The player's site, answered here: the test needs no network."""
    page.route(
        "https://player.bilibili.com/**",
        lambda route: route.fulfill(
            body="<!doctype html><p id=p>player here</p>", content_type="text/html"
        ),
    )


def test_a_live_lesson_reaches_a_student_wherever_they_are(
    open_page: Any, screenshots: Path
) -> None:
    ann, bob = two_in_a_circle(open_page, "舞蹈课", kind="teaching")
    fake_player(bob)
    open_tab(ann, "course")
    tid(ann, "lesson-new").locator("summary").click()
    tid(ann, "lesson-title-input").fill("第一课 基本站姿")
    tid(ann, "lesson-starts").fill("2030-01-10T19:30")
    tid(ann, "lesson-duration").fill("60")
    tid(ann, "lesson-stream").fill(PLAYER)
    tid(ann, "lesson-embed").check()
    form = tid(ann, "lesson-form")
    tid(form, "attach-input").set_input_files(
        files=[
            {"name": "讲义.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% notes\n"}
        ]
    )
    expect(tid(form, "att-chip")).to_have_attribute("data-state", "done")
    tid(ann, "lesson-save").click()
    item = tid(ann, "lesson-next").get_by_test_id("lesson-item")
    expect(item).to_contain_text("第一课 基本站姿")
    expect(item).to_contain_text("2030-01-10 19:30 (Asia/Shanghai)")

    # Bob finds the handout under the lesson in the materials.
    open_tab(bob, "materials")
    tid(bob, "materials-kind-lesson").click()
    group = tid(bob, "materials-lesson")
    expect(group).to_contain_text("第一课 基本站姿")
    expect(tid(group, "material")).to_contain_text("讲义.pdf")

    # Bob is on another tab; no banner yet.
    open_tab(bob, "feed")
    expect(tid(bob, "live-banner")).to_be_hidden()
    item.get_by_test_id("lesson-open").click()
    expect(tid(ann, "lesson-state")).to_have_text("Not started")
    tid(ann, "lesson-start").click()
    expect(tid(ann, "lesson-state")).to_have_text("Live now")

    banner = tid(bob, "live-banner")
    expect(banner).to_be_visible()
    expect(tid(banner, "live-title")).to_have_text("第一课 基本站姿")
    tid(banner, "live-watch").click()
    frame = tid(bob, "live-overlay").get_by_test_id("lesson-frame")
    expect(frame).to_have_attribute("src", PLAYER)
    expect(bob.frame_locator("[data-testid=lesson-frame]").locator("#p")).to_have_text(
        "player here"
    )
    tid(bob, "live-close").click()
    expect(tid(bob, "live-overlay")).to_be_hidden()

    # What Bob says now is said during the lesson, on his page and on Ann's.
    say(bob, "老师好 我准备好了")
    said = expect_once(bob, "老师好 我准备好了")
    expect(tid(said, "msg-during-lesson")).to_have_text("During the lesson")
    expect(tid(expect_once(ann, "老师好 我准备好了"), "msg-during-lesson")).to_be_visible()
    # Ann stars it (a threshold of one makes it a highlight of the lesson).
    api(ann, "PATCH", f"/circles/{circle_id(ann)}", {"promote_threshold": 1})
    open_menu(expect_once(ann, "老师好 我准备好了")).get_by_test_id("star-btn").click()

    # The home page has the banner too, and so has a page opened mid-lesson.
    go_home(bob)
    expect(tid(bob, "live-banner")).to_be_visible()
    bob.reload()
    wait_live(bob)
    expect(tid(tid(bob, "live-banner"), "live-title")).to_have_text("第一课 基本站姿")
    # Back in the circle from the banner: the history loaded anew is marked too.
    tid(bob, "live-banner").locator(".live-circle").click()
    expect(tid(bob, "circle-title")).to_have_text("舞蹈课")
    expect(tid(expect_once(bob, "老师好 我准备好了"), "msg-during-lesson")).to_be_visible()

    tid(ann, "lesson-end").click()
    expect(tid(ann, "lesson-state")).to_have_text("Ended")
    expect(tid(bob, "live-banner")).to_be_hidden()

    tid(ann, "lesson-edit").locator("summary").click()
    tid(ann, "lesson-replay-input").fill("https://replay.example.com/1")
    tid(ann, "lesson-save").click()
    expect(tid(ann, "lesson-replay")).to_have_attribute("href", "https://replay.example.com/1")
    expect(tid(ann, "lesson-highlight")).to_contain_text("老师好 我准备好了")
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]


def test_the_live_banner_and_the_plan_on_a_phone_in_chinese(
    open_page: Any, screenshots: Path
) -> None:
    ann, bob = two_in_a_circle(open_page, "晨练课", width=360, kind="teaching")
    for page in (ann, bob):
        page.set_viewport_size({"width": 360, "height": 740})
    cid = circle_id(ann)
    first = api(
        ann,
        "POST",
        f"/circles/{cid}/lessons",
        {"title": "第一课 热身", "starts_at": "2020-01-06T07:00", "duration_min": 30},
    )
    live = api(
        ann,
        "POST",
        f"/circles/{cid}/lessons",
        {
            "title": "第二课 八段锦",
            "starts_at": "2030-01-13T07:00",
            "stream_url": "https://live.example.com/room/8",
            "description": "请提前五分钟进入直播间",
        },
    )
    api(
        ann, "POST", f"/circles/{cid}/lessons", {"title": "第三课", "starts_at": "2030-01-20T07:00"}
    )
    bob.evaluate("localStorage.setItem('quanzi.locale', 'zh-CN')")
    bob.reload()
    wait_live(bob)
    go_home(bob)
    api(ann, "POST", f"/lessons/{live['id']}/start")
    banner = tid(bob, "live-banner")
    expect(banner).to_contain_text("正在直播")
    expect(tid(banner, "live-title")).to_have_text("第二课 八段锦")
    tid(banner, "live-watch").click()
    link = tid(bob, "live-overlay").get_by_test_id("lesson-stream-link")
    expect(link).to_have_attribute("href", "https://live.example.com/room/8")
    expect(link).to_have_attribute("target", "_blank")
    tid(bob, "live-close").click()

    bob.evaluate("id => { location.hash = `#/c/${id}`; }", cid)
    expect(tid(bob, "circle-title")).to_have_text("晨练课")
    open_tab(bob, "course")
    expect(tid(bob, "lesson-next")).to_contain_text("第二课 八段锦")
    expect(tid(bob, "lesson-live-tag")).to_have_text("直播中")
    past = tid(bob, "lesson-past").get_by_test_id("lesson-item")
    expect(past).to_contain_text("第一课 热身")
    expect(tid(past, "lesson-missed")).to_have_text("未观看")
    expect(tid(bob, "course-body")).not_to_contain_text("null")
    no_sideways_scroll(bob)
    bob.screenshot(path=str(screenshots / "lessons-zh-phone.png"))
    # Opening the missed lesson marks it seen.
    tid(past, "lesson-open").click()
    expect(tid(bob, "lesson-title")).to_have_text("第一课 热身")
    tid(bob, "lesson-back").click()
    expect(tid(bob, "lesson-past").get_by_test_id("lesson-missed")).to_have_count(0)
    assert first["state"] == "scheduled"
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]
