"""Attachments in the web client: Ann pastes a picture and picks a video, sees each upload's
progress, sends them in one message; Bob sees the thumbnail and the video player, plays
the video, opens the picture in the lightbox and closes it with Esc; at 360 px wide
nothing overflows sideways."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import av
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.pages import open_menu, open_tab, tid, two_in_a_circle
from tests.browser.test_accessibility import check

# A picture made in the page (a canvas to a PNG File) and pasted as the clipboard would.
PASTE_PNG = """async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 200;
    const g = canvas.getContext('2d');
    g.fillStyle = '#c2412d';
    g.fillRect(0, 0, 320, 200);
    g.fillStyle = '#ffffff';
    g.fillRect(40, 40, 120, 80);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    const data = new DataTransfer();
    data.items.add(new File([blob], 'sketch.png', { type: 'image/png' }));
    const input = document.querySelector('[data-testid="chat-input"]');
    input.focus();
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
}"""


def small_video(path: Path, codec: str = "libvpx", fmt: str = "webm") -> Path:
    """Two seconds of 160×120 video, really encoded (PyAV), so the browser can play it."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for i in range(20):
            frame = av.VideoFrame.from_image(Image.new("RGB", (160, 120), (i * 12, 90, 200)))
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    path.write_bytes(buffer.getvalue())
    return path


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"  # type: ignore[index]


def attach_paste_and_pick(ann: Page, video: Path) -> None:
    ann.evaluate(PASTE_PNG)
    composer = tid(ann, "chat-form")
    tid(composer, "attach-input").set_input_files(str(video))
    chips = tid(composer, "att-chip")
    expect(chips).to_have_count(2)
    expect(chips.nth(0).get_by_test_id("att-progress")).to_be_attached()
    expect(chips.nth(0)).to_have_attribute("data-state", "done")
    expect(chips.nth(1)).to_have_attribute("data-state", "done")
    expect(tid(ann, "chat-send")).to_be_enabled()
    check(ann, "composer with files", [])


def test_paste_a_picture_pick_a_video_and_the_other_member_plays_it(
    open_page: Any, tmp_path: Path, screenshots: Path
) -> None:
    ann, bob = two_in_a_circle(open_page, "Dancers")
    open_tab(ann, "chat")
    open_tab(bob, "chat")
    attach_paste_and_pick(ann, small_video(tmp_path / "step.mp4", "libx264", "mp4"))
    tid(ann, "chat-input").fill("Today's steps")
    tid(ann, "chat-input").press("Enter")
    expect(tid(tid(ann, "chat-form"), "att-tray")).to_be_hidden()

    sent = tid(bob, "chat-log").get_by_test_id("msg").filter(has_text="Today's steps")
    expect(sent).to_have_count(1)
    thumb = sent.get_by_test_id("att-image").locator("img")
    expect(thumb).to_have_attribute("loading", "lazy")
    bob.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    video = sent.get_by_test_id("att-video")
    expect(video).to_have_attribute("controls", "")
    expect(video).to_have_attribute("poster", re.compile(r"/thumb\?key="))  # the poster frame
    played = video.evaluate(
        """async (v) => {
            v.muted = true;
            await v.play();
            await new Promise((resolve) => setTimeout(resolve, 600));
            return { time: v.currentTime, ready: v.readyState };
        }"""
    )
    assert played["ready"] >= 2 and played["time"] > 0, played

    bob.screenshot(path=str(screenshots / "media-chat.png"))
    seen: list[str] = []
    check(bob, "chat with a picture and a video", seen)

    # The lightbox: opens on the picture, shows it whole, Esc closes it, focus comes back.
    sent.get_by_test_id("att-image").click()
    box = tid(bob, "lightbox")
    expect(box).to_be_visible()
    bob.wait_for_function(
        "img => img.complete && img.naturalWidth === 320",
        arg=tid(bob, "lightbox-img").element_handle(),
    )
    bob.screenshot(path=str(screenshots / "media-lightbox.png"))
    check(bob, "lightbox", seen)
    bob.keyboard.press("Escape")
    expect(box).to_have_count(0)
    expect(sent.get_by_test_id("att-image")).to_be_focused()

    # A starred message with a photo and a video becomes a highlight with both.
    open_tab(ann, "settings")
    tid(ann, "settings-threshold").fill("1")
    tid(ann, "settings-save").click()
    expect(tid(ann, "settings-saved")).to_have_text("Saved.")
    open_tab(bob, "highlights")
    open_menu(sent).get_by_test_id("star-btn").click()
    card = tid(bob, "panel-highlights").get_by_test_id("highlight").filter(has_text="Today's steps")
    expect(card.get_by_test_id("att-image")).to_have_count(1)
    expect(card.get_by_test_id("att-video")).to_have_count(1)
    assert ann.errors == [] and bob.errors == []


def test_a_refused_file_says_why_and_can_be_removed_at_360px(open_page: Any) -> None:
    ann, _ = two_in_a_circle(open_page, "Phones", width=360)
    ann.set_viewport_size({"width": 360, "height": 740})
    open_tab(ann, "chat")
    composer = tid(ann, "chat-form")
    tid(composer, "attach-input").set_input_files(
        files=[{"name": "empty.txt", "mimeType": "text/plain", "buffer": b""}]
    )
    chip = tid(composer, "att-chip")
    expect(chip).to_have_attribute("data-state", "failed")
    expect(chip.get_by_test_id("att-status")).to_have_text("That file is empty.")
    expect(chip.get_by_test_id("att-retry")).to_be_hidden()  # a refusal is not retried
    no_sideways_scroll(ann)
    chip.get_by_test_id("att-cancel").click()
    expect(tid(ann, "att-chip")).to_have_count(0)
    expect(tid(tid(ann, "chat-form"), "att-tray")).to_be_hidden()


def test_an_upload_cut_midway_resumes_from_the_servers_offset(open_page: Any) -> None:
    ann, _ = two_in_a_circle(open_page, "Runners")
    open_tab(ann, "chat")
    data = bytes((i * 7 + 3) % 251 for i in range(1024 * 1024))  # 4 chunks of 256 KiB
    data = b"%PDF-1.4\n" + data
    patches: list[str] = []

    def cut_the_second(route: Any) -> None:
        if route.request.method == "PATCH":
            patches.append(route.request.headers["upload-offset"])
            if len(patches) == 2:
                route.abort("connectionreset")
                return
        route.continue_()

    ann.route("**/uploads/tus/*", cut_the_second)
    composer = tid(ann, "chat-form")
    tid(composer, "attach-input").set_input_files(
        files=[{"name": "notes.pdf", "mimeType": "application/pdf", "buffer": data}]
    )
    chip = tid(composer, "att-chip")
    expect(chip).to_have_attribute("data-state", "done")
    # The cut chunk went again from where the server was, and nothing twice.
    assert patches[1] == patches[2], patches
    assert len(set(patches)) == len(patches) - 1, patches
    served = chip.evaluate(
        """async (chip) => {
            const token = JSON.parse(localStorage.getItem('quanzi.session')).token;
            const r = await fetch(`/api/v1/attachments/${chip.dataset.attachment}`,
                { headers: { Authorization: `Bearer ${token}` } });
            const digest = await crypto.subtle.digest('SHA-256', await r.arrayBuffer());
            return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
        }"""
    )
    assert served == hashlib.sha256(data).hexdigest()


def test_the_materials_page_lists_files_newest_first_with_a_filter(
    open_page: Any, screenshots: Path
) -> None:
    ann, bob = two_in_a_circle(open_page, "Teachers")
    open_tab(ann, "chat")
    composer = tid(ann, "chat-form")
    tid(composer, "attach-input").set_input_files(
        files=[{"name": "lesson 1.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 one"}]
    )
    expect(tid(composer, "att-chip")).to_have_attribute("data-state", "done")
    ann.evaluate(PASTE_PNG)
    expect(tid(composer, "att-chip").nth(1)).to_have_attribute("data-state", "done")

    # Bob, on a phone, finds them under More → Materials.
    bob.set_viewport_size({"width": 360, "height": 740})
    tid(bob, "tab-settings").click()
    tid(bob, "more-materials").click()
    panel = tid(bob, "panel-materials")
    expect(panel).to_be_visible()
    items = tid(panel, "material")
    expect(items).to_have_count(2)
    expect(items.nth(0).get_by_test_id("att-name")).to_have_text("sketch.png")  # newest first
    expect(items.nth(1).get_by_test_id("att-name")).to_have_text("lesson 1.pdf")
    expect(items.nth(0).get_by_test_id("material-who")).to_have_text("Ann")
    expect(items.nth(1).get_by_test_id("att-size")).to_have_text("12 byte")
    bob.screenshot(path=str(screenshots / "media-materials-phone.png"))
    check(bob, "materials", [])
    tid(panel, "materials-kind-file").click()
    expect(items).to_have_count(1)
    expect(items.nth(0).get_by_test_id("att-name")).to_have_text("lesson 1.pdf")
    expect(items.nth(0).get_by_test_id("att-file")).to_have_attribute("href", re.compile(r"key="))
    no_sideways_scroll(bob)
    assert bob.errors == []


def test_a_post_with_a_picture_and_a_file_and_a_comment_with_a_file(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Dealers")
    open_tab(ann, "feed")
    composer = tid(ann, "post-composer")
    tid(composer, "attach-input").set_input_files(
        files=[
            {"name": "prices.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 prices"},
            {"name": "car.png", "mimeType": "image/png", "buffer": png_bytes()},
        ]
    )
    expect(tid(composer, "att-chip").nth(1)).to_have_attribute("data-state", "done")
    expect(tid(composer, "att-chip").nth(0)).to_have_attribute("data-state", "done")
    tid(composer, "post-text-input").fill("New prices")
    tid(composer, "post-submit").click()
    expect(tid(composer, "att-tray")).to_be_hidden()

    open_tab(bob, "feed")
    post = tid(bob, "feed-list").get_by_test_id("post").filter(has_text="New prices")
    expect(post).to_have_count(1)
    card = post.get_by_test_id("att-file")
    expect(card.get_by_test_id("att-name")).to_have_text("prices.pdf")
    expect(card.get_by_test_id("att-size")).to_have_text("15 byte")
    bob.wait_for_function(
        "img => img.complete && img.naturalWidth > 0",
        arg=post.get_by_test_id("att-image").locator("img").element_handle(),
    )

    # Bob answers with a file of his own in a comment.
    post.get_by_test_id("comments-btn").click()
    thread = post.get_by_test_id("comments")
    tid(thread, "attach-input").set_input_files(
        files=[{"name": "offer.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 offer"}]
    )
    expect(tid(thread, "att-chip")).to_have_attribute("data-state", "done")
    tid(thread, "comment-send").click()
    comment = tid(thread, "comment")
    expect(comment.get_by_test_id("att-name")).to_have_text("offer.pdf")
    expect(tid(thread, "att-chip")).to_have_count(0)
    assert ann.errors == [] and bob.errors == []


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (20, 120, 60)).save(out, "PNG")
    return out.getvalue()
