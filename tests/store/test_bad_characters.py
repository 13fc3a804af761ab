"""A NUL character is bad input, never a failed batch or a 500: PostgreSQL's text
cannot hold one, and SQLite's can, so the store refuses it on both."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from store import Invalid, NotFound, Store

Record = dict[str, Any]


async def test_a_nul_in_a_say_fails_alone_and_spares_its_batch(
    store: Store, circle: Record, alice: Record
) -> None:
    good = [
        store.chat.enqueue(circle["id"], alice["id"], "Alice", f"fine {i}", f"n{i}")
        for i in range(5)
    ]
    for bad_args in (("bad\x00text", "nb1"), ("text", "bad\x00nonce")):
        with pytest.raises(Invalid):
            store.chat.enqueue(circle["id"], alice["id"], "Alice", *bad_args)
    stored = await asyncio.gather(*good)
    assert [m["text"] for m, _ in stored] == [f"fine {i}" for i in range(5)]


async def test_free_text_with_a_nul_is_refused(store: Store, circle: Record, alice: Record) -> None:
    with pytest.raises(Invalid):
        await store.posts.create(circle["id"], alice["id"], "post", "a\x00b")
    with pytest.raises(Invalid):
        await store.circles.directory(q="tea\x00")
    with pytest.raises(Invalid):
        await store.accounts.update_user(alice["id"], "Al\x00ice")


async def test_an_id_with_a_nul_is_bad_input_or_not_found(store: Store, alice: Record) -> None:
    # PostgreSQL refuses the string itself (Invalid); SQLite finds nothing (NotFound).
    with pytest.raises((Invalid, NotFound)):
        await store.circles.get("a\x00b")
    with pytest.raises((Invalid, NotFound)):
        await store.posts.get("p\x00", alice["id"])
    with pytest.raises((Invalid, NotFound)):
        await store.memberships.join("c\x00", alice["id"])
