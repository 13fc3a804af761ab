"""Reactions (store/reactions.py): once per member per emoji, on messages of any
group and on posts; who may react; the cap; what an emoji is; the change log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from store import Conflict, Forbidden, Invalid, NotFound, Store
from store.ids import new_id
from store.reactions import EMOJI_PER_TARGET, emoji

Record = dict[str, Any]

GOOD = [
    "👍",
    "❤️",
    "👍🏽",
    "🇨🇳",
    "👨\u200d👩\u200d👧",
    "🎉",
    "1️⃣",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
]
BAD = ["a", "", " ", "👍👍x", "👍 ", "\u200d", "ok👍", "\x00", "👍\n", "1", "中", "x" * 17, None, 5]


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.join(circle["id"], carol["id"])
    return circle


async def say_in(store: Store, circle_id: str, group_id: str, user: Record, text: str) -> int:
    message, _ = await store.chat.say(
        circle_id, user["id"], user["name"], text, new_id(), group_id=group_id
    )
    return int(message["seq"])


async def changes_of(store: Store, circle_id: str, viewer: str, after: int) -> list[Any]:
    page = await store.changes.after(circle_id, viewer, after)
    return [c for c in page.changes if c.kind == "reaction.changed"]


@pytest.mark.parametrize("value", GOOD)
def test_emoji_that_are_one_emoji_pass(value: str) -> None:
    assert emoji(value) == value


@pytest.mark.parametrize("value", BAD)
def test_text_spaces_and_controls_are_not_emoji(value: object) -> None:
    with pytest.raises(Invalid):
        emoji(value)


async def test_a_member_counts_once_per_emoji_on_a_message(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    circle = room["id"]
    seq = await say_in(store, circle, circle, alice, "你好 大家")
    rev = await store.changes.last_rev(circle)
    assert await store.reactions.set_on_message(circle, seq, bob["id"], "👍", True) == 1
    assert await store.reactions.set_on_message(circle, seq, bob["id"], "👍", True) == 1
    assert await store.reactions.set_on_message(circle, seq, alice["id"], "👍", True) == 2
    assert await store.reactions.set_on_message(circle, seq, bob["id"], "❤️", True) == 1
    seen = await store.reactions.of_messages(circle, bob["id"], 1, seq)
    assert seen == {
        seq: [
            {"emoji": "👍", "count": 2, "mine": True},
            {"emoji": "❤️", "count": 1, "mine": True},
        ]
    }
    assert (await store.reactions.of_messages(circle, alice["id"], seq, seq))[seq][1] == {
        "emoji": "❤️",
        "count": 1,
        "mine": False,
    }
    # Withdrawn once; withdrawing again, or what one never gave, changes nothing.
    assert await store.reactions.set_on_message(circle, seq, bob["id"], "👍", False) == 1
    assert await store.reactions.set_on_message(circle, seq, bob["id"], "👍", False) == 1
    assert await store.reactions.set_on_message(circle, seq, bob["id"], "🎉", False) == 0
    changes = await changes_of(store, circle, bob["id"], rev)
    assert [(c.data["emoji"], c.data["user"], c.data["on"], c.data["count"]) for c in changes] == [
        ("👍", bob["id"], True, 1),
        ("👍", alice["id"], True, 2),
        ("❤️", bob["id"], True, 1),
        ("👍", bob["id"], False, 1),
    ]
    assert changes[0].data["target"] == {"group": circle, "seq": seq}
    who = await store.reactions.who_on_message(circle, seq, alice["id"])
    assert who == [
        {"emoji": "👍", "count": 1, "users": [{"id": alice["id"], "name": alice["name"]}]},
        {"emoji": "❤️", "count": 1, "users": [{"id": bob["id"], "name": bob["name"]}]},
    ]


async def test_reactions_on_posts_count_once_and_are_logged(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    circle = room["id"]
    post = await store.posts.create(circle, alice["id"], "post", "周末去爬山")
    rev = await store.changes.last_rev(circle)
    for _ in range(2):
        assert await store.reactions.set_on_post(post["id"], bob["id"], "🇨🇳", True) == 1
    assert (
        await store.reactions.set_on_post(post["id"], alice["id"], "👨\u200d👩\u200d👧", True) == 1
    )
    found = await store.reactions.of_posts([post["id"], "nosuchpost"], bob["id"])
    assert found == {
        post["id"]: [
            {"emoji": "🇨🇳", "count": 1, "mine": True},
            {"emoji": "👨\u200d👩\u200d👧", "count": 1, "mine": False},
        ]
    }
    assert (await store.reactions.of_posts([post["id"]], None))[post["id"]][0]["mine"] is False
    assert await store.reactions.set_on_post(post["id"], bob["id"], "🇨🇳", False) == 0
    changes = await changes_of(store, circle, alice["id"], rev)
    assert [c.data["target"] for c in changes] == [{"post": post["id"]}] * 3
    assert [c.data["on"] for c in changes] == [True, True, False]
    who = await store.reactions.who_on_post(post["id"], alice["id"])
    assert [entry["emoji"] for entry in who] == ["👨\u200d👩\u200d👧"]
    # A post's reactions are not a message's (a post has seq 0, messages start at 1).
    assert await store.reactions.of_messages(circle, alice["id"], 1, 10) == {}


async def test_non_members_cannot_react_or_read(
    store: Store,
    room: Record,
    alice: Record,
    new_user: Callable[..., Awaitable[Record]],
) -> None:
    circle = room["id"]
    dave = await new_user("dave")
    seq = await say_in(store, circle, circle, alice, "hello")
    post = await store.posts.create(circle, alice["id"], "post", "hello")
    with pytest.raises(Forbidden):
        await store.reactions.set_on_message(circle, seq, dave["id"], "👍", True)
    with pytest.raises(Forbidden):
        await store.reactions.of_messages(circle, dave["id"], 1, 5)
    with pytest.raises(Forbidden):
        await store.reactions.who_on_message(circle, seq, dave["id"])
    with pytest.raises(Forbidden):
        await store.reactions.set_on_post(post["id"], dave["id"], "👍", True)
    with pytest.raises(NotFound):
        await store.reactions.set_on_post("nosuchpost", alice["id"], "👍", True)
    with pytest.raises(NotFound):
        await store.reactions.set_on_message(circle, seq + 1, alice["id"], "👍", True)
    with pytest.raises(NotFound):
        await store.reactions.set_on_message("nosuchgroup", 1, alice["id"], "👍", True)
    await store.posts.delete(post["id"], alice["id"])
    with pytest.raises(NotFound):
        await store.reactions.set_on_post(post["id"], alice["id"], "👍", True)


async def test_a_member_of_another_group_cannot_react_in_this_one(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    circle = room["id"]
    north = await store.groups.create(circle, alice["id"], "北京", access="invite")
    await store.groups.add(north["id"], alice["id"], bob["id"])
    seq = await say_in(store, circle, north["id"], bob, "只在北京说")
    assert await store.reactions.set_on_message(north["id"], seq, bob["id"], "😂", True) == 1
    with pytest.raises(Forbidden):
        await store.reactions.set_on_message(north["id"], seq, carol["id"], "😂", True)
    with pytest.raises(Forbidden):
        await store.reactions.of_messages(north["id"], carol["id"], 1, seq)
    # A circle manager reads and reacts in every group.
    assert await store.reactions.set_on_message(north["id"], seq, alice["id"], "😂", True) == 2
    # The same seq in general is another message.
    general_seq = await say_in(store, circle, circle, carol, "general")
    assert general_seq == seq
    assert await store.reactions.of_messages(circle, carol["id"], 1, seq) == {}


async def test_hidden_history_cannot_be_reacted_to_nor_read(
    store: Store,
    circle: Record,
    alice: Record,
    bob: Record,
) -> None:
    circle_id = circle["id"]
    await store.circles.update(circle_id, alice["id"], {"history_for_new_members": False})
    before = await say_in(store, circle_id, circle_id, alice, "before bob")
    await store.reactions.set_on_message(circle_id, before, alice["id"], "👍", True)
    await store.memberships.join(circle_id, bob["id"])
    after = await say_in(store, circle_id, circle_id, alice, "after bob")
    await store.reactions.set_on_message(circle_id, after, alice["id"], "🙏", True)
    with pytest.raises(NotFound):
        await store.reactions.set_on_message(circle_id, before, bob["id"], "👍", True)
    with pytest.raises(NotFound):
        await store.reactions.who_on_message(circle_id, before, bob["id"])
    seen = await store.reactions.of_messages(circle_id, bob["id"], 1, after)
    assert list(seen) == [after]


async def test_a_target_carries_a_bounded_number_of_emoji(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    circle = room["id"]
    seq = await say_in(store, circle, circle, alice, "react to me")
    many = [chr(0x1F600 + i) for i in range(EMOJI_PER_TARGET)]
    for value in many:
        await store.reactions.set_on_message(circle, seq, alice["id"], value, True)
    with pytest.raises(Conflict):
        await store.reactions.set_on_message(circle, seq, bob["id"], "🦄", True)
    # One already there still takes more members.
    assert await store.reactions.set_on_message(circle, seq, bob["id"], many[3], True) == 2
    post = await store.posts.create(circle, alice["id"], "post", "p")
    for value in many:
        await store.reactions.set_on_post(post["id"], bob["id"], value, True)
    with pytest.raises(Conflict):
        await store.reactions.set_on_post(post["id"], alice["id"], "🦄", True)


async def test_bad_input_is_invalid(store: Store, room: Record, alice: Record) -> None:
    circle = room["id"]
    seq = await say_in(store, circle, circle, alice, "x")
    for value in ("a", "", " ", "👍👍x"):
        with pytest.raises(Invalid):
            await store.reactions.set_on_message(circle, seq, alice["id"], value, True)
    with pytest.raises(Invalid):
        await store.reactions.of_messages(circle, alice["id"], 1, 501)
    with pytest.raises(Invalid):
        await store.reactions.of_messages(circle, alice["id"], 5, 4)
    with pytest.raises(Invalid):
        await store.reactions.of_messages(circle, alice["id"], 0, 4)
    with pytest.raises(NotFound):
        await store.reactions.set_on_message(circle, 2**70, alice["id"], "👍", True)


async def test_pruned_messages_take_their_reactions_posts_keep_theirs(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    circle = room["id"]
    await store.circles.update(circle, alice["id"], {"retention_messages": 100})
    post = await store.posts.create(circle, alice["id"], "post", "stays")
    await store.reactions.set_on_post(post["id"], bob["id"], "👍", True)
    first = await say_in(store, circle, circle, alice, "goes")
    await store.reactions.set_on_message(circle, first, bob["id"], "👍", True)
    for i in range(100):
        last = await say_in(store, circle, circle, alice, f"m{i}")
    await store.reactions.set_on_message(circle, last, bob["id"], "🎉", True)
    assert await store.retention.prune(batch=500) == 1
    assert list(await store.reactions.of_messages(circle, bob["id"], 1, last)) == [last]
    assert list(await store.reactions.of_posts([post["id"]], bob["id"])) == [post["id"]]
