"""The name search of the managers' lists of people (``lookups.called``): the
report queue, pending join requests and the audit log keep the rows whose
people go by the words asked — a nickname in the circle, a name or a login
name, in any script, case-insensitively, LIKE's wildcards taken literally."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from store import Invalid, Record, Store


async def test_reports_by_reporter_or_reported_author(
    store: Store,
    circle: Record,
    alice: Record,
    bob: Record,
    carol: Record,
    new_user: Callable[..., Awaitable[Record]],
    say: Callable[..., Awaitable[int]],
) -> None:
    cid = circle["id"]
    spammer = await new_user("seller9", "卖货郎")
    for user in (bob, carol, spammer):
        await store.memberships.join(cid, user["id"])
    await store.memberships.update_member(cid, carol["id"], carol["id"], nickname="提拉米蘇小妮妮")
    seq = await say(cid, spammer, "加微信")
    await store.reports.file(cid, bob["id"], "message", f"{cid}:{seq}", "spam")
    await store.reports.file(cid, carol["id"], "member", spammer["id"], "spam")
    post = await store.posts.create(cid, bob["id"], "post", "hello")
    await store.reports.file(cid, carol["id"], "post", post["id"], "abuse")

    async def reported(q: str) -> list[tuple[str, str]]:
        page, _, open_count = await store.reports.queue(cid, alice["id"], query=q)
        assert open_count == 3  # the circle's count, whatever the search
        return [(r["target"]["kind"], r["reporter"]["id"]) for r in page]

    # The reported author, by name: the message and the member report.
    assert await reported("卖货") == [("member", carol["id"]), ("message", bob["id"])]
    # The reporter, by nickname in this circle (newest first).
    assert await reported("小妮妮") == [("post", carol["id"]), ("member", carol["id"])]
    # Bob reported the message and wrote the post.
    assert await reported("BOB") == [("post", carol["id"]), ("message", bob["id"])]
    assert await reported("seller") == [("member", carol["id"]), ("message", bob["id"])]
    assert await reported("%") == []
    page, cursor, _ = await store.reports.queue(cid, alice["id"], query="小妮妮", limit=1)
    assert len(page) == 1 and cursor is not None
    page, cursor, _ = await store.reports.queue(cid, alice["id"], query="小妮妮", cursor=cursor)
    assert [r["target"]["kind"] for r in page] == ["member"] and cursor is None


async def test_join_requests_by_asker(
    store: Store,
    private_circle: Record,
    alice: Record,
    new_user: Callable[..., Awaitable[Record]],
) -> None:
    cid = private_circle["id"]
    await store.circles.update(cid, alice["id"], {"join_approval": True})
    zhang = await new_user("zhangyn", "张云妮")
    li = await new_user("lisi", "李四")
    for user in (zhang, li):
        await store.join_requests.request(cid, user["id"])
    page, cursor, count = await store.join_requests.pending(cid, alice["id"], query="云妮")
    assert [r["user"] for r in page] == [zhang["id"]] and cursor is None and count == 2
    page, _, _ = await store.join_requests.pending(cid, alice["id"], query="LISI")
    assert [r["user"] for r in page] == [li["id"]]
    assert (await store.join_requests.pending(cid, alice["id"], query="王"))[0] == []


async def test_audit_log_by_actor_or_member_acted_on(
    store: Store,
    circle: Record,
    alice: Record,
    bob: Record,
    new_user: Callable[..., Awaitable[Record]],
) -> None:
    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    await store.memberships.update_member(cid, alice["id"], bob["id"], role="admin")
    spammer = await new_user("spam1", "广告哥")
    await store.memberships.join(cid, spammer["id"])
    await store.sanctions.ban(cid, bob["id"], spammer["id"], reason="广告")

    async def acts(q: str) -> list[str]:
        return [e["action"] for e in (await store.audit.page(cid, alice["id"], query=q))[0]]

    everything = await acts("")
    assert "member.banned" in everything and len(everything) >= 2
    assert await acts("广告哥") == ["member.banned"]  # the member acted on
    assert "member.banned" in await acts("bob")  # the actor
    assert "member.banned" not in await acts("alice")
    assert await acts("nobody-like-this") == []
    with pytest.raises(Invalid):
        await store.audit.page(cid, alice["id"], query="x" * 65)
