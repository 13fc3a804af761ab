"""Must-reads: flagging, acknowledging, re-asking on edit, receipts, pending counts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import event

from store import Conflict, Forbidden, Invalid, NotFound, Store

Record = dict[str, Any]
AddMembers = Callable[..., Awaitable[list[Record]]]


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.join(circle["id"], carol["id"])
    return circle


def pending_of(circles: list[Record], circle_id: str) -> int:
    return next(c["must_read_pending"] for c in circles if c["id"] == circle_id)


async def test_only_managers_flag_must_read(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    post = await store.posts.create(room["id"], bob["id"], "post", "rules")
    with pytest.raises(Forbidden):
        await store.must_reads.set_must_read(post["id"], bob["id"], True)
    with pytest.raises(Invalid):
        await store.must_reads.set_must_read(post["id"], alice["id"], "yes")  # type: ignore[arg-type]
    flagged = await store.must_reads.set_must_read(post["id"], alice["id"], True)
    assert flagged["must_read"] is True and flagged["acked"] is False
    assert flagged["updated"] > post["updated"]
    with pytest.raises(Forbidden):
        await store.must_reads.receipts(post["id"], bob["id"])


async def test_ack_edit_reasks_and_receipts(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    post = await store.posts.create(room["id"], alice["id"], "notice", "House rules")
    with pytest.raises(Conflict):
        await store.must_reads.ack(post["id"], bob["id"])
    await store.must_reads.set_must_read(post["id"], alice["id"], True)
    acked = await store.must_reads.ack(post["id"], bob["id"])
    assert acked["acked"] is True and acked["must_read"] is True
    # Twice is once: the first acknowledgement's time stays.
    first = await store.must_reads.receipts(post["id"], alice["id"])
    await store.must_reads.ack(post["id"], bob["id"])
    assert await store.must_reads.receipts(post["id"], alice["id"]) == first
    assert [r["id"] for r in first["acked"]] == [bob["id"]]
    assert first["acked"][0]["name"] == "Bob" and isinstance(first["acked"][0]["at"], int)
    # The author is not asked: never pending, and their own post reads as acknowledged.
    assert first["pending"] == [{"id": carol["id"], "name": "Carol"}]
    assert first["counts"] == {"acked": 1, "pending": 1} and first["next"] is None
    assert (await store.posts.get(post["id"], alice["id"]))["acked"] is True
    assert (await store.must_reads.ack(post["id"], alice["id"]))["acked"] is True
    assert (await store.posts.get(post["id"], bob["id"]))["acked"] is True
    assert (await store.posts.get(post["id"], carol["id"]))["acked"] is False

    # An edit asks everyone again.
    await store.posts.edit(post["id"], alice["id"], "House rules, revised")
    assert (await store.posts.get(post["id"], bob["id"]))["acked"] is False
    receipts = await store.must_reads.receipts(post["id"], alice["id"])
    assert receipts["acked"] == [] and len(receipts["pending"]) == 2
    assert [p["id"] for p in await store.must_reads.pending_must_reads(bob["id"])] == [post["id"]]
    await store.must_reads.ack(post["id"], carol["id"])
    await store.must_reads.ack(post["id"], bob["id"])
    receipts = await store.must_reads.receipts(post["id"], alice["id"])
    assert [r["id"] for r in receipts["acked"]] == [carol["id"], bob["id"]]
    assert receipts["pending"] == [] and receipts["counts"] == {"acked": 2, "pending": 0}
    assert await store.must_reads.pending_must_reads(bob["id"]) == []


async def test_reflagging_asks_again(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    post = await store.posts.create(room["id"], alice["id"], "post", "Read me")
    await store.must_reads.set_must_read(post["id"], alice["id"], True)
    await store.must_reads.ack(post["id"], bob["id"])
    # Flagging again while flagged changes nothing.
    same = await store.must_reads.set_must_read(post["id"], alice["id"], True)
    assert same["updated"] == (await store.posts.get(post["id"], alice["id"]))["updated"]
    assert (await store.posts.get(post["id"], bob["id"]))["acked"] is True
    cleared = await store.must_reads.set_must_read(post["id"], alice["id"], False)
    assert cleared["must_read"] is False and cleared["acked"] is False
    assert await store.must_reads.pending_must_reads(bob["id"]) == []
    await store.must_reads.set_must_read(post["id"], alice["id"], True)
    assert (await store.posts.get(post["id"], bob["id"]))["acked"] is False


async def test_ack_needs_a_member_and_a_live_post(
    store: Store, room: Record, alice: Record, new_user: Callable[..., Awaitable[Record]]
) -> None:
    stranger = await new_user("stranger")
    post = await store.posts.create(room["id"], alice["id"], "post", "Read me")
    await store.must_reads.set_must_read(post["id"], alice["id"], True)
    with pytest.raises(Forbidden):
        await store.must_reads.ack(post["id"], stranger["id"])
    await store.posts.delete(post["id"], alice["id"])
    with pytest.raises(NotFound):
        await store.must_reads.ack(post["id"], alice["id"])
    with pytest.raises(NotFound):
        await store.must_reads.receipts(post["id"], alice["id"])


async def test_pending_must_reads_and_my_circles(
    store: Store,
    room: Record,
    private_circle: Record,
    alice: Record,
    bob: Record,
) -> None:
    one = await store.posts.create(room["id"], alice["id"], "notice", "one")
    two = await store.posts.create(room["id"], alice["id"], "notice", "two")
    three = await store.posts.create(private_circle["id"], alice["id"], "notice", "three")
    for post in (one, two, three):
        await store.must_reads.set_must_read(post["id"], alice["id"], True)
    # bob is not in the private circle: its must-read is not his.
    pending = await store.must_reads.pending_must_reads(bob["id"])
    assert [p["id"] for p in pending] == [two["id"], one["id"]]
    assert all(p["acked"] is False and p["must_read"] for p in pending)
    assert pending_of(await store.circles.my_circles(bob["id"]), room["id"]) == 2
    # Their author is not asked to acknowledge them.
    mine = await store.circles.my_circles(alice["id"])
    assert pending_of(mine, room["id"]) == 0 and pending_of(mine, private_circle["id"]) == 0
    assert await store.must_reads.pending_must_reads(alice["id"]) == []
    await store.must_reads.ack(one["id"], bob["id"])
    assert pending_of(await store.circles.my_circles(bob["id"]), room["id"]) == 1
    # A deleted must-read is no longer pending.
    await store.posts.delete(two["id"], alice["id"])
    assert pending_of(await store.circles.my_circles(bob["id"]), room["id"]) == 0
    assert await store.must_reads.pending_must_reads(bob["id"]) == []


async def test_receipts_for_ten_thousand_members_come_in_pages(
    store: Store, circle: Record, alice: Record, add_members: AddMembers
) -> None:
    members = await add_members(circle["id"], 10_000)
    post = await store.posts.create(circle["id"], alice["id"], "notice", "To everyone")
    await store.must_reads.set_must_read(post["id"], alice["id"], True)
    for member in members[:25]:
        await store.must_reads.ack(post["id"], member["id"])

    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = store.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        first = await store.must_reads.receipts(post["id"], alice["id"], limit=500)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # The post, the actor's role, one query over a page of members, one for the counts.
    assert len(statements) <= 4
    assert first["counts"] == {"acked": 25, "pending": 10_000 - 25}
    assert len(first["acked"]) + len(first["pending"]) == 500
    assert {r["id"] for r in first["acked"]} == {m["id"] for m in members[:25]}
    assert first["pending"][0]["id"] == members[25]["id"]
    # Every member once over the pages, in joining order; the author never.
    seen = [r["id"] for r in first["acked"]] + [r["id"] for r in first["pending"]]
    cursor = first["next"]
    while cursor is not None:
        page = await store.must_reads.receipts(post["id"], alice["id"], cursor=cursor, limit=500)
        seen += [r["id"] for r in page["acked"]] + [r["id"] for r in page["pending"]]
        cursor = page["next"]
    assert sorted(seen) == sorted(m["id"] for m in members)
