"""Pins: the cap, expiry, ordering, permissions."""

from __future__ import annotations

from typing import Any

import pytest

from store import Conflict, Forbidden, Invalid, NotFound, Store
from store.ids import now_ms

Record = dict[str, Any]


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record) -> Record:
    await store.memberships.join(circle["id"], bob["id"])
    return circle


async def posts(store: Store, circle_id: str, author: Record, n: int) -> list[Record]:
    return [await store.posts.create(circle_id, author["id"], "post", f"p{i}") for i in range(n)]


async def test_pin_and_unpin(store: Store, room: Record, alice: Record, bob: Record) -> None:
    (post,) = await posts(store, room["id"], bob, 1)
    assert post["pinned"] is False and post["pin_order"] is None
    pinned = await store.pins.pin(post["id"], alice["id"])
    assert pinned["pinned"] is True and pinned["pin_order"] == 1
    assert pinned["pinned_until"] is None and pinned["updated"] > post["updated"]
    # Pinning again is idempotent: same place.
    assert (await store.pins.pin(post["id"], alice["id"]))["pin_order"] == 1
    unpinned = await store.pins.unpin(post["id"], alice["id"])
    assert unpinned["pinned"] is False and unpinned["pin_order"] is None
    assert (await store.pins.unpin(post["id"], alice["id"]))["pinned"] is False


async def test_members_cannot_pin(store: Store, room: Record, alice: Record, bob: Record) -> None:
    (post,) = await posts(store, room["id"], bob, 1)
    with pytest.raises(Forbidden):
        await store.pins.pin(post["id"], bob["id"])
    await store.pins.pin(post["id"], alice["id"])
    with pytest.raises(Forbidden):
        await store.pins.unpin(post["id"], bob["id"])
    with pytest.raises(Forbidden):
        await store.pins.reorder_pins(room["id"], bob["id"], [post["id"]])
    with pytest.raises(NotFound):
        await store.pins.pin("missing", alice["id"])


async def test_the_eleventh_pin_is_a_conflict(store: Store, room: Record, alice: Record) -> None:
    made = await posts(store, room["id"], alice, 11)
    for post in made[:10]:
        await store.pins.pin(post["id"], alice["id"])
    with pytest.raises(Conflict) as caught:
        await store.pins.pin(made[10]["id"], alice["id"])
    assert "at most 10 pinned" in caught.value.message and "unpin" in caught.value.message
    # Freeing a place lets it in, after the others.
    await store.pins.unpin(made[3]["id"], alice["id"])
    assert (await store.pins.pin(made[10]["id"], alice["id"]))["pin_order"] == 11
    # Re-pinning a pinned post with a full shelf is no new pin.
    assert (await store.pins.pin(made[0]["id"], alice["id"]))["pinned"] is True


async def test_pin_until_and_expiry(store: Store, room: Record, alice: Record) -> None:
    a, b, c = await posts(store, room["id"], alice, 3)
    now = now_ms()
    with pytest.raises(Invalid, match="future"):
        await store.pins.pin(a["id"], alice["id"], until=now - 1)
    with pytest.raises(Invalid):
        await store.pins.pin(a["id"], alice["id"], until="soon")  # type: ignore[arg-type]
    pinned = await store.pins.pin(a["id"], alice["id"], until=now + 60_000)
    assert pinned["pinned_until"] == now + 60_000
    await store.pins.pin(b["id"], alice["id"], until=now + 120_000)
    await store.pins.pin(c["id"], alice["id"])
    assert await store.pins.expire_pins(now + 59_999) == []
    expired = await store.pins.expire_pins(now + 60_000)
    assert [p["id"] for p in expired] == [a["id"]]
    assert expired[0]["pinned"] is False and expired[0]["pinned_until"] is None
    assert expired[0]["updated"] > pinned["updated"]
    # Viewer-neutral: for the push to everyone.
    assert "liked" not in expired[0] and "acked" not in expired[0]  # the same for everyone
    # Renewing a pin (or pinning without an expiry) moves or clears its expiry.
    await store.pins.pin(b["id"], alice["id"])
    assert await store.pins.expire_pins(now + 10**9) == []
    feed, _ = await store.posts.feed(room["id"], alice["id"])
    assert [(p["id"], p["pinned"]) for p in feed[:2]] == [(b["id"], True), (c["id"], True)]


async def test_reorder_pins(store: Store, room: Record, alice: Record) -> None:
    a, b, c, d = await posts(store, room["id"], alice, 4)
    for post in (a, b, c):
        await store.pins.pin(post["id"], alice["id"])
    reordered = await store.pins.reorder_pins(room["id"], alice["id"], [c["id"], a["id"], b["id"]])
    assert [(p["id"], p["pin_order"]) for p in reordered] == [
        (c["id"], 1),
        (a["id"], 2),
        (b["id"], 3),
    ]
    feed, _ = await store.posts.feed(room["id"], alice["id"])
    assert [p["id"] for p in feed] == [c["id"], a["id"], b["id"], d["id"]]
    for bad in (
        [c["id"], a["id"]],  # one missing
        [c["id"], a["id"], b["id"], d["id"]],  # an unpinned one
        [c["id"], a["id"], a["id"]],  # a duplicate
        [c["id"], a["id"], "ghost"],
        "abc",
        [1, 2, 3],
    ):
        with pytest.raises(Invalid):
            await store.pins.reorder_pins(room["id"], alice["id"], bad)  # type: ignore[arg-type]
    # A post pinned after a reorder goes last.
    assert (await store.pins.pin(d["id"], alice["id"]))["pin_order"] == 4
