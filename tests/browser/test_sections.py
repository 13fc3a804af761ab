"""A circle's sections in the page: a teaching circle opens on its Notices with the
tabs of its kind and its owner shown as the Teacher; the owner switches sections in
the settings' Sections panel and a student's phone changes its tabs and its More menu
live, without a reload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import (
    api,
    create_circle,
    invite_link,
    join_with_invite,
    open_tab,
    signup,
    tid,
)


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
    expect(order).to_have_count(8)  # the chat on the left, the rest on the right
    assert [b.get_attribute("data-tab") for b in order.all()] == [
        "feed",
        "course",
        "materials",
        "homework",
        "chat",
        "highlights",
        "search",
        "settings",
    ]

    join_with_invite(amy, invite_link(wang), "舞蹈基础班")
    # On a phone: the first three sections in the bar, the rest in More.
    expect(tid(amy, "panel-feed")).to_be_visible()
    for key in ("feed", "course", "materials", "settings"):
        expect(tid(amy, f"tab-{key}")).to_be_visible()
    for key in ("homework", "highlights", "search", "challenges"):
        expect(tid(amy, f"tab-{key}")).to_be_hidden()
    open_tab(amy, "settings")
    expect(tid(amy, "more-homework")).to_be_visible()
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
    # Amy's page follows live: materials gone, homework in the bar, check-ins in More.
    expect(tid(amy, "tab-materials")).to_be_hidden()
    expect(tid(amy, "tab-homework")).to_be_visible()
    expect(tid(amy, "more-challenges")).to_be_visible()
    expect(tid(amy, "more-homework")).to_have_count(0)
    expect(tid(wang, "tab-materials")).to_be_hidden()
    expect(tid(wang, "tab-challenges")).to_be_visible()
    tid(amy, "more-challenges").click()
    expect(tid(amy, "panel-challenges")).to_be_visible()
    panel.screenshot(path=str(screenshots / "sections-panel.png"))
    amy.screenshot(path=str(screenshots / "sections-teaching-phone.png"))
    # The chat switched off: presentation only — gone from both pages, the wide one
    # giving the whole width to the other side.
    expect(tid(wang, "panel-chat")).to_be_visible()
    tid(panel, "section-chat").uncheck()
    tid(panel, "sections-save").click()
    expect(tid(wang, "panel-chat")).to_be_hidden()
    expect(tid(amy, "tab-chat")).to_be_hidden()
    expect(tid(amy, "tab-homework")).to_be_visible()
    assert wang.errors == [] and amy.errors == []  # type: ignore[attr-defined]


def test_a_teacher_hands_out_a_cohorts_codes(open_page: Any, screenshots: Path) -> None:
    """Codes with a label, a term in days and the cohort's group; the student who
    redeems one is listed beside it and is in the group; the rest are revoked at once."""
    wang, amy = open_page(1280), open_page(1280)
    signup(wang, "wang", "王老师")
    signup(amy, "amy", "Amy")
    cid = create_circle(wang, "舞蹈基础班", kind="teaching")
    group = api(wang, "POST", f"/circles/{cid}/groups", {"name": "春季班群", "access": "invite"})
    wang.reload()
    open_tab(wang, "settings")
    form = tid(wang, "codes-form")
    tid(form, "codes-count").fill("3")
    tid(form, "codes-max-uses").fill("1")
    tid(form, "codes-term").select_option("days")
    tid(form, "codes-days").fill("90")
    tid(form, "codes-label").fill("2026 春季班")
    expect(tid(form, "codes-group").locator("option")).to_have_count(2)
    tid(form, "codes-group").select_option(group["group"]["id"])
    tid(form, "codes-generate").click()
    items = tid(wang, "code-item")
    expect(items).to_have_count(3)
    expect(items.first.get_by_test_id("code-label")).to_have_text("2026 春季班")
    expect(items.first.get_by_test_id("code-facts")).to_contain_text("membership 90 days")
    link = items.first.get_by_test_id("invite-link").input_value()
    join_with_invite(amy, link, "舞蹈基础班")
    groups = api(amy, "GET", f"/circles/{cid}/groups")["groups"]
    cohort = [g for g in groups if g["id"] == group["group"]["id"]]
    assert len(cohort) == 1 and cohort[0]["joined"] is True  # the cohort's group
    wang.reload()
    open_tab(wang, "settings")
    redeemed = tid(wang, "code-redeemed")
    expect(redeemed).to_have_count(1)
    expect(redeemed).to_contain_text("Amy")
    tid(wang, "cohort-revoke-unused").first.click()
    expect(tid(wang, "toast")).to_contain_text("2 codes revoked.")
    expect(tid(wang, "code-item").locator(".code")).to_have_count(3)
    expect(tid(wang, "cohort-revoke-unused")).to_have_count(1)  # only the redeemed one is live
    tid(wang, "codes-form").screenshot(path=str(screenshots / "cohort-codes.png"))
    assert wang.errors == [] and amy.errors == []  # type: ignore[attr-defined]
