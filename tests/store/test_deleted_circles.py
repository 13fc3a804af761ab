"""Deleting a circle in the store: gone at once for everyone, then purged to
the last row of content, batch by batch; another circle is untouched."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from store import Forbidden, Invalid, NotFound, Record, Store, now_ms
from store.models import (
    ASSIGNMENTS,
    ATTACHMENT_USES,
    ATTACHMENTS,
    CHALLENGE_MEMBERS,
    CHANGES,
    COMMENTS,
    LIKES,
    MEMBERSHIPS,
    MESSAGES,
    POLL_VOTES,
    POLLS,
    POSTS,
    REACTIONS,
    RSVPS,
    STARS,
    SUBMISSION_COMMENTS,
    SUBMISSION_LIKES,
    SUBMISSIONS,
    metadata,
)

# Tables a deleted circle's rows stay in: its own row (marked deleted) and the audit log.
KEPT = {"circles", "audit_log"}

CONTENT = (
    MESSAGES,
    STARS,
    REACTIONS,
    POSTS,
    COMMENTS,
    LIKES,
    POLLS,
    POLL_VOTES,
    ATTACHMENTS,
    CHANGES,
    ASSIGNMENTS,
    SUBMISSIONS,
    SUBMISSION_COMMENTS,
    SUBMISSION_LIKES,
)


async def fill(store: Store, circle: Record, alice: Record, bob: Record) -> None:
    """A bit of everything a circle holds."""
    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    for i in range(7):
        await store.chat.say(cid, bob["id"], "Bob", f"m{i}", f"{cid}-{i}")
    await store.stars.star(cid, 1, alice["id"])
    await store.reactions.set_on_message(cid, 2, bob["id"], "👍", True)
    attachment, _ = await store.attachments.add(
        cid,
        bob["id"],
        sha256=cid.encode().hex().ljust(64, "0")[:64],
        kind="file",
        mime="application/pdf",
        name="plan.pdf",
        size=10,
        blob_key=f"circles/{cid}/x",
    )
    post = await store.posts.create(cid, alice["id"], "post", "hi", [attachment["id"]])
    await store.comments.add_comment(post["id"], bob["id"], "ok")
    await store.comments.like(post["id"], bob["id"], True)
    poll = await store.polls.create_on_post(
        post["id"], alice["id"], question="q", options=["a", "b"]
    )
    await store.polls.vote(poll["id"], bob["id"], [0])
    challenge = await store.challenges.create(cid, alice["id"], {"title": "每日阅读"})
    await store.challenges.join(challenge["id"], bob["id"])
    await store.checkins.check_in(challenge["id"], bob["id"], "读了一章")
    party = await store.gatherings.create(
        cid, alice["id"], {"title": "生日会", "starts_at": now_ms() + 10**8}
    )
    await store.gatherings.answer(party["id"], bob["id"], "going")
    await store.points.set_rules(cid, alice["id"], {"post": 3})
    task = await store.homework.create(
        cid, alice["id"], {"title": "hw", "attachments": [attachment["id"]]}
    )
    work = await store.homework.submit(task["id"], bob["id"], "done", [attachment["id"]])
    await store.homework.review(work["id"], alice["id"], score=1, attachments=[attachment["id"]])
    await store.homework.comment(work["id"], alice["id"], "nice")
    await store.homework.like(work["id"], alice["id"], True)


async def count(store: Store, table: Any, circle_id: str) -> int:
    """The circle's rows of a table with a circle_id; every row of one without."""
    async with store.db.read() as conn:
        if "circle_id" in table.c:
            where = table.c.circle_id == circle_id
        else:
            return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
        return int((await conn.execute(select(func.count()).where(where))).scalar_one())


async def test_a_deleted_circle_is_gone_at_once_and_purged_to_the_last_row(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    other = await store.circles.create(alice["id"], "Other", "community", "public")
    await fill(store, circle, alice, bob)
    await fill(store, other, alice, bob)
    # Both circles hold the same: what is left after the purge is the other's half.
    both = {t.name: await count(store, t, other["id"]) for t in CONTENT}
    with pytest.raises(Forbidden):
        await store.deleted_circles.delete(circle["id"], bob["id"], circle["name"])
    with pytest.raises(Invalid) as wrong:
        await store.deleted_circles.delete(circle["id"], alice["id"], "tea house")
    assert wrong.value.reason == "confirm_name"
    await store.deleted_circles.delete(circle["id"], alice["id"], f" {circle['name']} ")
    with pytest.raises(NotFound):
        await store.circles.get(circle["id"], alice["id"])
    with pytest.raises(NotFound):
        await store.memberships.join(circle["id"], bob["id"])
    assert await count(store, MEMBERSHIPS, circle["id"]) == 0
    released: list[Record] = []
    for _ in range(100):
        rows, gone = await store.deleted_circles.purge(batch=3)
        released += gone
        if not rows:
            break
    assert [a["name"] for a in released] == ["plan.pdf"]
    async with store.db.read() as conn:
        messages = (
            await conn.execute(select(func.count()).where(MESSAGES.c.group_id == circle["id"]))
        ).scalar_one()
        uses = (
            await conn.execute(select(func.count()).where(ATTACHMENT_USES.c.owner == circle["id"]))
        ).scalar_one()
    assert messages == 0 and uses == 0
    for table in (POSTS, POLLS, ATTACHMENTS, CHANGES, ASSIGNMENTS, SUBMISSIONS):
        assert await count(store, table, circle["id"]) == 0, table.name
    # The other circle keeps everything.
    after = {t.name: await count(store, t, other["id"]) for t in CONTENT}
    assert after == {
        name: n if "circle_id" in table.c else n // 2
        for table in CONTENT
        for name, n in [(table.name, both[table.name])]
    }
    assert await store.deleted_circles.purge() == (0, [])
    # Every table that holds a circle's rows holds none of this one's (the audit
    # log stays: who deleted it, and what they did before).
    for table in metadata.sorted_tables:
        if "circle_id" in table.c and table.name not in KEPT:
            assert await count(store, table, circle["id"]) == 0, table.name
    async with store.db.read() as conn:
        for table, key in ((CHALLENGE_MEMBERS, "challenge_id"), (RSVPS, "gathering_id")):
            assert (
                await conn.execute(select(func.count()).select_from(table))
            ).scalar_one() == 1, key
