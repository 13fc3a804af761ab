"""Sessions: tokens expire (idle and absolute), renew without a write per use,
can be listed and ended, end on a password change, and their rows are pruned.

Time is passed in (``now``), never waited for."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from store import Forbidden, Invalid, NotFound, Store, Unauthenticated, now_ms, token_hash
from store.accounts import DAY_MS
from store.models import TOKENS

HOUR_MS = 3_600_000


async def last_used(store: Store, token: str) -> int:
    async with store.db.read() as conn:
        query = select(TOKENS.c.last_used).where(TOKENS.c.hash == token_hash(token))
        return int((await conn.execute(query)).scalar_one())


async def token_count(store: Store) -> int:
    async with store.db.read() as conn:
        return len((await conn.execute(select(TOKENS.c.hash))).all())


async def test_a_token_unused_for_the_idle_window_stops_working(store: Store) -> None:
    token, _ = await store.accounts.signup("alice", "correct horse", "Alice")
    used = await last_used(store, token)
    idle = store.accounts.token_idle_ms
    # A use within the touch window is not recorded: the idle time still counts from login.
    await store.accounts.authenticate(token, now=used + store.accounts.token_touch_ms - 1)
    with pytest.raises(Unauthenticated):
        await store.accounts.authenticate(token, now=used + idle)


async def test_use_slides_the_idle_window(store: Store) -> None:
    token, user = await store.accounts.signup("alice", "correct horse", "Alice")
    idle = store.accounts.token_idle_ms
    t = now_ms()
    for _ in range(3):
        t += idle - DAY_MS
        assert await store.accounts.authenticate(token, now=t) == user
    assert t > now_ms() + 2 * idle


async def test_a_token_ends_at_its_maximum_age_however_used(store: Store) -> None:
    token, _ = await store.accounts.signup("alice", "correct horse", "Alice")
    start = now_ms()
    t, step = start, store.accounts.token_idle_ms // 2
    while t + step < start + store.accounts.token_max_ms:
        t += step
        await store.accounts.authenticate(token, now=t)
    with pytest.raises(Unauthenticated):
        await store.accounts.authenticate(token, now=start + store.accounts.token_max_ms + 1)


async def test_last_used_is_written_only_once_per_touch_window(store: Store) -> None:
    token, _ = await store.accounts.signup("alice", "correct horse", "Alice")
    first = await last_used(store, token)
    touch = store.accounts.token_touch_ms
    await store.accounts.authenticate(token, now=first + touch - 1)
    assert await last_used(store, token) == first
    await store.accounts.authenticate(token, now=first + touch)
    assert await last_used(store, token) == first + touch


async def test_sessions_list_mine_with_opaque_ids(store: Store) -> None:
    first, user = await store.accounts.signup("alice", "correct horse", "Alice")
    second, _ = await store.accounts.login("alice", "correct horse")
    other, bob = await store.accounts.signup("bobby", "correct horse", "Bob")
    sessions = await store.accounts.sessions(user["id"], second)
    assert len(sessions) == 2
    assert [s["current"] for s in sessions].count(True) == 1
    current = next(s for s in sessions if s["current"])
    for s in sessions:
        assert set(s) == {"id", "created", "last_used", "current"}
        assert s["id"] not in (first, second, token_hash(first), token_hash(second))
        assert s["id"] not in token_hash(first) + token_hash(second)
    assert await store.accounts.end_session(user["id"], current["id"]) == token_hash(second)
    with pytest.raises(Unauthenticated):
        await store.accounts.authenticate(second)
    assert await store.accounts.authenticate(first) == user
    assert len(await store.accounts.sessions(bob["id"], other)) == 1


async def test_expired_sessions_are_not_listed(store: Store) -> None:
    token, user = await store.accounts.signup("alice", "correct horse", "Alice")
    later = now_ms() + store.accounts.token_idle_ms + HOUR_MS
    assert await store.accounts.sessions(user["id"], token, now=later) == []


async def test_ending_another_users_session_is_not_found(store: Store) -> None:
    token, alice = await store.accounts.signup("alice", "correct horse", "Alice")
    _, bob = await store.accounts.signup("bobby", "correct horse", "Bob")
    [session] = await store.accounts.sessions(alice["id"], token)
    with pytest.raises(NotFound):
        await store.accounts.end_session(bob["id"], session["id"])
    with pytest.raises(NotFound):
        await store.accounts.end_session(alice["id"], "no-such-id")
    assert await store.accounts.authenticate(token) == alice


async def test_ending_every_session_returns_their_hashes(store: Store) -> None:
    first, user = await store.accounts.signup("alice", "correct horse", "Alice")
    second, _ = await store.accounts.login("alice", "correct horse")
    bobs, bob = await store.accounts.signup("bobby", "correct horse", "Bob")
    ended = await store.accounts.end_sessions(user["id"])
    assert sorted(ended) == sorted([token_hash(first), token_hash(second)])
    for token in (first, second):
        with pytest.raises(Unauthenticated):
            await store.accounts.authenticate(token)
    assert await store.accounts.authenticate(bobs) == bob


async def test_a_password_change_ends_the_other_sessions(store: Store) -> None:
    mine, user = await store.accounts.signup("alice", "correct horse", "Alice")
    other, _ = await store.accounts.login("alice", "correct horse")
    ended = await store.accounts.change_password(
        user["id"], mine, "correct horse", "battery staple"
    )
    assert ended == [token_hash(other)]
    with pytest.raises(Unauthenticated):
        await store.accounts.authenticate(other)
    assert await store.accounts.authenticate(mine) == user
    with pytest.raises(Unauthenticated):
        await store.accounts.login("alice", "correct horse")
    await store.accounts.login("alice", "battery staple")


async def test_a_password_change_needs_the_old_password_and_a_valid_new_one(
    store: Store,
) -> None:
    mine, user = await store.accounts.signup("alice", "correct horse", "Alice")
    other, _ = await store.accounts.login("alice", "correct horse")
    with pytest.raises(Forbidden):
        await store.accounts.change_password(user["id"], mine, "wrong horse", "battery staple")
    with pytest.raises(Invalid):
        await store.accounts.change_password(user["id"], mine, "correct horse", "short")
    assert await store.accounts.authenticate(other) == user
    await store.accounts.login("alice", "correct horse")


async def test_pruning_deletes_expired_rows_in_batches(store: Store) -> None:
    live, _ = await store.accounts.signup("alice", "correct horse", "Alice")
    for _ in range(4):
        await store.accounts.login("alice", "correct horse")
    later = now_ms() + store.accounts.token_idle_ms + HOUR_MS
    await store.accounts.authenticate(live, now=later - 2 * HOUR_MS)
    assert await store.accounts.prune_tokens(batch=10) == 0
    assert await store.accounts.prune_tokens(batch=3, now=later) == 3
    assert await store.accounts.prune_tokens(batch=3, now=later) == 1
    assert await store.accounts.prune_tokens(batch=3, now=later) == 0
    assert await token_count(store) == 1
    assert await store.accounts.authenticate(live, now=later)


async def test_a_session_is_found_by_its_id_while_it_lives(store: Store) -> None:
    """What a media key is checked against: the session's user and token hash."""
    token, user = await store.accounts.signup("alice", "correct horse", "Alice")
    session_id = await store.accounts.session_id(token)
    found, secret = await store.accounts.session_by_id(session_id)
    assert found == user and secret == token_hash(token)
    used = await last_used(store, token)
    # Finding it is no use: the idle window still counts from login.
    with pytest.raises(Unauthenticated):
        await store.accounts.session_by_id(session_id, now=used + store.accounts.token_idle_ms)
    assert await last_used(store, token) == used
    for unknown in ("nope", ""):
        with pytest.raises(Unauthenticated):
            await store.accounts.session_by_id(unknown)
    await store.accounts.logout(token)
    with pytest.raises(Unauthenticated):
        await store.accounts.session_by_id(session_id)
    with pytest.raises(Unauthenticated):
        await store.accounts.session_id(token)
