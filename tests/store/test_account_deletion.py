"""Deleting an account in the store: gone at once (no login, no session, no
membership, the handle free), circles handed over or deleted, then everything
the user wrote erased batch by batch until no text column holds a word of it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select, update

from store import Forbidden, NotFound, Record, Store, Unauthenticated
from store.models import CIRCLES, MEMBERSHIPS, USERS
from tests.readable_text import columns_containing

PASSWORD = "correct horse"
MARKER = "zq7marker"


@pytest.fixture
async def dora(store: Store) -> tuple[str, Record]:
    """A user with a real password (the deletion checks it)."""
    return await store.accounts.signup("dora", PASSWORD, f"Dora {MARKER}")


async def erase_all(store: Store, batch: int = 3) -> int:
    rounds = 0
    while await store.account_deletion.erase(batch=batch):
        rounds += 1
    return rounds


async def test_a_wrong_password_changes_nothing(
    store: Store, dora: tuple[str, Record], circle: Record
) -> None:
    token, user = dora
    await store.memberships.join(circle["id"], user["id"])
    with pytest.raises(Forbidden) as refused:
        await store.account_deletion.delete(user["id"], "wrong password")
    assert refused.value.reason == "password_wrong"
    with pytest.raises(Forbidden):
        await store.account_deletion.delete(user["id"], None)
    assert (await store.accounts.authenticate(token))["id"] == user["id"]
    assert await store.memberships.membership(circle["id"], user["id"]) is not None


async def test_the_account_is_gone_at_once(
    store: Store, dora: tuple[str, Record], circle: Record, alice: Record
) -> None:
    token, user = dora
    await store.memberships.join(circle["id"], user["id"])
    second, _ = await store.accounts.login("dora", PASSWORD)
    ended = await store.account_deletion.delete(user["id"], PASSWORD)
    assert len(ended) == 2
    for t in (token, second):
        with pytest.raises(Unauthenticated):
            await store.accounts.authenticate(t)
    with pytest.raises(Unauthenticated):
        await store.accounts.login("dora", PASSWORD)
    with pytest.raises(NotFound):
        await store.account_deletion.delete(user["id"], PASSWORD)
    members, _ = await store.memberships.members(circle["id"], alice["id"])
    assert [m["user"] for m in members] == [alice["id"]]
    assert (await store.circles.get(circle["id"], alice["id"]))["members"] == 1
    # The handle is free again; the old id stays a nameless row.
    _, again = await store.accounts.signup("dora", "another password", "New Dora")
    assert again["id"] != user["id"]
    old = await store.accounts.get_user(user["id"])
    assert old["name"] == "" and old["handle"] != "dora"


async def test_a_circle_passes_to_an_admin_then_a_member_or_is_deleted(
    store: Store,
    dora: tuple[str, Record],
    alice: Record,
    bob: Record,
    carol: Record,
) -> None:
    _, user = dora
    uid = user["id"]
    shared = await store.circles.create(uid, "Shared", "community", "public")
    await store.memberships.join(shared["id"], bob["id"])
    await store.memberships.join(shared["id"], carol["id"])
    await store.memberships.update_member(shared["id"], uid, carol["id"], role="admin")
    members_only = await store.circles.create(uid, "Members", "community", "public")
    await store.memberships.join(members_only["id"], alice["id"])
    alone = await store.circles.create(uid, "Alone", "community", "public")
    await store.account_deletion.delete(uid, PASSWORD)
    shared_now = await store.circles.get(shared["id"], bob["id"])
    assert shared_now["owner"] == carol["id"] and shared_now["members"] == 2
    assert (await store.memberships.membership(shared["id"], carol["id"])).role == "owner"
    assert (await store.circles.get(members_only["id"], alice["id"]))["owner"] == alice["id"]
    with pytest.raises(NotFound):
        await store.circles.get(alone["id"], alice["id"])
    async with store.db.read() as conn:
        deleted = (
            await conn.execute(select(CIRCLES.c.deleted).where(CIRCLES.c.id == alone["id"]))
        ).scalar()
        left = (
            await conn.execute(select(MEMBERSHIPS.c.circle_id).where(MEMBERSHIPS.c.user_id == uid))
        ).all()
    assert deleted is not None and left == []
    entries, _ = await store.audit.page(shared["id"], carol["id"])
    assert [e["action"] for e in entries][:1] == ["member.role"]


async def test_nothing_readable_of_the_user_is_left(
    store: Store,
    dora: tuple[str, Record],
    circle: Record,
    alice: Record,
    new_user: Callable[..., Awaitable[Record]],
) -> None:
    _, user = dora
    uid, cid = user["id"], circle["id"]
    await store.memberships.join(cid, uid)
    await store.memberships.update_member(cid, uid, uid, nickname=f"Nick {MARKER}")
    group = await store.groups.create(cid, alice["id"], "Side")
    await store.groups.join(group["id"], uid)
    for i in range(7):
        await store.chat.say(cid, uid, "Dora", f"general {MARKER} {i}", f"g{i}")
    await store.chat.say(cid, uid, "Dora", f"side {MARKER}", "s0", group_id=group["id"])
    await store.message_edits.edit(cid, 2, uid, f"edited {MARKER}")
    await store.stars.star(cid, 1, alice["id"])  # the owner's star promotes it
    post = await store.posts.create(cid, uid, "post", f"post {MARKER}")
    await store.comments.add_comment(post["id"], alice["id"], "a reply to dora's post")
    alices = await store.posts.create(cid, alice["id"], "post", "alice's post")
    comment = await store.comments.add_comment(alices["id"], uid, f"comment {MARKER}")
    await store.comments.add_comment(alices["id"], alice["id"], "reply", comment["id"])
    await store.polls.create_in_group(
        group["id"], uid, "p1", question=f"poll {MARKER}", options=[f"yes {MARKER}", "no"]
    )
    await store.chat.say(cid, alice["id"], "Alice", "alice stays", "a0")
    challenge = await store.challenges.create(cid, alice["id"], {"title": "每日阅读"})
    await store.challenges.join(challenge["id"], uid)
    await store.checkins.check_in(challenge["id"], uid, f"checkin {MARKER}")
    task = await store.homework.create(
        cid, alice["id"], {"title": "作业", "peer_visibility": "always"}
    )
    work = await store.homework.submit(task["id"], uid, f"homework {MARKER}")
    await store.homework.excellent(work["id"], alice["id"])
    alices_work = await store.homework.submit(task["id"], alice["id"], "alice's work")
    await store.homework.comment(alices_work["id"], uid, f"homework comment {MARKER}")
    async with store.db.read() as conn:
        assert len(await columns_containing(conn, MARKER)) >= 6

    await store.account_deletion.delete(uid, PASSWORD)
    assert not await store.account_deletion.erased(uid)
    rounds = await erase_all(store)
    assert rounds > 3  # a batch at a time
    assert await store.account_deletion.erased(uid)

    async with store.db.read() as conn:
        assert await columns_containing(conn, MARKER) == []
        assert (
            await conn.execute(select(USERS.c.password_hash).where(USERS.c.id == uid))
        ).scalar() == ""
    history, _ = await store.chat.history(cid, limit=100)
    mine = [m for m in history if m["from"]["id"] == uid]
    assert len(mine) == 8 - 1 and all(
        m["text"] == "" and m["deleted"] == "account" and m["from"]["name"] == "" for m in mine
    )
    assert [m["text"] for m in history if m["from"]["id"] == alice["id"]] == ["alice stays"]
    feed, _ = await store.posts.feed(cid, alice["id"])
    assert [p["text"] for p in feed] == ["alice's post"]
    assert (await store.comments.comments(alices["id"], alice["id"]))[0] == []
    changes = await store.changes.after(cid, alice["id"], 0, limit=1000)
    assert MARKER not in repr([c.data for c in changes.changes])


async def test_requests_go_and_reports_keep_no_words(
    store: Store, dora: tuple[str, Record], circle: Record, private_circle: Record, alice: Record
) -> None:
    _, user = dora
    async with store.db.write() as conn:
        await conn.execute(
            update(CIRCLES).where(CIRCLES.c.id == private_circle["id"]).values(join_approval=True)
        )
    await store.join_requests.request(private_circle["id"], user["id"], f"let me in {MARKER}")
    assert (await store.join_requests.pending(private_circle["id"], alice["id"]))[2] == 1
    await store.memberships.join(circle["id"], user["id"])
    await store.reports.file(circle["id"], user["id"], "member", alice["id"], "spam", MARKER)
    await store.account_deletion.delete(user["id"], PASSWORD)
    assert (await store.join_requests.pending(private_circle["id"], alice["id"]))[2] == 0
    async with store.db.read() as conn:
        assert await columns_containing(conn, MARKER) != []  # the change log, until erased
    await erase_all(store)
    async with store.db.read() as conn:
        assert await columns_containing(conn, MARKER) == []
    queue = await store.reports.queue(circle["id"], alice["id"])
    assert [r["text"] for r in queue[0]] == [None]


async def test_follows_end_with_the_account(
    store: Store, dora: tuple[str, Record], circle: Record
) -> None:
    _, user = dora
    await store.follows.follow(circle["id"], user["id"])
    assert (await store.circles.get(circle["id"], None))["follower_count"] == 1
    await store.account_deletion.delete(user["id"], PASSWORD)
    assert (await store.circles.get(circle["id"], None))["follower_count"] == 0
    assert await store.follows.circle_ids_of(user["id"]) == []
    removed = [
        c.data
        for c in await store.changes.since(circle["id"], 0, 100)
        if c.kind == "follow.removed"
    ]
    assert removed == [{"user": user["id"], "followers": 0, "reason": "account_deleted"}]
