"""Contests in the page, from entry to frozen result: the owner opens a photo contest
whose voting is live and closes a few seconds later; a member enters with a photo;
the owner votes and the member's gallery counts it live; once voting closed the
result is final and the owner announces the winners, a must-read notice. Then the
member's page in Chinese on a phone."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import expect

from tests import timing
from tests.browser.pages import api, circle_id, open_tab, tid, two_in_a_circle
from tests.browser.test_media import no_sideways_scroll

CLOSE_IN_MS = 20_000


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(out, "PNG")
    return out.getvalue()


def test_a_contest_from_entry_to_the_announced_result(open_page: Any, screenshots: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "摄影圈")
    cid = circle_id(ann)
    now = int(time.time() * 1000)
    made = api(
        ann,
        "POST",
        f"/circles/{cid}/contests",
        {
            "title": "手机摄影大赛",
            "entries_close": now + CLOSE_IN_MS - 1000,
            "votes_open": now,
            "votes_close": now + CLOSE_IN_MS,
            "ranking": "live",
            "joined_before_voting": False,
        },
    )
    open_tab(bob, "contests")
    tid(bob, "contest-open").click()
    composer = tid(bob, "entry-composer")
    tid(composer, "entry-text").fill("雨后的街角")
    tid(composer, "attach-input").set_input_files(
        files=[{"name": "street.png", "mimeType": "image/png", "buffer": png()}]
    )
    expect(tid(composer, "att-chip")).to_have_attribute("data-state", "done")
    tid(bob, "entry-send").click()
    expect(tid(bob, "entry-words")).to_have_text("雨后的街角")
    open_tab(ann, "contests")
    tid(ann, "contest-open").click()
    expect(tid(ann, "entry")).to_have_count(1)
    tid(ann, "entry-vote").click()
    expect(tid(ann, "entry-vote")).to_have_attribute("aria-pressed", "true")
    # Live on Bob's page: his entry has the vote.
    expect(tid(bob, "entry-votes")).to_have_text("1 vote")
    # After the close the result is final: no vote buttons, the rank shows.
    timing.sleep_blocking(max(0, (made["votes_close"] - time.time() * 1000) / 1000) + 0.5)
    tid(ann, "contest-back").click()
    tid(ann, "contest-open").click()
    expect(tid(ann, "contest")).to_have_attribute("data-status", "closed")
    expect(tid(ann, "entry-vote")).to_have_count(0)
    expect(tid(ann, "entry-rank")).to_have_text("#1")
    tid(ann, "announce-text").fill("恭喜")
    tid(ann, "contest-announce").click()
    expect(tid(ann, "contest-announced")).to_be_visible()
    expect(tid(bob, "contest-announced")).to_be_visible()
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]


def test_the_contest_page_in_chinese_on_a_phone(open_page: Any, screenshots: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "行里", width=360)
    for page in (ann, bob):
        page.set_viewport_size({"width": 360, "height": 740})
    open_tab(ann, "settings")
    tid(ann, "more-contests").click()
    tid(ann, "contest-new").locator("summary").click()
    tid(ann, "contest-title-input").fill("最佳家常菜")
    tid(ann, "contest-entries-close").fill("2099-12-20T20:00")
    tid(ann, "contest-votes-open").fill("2099-12-21T08:00")
    tid(ann, "contest-votes-close").fill("2099-12-31T20:00")
    tid(ann, "contest-create").click()
    expect(tid(ann, "contest-title")).to_have_text("最佳家常菜")
    bob.evaluate("localStorage.setItem('quanzi.locale', 'zh-CN')")
    bob.reload()
    open_tab(bob, "settings")
    tid(bob, "more-contests").click()
    tid(bob, "contest-open").click()
    expect(tid(bob, "contest-facts")).to_contain_text("征集作品中")
    tid(bob, "entry-text").fill("红烧肉")
    tid(bob, "entry-send").click()
    expect(tid(bob, "entry-words")).to_have_text("红烧肉")
    expect(tid(bob, "contests-body")).not_to_contain_text("null")
    no_sideways_scroll(bob)
    bob.screenshot(path=str(screenshots / "contest-zh-phone.png"))
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]
