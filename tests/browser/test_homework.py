"""Homework in the page, three members: Ann (the owner, a teacher) sets an
assignment with a PDF; Bob hands in a short video and a photo (each upload's
progress on its chip); Ann opens the review screen, plays the video and —
while it plays — gives a score and a comment and marks it excellent; Bob sees
the review arrive live; Cai, a third member, sees the excellent work in the
highlights with its provenance. Then the homework tab in Chinese on a phone."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.pages import (
    api,
    circle_id,
    highlight,
    invite_link,
    join_with_invite,
    open_tab,
    signup,
    tid,
    two_in_a_circle,
)
from tests.browser.test_media import no_sideways_scroll, small_video

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 90)).save(out, "JPEG")
    return out.getvalue()


def set_assignment(ann: Page, title: str, lesson: str | None = None) -> None:
    open_tab(ann, "homework")
    tid(ann, "hw-new").locator("summary").click()
    if lesson is not None:
        # The course plan's lessons are offered; the assignment belongs to one.
        tid(ann, "hw-lesson").select_option(label=lesson)
    tid(ann, "hw-title-input").fill(title)
    tid(ann, "hw-instructions").fill("录一段 30 秒的基本步练习、再拍一张照片。")
    form = tid(ann, "hw-form")
    tid(form, "attach-input").set_input_files(
        files=[{"name": "要求.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(tid(form, "att-chip")).to_have_attribute("data-state", "done")
    tid(ann, "hw-visibility").select_option("after_review")
    tid(ann, "hw-create").click()
    expect(tid(ann, "hw-title")).to_have_text(title)
    expect(tid(tid(ann, "hw-assignment"), "att-file")).to_have_count(1)


def test_assign_submit_review_live_and_the_highlight(
    open_page: Any, screenshots: Path, tmp_path: Path
) -> None:
    ann, bob = two_in_a_circle(open_page, "舞蹈课", kind="teaching")
    cai = open_page(1280)
    signup(cai, "cai", "Cai")
    join_with_invite(cai, invite_link(ann), "舞蹈课")
    open_tab(bob, "homework")
    expect(tid(bob, "hw-empty")).to_be_visible()

    api(
        ann,
        "POST",
        f"/circles/{circle_id(ann)}/lessons",
        {"title": "第一课 基本步", "starts_at": "2099-03-01T10:00"},
    )
    set_assignment(ann, "基本步练习", lesson="第一课 基本步")
    made = api(ann, "GET", f"/circles/{circle_id(ann)}/assignments")
    assert made["assignments"][0]["lesson_id"] is not None
    # Bob's list moves live; he opens it and hands in a video and a photo.
    tid(bob, "hw-open").click()
    expect(tid(bob, "hw-mine")).to_have_attribute("data-state", "assigned")
    composer = tid(bob, "hw-composer")
    clip = small_video(tmp_path / "steps.mp4", "libx264", "mp4")
    tid(composer, "attach-input").set_input_files(
        files=[
            {"name": "steps.mp4", "mimeType": "video/mp4", "buffer": clip.read_bytes()},
            {"name": "pose.jpg", "mimeType": "image/jpeg", "buffer": jpeg()},
        ]
    )
    expect(tid(composer, "att-chip")).to_have_count(2)
    for i in range(2):
        expect(tid(composer, "att-chip").nth(i)).to_have_attribute("data-state", "done")
    tid(bob, "hw-text").fill("我的基本步作业")
    tid(bob, "hw-submit").click()
    expect(tid(bob, "hw-mine")).to_have_attribute("data-state", "submitted")

    # Ann's queue gets it live; the review screen plays the video while she reviews.
    item = tid(ann, "hw-queue-item")
    expect(item).to_have_count(1)
    # Cai has not handed in: Ann reminds her, and Cai's page says so.
    expect(tid(ann, "hw-missing-member")).to_have_text(["Cai"])
    tid(ann, "hw-remind").click()
    expect(tid(cai, "toast").filter(has_text="基本步练习")).to_have_text(
        "Homework due soon: 基本步练习"
    )
    tid(item, "hw-review-open").click()
    screen = tid(ann, "hw-review-screen")
    video = tid(screen, "att-video")
    expect(video).to_have_count(1)
    expect(tid(screen, "att-image")).to_have_count(1)
    started = video.evaluate(
        """async (v) => {
            v.muted = true;
            v.loop = true;
            await v.play();
            return !v.paused;
        }"""
    )
    assert started is True
    tid(ann, "hw-score").fill("95")
    tid(ann, "hw-comment-text").fill("节奏很稳、手臂再打开一点")
    tid(ann, "hw-review-save").click()
    status = tid(ann, "hw-review-status")
    expect(tid(status, "hw-state")).to_have_attribute("data-state", "reviewed")
    tid(ann, "hw-mark-excellent").click()
    expect(tid(status, "hw-excellent-tag")).to_be_visible()
    # The same player, still playing: nothing redrew it under her.
    playing = video.evaluate("(v) => v.isConnected && !v.paused && v.currentTime > 0")
    assert playing is True

    # Bob sees the review arrive, live.
    expect(tid(bob, "hw-mine")).to_have_attribute("data-state", "reviewed")
    expect(tid(bob, "hw-mark")).to_have_text("Score 95")
    expect(tid(bob, "hw-review-comment")).to_have_text("节奏很稳、手臂再打开一点")
    # Cai sees the excellent work in the highlights, with where it came from.
    open_tab(cai, "highlights")
    card = highlight(cai, "我的基本步作业")
    expect(card).to_have_count(1)
    expect(tid(card, "post-homework")).to_have_text("Excellent homework · 基本步练习")
    expect(tid(card, "post-author")).to_have_text("Bob")
    # Its link opens the assignment, with the work in its showcase.
    tid(card, "post-homework").click()
    expect(tid(cai, "panel-homework")).to_be_visible()
    expect(tid(cai, "hw-title")).to_have_text("基本步练习")
    expect(tid(cai, "hw-showcase-item")).to_have_count(1)
    # Reviewed work is the class's: Cai likes it and says so.
    peers = tid(cai, "hw-peers")
    tid(peers, "hw-like").click()
    expect(tid(peers, "hw-like")).to_have_attribute("aria-pressed", "true")
    expect(tid(peers, "hw-like")).to_have_text("👍 1")
    tid(peers, "hw-comment-input").fill("跳得真好")
    tid(peers, "hw-comment-send").click()
    expect(tid(peers, "hw-comment")).to_contain_text("跳得真好")
    ann.screenshot(path=str(screenshots / "homework-review.png"))
    for page in (ann, bob, cai):
        assert page.errors == []  # type: ignore[attr-defined]


def test_the_homework_tab_in_chinese_on_a_phone(open_page: Any, screenshots: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "书法课", width=360, kind="teaching")
    for page in (ann, bob):
        page.set_viewport_size({"width": 360, "height": 740})
    open_tab(ann, "homework")
    tid(ann, "hw-new").locator("summary").click()
    tid(ann, "hw-title-input").fill("临摹《兰亭序》")
    tid(ann, "hw-create").click()
    expect(tid(ann, "hw-title")).to_have_text("临摹《兰亭序》")
    expect(tid(ann, "hw-queue-empty")).to_be_visible()
    bob.evaluate("localStorage.setItem('quanzi.locale', 'zh-CN')")
    bob.reload()
    open_tab(bob, "homework")
    tid(bob, "hw-open").click()
    expect(tid(bob, "hw-state").first).to_have_text("未提交")
    tid(bob, "hw-submit").click()
    expect(tid(bob, "hw-error")).to_have_text("请写点内容或附上作业。")
    tid(bob, "hw-text").fill("已临摹三遍")
    tid(bob, "hw-submit").click()
    expect(tid(bob, "hw-mine")).to_have_attribute("data-state", "submitted")
    expect(tid(ann, "hw-queue-item")).to_have_count(1)
    expect(tid(bob, "homework-body")).not_to_contain_text("null")
    no_sideways_scroll(bob)
    # The review screen fits a phone too: the work, then the form.
    tid(ann, "hw-review-open").click()
    expect(tid(ann, "hw-review-form")).to_be_visible()
    tid(ann, "hw-grade").fill("甲")
    tid(ann, "hw-review-save").click()
    expect(tid(bob, "hw-mark")).to_have_text("甲")
    no_sideways_scroll(ann)
    bob.screenshot(path=str(screenshots / "homework-zh-phone.png"))
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]
