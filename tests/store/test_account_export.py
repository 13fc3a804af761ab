"""A user's own data for their export, page by page on both databases: only
theirs, every row once and in key order, nothing secret in the profile, and
nothing of a deleted circle or a taken-back message."""

from __future__ import annotations

from typing import Any

import pytest

from store import EXPORT_KINDS, NotFound, Record, Store


async def every_page(store: Store, kind: str, user_id: str, limit: int) -> list[Record]:
    rows: list[Record] = []
    after: tuple[Any, ...] | None = None
    while True:
        page, after = await store.account_export.page(kind, user_id, after, limit)
        assert len(page) <= limit
        rows += page
        if after is None:
            return rows


async def test_each_kind_pages_through_only_the_users_rows(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    group = await store.groups.create(cid, alice["id"], "Side")
    await store.groups.join(group["id"], bob["id"])
    for i in range(11):
        await store.chat.say(cid, bob["id"], "Bob", f"general {i}", f"g{i}")
        await store.chat.say(cid, alice["id"], "Alice", f"alice {i}", f"a{i}")
    for i in range(4):
        await store.chat.say(cid, bob["id"], "Bob", f"side {i}", f"s{i}", group_id=group["id"])
    await store.message_edits.delete(cid, 1, bob["id"])  # recalled: not exported
    for emoji in ("👍", "🎉", "😀"):
        await store.reactions.set_on_message(cid, 2, bob["id"], emoji, True)
        await store.reactions.set_on_message(cid, 4, bob["id"], emoji, True)
    post = await store.posts.create(cid, bob["id"], "post", "bob's post")
    await store.comments.add_comment(post["id"], bob["id"], "bob's comment")
    await store.posts.create(cid, alice["id"], "post", "alice's post")

    messages = await every_page(store, "messages", bob["id"], 3)
    general = [m["text"] for m in messages if m["group"] == cid]
    side = [m["text"] for m in messages if m["group"] == group["id"]]
    assert general == [f"general {i}" for i in range(1, 11)]
    assert side == [f"side {i}" for i in range(4)]
    assert all(m["circle"] == cid for m in messages)
    reactions = await every_page(store, "reactions", bob["id"], 2)
    assert sorted((r["seq"], r["emoji"]) for r in reactions) == sorted(
        (seq, e) for seq in (2, 4) for e in ("👍", "🎉", "😀")
    )
    assert [p["text"] for p in await every_page(store, "posts", bob["id"], 1)] == ["bob's post"]
    comments = await every_page(store, "comments", bob["id"], 1)
    assert [c["text"] for c in comments] == ["bob's comment"]
    [membership] = await every_page(store, "memberships", bob["id"], 5)
    assert membership["circle"] == cid and membership["role"] == "member"
    profile = await store.account_export.profile(bob["id"])
    assert set(profile) == {"id", "handle", "name", "created"}
    assert set(EXPORT_KINDS) >= {"messages", "posts", "comments", "memberships"}


async def test_a_deleted_circle_is_not_exported(
    store: Store, circle: Record, alice: Record
) -> None:
    await store.chat.say(circle["id"], alice["id"], "Alice", "gone with it", "x1")
    await store.deleted_circles.delete(circle["id"], alice["id"], circle["name"])
    for kind in EXPORT_KINDS:
        assert await every_page(store, kind, alice["id"], 10) == []
    with pytest.raises(ValueError):
        await store.account_export.page("passwords", alice["id"])


async def test_a_deleted_account_has_no_profile(store: Store) -> None:
    _, user = await store.accounts.signup("dora", "correct horse", "Dora")
    await store.account_deletion.delete(user["id"], "correct horse")
    with pytest.raises(NotFound):
        await store.account_export.profile(user["id"])
