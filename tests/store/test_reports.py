"""Reports: members report messages, posts, comments and members once each;
owners and admins read the queue and resolve a target's reports together, in
the audit log; the reporter reads the outcome; only managers (and the reporter,
for the outcome) are told by the change log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from store import Conflict, Forbidden, Invalid, NotFound, Record, Store


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.join(circle["id"], carol["id"])
    return circle


async def test_a_member_reports_a_message_once_and_the_managers_see_it(
    store: Store,
    room: Record,
    alice: Record,
    bob: Record,
    carol: Record,
    say: Callable[..., Awaitable[int]],
) -> None:
    seq = await say(room["id"], carol, "加微信领红包 spam")
    target = f"{room['id']}:{seq}"
    report, new = await store.reports.file(room["id"], bob["id"], "message", target, "spam", "广告")
    assert new and report["status"] == "open" and report["outcome"] is None
    again, new_again = await store.reports.file(room["id"], bob["id"], "message", target, "abuse")
    assert not new_again and again["id"] == report["id"] and again["reason"] == "spam"
    queue, cursor, count = await store.reports.queue(room["id"], alice["id"])
    assert count == 1 and cursor is None and len(queue) == 1
    item = queue[0]
    assert item["reporter"] == {"id": bob["id"], "name": "Bob"}
    assert item["target"]["preview"] == "加微信领红包 spam" and not item["target"]["gone"]
    assert item["target"]["user"] == carol["id"] and item["target"]["open_reports"] == 1
    with pytest.raises(Forbidden):
        await store.reports.queue(room["id"], bob["id"])


async def test_every_kind_of_target_and_its_refusals(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record, private_circle: Record
) -> None:
    post = await store.posts.create(room["id"], carol["id"], "post", "卖假货")
    comment = await store.comments.add_comment(post["id"], carol["id"], "骂人的话")
    for kind, target in (("post", post["id"]), ("comment", comment["id"]), ("member", carol["id"])):
        _, new = await store.reports.file(room["id"], bob["id"], kind, target, "abuse")
        assert new
    queue, _, count = await store.reports.queue(room["id"], alice["id"])
    assert count == 3
    assert {i["target"]["kind"]: i["target"]["preview"] for i in queue} == {
        "post": "卖假货",
        "comment": "骂人的话",
        "member": "Carol",
    }
    with pytest.raises(Invalid):
        await store.reports.file(room["id"], bob["id"], "submission", "x", "spam")
    with pytest.raises(Invalid):
        await store.reports.file(room["id"], bob["id"], "post", post["id"], "boring")
    with pytest.raises(Invalid):
        await store.reports.file(room["id"], bob["id"], "member", bob["id"], "spam")
    for kind, target in (
        ("message", f"{room['id']}:999"),
        ("message", "nonsense"),
        ("post", "nope"),
        ("comment", "nope"),
        ("member", "nobody"),
    ):
        with pytest.raises(NotFound):
            await store.reports.file(room["id"], bob["id"], kind, target, "spam")
    other = await store.posts.create(private_circle["id"], alice["id"], "post", "elsewhere")
    with pytest.raises(NotFound):
        await store.reports.file(room["id"], bob["id"], "post", other["id"], "spam")
    with pytest.raises(Forbidden):
        await store.reports.file(private_circle["id"], bob["id"], "post", other["id"], "spam")


async def test_resolving_resolves_the_targets_reports_logs_the_act_and_tells_the_reporters(
    store: Store,
    room: Record,
    alice: Record,
    bob: Record,
    carol: Record,
    new_user: Callable[..., Awaitable[Record]],
) -> None:
    dave = await new_user("dave", "Dave")
    await store.memberships.join(room["id"], dave["id"])
    post = await store.posts.create(room["id"], carol["id"], "post", "spam spam")
    first, _ = await store.reports.file(room["id"], bob["id"], "post", post["id"], "spam")
    await store.reports.file(room["id"], dave["id"], "post", post["id"], "other", "又来了")
    queue, _, _ = await store.reports.queue(room["id"], alice["id"])
    assert [i["target"]["open_reports"] for i in queue] == [2, 2]
    with pytest.raises(Forbidden):
        await store.reports.resolve(room["id"], first["id"], bob["id"], "dismissed")
    with pytest.raises(Invalid):
        await store.reports.resolve(room["id"], first["id"], alice["id"], "forgiven")
    done, n = await store.reports.resolve(room["id"], first["id"], alice["id"], "deleted", "删了")
    assert n == 2 and done["status"] == "resolved" and done["outcome"] == "deleted"
    assert done["note"] == "删了" and done["resolved_at"]
    with pytest.raises(Conflict):
        await store.reports.resolve(room["id"], first["id"], alice["id"], "dismissed")
    with pytest.raises(NotFound):
        await store.reports.resolve(room["id"], "nope", alice["id"], "dismissed")
    assert (await store.reports.queue(room["id"], alice["id"]))[2] == 0
    resolved, _, _ = await store.reports.queue(room["id"], alice["id"], status="resolved")
    assert {i["resolved_by"]["id"] for i in resolved} == {alice["id"]}
    mine, _ = await store.reports.mine(dave["id"])
    assert [(r["outcome"], r["circle_name"], r["text"]) for r in mine] == [
        ("deleted", "Tea House", "又来了")
    ]
    log, _ = await store.audit.page(room["id"], alice["id"])
    assert [(e["action"], e["target"]["id"], e["reason"]) for e in log] == [
        ("report.resolved", first["id"], "删了")
    ]
    assert log[0]["data"] == {
        "outcome": "deleted",
        "target": {"kind": "post", "id": post["id"]},
        "reports": 2,
    }
    page = await store.changes.after(room["id"], alice["id"], 0)
    kinds = [
        (c.kind, c.data.get("reporter"), c.data["open"])
        for c in page.changes
        if c.kind.startswith("report.")
    ]
    assert kinds == [
        ("report.filed", None, 1),
        ("report.filed", None, 2),
        ("report.resolved", bob["id"], 0),
        ("report.resolved", dave["id"], 0),
    ]
    filed = next(c for c in page.changes if c.kind == "report.filed")
    assert "reporter" not in filed.data["report"]


async def test_a_dismissal_is_its_own_action_and_a_deleted_target_is_gone_from_the_queue(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    post = await store.posts.create(room["id"], carol["id"], "post", "borderline")
    report, _ = await store.reports.file(room["id"], bob["id"], "post", post["id"], "other")
    await store.posts.delete(post["id"], alice["id"])
    queue, _, _ = await store.reports.queue(room["id"], alice["id"])
    assert queue[0]["target"]["gone"] and queue[0]["target"]["preview"] is None
    await store.reports.resolve(room["id"], report["id"], alice["id"], "dismissed")
    log, _ = await store.audit.page(room["id"], alice["id"])
    assert log[0]["action"] == "report.dismissed" and log[0]["reason"] is None


async def test_the_queue_pages_newest_first(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    posts = [await store.posts.create(room["id"], carol["id"], "post", f"p{i}") for i in range(5)]
    for post in posts:
        await store.reports.file(room["id"], bob["id"], "post", post["id"], "spam")
    seen: list[str] = []
    cursor = None
    while True:
        page, cursor, count = await store.reports.queue(
            room["id"], alice["id"], cursor=cursor, limit=2
        )
        seen += [i["target"]["preview"] for i in page]
        if cursor is None:
            break
    assert seen == ["p4", "p3", "p2", "p1", "p0"] and count == 5
    mine, more = await store.reports.mine(bob["id"], limit=3)
    assert len(mine) == 3 and more is not None
