"""A user's own data for their export, page by page on both databases: only
theirs, every row once and in key order, nothing secret in the profile, and
nothing of a deleted circle or a taken-back message."""

from __future__ import annotations

from typing import Any

import pytest

from store import EXPORT_KINDS, NotFound, Record, Store, now_ms


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


async def test_homework_checkins_and_contest_entries_are_the_members_own(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    assignment = await store.homework.create(cid, alice["id"], {"title": "读后感"})
    await store.homework.roster(assignment["id"], alice["id"])
    handed = await store.homework.submit(assignment["id"], bob["id"], "我的读后感")
    await store.homework.review(handed["id"], alice["id"], score=95, comment="很好")
    challenge = await store.challenges.create(cid, alice["id"], {"title": "每日阅读"})
    for user in (alice, bob):
        await store.challenges.join(challenge["id"], user["id"])
        await store.checkins.check_in(challenge["id"], user["id"], f"{user['handle']} 读了")
    now = now_ms()
    contest = await store.contests.create(
        cid,
        alice["id"],
        {"title": "最佳菜", "entries_close": now + 3_600_000, "votes_close": now + 7_200_000},
    )
    await store.contests.enter(contest["id"], bob["id"], "红烧肉")

    [submission] = await every_page(store, "submissions", bob["id"], 1)
    assert submission["text"] == "我的读后感" and submission["assignment_title"] == "读后感"
    assert submission["score"] == 95 and submission["review_comment"] == "很好"
    assert submission["review_attachments"] == []
    [checkin] = await every_page(store, "checkins", bob["id"], 1)
    assert checkin["text"] == "bob 读了" and checkin["challenge_title"] == "每日阅读"
    assert checkin["state"] == "valid" and checkin["makeup"] is False
    [entry] = await every_page(store, "contest_entries", bob["id"], 1)
    assert entry["text"] == "红烧肉" and entry["contest_title"] == "最佳菜"
    assert "votes" not in entry
    # Alice's own: her check-in, no submission, no entry.
    assert [c["text"] for c in await every_page(store, "checkins", alice["id"], 5)] == [
        "alice 读了"
    ]
    assert await every_page(store, "submissions", alice["id"], 5) == []
    assert await every_page(store, "contest_entries", alice["id"], 5) == []
