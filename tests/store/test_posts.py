"""Posts: writing, the feed, since catch-up, comments and likes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from store import Forbidden, Invalid, NotFound, Store

Record = dict[str, Any]


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.join(circle["id"], carol["id"])
    return circle


async def test_create_a_post_and_a_notice(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    post = await store.posts.create(room["id"], bob["id"], "post", "  Hello tea lovers ")
    assert post == {
        "id": post["id"],
        "circle": room["id"],
        "kind": "post",
        "author": {"id": bob["id"], "name": "Bob"},
        "text": "Hello tea lovers",
        "created": post["created"],
        "updated": post["created"],
        "edited": None,
        "pinned": False,
        "pin_order": None,
        "pinned_until": None,
        "must_read": False,
        "likes": 0,
        "liked": False,
        "comments": 0,
        "acked": False,
        "attachments": [],
    }
    assert await store.posts.get(post["id"], carol["id"]) == post
    with pytest.raises(Forbidden):
        await store.posts.create(room["id"], bob["id"], "notice", "I am not an admin")
    notice = await store.posts.create(room["id"], alice["id"], "notice", "Closed on Monday")
    assert notice["kind"] == "notice"


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("highlight", "x"),
        ("poll", "x"),
        (None, "x"),
        ("post", ""),
        ("post", "x" * 20_001),
        ("post", None),
        ("post", "   "),
    ],
)
async def test_create_invalid(
    store: Store, room: Record, alice: Record, kind: Any, text: Any
) -> None:
    with pytest.raises(Invalid):
        await store.posts.create(room["id"], alice["id"], kind, text)


async def test_create_needs_a_member(
    store: Store, room: Record, new_user: Callable[..., Awaitable[Record]]
) -> None:
    stranger = await new_user("stranger")
    with pytest.raises(Forbidden):
        await store.posts.create(room["id"], stranger["id"], "post", "hi")
    with pytest.raises(NotFound):
        await store.posts.create("missing", stranger["id"], "post", "hi")


async def test_edit_and_delete_permissions(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    post = await store.posts.create(room["id"], bob["id"], "post", "draft")
    with pytest.raises(Forbidden):
        await store.posts.edit(post["id"], carol["id"], "vandalism")
    with pytest.raises(Forbidden):
        await store.posts.delete(post["id"], carol["id"])
    edited = await store.posts.edit(post["id"], bob["id"], "final")
    assert edited["text"] == "final" and edited["updated"] > post["updated"]
    assert edited["created"] == post["created"]
    moderated = await store.posts.edit(post["id"], alice["id"], "moderated")
    assert moderated["text"] == "moderated" and moderated["author"]["id"] == bob["id"]
    with pytest.raises(Invalid):
        await store.posts.edit(post["id"], bob["id"], "")
    # An admin moderates too; the author deletes their own.
    await store.memberships.update_member(room["id"], alice["id"], carol["id"], role="admin")
    other = await store.posts.create(room["id"], alice["id"], "post", "by the owner")
    tombstone = await store.posts.delete(other["id"], carol["id"])
    assert tombstone["deleted"] is True
    assert (await store.posts.delete(post["id"], bob["id"]))["deleted"] is True
    with pytest.raises(NotFound):
        await store.posts.edit(post["id"], bob["id"], "back")
    with pytest.raises(NotFound):
        await store.posts.delete(post["id"], bob["id"])


async def test_feed_pinned_first_then_newest_with_a_cursor(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    made = [await store.posts.create(room["id"], bob["id"], "post", f"p{i}") for i in range(7)]
    await store.pins.pin(made[2]["id"], alice["id"])
    await store.pins.pin(made[5]["id"], alice["id"])
    await store.posts.delete(made[0]["id"], bob["id"])
    page, cursor = await store.posts.feed(room["id"], bob["id"], limit=2)
    # Every pinned post (in pin order), then the newest unpinned ones.
    assert [p["text"] for p in page] == ["p2", "p5", "p6", "p4"]
    assert cursor is not None
    # The last page: no pins again, and no cursor after it.
    page, cursor = await store.posts.feed(room["id"], bob["id"], cursor=cursor, limit=2)
    assert [p["text"] for p in page] == ["p3", "p1"] and cursor is None
    page, cursor = await store.posts.feed(room["id"], bob["id"], limit=20)
    assert [p["text"] for p in page] == ["p2", "p5", "p6", "p4", "p3", "p1"] and cursor is None
    for bad in ("!!", "", 7, "bm90LWEtY3Vyc29y"):
        with pytest.raises(Invalid):
            await store.posts.feed(room["id"], bob["id"], cursor=bad)  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        await store.posts.feed(room["id"], bob["id"], limit=0)


async def test_private_circle_posts_only_for_members(
    store: Store, private_circle: Record, alice: Record, bob: Record
) -> None:
    post = await store.posts.create(private_circle["id"], alice["id"], "post", "secret")
    with pytest.raises(Forbidden):
        await store.posts.feed(private_circle["id"], bob["id"])
    with pytest.raises(Forbidden):
        await store.posts.get(post["id"], bob["id"])
    with pytest.raises(Forbidden):
        await store.posts.changed_since(private_circle["id"], bob["id"], 0)
    with pytest.raises(Forbidden):
        await store.comments.comments(post["id"], bob["id"])
    with pytest.raises(Forbidden):
        await store.comments.like(post["id"], bob["id"], True)
    with pytest.raises(NotFound):
        await store.posts.feed("missing", alice["id"])


async def test_changed_since_has_edits_and_tombstones(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    a = await store.posts.create(room["id"], bob["id"], "post", "a")
    b = await store.posts.create(room["id"], bob["id"], "post", "b")
    c = await store.posts.create(room["id"], bob["id"], "post", "c")
    mark = c["updated"]
    # Changes within one millisecond still get distinct, increasing times.
    assert a["updated"] < b["updated"] < c["updated"]
    edited = await store.posts.edit(a["id"], bob["id"], "a2")
    tombstone = await store.posts.delete(b["id"], alice["id"])
    pinned = await store.pins.pin(c["id"], alice["id"])
    changes = await store.posts.changed_since(room["id"], bob["id"], mark)
    assert changes == [
        edited,
        {"id": b["id"], "circle": room["id"], "deleted": True, "updated": tombstone["updated"]},
        pinned,
    ]
    assert await store.posts.changed_since(room["id"], bob["id"], pinned["updated"]) == []
    everything = await store.posts.changed_since(room["id"], bob["id"], 0)
    assert [p["id"] for p in everything] == [a["id"], b["id"], c["id"]]
    with pytest.raises(Invalid):
        await store.posts.changed_since(room["id"], bob["id"], -1)


async def test_comments_are_one_level_deep(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    post = await store.posts.create(room["id"], alice["id"], "post", "Which tea?")
    first = await store.comments.add_comment(post["id"], bob["id"], "Oolong")
    assert first == {
        "id": first["id"],
        "post": post["id"],
        "author": {"id": bob["id"], "name": "Bob"},
        "text": "Oolong",
        "created": first["created"],
        "reply_to": None,
        "attachments": [],
    }
    reply = await store.comments.add_comment(
        post["id"], carol["id"], "Agreed", reply_to=first["id"]
    )
    assert reply["reply_to"] == first["id"]
    with pytest.raises(Invalid):
        await store.comments.add_comment(post["id"], alice["id"], "deeper", reply_to=reply["id"])
    other = await store.posts.create(room["id"], alice["id"], "post", "Other")
    with pytest.raises(Invalid):
        await store.comments.add_comment(other["id"], alice["id"], "cross", reply_to=first["id"])
    with pytest.raises(Invalid):
        await store.comments.add_comment(post["id"], alice["id"], "")
    assert await store.comments.comments(post["id"], alice["id"]) == ([first, reply], None)
    page, cursor = await store.comments.comments(post["id"], alice["id"], limit=1)
    assert page == [first] and cursor is not None
    assert await store.comments.comments(post["id"], alice["id"], cursor=cursor) == ([reply], None)
    assert (await store.posts.get(post["id"], alice["id"]))["comments"] == 2


async def test_comments_need_a_member_and_a_live_post(
    store: Store, room: Record, alice: Record, new_user: Callable[..., Awaitable[Record]]
) -> None:
    stranger = await new_user("stranger")
    post = await store.posts.create(room["id"], alice["id"], "post", "hi")
    with pytest.raises(Forbidden):
        await store.comments.add_comment(post["id"], stranger["id"], "let me in")
    # A public circle's comments are readable by anyone.
    assert await store.comments.comments(post["id"], stranger["id"]) == ([], None)
    await store.posts.delete(post["id"], alice["id"])
    with pytest.raises(NotFound):
        await store.comments.add_comment(post["id"], alice["id"], "too late")
    with pytest.raises(NotFound):
        await store.comments.comments(post["id"], alice["id"])


async def test_likes_count_once(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    post = await store.posts.create(room["id"], alice["id"], "post", "like me")
    assert await store.comments.like(post["id"], bob["id"], True) == {"likes": 1, "liked": True}
    assert await store.comments.like(post["id"], bob["id"], True) == {"likes": 1, "liked": True}
    assert await store.comments.like(post["id"], carol["id"], True) == {"likes": 2, "liked": True}
    seen_by_bob = await store.posts.get(post["id"], bob["id"])
    assert seen_by_bob["likes"] == 2 and seen_by_bob["liked"] is True
    assert (await store.posts.get(post["id"], alice["id"]))["liked"] is False
    assert await store.comments.like(post["id"], bob["id"], False) == {"likes": 1, "liked": False}
    assert await store.comments.like(post["id"], bob["id"], False) == {"likes": 1, "liked": False}
    with pytest.raises(Invalid):
        await store.comments.like(post["id"], bob["id"], "yes")  # type: ignore[arg-type]


async def test_display_names_follow_nicknames(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    post = await store.posts.create(room["id"], bob["id"], "post", "hi")
    await store.memberships.update_member(room["id"], bob["id"], bob["id"], nickname="Bobby")
    assert (await store.posts.get(post["id"], alice["id"]))["author"]["name"] == "Bobby"
    await store.memberships.leave(room["id"], bob["id"])
    # A former member keeps their account name, and their post stays.
    assert (await store.posts.get(post["id"], alice["id"]))["author"]["name"] == "Bob"


async def test_a_changed_text_marks_the_post_edited(
    store: Store, room: Record, alice: Record, bob: Record, say: Callable[..., Awaitable[int]]
) -> None:
    post = await store.posts.create(room["id"], bob["id"], "post", "draft")
    assert post["edited"] is None
    same = await store.posts.edit(post["id"], bob["id"], " draft ")
    assert same["edited"] is None  # the same text: nothing to show as edited
    edited = await store.posts.edit(post["id"], bob["id"], "final")
    assert edited["edited"] is not None and edited["edited"] >= post["created"]
    again = await store.posts.edit(post["id"], bob["id"], "final")
    assert again["edited"] == edited["edited"]
    assert (await store.posts.get(post["id"], alice["id"]))["edited"] == edited["edited"]

    # A highlight edited by the author of its message, and the event members get.
    seq = await say(room["id"], bob, "Tea at five")
    _, highlight, _ = await store.stars.star(room["id"], seq, alice["id"])
    assert highlight is not None and highlight["edited"] is None
    changed = await store.posts.edit(highlight["id"], bob["id"], "Tea at six")
    assert changed["edited"] is not None
    logged = (await store.changes.after(room["id"], alice["id"], 0)).changes[-1]
    assert logged.kind == "post.edited"
    assert logged.data["post"]["edited"] == changed["edited"]
    assert logged.data["post"]["source"]["text"] == "Tea at five"
