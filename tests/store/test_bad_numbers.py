"""Numbers from outside never reach the database unchecked: a page cursor or a
seq, rev or time past 64 bits (SQLite's driver raises OverflowError, asyncpg a
DataError), negative, or garbage is ``Invalid``, on both databases."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from store import Invalid, Store
from store.ids import decode_cursor, encode_cursor

Record = dict[str, Any]
Page = Callable[[Store, Record, str], Awaitable[Any]]


def cursor_of(raw: str) -> str:
    """Any text as a cursor would be shaped (what a client can forge)."""
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


BAD_CURSORS = {
    "past 64 bits": cursor_of(f"{2**63}:abc"),
    "far past 64 bits": cursor_of(f"{10**30}:abc"),
    "negative": cursor_of("-1:abc"),
    "signed": cursor_of("+5:abc"),
    "padded": cursor_of(" 5:abc"),
    "underscored": cursor_of("1_000:abc"),
    "not decimal digits": cursor_of("١٢:abc"),
    "no id": cursor_of("5:"),
    "a NUL in the id": cursor_of("5:a\x00b"),
    "no colon": cursor_of("12345"),
    "not base64": "!!!",
    "not ascii": "é",
    "not utf-8": base64.urlsafe_b64encode(b"\xff\xfe:1").decode(),
}


@pytest.fixture
async def scene(store: Store, circle: Record, alice: Record) -> Record:
    """alice's circle with a must-read post of hers."""
    post = await store.posts.create(circle["id"], alice["id"], "post", "read me")
    await store.must_reads.set_must_read(post["id"], alice["id"], True)
    return {"circle": circle["id"], "post": post["id"], "user": alice["id"]}


PAGES: dict[str, Callable[[Store, Record, str], Awaitable[Any]]] = {
    "directory": lambda s, x, c: s.circles.directory(cursor=c),
    "feed": lambda s, x, c: s.posts.feed(x["circle"], x["user"], cursor=c),
    "members": lambda s, x, c: s.memberships.members(x["circle"], x["user"], cursor=c),
    "comments": lambda s, x, c: s.comments.comments(x["post"], x["user"], cursor=c),
    "receipts": lambda s, x, c: s.must_reads.receipts(x["post"], x["user"], cursor=c),
}


@pytest.mark.parametrize("page", PAGES)
async def test_every_page_refuses_a_bad_cursor(store: Store, scene: Record, page: str) -> None:
    read = PAGES[page]
    await read(store, scene, encode_cursor(2**63 - 1, "abc"))  # the largest fits
    for name, cursor in BAD_CURSORS.items():
        with pytest.raises(Invalid, match="bad cursor"):
            await read(store, scene, cursor)
            pytest.fail(f"{name} cursor {cursor!r} was taken")


def test_a_cursor_decodes_to_what_was_encoded() -> None:
    assert decode_cursor(encode_cursor(0, "a-B_9")) == (0, "a-B_9")
    assert decode_cursor(encode_cursor(2**63 - 1, "x" * 64)) == (2**63 - 1, "x" * 64)


@pytest.mark.parametrize("number", [-1, 2**63, 10**30])
async def test_seqs_revs_and_times_are_bounded(store: Store, scene: Record, number: int) -> None:
    circle, user = scene["circle"], scene["user"]
    with pytest.raises(Invalid):
        await store.chat.mark_read(circle, user, number)
    with pytest.raises(Invalid):
        await store.posts.changed_since(circle, user, number)
    with pytest.raises(Invalid):
        await store.changes.after(circle, user, number)
    with pytest.raises(Invalid):
        await store.chat.history(circle, before=number)
    with pytest.raises(Invalid):
        await store.chat.after(circle, number, 10)
    with pytest.raises(Invalid):
        await store.chat.say(circle, user, "Alice", "hi", "n1", reply_to=number)
