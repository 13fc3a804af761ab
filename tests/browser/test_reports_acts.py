"""The moderation queue's acts: Ann, the owner, mutes the author of a reported
post from the queue; the report is resolved as "muted", the audit log has both
the mute and the resolution, and the reporter is told; and she deletes a reported
chat message from the queue, which every member then sees as a tombstone."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import (
    api,
    circle_id,
    create_circle,
    expect_once,
    messages,
    say,
    signup,
    tid,
    two_in_a_circle,
)


def test_the_owner_mutes_a_reported_author_from_the_queue(open_page: Any) -> None:
    ann, bob, cai = open_page(), open_page(), open_page(360, 740)
    signup(ann, "ann", "Ann")
    signup(bob, "bob", "Bob")
    signup(cai, "cai", "Cai")
    circle = create_circle(ann, "茶馆", visibility="public")
    for who in (bob, cai):
        api(who, "POST", f"/circles/{circle}/join", {})
    post = api(cai, "POST", f"/circles/{circle}/posts", {"kind": "post", "text": "代购名表"})
    api(
        bob,
        "POST",
        f"/circles/{circle}/reports",
        {"target": {"kind": "post", "id": post["id"]}, "reason": "spam"},
    )
    ann.goto(ann.url.split("#")[0] + f"#/c/{circle}/moderation")
    report = tid(ann, "report")
    expect(tid(report, "report-preview")).to_have_text("代购名表")
    tid(report, "resolve-mute").click()
    expect(tid(ann, "reports-empty")).to_be_visible()
    mine = api(bob, "GET", "/me/reports")["reports"]
    assert [(r["status"], r["outcome"]) for r in mine] == [("resolved", "muted")]
    actions = [e["action"] for e in api(ann, "GET", f"/circles/{circle}/audit")["entries"]]
    assert "report.resolved" in actions and "member.muted" in actions
    assert ann.errors == []  # type: ignore[attr-defined]


def test_the_owner_deletes_a_reported_chat_message_from_the_queue(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "夜跑团")
    say(bob, "加我微信买球鞋")
    spam = expect_once(ann, "加我微信买球鞋")
    seq = int(spam.get_attribute("data-seq") or 0)
    circle = circle_id(ann)
    api(  # the owner reports it herself (a member's report works the same way)
        ann,
        "POST",
        f"/circles/{circle}/reports",
        {"target": {"kind": "message", "id": f"{circle}:{seq}"}, "reason": "spam"},
    )
    ann.goto(ann.url.split("#")[0] + f"#/c/{circle}/moderation")
    report = tid(ann, "report")
    expect(tid(report, "report-preview")).to_have_text("加我微信买球鞋")
    tid(report, "resolve-delete").click()
    expect(tid(ann, "reports-empty")).to_be_visible()
    # Everyone's chat shows the tombstone; the text is gone from the store.
    expect(messages(bob, "加我微信买球鞋")).to_have_count(0)
    history = api(bob, "GET", f"/circles/{circle}/messages?limit=10")["messages"]
    assert [(m["seq"], m["text"], m.get("deleted")) for m in history] == [(seq, "", "admin")]
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]
