"""Paid terms in the page (docs/payments.md), on phones 360 px wide: an owner sets a
member's end date from the member list; the member's open page says, live, when it ends
and how to renew; past the end their composer gives way to why and until when; the
owner renews and the composer is back at once. The code form makes a paid code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import (
    api,
    circle_id,
    create_circle,
    expect_once,
    invite_link,
    join_with_invite,
    open_tab,
    say,
    signup,
    tid,
)
from tests.browser.test_accessibility import check
from tests.browser.test_moderation import member_row
from tests.timing import seconds


def test_the_member_sees_the_end_coming_then_reads_only_until_renewed(
    open_page: Any, screenshots: Path
) -> None:
    ann, wang = open_page(360, 740), open_page(360, 740, locale="zh-CN")
    signup(ann, "ann", "Ann")
    signup(wang, "wang", "王小明")
    create_circle(ann, "Spring course")
    circle = circle_id(ann)
    join_with_invite(wang, invite_link(ann), "Spring course")
    open_tab(wang, "chat")
    expect(tid(wang, "term-notice")).to_be_hidden()

    # The owner sets an end three days ahead from 王小明's actions.
    open_tab(ann, "settings")
    row = member_row(ann, "王小明")
    row.get_by_test_id("member-actions").click()
    row.get_by_test_id("member-term").click()
    row.get_by_test_id("term-length").select_option("date")
    in_three_days = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    row.get_by_test_id("term-date").fill(in_three_days)
    seen: list[str] = []
    check(ann, "term form", seen)
    row.get_by_test_id("term-confirm").click()
    expect(row.get_by_test_id("member-ends")).to_contain_text("until")

    # Their open page says so, live, with the way to renew; they still speak.
    banner = tid(wang, "term-notice")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("你的会员将于")
    expect(banner).to_contain_text("续费")
    say(wang, "还有三天")
    expect_once(ann, "还有三天")
    check(wang, "ends-soon banner", seen)
    screenshots.mkdir(exist_ok=True)
    wang.screenshot(path=str(screenshots / "paid-term-ends-soon-360.png"))

    # The end comes (set close by the API: the form offers whole days): read-only.
    ends = int((datetime.now(UTC) + timedelta(seconds=seconds(2))).timestamp() * 1000)
    user = api(wang, "GET", "/me")["id"]
    api(ann, "PUT", f"/circles/{circle}/members/{user}/term", {"ends_at": ends})
    expect(tid(wang, "chat-input")).to_be_hidden(timeout=seconds(15) * 1000)
    expect(banner).to_contain_text("已于")
    expect(banner).to_contain_text("仍可查看")
    expect(row.get_by_test_id("member-ends")).to_contain_text("ended")
    check(wang, "read-only composer", seen)
    wang.screenshot(path=str(screenshots / "paid-term-ended-360.png"))

    # The owner renews by a month: the composer is back at once.
    row.get_by_test_id("member-actions").click()
    row.get_by_test_id("member-term").click()
    expect(row.get_by_test_id("term-length")).to_have_value("1")
    row.get_by_test_id("term-confirm").click()
    expect(tid(wang, "chat-input")).to_be_visible()
    expect(banner).to_be_hidden()
    say(wang, "续好了")
    expect_once(ann, "续好了")

    # A paid code: three months from joining, shown in the list.
    tid(ann, "codes-term").select_option("period")
    tid(ann, "codes-months").fill("3")
    tid(ann, "codes-generate").click()
    expect(tid(ann, "code-facts").first).to_contain_text("membership 3 months")
    assert not ann.errors and not wang.errors  # type: ignore[attr-defined]
