"""With ``history_for_new_members`` off, what was said before a member joined is
hidden from them for every action too (star, unstar, veto), not only for reading;
and refusing tells them nothing: the same ``NotFound`` as for a missing message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from store import NotFound, Store

Record = dict[str, Any]
Say = Callable[..., Awaitable[int]]


@pytest.fixture
async def hidden(store: Store, circle: Record, alice: Record, say: Say) -> Record:
    """alice's circle, history hidden from newcomers, with one message said before
    anyone else joined (``old``); ``missing`` is a seq that was never said."""
    await store.circles.update(circle["id"], alice["id"], {"history_for_new_members": False})
    old = await say(circle["id"], alice, "said before the newcomers came")
    return {**circle, "old": old, "missing": old + 100}


async def refusal(action: Awaitable[Any]) -> str:
    with pytest.raises(NotFound) as refused:
        await action
    return str(refused.value)


async def test_a_newcomer_cannot_star_or_unstar_what_was_said_before_they_joined(
    store: Store, hidden: Record, alice: Record, bob: Record, say: Say
) -> None:
    circle = hidden["id"]
    await store.memberships.join(circle, bob["id"])
    rev = await store.changes.last_rev(circle)
    missing = await refusal(store.stars.star(circle, hidden["missing"], bob["id"]))
    assert await refusal(store.stars.star(circle, hidden["old"], bob["id"])) == missing
    assert await refusal(store.stars.unstar(circle, hidden["old"], bob["id"])) == missing
    # Nothing was recorded, promoted or logged.
    assert await store.stars.count(circle, hidden["old"]) == 0
    assert await store.changes.last_rev(circle) == rev
    # What was said after they joined is theirs to star.
    later = await say(circle, alice, "said after bob joined")
    assert await store.stars.star(circle, later, bob["id"]) == (1, None, False)
    assert await store.stars.unstar(circle, later, bob["id"]) == 0


async def test_showing_history_again_lets_them_star_it(
    store: Store, hidden: Record, alice: Record, bob: Record
) -> None:
    circle = hidden["id"]
    await store.memberships.join(circle, bob["id"])
    await store.circles.update(circle, alice["id"], {"history_for_new_members": True})
    assert await store.stars.star(circle, hidden["old"], bob["id"]) == (1, None, False)


async def test_an_admin_who_joined_later_cannot_star_or_veto_hidden_chat(
    store: Store, hidden: Record, alice: Record, bob: Record
) -> None:
    # Owners and admins are members with a joined_seq like anyone: the history
    # they cannot read is not theirs to promote or veto blind either.
    circle = hidden["id"]
    await store.memberships.join(circle, bob["id"])
    await store.memberships.update_member(circle, alice["id"], bob["id"], role="owner")
    missing = await refusal(store.chat.set_veto(circle, hidden["missing"], bob["id"], True))
    assert await refusal(store.chat.set_veto(circle, hidden["old"], bob["id"], True)) == missing
    assert await refusal(store.chat.set_veto(circle, hidden["old"], bob["id"], False)) == missing
    assert await refusal(store.stars.star(circle, hidden["old"], bob["id"])) == missing
    assert await store.chat.is_vetoed(circle, hidden["old"]) is False
    # The owner who was there when it was said still can.
    await store.chat.set_veto(circle, hidden["old"], alice["id"], True)
    assert await store.chat.is_vetoed(circle, hidden["old"]) is True
    stars, post, promoted_now = await store.stars.star(circle, hidden["old"], alice["id"])
    assert (stars, promoted_now) == (1, True) and post is not None


@pytest.mark.parametrize("seq", [0, -1, 2**63, 2**64, 10**30])
async def test_a_seq_no_message_can_have_is_not_found(
    store: Store, circle: Record, alice: Record, seq: int
) -> None:
    # Past 64 bits the drivers raise (OverflowError, asyncpg's DataError): not a 500.
    missing = await refusal(store.stars.star(circle["id"], 10**6, alice["id"]))
    assert await refusal(store.stars.star(circle["id"], seq, alice["id"])) == missing
    assert await refusal(store.stars.unstar(circle["id"], seq, alice["id"])) == missing
    assert await refusal(store.chat.set_veto(circle["id"], seq, alice["id"], True)) == missing
