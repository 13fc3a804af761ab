"""Search (store/search.py): Chinese two-character words, English prefixes and
mixed text found in chat, posts, comments and attachment names; ranked and
paged; only what the searcher may read; deleted, recalled, pruned and edited
messages as they are now. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from alembic import command
from sqlalchemy import delete, func, select, update

from store import Invalid, NotFound, Store, migrate
from store.ids import new_id
from store.models import CIRCLES, GROUPS, SEARCH_DOCS
from tests.timing import sleep

Record = dict[str, Any]
Say = Callable[..., Awaitable[int]]


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record) -> Record:
    await store.memberships.join(circle["id"], bob["id"])
    return circle


async def _find(store: Store, circle: Record, user: Record | None, q: str, **kw: Any) -> list:
    found, _ = await store.search.circle(
        circle["id"], None if user is None else user["id"], q, **kw
    )
    return found


async def _seqs(store: Store, circle: Record, user: Record, q: str) -> list[int]:
    return [r["seq"] for r in await _find(store, circle, user, q, kind="message")]


async def test_a_two_character_chinese_word_is_found_in_a_sentence(
    store: Store, room: Record, alice: Record, bob: Record, say: Say
) -> None:
    seq = await say(room["id"], alice, "今天的作业是跳舞")
    await say(room["id"], alice, "明天直播,记得来")
    await say(room["id"], alice, "作为老师,我不同意")  # 作 alone, not 作业
    found = await _find(store, room, bob, "作业")
    assert [(r["kind"], r["group"], r["seq"]) for r in found] == [("message", room["id"], seq)]
    hit = found[0]
    assert hit["snippet"] == "今天的作业是跳舞"
    assert hit["marks"] == [[3, 5]]
    assert hit["author"] == {"id": alice["id"], "name": alice["name"]}
    assert await _seqs(store, room, bob, "直播") == [seq + 1]
    assert await _seqs(store, room, bob, "跳舞") == [seq]  # at the end of the run
    assert await _seqs(store, room, bob, "作业是跳舞") == [seq]
    assert await _seqs(store, room, bob, "舞作业") == []  # not a phrase of the text
    # One character: anything with it, wherever it stands in its run.
    assert sorted(await _seqs(store, room, bob, "作")) == [seq, seq + 2]
    assert await _seqs(store, room, bob, "舞") == [seq]


async def test_english_prefix_mixed_text_and_full_width(
    store: Store, room: Record, alice: Record, bob: Record, say: Say
) -> None:
    price = await say(room["id"], alice, "The new Price List is out!")
    mixed = await say(room["id"], alice, "中文English混排")
    wide = await say(room["id"], alice, "ＡＢＣ公司 报价")
    assert await _seqs(store, room, bob, "price list") == [price]
    assert await _seqs(store, room, bob, "price li") == [price]  # the last word, a prefix
    assert await _seqs(store, room, bob, "pri list") == []  # only the last one
    assert await _seqs(store, room, bob, "PRICE") == [price]
    assert await _seqs(store, room, bob, "中文english") == [mixed]
    assert await _seqs(store, room, bob, "english 混排") == [mixed]
    hit = (await _find(store, room, bob, "abc公司"))[0]
    assert hit["seq"] == wide
    assert hit["marks"] == [[0, 5]]
    full_width_abc = "\uff41\uff42\uff43"
    assert await _seqs(store, room, bob, full_width_abc) == [wide]


async def test_a_query_of_nothing_searchable(store: Store, room: Record, bob: Record) -> None:
    for q in ("", "   "):
        with pytest.raises(Invalid):
            await _find(store, room, bob, q)
    with pytest.raises(Invalid):
        await _find(store, room, bob, "x" * 101)
    with pytest.raises(Invalid):
        await _find(store, room, bob, "tea", kind="homework")
    with pytest.raises(Invalid):
        await _find(store, room, bob, "tea", cursor="not a cursor")
    assert await _find(store, room, bob, "!!! 😀") == []


async def test_ranked_then_newest_and_paged(
    store: Store, room: Record, alice: Record, bob: Record, say: Say
) -> None:
    once = await say(
        room["id"], alice, "作业 and a lot of other words to make this long, very long"
    )
    many = await say(room["id"], alice, "作业 作业 作业")
    plain = [await say(room["id"], alice, f"作业 {i}") for i in range(5)]
    for i in range(10):  # what makes 作业 a rare word worth ranking by
        await say(room["id"], alice, f"闲聊 {i}")
    first = await _seqs(store, room, bob, "作业")
    assert first[0] == many
    assert first[-1] == once
    assert set(first) == {once, many, *plain}
    # Equal ranks: newest first.
    middle = [s for s in first if s in plain]
    assert middle == sorted(plain, reverse=True)
    pages: list[int] = []
    cursor = None
    while True:
        page, cursor = await store.search.circle(
            room["id"], bob["id"], "作业", cursor=cursor, limit=3
        )
        assert len(page) <= 3
        pages += [r["seq"] for r in page]
        if cursor is None:
            break
    assert pages == first


async def test_deleted_recalled_and_edited_messages(
    store: Store, room: Record, alice: Record, bob: Record, say: Say
) -> None:
    recalled = await say(room["id"], bob, "直播 recalled")
    deleted = await say(room["id"], bob, "直播 deleted")
    edited = await say(room["id"], bob, "直播 before")
    await store.message_edits.delete(room["id"], recalled, bob["id"])
    await store.message_edits.delete(room["id"], deleted, alice["id"], reason="spam")
    await store.message_edits.edit(room["id"], edited, bob["id"], "作业 after")
    assert await _seqs(store, room, bob, "直播") == []
    assert await _seqs(store, room, bob, "before") == []
    assert await _seqs(store, room, bob, "作业 after") == [edited]


async def test_newcomers_do_not_find_what_was_said_before_they_joined(
    store: Store, circle: Record, alice: Record, bob: Record, say: Say
) -> None:
    await store.circles.update(circle["id"], alice["id"], {"history_for_new_members": False})
    await say(room_id := circle["id"], alice, "作业 before bob")
    await store.memberships.join(room_id, bob["id"])
    after = await say(room_id, alice, "作业 after bob")
    assert await _seqs(store, circle, bob, "作业") == [after]
    assert len(await _seqs(store, circle, alice, "作业")) == 2


async def test_a_group_is_searched_by_its_members_only(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    group = await store.groups.create(room["id"], alice["id"], "Teachers", access="invite")
    message, _ = await store.chat.say(
        room["id"],
        alice["id"],
        "Alice",
        "直播 in the teachers' room",
        new_id(),
        group_id=group["id"],
    )
    assert await _seqs(store, room, bob, "直播") == []
    found = await _find(store, room, alice, "直播")
    assert [(r["group"], r["seq"]) for r in found] == [(group["id"], message["seq"])]


async def test_a_private_circle_is_not_found_by_a_non_member(
    store: Store, private_circle: Record, alice: Record, bob: Record, say: Say
) -> None:
    await say(private_circle["id"], alice, "作业")
    await store.posts.create(private_circle["id"], alice["id"], "post", "作业 post")
    with pytest.raises(NotFound):
        await _find(store, private_circle, bob, "作业")
    with pytest.raises(NotFound):
        await _find(store, private_circle, None, "作业")
    with pytest.raises(NotFound):
        await store.search.circle("no such circle", alice["id"], "作业")
    assert len(await _find(store, private_circle, alice, "作业")) == 2


async def test_a_public_circle_shows_its_posts_not_its_chat_to_a_non_member(
    store: Store, circle: Record, alice: Record, carol: Record, say: Say
) -> None:
    await say(circle["id"], alice, "作业 in chat")
    post = await store.posts.create(circle["id"], alice["id"], "post", "作业 in a post")
    found = await _find(store, circle, carol, "作业")
    assert [(r["kind"], r["post"]) for r in found] == [("post", post["id"])]


async def test_posts_comments_and_attachment_names(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    post = await store.posts.create(room["id"], alice["id"], "post", "本周直播安排")
    comment = await store.comments.add_comment(post["id"], bob["id"], "直播几点开始?")
    data = b"price list " + new_id().encode()
    attachment, _ = await store.attachments.add(
        room["id"],
        alice["id"],
        sha256=hashlib.sha256(data).hexdigest(),
        kind="file",
        mime="application/pdf",
        name="直播价格表.pdf",
        size=len(data),
        blob_key="k",
    )
    found = await _find(store, room, bob, "直播")
    assert {r["kind"] for r in found} == {"post", "comment", "attachment"}
    by_kind = {r["kind"]: r for r in found}
    assert by_kind["comment"]["comment"] == comment["id"]
    assert by_kind["comment"]["post"] == post["id"]
    assert by_kind["attachment"]["attachment"] == attachment["id"]
    only = await _find(store, room, bob, "直播", kind="comment")
    assert [r["kind"] for r in only] == ["comment"]
    # Edited: found by its new words; deleted: gone, its comments with it.
    await store.posts.edit(post["id"], alice["id"], "本周作业安排")
    assert [r["kind"] for r in await _find(store, room, bob, "作业")] == ["post"]
    await store.comments.edit_comment(comment["id"], bob["id"], "作业几点交?")
    assert len(await _find(store, room, bob, "作业")) == 2
    await store.posts.delete(post["id"], alice["id"])
    assert await _find(store, room, bob, "作业") == []


async def test_a_deleted_comment_leaves_with_its_replies(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    post = await store.posts.create(room["id"], alice["id"], "post", "a post")
    top = await store.comments.add_comment(post["id"], bob["id"], "作业 top")
    await store.comments.add_comment(post["id"], alice["id"], "作业 reply", reply_to=top["id"])
    assert len(await _find(store, room, bob, "作业")) == 2
    await store.comments.delete_comment(top["id"], bob["id"])
    assert await _find(store, room, bob, "作业") == []


async def test_pruned_messages_leave_the_index(
    store: Store, room: Record, alice: Record, bob: Record, say: Say
) -> None:
    old = await say(room["id"], alice, "作业 old")
    await say(room["id"], alice, "作业 new")
    async with store.db.write() as conn:
        await conn.execute(
            update(CIRCLES).where(CIRCLES.c.id == room["id"]).values(retention_messages=1)
        )
    assert await store.retention.prune() == 1
    assert old not in await _seqs(store, room, bob, "作业")
    assert len(await _seqs(store, room, bob, "作业")) == 1


async def _doc_count(store: Store) -> int:
    async with store.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(SEARCH_DOCS))).scalar_one())


async def test_a_batch_of_says_is_found_by_the_next_search(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    says = [
        store.chat.say(room["id"], alice["id"], "Alice", f"直播 第{i}课", new_id())
        for i in range(50)
    ]
    await asyncio.gather(*says)
    stats = store._commit_queue.stats
    assert stats.max_batch > 1  # they did go in together
    if store.db.engine.dialect.name == "sqlite":
        # Their rows wait for a larger batch (store/search_backlog.py)…
        assert await _doc_count(store) == 0
    found, cursor = await store.search.circle(room["id"], bob["id"], "直播", limit=50)
    # …and a search writes them first.
    assert len(found) == 50 and cursor is None
    assert await _doc_count(store) == 50


async def test_quiet_chat_is_indexed_without_a_search(
    store: Store, room: Record, alice: Record, say: Say
) -> None:
    for i in range(3):
        await say(room["id"], alice, f"作业 {i}")
    # The oldest waits at most INDEX_DELAY_S (1 s) for its row.
    count = 0
    for _ in range(100):
        if (count := await _doc_count(store)) == 3:
            break
        await sleep(0.1)
    assert count == 3


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_what_a_stopped_node_left_unindexed_is_indexed_after_its_restart(
    store_url: str, alice: Record, bob: Record, room: Record, say: Say, store: Store
) -> None:
    for text in ("今天的作业", "price list", "直播 then recalled"):
        last = await say(room["id"], alice, text)
    await store.message_edits.delete(room["id"], last, alice["id"])
    await store.search.circle(room["id"], bob["id"], "作业")  # indexed now
    # As a node stopped hard would leave it: messages stored, their rows not written.
    async with store.db.write() as conn:
        await conn.execute(delete(SEARCH_DOCS).where(SEARCH_DOCS.c.kind == "message"))
        await conn.execute(update(GROUPS).values(indexed_seq=0))
    again = await Store.open(store_url, password_time_cost=1)
    try:
        assert [r["seq"] for r in await _find(again, room, bob, "作业")] == [1]
        assert [r["seq"] for r in await _find(again, room, bob, "price list")] == [2]
        assert await _find(again, room, bob, "直播") == []
        async with again.db.read() as conn:
            behind = await conn.execute(
                select(func.count()).where(GROUPS.c.indexed_seq < GROUPS.c.last_seq)
            )
            assert behind.scalar_one() == 0
            if conn.dialect.name == "sqlite":
                await conn.exec_driver_sql(
                    "INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)"
                )
    finally:
        await again.close()


async def test_a_deleted_circle_is_not_searched_and_its_rows_are_purged(
    store: Store, room: Record, alice: Record, say: Say
) -> None:
    await say(room["id"], alice, "作业")
    await store.deleted_circles.delete(room["id"], alice["id"], room["name"])
    with pytest.raises(NotFound):
        await _find(store, room, alice, "作业")
    while (await store.deleted_circles.purge())[0]:
        pass
    async with store.db.read() as conn:
        rows = (await conn.execute(select(func.count()).select_from(SEARCH_DOCS))).scalar_one()
    assert rows == 0


async def test_the_migration_indexes_what_was_written_before_it(
    store: Store, room: Record, alice: Record, bob: Record, say: Say
) -> None:
    seq = await say(room["id"], alice, "今天的作业是跳舞")
    gone = await say(room["id"], alice, "作业 recalled")
    await store.message_edits.delete(room["id"], gone, alice["id"])
    post = await store.posts.create(room["id"], alice["id"], "post", "作业 post")
    async with store.db.engine.begin() as conn:
        # Back to before the search migration (0020), and up again.
        await conn.run_sync(lambda c: command.downgrade(migrate.config(c), "0019"))
    async with store.db.engine.begin() as conn:
        await conn.run_sync(migrate.upgrade)
    found = await _find(store, room, bob, "作业")
    assert sorted((r["kind"], r.get("seq") or r.get("post")) for r in found) == [
        ("message", seq),
        ("post", post["id"]),
    ]
    # New says after it are indexed as before.
    later = await say(room["id"], alice, "作业 later")
    assert later in await _seqs(store, room, bob, "作业")
