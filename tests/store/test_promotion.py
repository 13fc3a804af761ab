"""Stars that promote chat messages into highlight posts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from store import Forbidden, Invalid, NotFound, Store
from store.models import POSTS

Record = dict[str, Any]
Say = Callable[..., Awaitable[int]]
AddMembers = Callable[..., Awaitable[list[Record]]]


async def post_rows(store: Store, circle_id: str) -> int:
    async with store.db.read() as conn:
        query = select(func.count()).where(POSTS.c.circle_id == circle_id)
        return int((await conn.execute(query)).scalar_one())


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    """alice's circle with bob and carol as members and a threshold of 2."""
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.join(circle["id"], carol["id"])
    return await store.circles.update(circle["id"], circle["owner"], {"promote_threshold": 2})


async def test_member_stars_promote_at_the_threshold_once(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record, say: Say
) -> None:
    seq = await say(room["id"], bob, "the kettle is on")
    assert await store.stars.star(room["id"], seq, bob["id"]) == (1, None, False)
    # Starring twice counts once: still below the threshold.
    assert await store.stars.star(room["id"], seq, bob["id"]) == (1, None, False)
    stars, post, promoted_now = await store.stars.star(room["id"], seq, carol["id"])
    assert stars == 2 and promoted_now is True and post is not None
    assert post["kind"] == "highlight" and post["text"] == "the kettle is on"
    assert post["author"] == {"id": bob["id"], "name": "Bob"}
    assert post["source"]["seq"] == seq and post["source"]["from"] == post["author"]
    assert post["pinned"] is True and post["pin_order"] == 1 and post["must_read"] is False
    # Later stars return the same post and do not promote again.
    stars, again, promoted_now = await store.stars.star(room["id"], seq, alice["id"])
    assert stars == 3 and promoted_now is False and again is not None
    assert again["id"] == post["id"]
    assert await post_rows(store, room["id"]) == 1


async def test_an_owner_or_admin_star_promotes_at_once(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record, say: Say
) -> None:
    await store.memberships.update_member(room["id"], alice["id"], carol["id"], role="admin")
    first = await say(room["id"], bob, "one")
    second = await say(room["id"], bob, "two")
    stars, post, promoted_now = await store.stars.star(room["id"], first, alice["id"])
    assert (stars, promoted_now) == (1, True) and post is not None
    stars, post, promoted_now = await store.stars.star(room["id"], second, carol["id"])
    assert (stars, promoted_now) == (1, True) and post is not None
    assert post["pin_order"] == 2


async def test_threshold_zero_turns_member_promotion_off(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record, say: Say
) -> None:
    await store.circles.update(room["id"], alice["id"], {"promote_threshold": 0})
    seq = await say(room["id"], alice, "hi")
    for user in (bob, carol):
        _, post, _ = await store.stars.star(room["id"], seq, user["id"])
        assert post is None


async def test_fifty_concurrent_stars_make_one_post(
    store: Store, circle: Record, alice: Record, say: Say, add_members: AddMembers
) -> None:
    members = await add_members(circle["id"], 50)
    seq = await say(circle["id"], alice, "star me")
    outcomes = await asyncio.gather(
        *(store.stars.star(circle["id"], seq, m["id"]) for m in members)
    )
    assert sum(1 for _, _, promoted_now in outcomes if promoted_now) == 1
    post_ids = {post["id"] for _, post, _ in outcomes if post is not None}
    assert len(post_ids) == 1
    # The default threshold is 3: the first two stars (in commit order) were only votes.
    assert sorted(stars for stars, _, _ in outcomes) == list(range(1, 51))
    assert sum(1 for _, post, _ in outcomes if post is None) == 2
    assert await post_rows(store, circle["id"]) == 1


async def test_fifty_concurrent_manager_stars_make_one_post(
    store: Store, circle: Record, alice: Record, say: Say, add_members: AddMembers
) -> None:
    admins = await add_members(circle["id"], 50, role="admin")
    seq = await say(circle["id"], alice, "star me")
    outcomes = await asyncio.gather(*(store.stars.star(circle["id"], seq, a["id"]) for a in admins))
    assert sum(1 for _, _, promoted_now in outcomes if promoted_now) == 1
    assert len({post["id"] for _, post, _ in outcomes if post is not None}) == 1
    assert await post_rows(store, circle["id"]) == 1


async def test_a_veto_blocks_votes_but_not_an_admin_star(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record, say: Say
) -> None:
    seq = await say(room["id"], bob, "controversial")
    await store.chat.set_veto(room["id"], seq, alice["id"], True)
    await store.stars.star(room["id"], seq, bob["id"])
    assert await store.stars.star(room["id"], seq, carol["id"]) == (2, None, False)
    stars, post, promoted_now = await store.stars.star(room["id"], seq, alice["id"])
    assert stars == 3 and promoted_now is True and post is not None


async def test_unpromote_tombstones_and_votes_do_not_revive(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record, say: Say
) -> None:
    seq = await say(room["id"], bob, "oops")
    _, post, _ = await store.stars.star(room["id"], seq, alice["id"])
    assert post is not None
    with pytest.raises(Forbidden):
        await store.posts.unpromote(post["id"], bob["id"])
    tombstone = await store.posts.unpromote(post["id"], alice["id"])
    assert tombstone == {
        "id": post["id"],
        "circle": room["id"],
        "deleted": True,
        "updated": tombstone["updated"],
    }
    assert tombstone["updated"] > post["updated"]
    with pytest.raises(NotFound):
        await store.posts.get(post["id"], bob["id"])
    # The chat message stays.
    messages, _ = await store.chat.history(room["id"])
    assert [m["text"] for m in messages] == ["oops"]
    # Members' votes (past the threshold) do not bring it back.
    await store.stars.unstar(room["id"], seq, alice["id"])
    assert await store.stars.star(room["id"], seq, bob["id"]) == (1, None, False)
    assert await store.stars.star(room["id"], seq, carol["id"]) == (2, None, False)
    feed, _ = await store.posts.feed(room["id"], bob["id"])
    assert feed == []
    # An owner's star does, as the same post.
    stars, revived, promoted_now = await store.stars.star(room["id"], seq, alice["id"])
    assert stars == 3 and promoted_now is True and revived is not None
    assert revived["id"] == post["id"] and revived["text"] == "oops" and revived["pinned"]
    assert await post_rows(store, room["id"]) == 1


async def test_unpromote_only_highlights(store: Store, room: Record, alice: Record) -> None:
    post = await store.posts.create(room["id"], alice["id"], "post", "plain")
    with pytest.raises(Invalid):
        await store.posts.unpromote(post["id"], alice["id"])


async def test_promotion_with_ten_pins_creates_it_unpinned(
    store: Store, room: Record, alice: Record, bob: Record, say: Say
) -> None:
    for i in range(10):
        seq = await say(room["id"], bob, f"pin {i}")
        _, post, _ = await store.stars.star(room["id"], seq, alice["id"])
        assert post is not None and post["pinned"] and post["pin_order"] == i + 1
    seq = await say(room["id"], bob, "the eleventh")
    _, post, promoted_now = await store.stars.star(room["id"], seq, alice["id"])
    assert promoted_now is True and post is not None
    assert post["pinned"] is False and post["pin_order"] is None


async def test_star_errors(
    store: Store, room: Record, alice: Record, say: Say, new_user: Callable[..., Any]
) -> None:
    stranger = await new_user("stranger")
    seq = await say(room["id"], alice, "hello")
    with pytest.raises(Forbidden):
        await store.stars.star(room["id"], seq, stranger["id"])
    with pytest.raises(NotFound):
        await store.stars.star(room["id"], seq + 1, alice["id"])
    with pytest.raises(NotFound):
        await store.stars.star(room["id"], True, alice["id"])
    with pytest.raises(NotFound):
        await store.stars.star("missing", seq, alice["id"])
