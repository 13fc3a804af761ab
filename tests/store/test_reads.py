"""Read markers for "read by N" (store/reads.py, and mark_read's answer): the markers
of a group's members, to those who may read it, only up to a size."""

from __future__ import annotations

from typing import Any

import pytest

from store import Conflict, Forbidden, NotFound, Store
from tests.store.test_groups import say_in

Record = dict[str, Any]


async def test_mark_read_answers_the_marker_only_when_it_moved(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    await store.memberships.join(circle["id"], bob["id"])
    for text in ("one", "two"):
        await say_in(store, circle["id"], circle["id"], alice, text)
    assert await store.chat.mark_read(circle["id"], bob["id"], 1) == 1
    assert await store.chat.mark_read(circle["id"], bob["id"], 1) is None
    # Past the last seq: capped to it.
    assert await store.chat.mark_read(circle["id"], bob["id"], 99) == 2
    assert await store.chat.mark_read(circle["id"], bob["id"], 99) is None


async def test_reads_of_a_group_to_its_members_up_to_a_size(
    store: Store, circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    await store.memberships.join(cid, carol["id"])
    north = await store.groups.create(cid, alice["id"], "北方")
    await store.groups.join(north["id"], bob["id"])
    for text in ("一", "二", "三"):
        await say_in(store, cid, north["id"], alice, text)
    assert await store.chat.mark_read(cid, bob["id"], 2, north["id"]) == 2

    reads, members = await store.reads.of_group(north["id"], bob["id"], 500)
    assert (reads, members) == ({alice["id"]: 0, bob["id"]: 2}, 2)
    reads, members = await store.reads.of_group(cid, carol["id"], 500)
    assert members == 3 and set(reads) == {alice["id"], bob["id"], carol["id"]}
    with pytest.raises(Forbidden):
        await store.reads.of_group(north["id"], carol["id"], 500)
    with pytest.raises(NotFound):
        await store.reads.of_group("nosuchgroup0", bob["id"], 500)
    with pytest.raises(Conflict):
        await store.reads.of_group(cid, bob["id"], 2)
    assert await store.reads.member_count(north["id"]) == 2
    assert await store.reads.member_count(cid) == 3
