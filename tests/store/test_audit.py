"""The moderation audit log: an act is logged in its own transaction, owners read
it newest first, a page at a time, with the actor's name in the circle."""

from __future__ import annotations

import pytest

from store import Forbidden, Record, Store, record_act
from tests.timing import sleep


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record) -> Record:
    await store.memberships.join(circle["id"], bob["id"])
    return circle


async def test_owners_read_the_acts_newest_first_a_page_at_a_time(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    for i in range(3):
        await sleep(0.005)  # one ms apart at least: the order is by time
        async with store.db.write() as conn:
            await record_act(
                conn,
                room["id"],
                alice["id"],
                "member.muted",
                "member",
                bob["id"],
                reason=f"广告 {i}",
                data={"until": 1000 + i},
            )
    first, cursor = await store.audit.page(room["id"], alice["id"], limit=2)
    assert [e["reason"] for e in first] == ["广告 2", "广告 1"] and cursor is not None
    assert first[0]["actor"] == {"id": alice["id"], "name": "Alice"}
    assert first[0]["target"] == {"kind": "member", "id": bob["id"], "name": "Bob"}
    assert first[0]["data"] == {"until": 1002} and first[0]["action"] == "member.muted"
    rest, end = await store.audit.page(room["id"], alice["id"], cursor=cursor, limit=2)
    assert [e["reason"] for e in rest] == ["广告 0"] and end is None
    with pytest.raises(Forbidden):
        await store.audit.page(room["id"], bob["id"])


async def test_an_act_rolls_back_with_its_transaction(
    store: Store, room: Record, alice: Record
) -> None:
    with pytest.raises(RuntimeError):
        async with store.db.write() as conn:
            await record_act(conn, room["id"], alice["id"], "post.deleted", "post", "p1")
            raise RuntimeError("the act failed")
    assert await store.audit.page(room["id"], alice["id"]) == ([], None)
