"""Deleting, recalling and editing chat messages (store/message_edits.py): a
tombstone keeps its seq, loses its text, attachments, stars, reactions and
highlight; refusals by who and when; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import func, select, update

from store import Forbidden, Invalid, NotFound, Store, public_attachment
from store.ids import new_id
from store.models import ATTACHMENT_USES, MESSAGES

Record = dict[str, Any]


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.join(circle["id"], carol["id"])
    return circle


async def _photo(store: Store, circle: Record, user: Record) -> Record:
    data = b"\x89PNG spam " + new_id().encode()
    digest = hashlib.sha256(data).hexdigest()
    found, _ = await store.attachments.add(
        circle["id"],
        user["id"],
        sha256=digest,
        kind="image",
        mime="image/png",
        name="spam.png",
        size=len(data),
        blob_key=f"circles/{circle['id']}/{digest}",
    )
    return public_attachment(found)


async def _uses(store: Store, group: str, seq: int) -> int:
    query = select(func.count()).where(
        ATTACHMENT_USES.c.owner == group, ATTACHMENT_USES.c.seq == seq
    )
    async with store.db.read() as conn:
        return int((await conn.execute(query)).scalar_one())


async def _age(store: Store, group: str, seq: int, ms: int) -> None:
    """The message was said ``ms`` earlier than it was."""
    async with store.db.write() as conn:
        await conn.execute(
            update(MESSAGES)
            .where(MESSAGES.c.group_id == group, MESSAGES.c.seq == seq)
            .values(ts=MESSAGES.c.ts - ms)
        )


async def test_an_admin_deletes_a_spam_message_and_all_that_hangs_on_it(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    cid = room["id"]
    photo = await _photo(store, room, bob)
    spam, _ = await store.chat.say(cid, bob["id"], "Bob", "买买买", new_id(), attachments=[photo])
    after, _ = await store.chat.say(cid, carol["id"], "Carol", "别刷屏", new_id())
    seq = spam["seq"]
    await store.reactions.set_on_message(cid, seq, carol["id"], "👍", True)
    assert await store.reactions.of_messages(cid, carol["id"], seq, seq)
    _, post, promoted = await store.stars.star(cid, seq, alice["id"])
    assert promoted and post is not None
    assert await _uses(store, cid, seq) == 1
    rev = await store.changes.last_rev(cid)

    tomb = await store.message_edits.delete(cid, seq, alice["id"], reason="广告")
    assert tomb["text"] == "" and tomb["deleted"] == "admin" and "attachments" not in tomb
    assert tomb["from"]["id"] == bob["id"] and tomb["ts"] == spam["ts"]

    history, _ = await store.chat.history(cid)
    assert [m["seq"] for m in history] == [seq, after["seq"]]
    assert history[0] == tomb and "deleted" not in history[1]
    assert (await store.chat.after(cid, seq - 1, 10))[0] == tomb
    assert await _uses(store, cid, seq) == 0
    assert await store.stars.count(cid, seq) == 0
    assert not (await store.reactions.of_messages(cid, carol["id"], seq, seq)).get(seq)
    feed, _ = await store.posts.feed(cid, alice["id"])
    assert post["id"] not in [p["id"] for p in feed]

    page = await store.changes.after(cid, alice["id"], rev)
    kinds = [c.kind for c in page.changes]
    assert kinds == ["post.deleted", "message.deleted"]
    assert page.changes[-1].data == {
        "group": cid,
        "seq": seq,
        "deleted": "admin",
        "author": bob["id"],
    }
    acts, _ = await store.audit.page(cid, alice["id"])
    assert acts[0]["action"] == "message.deleted" and acts[0]["reason"] == "广告"
    assert acts[0]["data"] == {"group": cid, "seq": seq, "author": bob["id"]}

    # Nothing acts on a tombstone any more.
    with pytest.raises(NotFound):
        await store.message_edits.delete(cid, seq, alice["id"])
    with pytest.raises(NotFound):
        await store.stars.star(cid, seq, alice["id"])
    with pytest.raises(NotFound):
        await store.message_edits.edit(cid, seq, bob["id"], "改")


async def test_an_author_recalls_within_the_window_only(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    cid = room["id"]
    first, _ = await store.chat.say(cid, bob["id"], "Bob", "发错了", new_id())
    second, _ = await store.chat.say(cid, bob["id"], "Bob", "这条太久了", new_id())
    with pytest.raises(Forbidden) as other:
        await store.message_edits.delete(cid, first["seq"], carol["id"])
    assert other.value.reason == "not_your_message"

    tomb = await store.message_edits.delete(cid, first["seq"], bob["id"])
    assert tomb["deleted"] == "author" and tomb["text"] == ""
    acts, _ = await store.audit.page(cid, alice["id"])
    assert acts == []  # a recall is not moderation

    await _age(store, cid, second["seq"], 3 * 60 * 1000)
    with pytest.raises(Forbidden) as late:
        await store.message_edits.delete(cid, second["seq"], bob["id"])
    assert late.value.reason == "recall_window_passed"
    # A wider window (the server's setting) lets it through.
    wide = await store.message_edits.delete(
        cid, second["seq"], bob["id"], recall_window_ms=10 * 60 * 1000
    )
    assert wide["deleted"] == "author"


async def test_an_author_edits_within_the_window(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    cid = room["id"]
    said, _ = await store.chat.say(cid, bob["id"], "Bob", "明天八点", new_id())
    seq = said["seq"]
    rev = await store.changes.last_rev(cid)
    with pytest.raises(Forbidden) as other:
        await store.message_edits.edit(cid, seq, alice["id"], "改了")
    assert other.value.reason == "not_your_message"
    with pytest.raises(Invalid):
        await store.message_edits.edit(cid, seq, bob["id"], "   ")

    edited = await store.message_edits.edit(cid, seq, bob["id"], "明天九点")
    assert edited["text"] == "明天九点" and edited["edited"] >= said["ts"]
    history, _ = await store.chat.history(cid)
    assert history[-1] == edited
    page = await store.changes.after(cid, carol["id"], rev)
    assert [c.kind for c in page.changes] == ["message.edited"]
    assert page.changes[0].data == {
        "group": cid,
        "seq": seq,
        "text": "明天九点",
        "edited": edited["edited"],
        "mentions": [],
    }

    await _age(store, cid, seq, 2 * 24 * 3600 * 1000)
    with pytest.raises(Forbidden) as late:
        await store.message_edits.edit(cid, seq, bob["id"], "后天")
    assert late.value.reason == "edit_window_passed"


async def test_group_admins_delete_in_their_group_and_members_outside_it_see_nothing(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    cid = room["id"]
    group = await store.groups.create(cid, alice["id"], "读书会", access="open")
    gid = group["id"]
    await store.groups.join(gid, bob["id"])
    await store.groups.join(gid, carol["id"])
    said, _ = await store.chat.say(cid, bob["id"], "Bob", "spam", new_id(), group_id=gid)
    with pytest.raises(Forbidden):
        await store.message_edits.delete(cid, said["seq"], carol["id"], group_id=gid)
    tomb = await store.message_edits.delete(cid, said["seq"], alice["id"], group_id=gid)
    assert tomb["group"] == gid and tomb["deleted"] == "admin"
    with pytest.raises(NotFound):
        await store.message_edits.delete(cid, said["seq"] + 5, alice["id"], group_id=gid)


async def test_a_resend_of_a_recalled_message_gets_its_tombstone(
    store: Store, room: Record, bob: Record
) -> None:
    cid = room["id"]
    said, fresh = await store.chat.say(cid, bob["id"], "Bob", "打错字", "resend-1")
    assert fresh
    await store.message_edits.delete(cid, said["seq"], bob["id"])
    again, fresh = await store.chat.say(cid, bob["id"], "Bob", "打错字", "resend-1")
    assert not fresh and again["seq"] == said["seq"]
    assert again["deleted"] == "author" and again["text"] == ""
