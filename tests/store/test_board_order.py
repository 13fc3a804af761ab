"""The boards' tie-breaks (store/board_order.py; COMMUNITY-OPS.md rule 5) on both
databases: the count down, then who reached it first, then more 精选 (live
highlights of one's check-ins in this challenge), then the user id — the same
order on every page, and each member's own rank agreeing with it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from store import Invalid, Record, Store
from tests.store.test_checkins import make, ms


async def walk(store: Store, cid: str, viewer: str, by: str, now: int) -> list[str]:
    """The board one entry a page, with each entry's rank as the viewer's own."""
    order: list[str] = []
    cursor = None
    while True:
        page, cursor, _ = await store.challenges.board(
            cid, viewer, by, cursor=cursor, limit=1, now=now
        )
        order += [e["user"] for e in page]
        assert [e["rank"] for e in page] == [len(order)]
        if cursor is None:
            return order


async def test_ties_break_by_time_then_featured_then_id(
    store: Store, circle: Record, alice: Record, new_user: Callable[..., Awaitable[Record]]
) -> None:
    people = [await new_user(f"m{i}", f"成员{i}") for i in range(4)]
    for user in people:
        await store.memberships.join(circle["id"], user["id"])
    challenge = await make(store, circle, alice, type="accumulated")
    cid = challenge["id"]
    checkins = {}
    for user in people:
        await store.challenges.join(cid, user["id"])
        # All at the same instant: a tie on the count and on the time it was reached.
        checkins[user["id"]], _ = await store.checkins.check_in(
            cid, user["id"], "读了", now=ms("2026-12-01T08:00")
        )
    now = ms("2026-12-01T20:00")
    by_id = sorted(u["id"] for u in people)
    for by in ("streak", "total"):
        assert await walk(store, cid, alice["id"], by, now) == by_id
    # The last by id gets a 精选: ahead of the others. Then the second too: the two
    # with one each tie again, by id.
    last, second = by_id[3], by_id[1]
    _, post, _ = await store.checkin_features.feature(checkins[last]["id"], alice["id"])
    for by in ("streak", "total"):
        assert await walk(store, cid, alice["id"], by, now) == [last, *by_id[:3]]
    await store.checkin_features.feature(checkins[second]["id"], alice["id"])
    expected = [second, last, by_id[0], by_id[2]]
    for by in ("streak", "total"):
        assert await walk(store, cid, alice["id"], by, now) == expected
        entries, _, me = await store.challenges.board(cid, last, by, now=now)
        assert [e["user"] for e in entries] == expected
        assert [e["featured"] for e in entries] == [1, 1, 0, 0]
        assert me is not None and me["rank"] == 2
    # A taken-down highlight is no longer a 精选.
    await store.posts.delete(post["id"], alice["id"])
    assert await walk(store, cid, alice["id"], "total", now) == [second, by_id[0], by_id[2], last]
    _, _, me = await store.challenges.board(cid, last, "total", now=now)
    assert me is not None and me["rank"] == 4
    with pytest.raises(Invalid):
        await store.challenges.board(cid, alice["id"], "total", cursor="not a cursor", now=now)
