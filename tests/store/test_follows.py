"""Following a public circle without joining it: store/follows.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from store import Conflict, Forbidden, Invalid, NotFound, Store, now_ms
from store.ids import new_id
from store.models import FOLLOWS, USERS

Record = dict[str, Any]


async def kinds(store: Store, circle_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [(c.kind, c.data) for c in await store.changes.since(circle_id, 0, 1000)]


async def test_follow_counts_apart_from_members(
    store: Store, alice: Record, bob: Record, carol: Record, circle: Record
) -> None:
    cid = circle["id"]
    assert circle["follower_count"] == 0
    assert await store.follows.follow(cid, bob["id"]) == {"following": True, "followers": 1}
    # Idempotent: the same answer, no second row, no second event.
    assert await store.follows.follow(cid, bob["id"]) == {"following": True, "followers": 1}
    assert await store.follows.follow(cid, carol["id"]) == {"following": True, "followers": 2}
    seen = await store.circles.get(cid, bob["id"])
    assert seen["follower_count"] == 2 and seen["members"] == 1
    assert seen["following"] is True
    assert (await store.circles.get(cid, alice["id"]))["following"] is False
    # Followers are not members.
    members, _ = await store.memberships.members(cid, alice["id"])
    assert [m["user"] for m in members] == [alice["id"]]
    with pytest.raises(Forbidden):
        await store.memberships.update_member(cid, bob["id"], bob["id"], nickname="x")
    follows = [(k, d) for k, d in await kinds(store, cid) if k.startswith("follow.")]
    assert follows == [
        ("follow.added", {"user": bob["id"], "followers": 1}),
        ("follow.added", {"user": carol["id"], "followers": 2}),
    ]
    assert await store.follows.unfollow(cid, bob["id"]) == {"following": False, "followers": 1}
    # Idempotent too.
    assert await store.follows.unfollow(cid, bob["id"]) == {"following": False, "followers": 1}
    assert (await kinds(store, cid))[-1] == (
        "follow.removed",
        {"user": bob["id"], "followers": 1, "reason": "unfollowed"},
    )
    assert await store.follows.circle_ids_of(carol["id"]) == [cid]
    assert await store.follows.circle_ids_of(bob["id"]) == []


async def test_who_may_follow(
    store: Store,
    alice: Record,
    bob: Record,
    carol: Record,
    circle: Record,
    private_circle: Record,
) -> None:
    # A private circle answers as it answers any non-member.
    with pytest.raises(Forbidden) as private:
        await store.follows.follow(private_circle["id"], bob["id"])
    with pytest.raises(Forbidden) as as_non_member:
        await store.circles.get(private_circle["id"], bob["id"])
    assert str(private.value) == str(as_non_member.value)
    # A member has the feed already.
    with pytest.raises(Conflict) as member:
        await store.follows.follow(circle["id"], alice["id"])
    assert member.value.reason == "already_member"
    # A banned user cannot follow; a ban ends a follow.
    await store.follows.follow(circle["id"], carol["id"])
    await store.sanctions.ban(circle["id"], alice["id"], carol["id"])
    assert await store.follows.circle_ids_of(carol["id"]) == []
    assert (await store.circles.get(circle["id"]))["follower_count"] == 0
    with pytest.raises(Forbidden) as banned:
        await store.follows.follow(circle["id"], carol["id"])
    assert banned.value.reason == "banned"
    with pytest.raises(NotFound):
        await store.follows.follow("nope", bob["id"])


async def test_joining_ends_the_follow_leaving_does_not_follow_again(
    store: Store, alice: Record, bob: Record, circle: Record
) -> None:
    cid = circle["id"]
    await store.follows.follow(cid, bob["id"])
    await store.memberships.join(cid, bob["id"])
    seen = await store.circles.get(cid, bob["id"])
    assert seen["members"] == 2 and seen["follower_count"] == 0 and seen["following"] is False
    last = await kinds(store, cid)
    assert [kind for kind, _ in last[-2:]] == ["follow.removed", "member.joined"]
    assert last[-2][1] == {"user": bob["id"], "followers": 0, "reason": "joined"}
    await store.memberships.leave(cid, bob["id"])
    seen = await store.circles.get(cid, bob["id"])
    assert seen["members"] == 1 and seen["follower_count"] == 0 and seen["following"] is False
    assert await store.follows.circle_ids_of(bob["id"]) == []


async def test_followers_page_and_search(
    store: Store,
    alice: Record,
    bob: Record,
    circle: Record,
    new_user: Callable[..., Awaitable[Record]],
) -> None:
    cid = circle["id"]
    names = ["张三", "李四", "王五", "Zhang Wei", "Li Na"]
    users = [await new_user(f"fan{i}", name) for i, name in enumerate(names)]
    for user in users:
        await store.follows.follow(cid, user["id"])
    # Owners and admins only.
    with pytest.raises(Forbidden):
        await store.follows.followers(cid, bob["id"])
    await store.follows.follow(cid, bob["id"])
    with pytest.raises(Forbidden):
        await store.follows.followers(cid, bob["id"])
    seen: list[str] = []
    cursor = None
    while True:
        page, cursor = await store.follows.followers(cid, alice["id"], cursor=cursor, limit=2)
        assert len(page) <= 2
        seen += [f["name"] for f in page]
        if cursor is None:
            break
    # Every follower once, a page at a time.
    assert sorted(seen) == sorted(["Bob", *names])
    found, _ = await store.follows.followers(cid, alice["id"], query="李")
    assert [f["name"] for f in found] == ["李四"]
    found, _ = await store.follows.followers(cid, alice["id"], query="zhang")
    assert [f["name"] for f in found] == ["Zhang Wei"]
    found, _ = await store.follows.followers(cid, alice["id"], query="fan2")
    assert [f["name"] for f in found] == ["王五"]


async def test_following_list_and_directory(
    store: Store, alice: Record, bob: Record, circle: Record
) -> None:
    other = await store.circles.create(alice["id"], "书法社", "community", "public")
    await store.follows.follow(circle["id"], bob["id"])
    await store.follows.follow(other["id"], bob["id"])
    page, cursor = await store.follows.following(bob["id"], limit=1)
    assert [c["name"] for c in page] == ["书法社"] and cursor is not None
    assert page[0]["following"] is True and page[0]["follower_count"] == 1
    rest, cursor = await store.follows.following(bob["id"], cursor=cursor, limit=1)
    assert [c["name"] for c in rest] == ["Tea House"] and cursor is None
    found, _ = await store.circles.directory(viewer_id=bob["id"])
    assert {c["name"]: c["following"] for c in found} == {"书法社": True, "Tea House": True}
    found, _ = await store.circles.directory(viewer_id=alice["id"])
    assert {c["following"] for c in found} == {False}
    # A deleted circle is followed no more.
    await store.deleted_circles.delete(other["id"], alice["id"], "书法社")
    page, _ = await store.follows.following(bob["id"])
    assert [c["name"] for c in page] == ["Tea House"]
    assert await store.follows.circle_ids_of(bob["id"]) == [circle["id"]]
    while (await store.deleted_circles.purge())[0]:
        pass


async def test_a_big_following_is_read_a_page_at_a_time(
    store: Store, alice: Record, circle: Record
) -> None:
    """Thousands of followers (inserted in bulk): a page never holds more than asked,
    the cursor walks them all once, a name search finds one among them."""
    now, count = now_ms(), 3000
    users = [
        {
            "id": new_id(),
            "handle": f"fan{i}",
            "name": f"粉丝 {i}",
            "password_hash": "x",
            "created": now,
        }
        for i in range(count)
    ]
    async with store.db.write() as conn:
        await conn.execute(USERS.insert(), users)
        await conn.execute(
            FOLLOWS.insert(),
            [
                {"circle_id": circle["id"], "user_id": u["id"], "created": now + i}
                for i, u in enumerate(users)
            ],
        )
    seen: set[str] = set()
    cursor = None
    pages = 0
    while True:
        page, cursor = await store.follows.followers(
            circle["id"], alice["id"], cursor=cursor, limit=200
        )
        assert len(page) <= 200
        seen |= {f["user"] for f in page}
        pages += 1
        if cursor is None:
            break
    assert len(seen) == count and pages == count // 200 + (count % 200 > 0)
    with pytest.raises(Invalid):  # never more than a page
        await store.follows.followers(circle["id"], alice["id"], limit=201)
    found, _ = await store.follows.followers(circle["id"], alice["id"], query="粉丝 2999")
    assert [f["handle"] for f in found] == ["fan2999"]
