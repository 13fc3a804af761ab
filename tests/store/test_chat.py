from __future__ import annotations

from typing import Any

import pytest

from store import Forbidden, Invalid, NotFound, Store

Record = dict[str, Any]


async def say_many(store: Store, circle_id: str, user: Record, n: int, prefix: str = "m") -> None:
    for i in range(n):
        await store.chat.say(circle_id, user["id"], user["name"], f"{prefix}{i}", f"{prefix}-{i}")


async def test_say_returns_the_stored_message(store: Store, alice: Record, circle: Record) -> None:
    message, fresh = await store.chat.say(
        circle["id"], alice["id"], "Alice", "hello", "n1", reply_to=None
    )
    assert fresh is True
    assert message == {
        "circle": circle["id"],
        "group": circle["id"],
        "seq": 1,
        "ts": message["ts"],
        "from": {"id": alice["id"], "name": "Alice"},
        "text": "hello",
        "nonce": "n1",
        "reply_to": None,
    }
    reply, _ = await store.chat.say(circle["id"], alice["id"], "Alice", "again", "n2", reply_to=1)
    assert reply["seq"] == 2 and reply["reply_to"] == 1 and reply["ts"] >= message["ts"]
    messages, more = await store.chat.history(circle["id"])
    assert messages == [message, reply] and more is False


@pytest.mark.parametrize(
    ("text", "nonce", "reply_to"),
    [
        ("", "n", None),
        ("x" * 65537, "n", None),
        (None, "n", None),
        ("hi", "", None),
        ("hi", "n" * 65, None),
        ("hi", 7, None),
        ("hi", "n", 0),
        ("hi", "n", True),
        ("hi", "n", "3"),
    ],
)
async def test_say_invalid(
    store: Store, alice: Record, circle: Record, text: Any, nonce: Any, reply_to: Any
) -> None:
    with pytest.raises(Invalid):
        await store.chat.say(circle["id"], alice["id"], "Alice", text, nonce, reply_to)
    assert await store.chat.last_seq(circle["id"]) == 0


async def test_history_pages_backwards(store: Store, alice: Record, circle: Record) -> None:
    await say_many(store, circle["id"], alice, 12)
    page, more = await store.chat.history(circle["id"], limit=5)
    assert [m["seq"] for m in page] == [8, 9, 10, 11, 12] and more is True
    page, more = await store.chat.history(circle["id"], before=8, limit=5)
    assert [m["seq"] for m in page] == [3, 4, 5, 6, 7] and more is True
    page, more = await store.chat.history(circle["id"], before=3, limit=5)
    assert [m["seq"] for m in page] == [1, 2] and more is False
    page, more = await store.chat.history(circle["id"], before=6, limit=5)
    assert [m["seq"] for m in page] == [1, 2, 3, 4, 5] and more is False
    assert await store.chat.history("missing") == ([], False)
    with pytest.raises(Invalid):
        await store.chat.history(circle["id"], limit=0)


async def test_history_min_seq_hides_what_came_before(
    store: Store, alice: Record, circle: Record
) -> None:
    await say_many(store, circle["id"], alice, 10)
    page, more = await store.chat.history(circle["id"], limit=3, min_seq=6)
    assert [m["seq"] for m in page] == [8, 9, 10] and more is True
    page, more = await store.chat.history(circle["id"], before=8, limit=3, min_seq=6)
    assert [m["seq"] for m in page] == [7] and more is False
    page, more = await store.chat.history(circle["id"], min_seq=10)
    assert page == [] and more is False


async def test_names_follow_nicknames_and_survive_leaving(
    store: Store, alice: Record, bob: Record, circle: Record
) -> None:
    await store.memberships.join(circle["id"], bob["id"])
    await store.chat.say(circle["id"], bob["id"], "Bob", "hi", "b1")
    await store.memberships.update_member(circle["id"], bob["id"], bob["id"], nickname="Bobby")
    [message], _ = await store.chat.history(circle["id"])
    assert message["from"] == {"id": bob["id"], "name": "Bobby"}
    await store.memberships.leave(circle["id"], bob["id"])
    # A former member keeps their account name on what they said.
    [message] = await store.chat.after(circle["id"], 0, 10)
    assert message["from"] == {"id": bob["id"], "name": "Bob"}


async def test_after_replays_in_order(store: Store, alice: Record, circle: Record) -> None:
    await say_many(store, circle["id"], alice, 7)
    assert [m["seq"] for m in await store.chat.after(circle["id"], 0, 100)] == list(range(1, 8))
    assert [m["seq"] for m in await store.chat.after(circle["id"], 3, 2)] == [4, 5]
    assert await store.chat.after(circle["id"], 7, 10) == []
    assert [m["text"] for m in await store.chat.after(circle["id"], 5, 10)] == ["m5", "m6"]


async def test_first_and_last_seq(store: Store, alice: Record, circle: Record) -> None:
    assert await store.chat.first_seq(circle["id"]) is None
    assert await store.chat.last_seq(circle["id"]) == 0
    await say_many(store, circle["id"], alice, 3)
    assert await store.chat.first_seq(circle["id"]) == 1
    assert await store.chat.last_seq(circle["id"]) == 3
    with pytest.raises(NotFound):
        await store.chat.last_seq("missing")


async def test_stars_count_once_per_user(
    store: Store, alice: Record, bob: Record, circle: Record
) -> None:
    await say_many(store, circle["id"], alice, 2)
    await store.memberships.join(circle["id"], bob["id"])
    assert (await store.stars.star(circle["id"], 1, alice["id"]))[0] == 1
    assert (await store.stars.star(circle["id"], 1, alice["id"]))[0] == 1
    assert (await store.stars.star(circle["id"], 1, bob["id"]))[0] == 2
    assert await store.stars.count(circle["id"], 1) == 2
    assert await store.stars.count(circle["id"], 2) == 0
    assert await store.stars.unstar(circle["id"], 1, alice["id"]) == 1
    assert await store.stars.unstar(circle["id"], 1, alice["id"]) == 1
    assert await store.stars.unstar(circle["id"], 2, bob["id"]) == 0
    for seq in [3, 0, True]:
        with pytest.raises(NotFound):
            await store.stars.star(circle["id"], seq, alice["id"])
    with pytest.raises(NotFound):
        await store.stars.unstar("missing", 1, alice["id"])


async def test_mark_read_never_moves_backwards(
    store: Store, alice: Record, bob: Record, circle: Record
) -> None:
    await store.memberships.join(circle["id"], bob["id"])
    await say_many(store, circle["id"], alice, 10)

    async def unread() -> int:
        [entry] = await store.circles.my_circles(bob["id"])
        return int(entry["unread"])

    assert await unread() == 10
    await store.chat.mark_read(circle["id"], bob["id"], 6)
    assert await unread() == 4
    await store.chat.mark_read(circle["id"], bob["id"], 2)
    assert await unread() == 4
    # A marker past the end is clamped: later messages still count as unread.
    await store.chat.mark_read(circle["id"], bob["id"], 1_000_000)
    assert await unread() == 0
    await store.chat.say(circle["id"], alice["id"], "Alice", "new", "new")
    assert await unread() == 1
    # Marking a circle one has not joined does nothing.
    await store.chat.mark_read("missing", bob["id"], 3)
    with pytest.raises(Invalid):
        await store.chat.mark_read(circle["id"], bob["id"], -1)


async def test_veto_is_for_owners_and_admins(
    store: Store, alice: Record, bob: Record, carol: Record, circle: Record
) -> None:
    for user in [bob, carol]:
        await store.memberships.join(circle["id"], user["id"])
    await store.memberships.update_member(circle["id"], alice["id"], bob["id"], role="admin")
    await say_many(store, circle["id"], carol, 1)

    with pytest.raises(Forbidden):
        await store.chat.set_veto(circle["id"], 1, carol["id"], True)
    assert await store.chat.is_vetoed(circle["id"], 1) is False
    await store.chat.set_veto(circle["id"], 1, bob["id"], True)
    await store.chat.set_veto(circle["id"], 1, alice["id"], True)
    assert await store.chat.is_vetoed(circle["id"], 1) is True
    await store.chat.set_veto(circle["id"], 1, alice["id"], False)
    assert await store.chat.is_vetoed(circle["id"], 1) is False
    await store.chat.set_veto(circle["id"], 1, alice["id"], False)
    with pytest.raises(NotFound):
        await store.chat.set_veto(circle["id"], 2, alice["id"], True)
    with pytest.raises(NotFound):
        await store.chat.set_veto("missing", 1, alice["id"], True)
