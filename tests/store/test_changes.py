"""The change log: every durable change of a circle is logged in its transaction,
with a rev that has no gap, handed over after the commit, and read back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import update

from store import Change, Conflict, Forbidden, Store
from store.changes import record
from store.models import CHANGES

Record = dict[str, Any]


@pytest.fixture
def told(store: Store) -> list[Change]:
    """What ``on_changes`` is told, in order."""
    changes: list[Change] = []
    store.db.on_changes = changes.extend
    return changes


async def say(store: Store, circle: str, user: Record, text: str) -> int:
    message, _ = await store.chat.say(circle, user["id"], user["name"], text, f"n-{text}")
    return int(message["seq"])


async def test_every_write_path_logs_its_change_in_rev_order(
    store: Store, circle: Record, alice: Record, bob: Record, carol: Record, told: list[Change]
) -> None:
    c = circle["id"]
    await store.circles.update(c, alice["id"], {"promote_threshold": 2})
    await store.memberships.join(c, bob["id"])
    await store.memberships.join(c, carol["id"])
    await store.memberships.update_member(c, alice["id"], carol["id"], nickname="小妮")
    post = await store.posts.create(c, bob["id"], "post", "第一")
    await store.posts.edit(post["id"], bob["id"], "第一 (edited)")
    await store.comments.like(post["id"], carol["id"], True)
    await store.comments.like(post["id"], carol["id"], True)  # twice is once: no change
    comment = await store.comments.add_comment(post["id"], carol["id"], "好")
    await store.comments.edit_comment(comment["id"], carol["id"], "很好")
    await store.comments.delete_comment(comment["id"], alice["id"])
    seq = await say(store, c, bob, "star me")
    await store.stars.star(c, seq, bob["id"])
    await store.stars.star(c, seq, carol["id"])  # the threshold: promoted
    await store.stars.unstar(c, seq, bob["id"])
    await store.chat.set_veto(c, seq, alice["id"], True)
    await store.pins.pin(post["id"], alice["id"])
    pinned = [p["id"] for p in (await store.posts.feed(c, alice["id"]))[0] if p["pinned"]]
    await store.pins.reorder_pins(c, alice["id"], list(reversed(pinned)))
    await store.pins.unpin(post["id"], alice["id"])
    await store.must_reads.set_must_read(post["id"], alice["id"], True)
    await store.must_reads.ack(post["id"], carol["id"])
    await store.posts.delete(post["id"], bob["id"])
    await store.memberships.leave(c, carol["id"])
    await store.memberships.join(c, carol["id"])
    await store.memberships.remove_member(c, alice["id"], carol["id"])

    assert [ch.kind for ch in told] == [
        "circle.updated",
        "member.joined",
        "member.joined",
        "member.updated",
        "post.created",
        "post.edited",
        "post.liked",
        "comment.added",
        "comment.edited",
        "comment.deleted",
        "message.starred",
        "message.starred",
        "post.promoted",
        "message.starred",
        "message.vetoed",
        "post.pinned",
        "pins.reordered",
        "post.unpinned",
        "post.must_read",
        "post.acked",
        "post.deleted",
        "member.left",
        "member.joined",
        "member.removed",
    ]
    # Rev 1 was the owner joining at creation; then no gap, no duplicate.
    assert [ch.rev for ch in told] == list(range(2, 2 + len(told)))
    assert all(ch.circle == c for ch in told)
    by_kind = {ch.kind: ch.data for ch in told}
    assert by_kind["circle.updated"]["info"]["promote_threshold"] == 2
    assert by_kind["circle.updated"]["info"]["last_rev"] == told[0].rev
    assert by_kind["post.liked"] == {
        "post": post["id"],
        "user": carol["id"],
        "liked": True,
        "likes": 1,
    }
    assert by_kind["comment.deleted"] == {
        "comment": {"id": comment["id"], "post": post["id"]},
        "comments": 0,
    }
    starred = [ch.data for ch in told if ch.kind == "message.starred"]
    assert [(s["stars"], s["threshold"], s["starred"]) for s in starred] == [
        (1, 2, True),
        (2, 2, True),
        (1, 2, False),
    ]
    assert starred[0]["post"] is None and starred[1]["post"] == starred[2]["post"] is not None
    acked = by_kind["post.acked"]
    assert acked["author"] == bob["id"] and acked["user"] == {"id": carol["id"], "name": "小妮"}
    assert (acked["acked"], acked["pending"]) == (1, 1)  # carol did; alice not yet; bob wrote it
    assert by_kind["member.removed"] == {"user": carol["id"], "members": 2}
    # One event for everyone: no per-viewer field in a logged post.
    assert "liked" not in by_kind["post.created"]["post"]
    assert "acked" not in by_kind["post.must_read"]["post"]
    # The circle knows where its log ends.
    assert (
        (await store.circles.get(c))["last_rev"] == told[-1].rev == await store.changes.last_rev(c)
    )


async def test_nothing_is_told_or_logged_for_a_refused_change(
    store: Store, circle: Record, alice: Record, bob: Record, told: list[Change]
) -> None:
    c = circle["id"]
    before = await store.changes.last_rev(c)
    with pytest.raises(Forbidden):
        await store.circles.update(c, bob["id"], {"name": "mine now"})
    with pytest.raises(Conflict):
        await store.memberships.leave(c, alice["id"])  # the last owner
    # A change recorded in a transaction that then fails is rolled back with it.
    with pytest.raises(RuntimeError):
        async with store.db.write() as conn:
            await record(conn, c, "message.vetoed", {"seq": 1, "vetoed": True})
            raise RuntimeError("boom")
    assert told == []
    assert await store.changes.last_rev(c) == before
    assert (await store.changes.after(c, alice["id"], 0)).changes[-1].rev == before


async def test_record_needs_a_write_transaction_and_a_known_kind(
    store: Store, circle: Record
) -> None:
    async with store.db.read() as conn:
        with pytest.raises(RuntimeError):
            await record(conn, circle["id"], "message.vetoed", {})
    with pytest.raises(ValueError):
        async with store.db.write() as conn:
            await record(conn, circle["id"], "post.exploded", {})


async def test_concurrent_changes_get_distinct_consecutive_revs(
    store: Store, circle: Record, alice: Record, told: list[Change]
) -> None:
    c = circle["id"]
    await asyncio.gather(*(store.posts.create(c, alice["id"], "post", f"p{i}") for i in range(20)))
    revs = sorted(ch.rev for ch in told)
    assert revs == list(range(revs[0], revs[0] + 20))


async def test_catching_up_pages_and_resets(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    c = circle["id"]
    for i in range(5):
        await store.posts.create(c, alice["id"], "post", f"p{i}")
    page = await store.changes.after(c, bob["id"], 1, limit=3)
    assert [ch.rev for ch in page.changes] == [2, 3, 4] and page.more and not page.reset
    assert page.last_rev == 6 and page.role is None  # bob is not a member: a public circle
    rest = await store.changes.after(c, alice["id"], 4)
    assert [ch.rev for ch in rest.changes] == [5, 6] and not rest.more and rest.role == "owner"
    assert (await store.changes.after(c, alice["id"], 6)).changes == []
    # Pruned by age: every change but the newest goes; an older cursor must reload.
    async with store.db.write() as conn:
        await conn.execute(update(CHANGES).where(CHANGES.c.circle_id == c).values(ts=0))
    assert await store.changes.prune(before_ms=1, batch=2) == 2
    assert await store.changes.prune(before_ms=1) == 3
    assert await store.changes.prune(before_ms=1) == 0
    old = await store.changes.after(c, alice["id"], 2)
    assert old.reset and old.changes == [] and old.last_rev == 6
    fresh = await store.changes.after(c, alice["id"], 5)
    assert not fresh.reset and [ch.rev for ch in fresh.changes] == [6]
    assert not (await store.changes.after(c, alice["id"], 6)).reset


async def test_a_private_circle_s_log_is_for_its_members(
    store: Store, private_circle: Record, alice: Record, bob: Record
) -> None:
    with pytest.raises(Forbidden):
        await store.changes.after(private_circle["id"], bob["id"], 0)
    page = await store.changes.after(private_circle["id"], alice["id"], 0)
    assert [ch.kind for ch in page.changes] == ["member.joined"]
