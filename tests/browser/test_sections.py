"""A circle's sections in the page: a teaching circle opens on its Notices with the
tabs of its kind and its owner shown as the Teacher; the owner switches sections in
the settings' Sections panel and a student's phone changes its tabs and its More menu
live, without a reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import create_circle, invite_link, join_with_invite, open_tab, signup, tid


def test_a_teaching_circle_and_its_sections_switched_live(
    open_page: Any, screenshots: Path
) -> None:
    wang, amy = open_page(1280), open_page(360, 740)
    signup(wang, "wang", "王老师")
    signup(amy, "amy", "Amy")
    create_circle(wang, "舞蹈基础班", kind="teaching")
    # The first section opens the page: a teaching circle's feed, called Notices.
    expect(tid(wang, "panel-feed")).to_be_visible()
    expect(tid(wang, "tab-feed")).to_have_text("Notices")
    expect(tid(wang, "tab-feed")).to_have_attribute("aria-selected", "true")
    expect(tid(wang, "tab-challenges")).to_be_hidden()  # off in a teaching circle
    order = tid(wang, "tabs").locator(".tab:not([hidden])")
    expect(order).to_have_count(
        6
    )  # feed, materials, chat (on the left), highlights, search, settings
    assert [b.get_attribute("data-tab") for b in order.all()] == [
        "feed",
        "materials",
        "chat",
        "highlights",
        "search",
        "settings",
    ]

    join_with_invite(amy, invite_link(wang), "舞蹈基础班")
    # On a phone: the first three sections in the bar, the rest in More.
    expect(tid(amy, "panel-feed")).to_be_visible()
    for key in ("feed", "materials", "chat", "settings"):
        expect(tid(amy, f"tab-{key}")).to_be_visible()
    for key in ("highlights", "search", "challenges"):
        expect(tid(amy, f"tab-{key}")).to_be_hidden()
    open_tab(amy, "settings")
    expect(tid(amy, "more-highlights")).to_be_visible()
    expect(tid(amy, "more-search")).to_be_visible()
    expect(tid(amy, "more-challenges")).to_have_count(0)
    roles = tid(amy, "members-section").get_by_test_id("member-role")
    expect(roles.first).to_have_text("Teacher")
    expect(tid(amy, "sections-panel")).to_have_count(0)  # owners only

    # The teacher hides the materials and shows the check-ins, moved up before search.
    open_tab(wang, "settings")
    panel = tid(wang, "sections-panel")
    tid(panel, "section-materials").uncheck()
    tid(panel, "section-challenges").check()
    tid(panel, "section-challenges-up").click()
    tid(panel, "sections-save").click()
    expect(tid(panel, "sections-saved")).to_have_text("Sections saved.")
    # Amy's page follows live: materials gone, highlights in the bar, check-ins in More.
    expect(tid(amy, "tab-materials")).to_be_hidden()
    expect(tid(amy, "tab-highlights")).to_be_visible()
    expect(tid(amy, "more-challenges")).to_be_visible()
    expect(tid(amy, "more-highlights")).to_have_count(0)
    expect(tid(wang, "tab-materials")).to_be_hidden()
    expect(tid(wang, "tab-challenges")).to_be_visible()
    tid(amy, "more-challenges").click()
    expect(tid(amy, "panel-challenges")).to_be_visible()
    panel.screenshot(path=str(screenshots / "sections-panel.png"))
    amy.screenshot(path=str(screenshots / "sections-teaching-phone.png"))
    assert wang.errors == [] and amy.errors == []  # type: ignore[attr-defined]
