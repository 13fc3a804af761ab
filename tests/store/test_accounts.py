from __future__ import annotations

import hashlib
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from store import Conflict, Invalid, NotFound, Store, Unauthenticated
from store.models import TOKENS, USERS


async def test_signup_returns_token_and_user(store: Store) -> None:
    token, user = await store.accounts.signup("Alice_1", "correct horse", "  Alice  ")
    assert user == {"id": user["id"], "handle": "alice_1", "name": "Alice"}
    assert isinstance(token, str) and len(token) >= 40
    assert await store.accounts.authenticate(token) == user
    assert await store.accounts.get_user(user["id"]) == user


async def test_signup_conflict_is_case_insensitive(store: Store) -> None:
    await store.accounts.signup("alice", "correct horse", "Alice")
    with pytest.raises(Conflict):
        await store.accounts.signup("ALICE", "another one", "Other Alice")


@pytest.mark.parametrize(
    ("handle", "password", "name"),
    [
        ("al", "correct horse", "Al"),
        ("a" * 33, "correct horse", "A"),
        ("al ice", "correct horse", "Al"),
        ("alice!", "correct horse", "Al"),
        ("alice", "short", "Alice"),
        ("alice", "x" * 1025, "Alice"),
        ("alice", "correct horse", ""),
        ("alice", "correct horse", "   "),
        ("alice", "correct horse", "n" * 65),
        (123, "correct horse", "Alice"),
        ("alice", None, "Alice"),
        ("alice", "correct horse", ["Alice"]),
    ],
)
async def test_signup_invalid(store: Store, handle: Any, password: Any, name: Any) -> None:
    with pytest.raises(Invalid) as info:
        await store.accounts.signup(handle, password, name)
    assert info.value.code == "bad_request"
    assert info.value.message


async def test_login_issues_a_new_token(store: Store) -> None:
    first, user = await store.accounts.signup("alice", "correct horse", "Alice")
    second, again = await store.accounts.login("Alice", "correct horse")
    assert again == user
    assert second != first
    assert await store.accounts.authenticate(first) == user
    assert await store.accounts.authenticate(second) == user


async def test_login_wrong_password(store: Store) -> None:
    await store.accounts.signup("alice", "correct horse", "Alice")
    with pytest.raises(Unauthenticated) as info:
        await store.accounts.login("alice", "wrong horse")
    assert info.value.code == "unauthenticated"


async def test_login_unknown_handle_still_verifies_a_hash(store: Store) -> None:
    calls: list[str] = []

    class SpyHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            calls.append(str(hash))
            return super().verify(hash, password)

    store.accounts.passwords._hasher = SpyHasher(time_cost=1)
    with pytest.raises(Unauthenticated):
        await store.accounts.login("nobody", "correct horse")
    # The same argon2 work as a real login: no handle probing by timing.
    assert len(calls) == 1 and calls[0].startswith("$argon2")


async def test_login_with_non_strings(store: Store) -> None:
    with pytest.raises(Unauthenticated):
        await store.accounts.login(None, "x")  # type: ignore[arg-type]


async def test_login_rehashes_when_the_cost_changed(store: Store) -> None:
    _, user = await store.accounts.signup("alice", "correct horse", "Alice")
    store.accounts.passwords._hasher = PasswordHasher(time_cost=2)
    await store.accounts.login("alice", "correct horse")
    async with store.db.read() as conn:
        stored = (
            await conn.execute(select(USERS.c.password_hash).where(USERS.c.id == user["id"]))
        ).scalar_one()
    assert "t=2" in stored
    await store.accounts.login("alice", "correct horse")


async def test_authenticate_rejects_unknown_tokens(store: Store) -> None:
    for token in ["", "nope", None]:
        with pytest.raises(Unauthenticated):
            await store.accounts.authenticate(token)  # type: ignore[arg-type]


async def test_logout_revokes_only_that_token(store: Store) -> None:
    first, user = await store.accounts.signup("alice", "correct horse", "Alice")
    second, _ = await store.accounts.login("alice", "correct horse")
    await store.accounts.logout(first)
    with pytest.raises(Unauthenticated):
        await store.accounts.authenticate(first)
    assert await store.accounts.authenticate(second) == user
    await store.accounts.logout(first)  # unknown now: ignored
    await store.accounts.logout("never issued")


async def test_only_token_hashes_are_stored(store: Store) -> None:
    token, user = await store.accounts.signup("alice", "correct horse", "Alice")
    async with store.db.read() as conn:
        hashes = (await conn.execute(select(TOKENS.c.hash))).scalars().all()
        password_hash = (
            await conn.execute(select(USERS.c.password_hash).where(USERS.c.id == user["id"]))
        ).scalar_one()
    assert hashes == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in hashes
    assert password_hash.startswith("$argon2id$") and "correct horse" not in password_hash


async def test_get_and_update_user(store: Store) -> None:
    _, user = await store.accounts.signup("alice", "correct horse", "Alice")
    updated = await store.accounts.update_user(user["id"], "  Alice L.  ")
    assert updated == {**user, "name": "Alice L."}
    assert await store.accounts.get_user(user["id"]) == updated
    with pytest.raises(Invalid):
        await store.accounts.update_user(user["id"], "")
    with pytest.raises(Invalid):
        await store.accounts.update_user(user["id"], "x" * 65)
    with pytest.raises(NotFound):
        await store.accounts.update_user("missing", "Name")
    with pytest.raises(NotFound):
        await store.accounts.get_user("missing")
