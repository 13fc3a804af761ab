"""Accounts: signup, login, bearer tokens, profile.

Passwords are hashed with argon2 in a bounded pool of threads (`Passwords`: it
is deliberately slow and must not block the event loop; a full pool refuses
with `Busy`). Tokens are 32 random bytes, url-safe; only
their SHA-256 is stored, so a copy of the database grants no sessions.

A token is a session: it ends after ``token_idle_ms`` without use and at most
``token_max_ms`` after login. Use is recorded in ``last_used``, bumped only when
it is older than ``token_touch_ms`` (authenticate runs on every request: it
writes about once a day per session, not once a request). Methods that depend
on time take ``now`` (ms; the clock by default) so tests need not wait. Whatever
ends sessions returns their token hashes: the server closes their sockets by them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import TypedDict

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .engine import Database
from .errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from .ids import new_id, now_ms
from .models import TOKENS, USERS
from .passwords import Passwords
from .records import USER_COLUMNS, Record, user_record

HANDLE_RE = re.compile(r"[a-z0-9_.-]{3,32}")
PASSWORD_MIN = 8
# Long enough for any passphrase, short enough that hashing it is no DoS.
PASSWORD_MAX = 1024
NAME_MAX = 64
HANDLE_LIMITS = {"min": 3, "max": 32}
# One reason for an unknown handle and a wrong password: no probing for handles.
LOGIN_FAILED = "login_failed"
DAY_MS = 86_400_000


class TokenLifetimes(TypedDict, total=False):
    """How long sessions last, in ms (see `Accounts`)."""

    token_idle_ms: int
    token_max_ms: int
    token_touch_ms: int


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(
        self,
        db: Database,
        password_time_cost: int = 2,
        token_idle_ms: int = 30 * DAY_MS,
        token_max_ms: int = 180 * DAY_MS,
        token_touch_ms: int = DAY_MS,
        password_workers: int = 0,
        password_queue: int = 32,
    ) -> None:
        self._db = db
        self.token_idle_ms = token_idle_ms
        self.token_max_ms = token_max_ms
        self.token_touch_ms = token_touch_ms
        self.passwords = Passwords(password_time_cost, password_workers, password_queue)
        self._dummy_hash: str | None = None

    async def signup(self, handle: str, password: str, name: str) -> tuple[str, Record]:
        """Create a user and a first token. Handles are case-insensitive (stored lowercase)."""
        handle = _handle(handle)
        _password(password)
        name = _name(name)
        if await self._user_id_by_handle(handle) is not None:
            raise Conflict("this handle is taken", "handle_taken")
        password_hash = await self.passwords.hash(password)
        user_id = new_id()
        now = now_ms()
        try:
            async with self._db.write() as conn:
                await conn.execute(
                    USERS.insert().values(
                        id=user_id,
                        handle=handle,
                        name=name,
                        password_hash=password_hash,
                        created=now,
                    )
                )
                token = await _issue_token(conn, user_id, now)
        except IntegrityError:
            # Lost a race for the same handle.
            raise Conflict("this handle is taken", "handle_taken") from None
        return token, {"id": user_id, "handle": handle, "name": name}

    async def login(self, handle: str, password: str) -> tuple[str, Record]:
        """A new token for the right password; ``Unauthenticated`` otherwise, in similar time."""
        if not isinstance(handle, str) or not isinstance(password, str):
            raise Unauthenticated("wrong handle or password", LOGIN_FAILED)
        async with self._db.read() as conn:
            row = (
                await conn.execute(
                    select(*USER_COLUMNS, USERS.c.password_hash).where(
                        USERS.c.handle == handle.strip().lower(), USERS.c.deleted.is_(None)
                    )
                )
            ).first()
        if row is None:
            # Spend the same time as a real check: no handle probing by timing.
            await self._verify(await self._dummy(), password)
            raise Unauthenticated("wrong handle or password", LOGIN_FAILED)
        if not await self._verify(row.password_hash, password):
            raise Unauthenticated("wrong handle or password", LOGIN_FAILED)
        new_hash = None
        if self.passwords.needs_rehash(row.password_hash):
            # The cost settings changed: upgrade the stored hash now that we know the password.
            new_hash = await self.passwords.hash(password)
        # Never hash inside the transaction: it would hold SQLite's write lock.
        async with self._db.write() as conn:
            if new_hash is not None:
                await conn.execute(
                    update(USERS).where(USERS.c.id == row.id).values(password_hash=new_hash)
                )
            token = await _issue_token(conn, row.id, now_ms())
        return token, user_record(row)

    async def authenticate(self, token: str, now: int | None = None) -> Record:
        """The user a live bearer token belongs to; renews the token's idle time."""
        if not isinstance(token, str) or not token:
            raise Unauthenticated("missing token")
        now = now_ms() if now is None else now
        digest = token_hash(token)
        query = (
            select(
                *USER_COLUMNS,
                USERS.c.bot_owner,
                TOKENS.c.created.label("token_created"),
                TOKENS.c.last_used,
            )
            .join(TOKENS, TOKENS.c.user_id == USERS.c.id)
            .where(TOKENS.c.hash == digest)
        )
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        # A bot's token lives until its owner revokes or rotates it (store/bots.py).
        if row is None or (
            row.bot_owner is None and not self._alive(row.token_created, row.last_used, now)
        ):
            raise Unauthenticated("invalid or expired token")
        if row.bot_owner is not None:
            return {**user_record(row), "bot": True}
        if now - row.last_used >= self.token_touch_ms:
            async with self._db.write() as conn:
                await conn.execute(
                    update(TOKENS)
                    .where(TOKENS.c.hash == digest, TOKENS.c.last_used < now)
                    .values(last_used=now)
                )
        return user_record(row)

    async def session_id(self, token: str) -> str:
        """The id of the session of ``token`` (what the sessions list shows);
        ``Unauthenticated`` for a token that is no session."""
        async with self._db.read() as conn:
            value = (
                await conn.execute(select(TOKENS.c.id).where(TOKENS.c.hash == token_hash(token)))
            ).scalar()
        if value is None:
            raise Unauthenticated("invalid or expired token")
        return str(value)

    async def session_by_id(self, session_id: str, now: int | None = None) -> tuple[Record, str]:
        """The user of a live session and its token hash, the secret a media key
        of the session is signed with (server/media/keys.py): ending the session
        ends its keys. Does not count as use. ``Unauthenticated`` otherwise."""
        now = now_ms() if now is None else now
        query = (
            select(
                *USER_COLUMNS,
                TOKENS.c.hash,
                TOKENS.c.created.label("token_created"),
                TOKENS.c.last_used,
            )
            .join(TOKENS, TOKENS.c.user_id == USERS.c.id)
            .where(TOKENS.c.id == session_id)
        )
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        if row is None or not self._alive(row.token_created, row.last_used, now):
            raise Unauthenticated("no such session")
        return user_record(row), str(row.hash)

    async def logout(self, token: str) -> None:
        """Revoke a token (unknown tokens are ignored)."""
        if not isinstance(token, str):
            return
        async with self._db.write() as conn:
            await conn.execute(delete(TOKENS).where(TOKENS.c.hash == token_hash(token)))

    async def sessions(self, user_id: str, token: str, now: int | None = None) -> list[Record]:
        """The user's live sessions, most recently used first: ``id``, ``created``,
        ``last_used`` and ``current`` (the one of ``token``)."""
        now = now_ms() if now is None else now
        query = (
            select(TOKENS.c.id, TOKENS.c.hash, TOKENS.c.created, TOKENS.c.last_used)
            .where(TOKENS.c.user_id == user_id, *self._alive_clauses(now))
            .order_by(TOKENS.c.last_used.desc(), TOKENS.c.id)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        mine = token_hash(token)
        return [
            {
                "id": r.id,
                "created": r.created,
                "last_used": r.last_used,
                "current": r.hash == mine,
            }
            for r in rows
        ]

    async def end_session(self, user_id: str, session_id: str) -> str:
        """End one of the user's sessions; its token hash. ``NotFound`` for an id
        that is not one of the user's."""
        if not isinstance(session_id, str):
            raise NotFound("no such session")
        async with self._db.write() as conn:
            digest = (
                await conn.execute(
                    delete(TOKENS)
                    .where(TOKENS.c.id == session_id, TOKENS.c.user_id == user_id)
                    .returning(TOKENS.c.hash)
                )
            ).scalar()
        if digest is None:
            raise NotFound("no such session")
        return str(digest)

    async def end_sessions(self, user_id: str, keep: str | None = None) -> list[str]:
        """End every session of the user but the one of token ``keep``; their hashes."""
        async with self._db.write() as conn:
            return await _end_sessions(conn, user_id, keep)

    async def change_password(
        self, user_id: str, token: str, old_password: str, new_password: str
    ) -> list[str]:
        """Set a new password; every other session of the user ends (their hashes).
        ``Forbidden`` for a wrong old password, ``Invalid`` for a bad new one."""
        _password(new_password)
        async with self._db.read() as conn:
            current = (
                await conn.execute(select(USERS.c.password_hash).where(USERS.c.id == user_id))
            ).scalar()
        if current is None:
            raise NotFound("no such user")
        if not isinstance(old_password, str) or not await self._verify(current, old_password):
            raise Forbidden("the old password is wrong", "password_wrong")
        new_hash = await self.passwords.hash(new_password)
        # Never hash inside the transaction: it would hold SQLite's write lock.
        async with self._db.write() as conn:
            await conn.execute(
                update(USERS).where(USERS.c.id == user_id).values(password_hash=new_hash)
            )
            return await _end_sessions(conn, user_id, token)

    async def prune_tokens(self, batch: int, now: int | None = None) -> int:
        """Delete up to ``batch`` expired tokens; how many went."""
        now = now_ms() if now is None else now
        expired = (
            select(TOKENS.c.hash)
            .where(
                or_(
                    TOKENS.c.last_used <= now - self.token_idle_ms,
                    TOKENS.c.created <= now - self.token_max_ms,
                ),
                # Bots' tokens do not expire (store/bots.py).
                TOKENS.c.user_id.not_in(select(USERS.c.id).where(USERS.c.bot_owner.is_not(None))),
            )
            .limit(batch)
        )
        async with self._db.write() as conn:
            hashes = (await conn.execute(expired)).scalars().all()
            if hashes:
                await conn.execute(delete(TOKENS).where(TOKENS.c.hash.in_(hashes)))
        return len(hashes)

    def _alive(self, created: int, last_used: int, now: int) -> bool:
        return last_used > now - self.token_idle_ms and created > now - self.token_max_ms

    def _alive_clauses(self, now: int) -> tuple[ColumnElement[bool], ...]:
        return (
            TOKENS.c.last_used > now - self.token_idle_ms,
            TOKENS.c.created > now - self.token_max_ms,
        )

    async def get_user(self, user_id: str) -> Record:
        async with self._db.read() as conn:
            row = (await conn.execute(select(*USER_COLUMNS).where(USERS.c.id == user_id))).first()
        if row is None:
            raise NotFound("no such user")
        return user_record(row)

    async def update_user(self, user_id: str, name: str) -> Record:
        name = _name(name)
        async with self._db.write() as conn:
            result = await conn.execute(
                update(USERS).where(USERS.c.id == user_id).values(name=name)
            )
        if result.rowcount == 0:
            raise NotFound("no such user")
        return await self.get_user(user_id)

    async def _user_id_by_handle(self, handle: str) -> str | None:
        async with self._db.read() as conn:
            value = (
                await conn.execute(select(USERS.c.id).where(USERS.c.handle == handle))
            ).scalar()
        return None if value is None else str(value)

    async def _verify(self, password_hash: str, password: str) -> bool:
        return await self.passwords.verify(password_hash, password)

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self.passwords.hash(secrets.token_urlsafe(16))
        return self._dummy_hash


async def _issue_token(conn: AsyncConnection, user_id: str, now: int) -> str:
    token = secrets.token_urlsafe(32)
    await conn.execute(
        TOKENS.insert().values(
            hash=token_hash(token), id=new_id(), user_id=user_id, created=now, last_used=now
        )
    )
    return token


async def _end_sessions(conn: AsyncConnection, user_id: str, keep: str | None) -> list[str]:
    query = delete(TOKENS).where(TOKENS.c.user_id == user_id)
    if keep is not None:
        query = query.where(TOKENS.c.hash != token_hash(keep))
    return [str(h) for h in (await conn.execute(query.returning(TOKENS.c.hash))).scalars()]


def _handle(handle: object) -> str:
    if not isinstance(handle, str):
        raise Invalid("handle must be a string", "handle_invalid", HANDLE_LIMITS)
    handle = handle.strip().lower()
    if not HANDLE_RE.fullmatch(handle):
        raise Invalid(
            "handle must be 3 to 32 of a-z, 0-9, '_', '.', '-'", "handle_invalid", HANDLE_LIMITS
        )
    return handle


def _password(password: object) -> None:
    if not isinstance(password, str):
        raise Invalid("password must be a string", "password_too_short", {"min": PASSWORD_MIN})
    message = f"password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters"
    if len(password) < PASSWORD_MIN:
        raise Invalid(message, "password_too_short", {"min": PASSWORD_MIN})
    if len(password) > PASSWORD_MAX:
        raise Invalid(message, "password_too_long", {"max": PASSWORD_MAX})


def _name(name: object) -> str:
    """A display name (any script, emoji): ``name_required``, ``name_too_long`` or
    ``name_invalid`` (a control or invisible character) when refused."""
    try:
        return validation.display_name(name, "name", NAME_MAX)
    except Invalid as exc:
        if isinstance(name, str) and not name.strip():
            raise Invalid(exc.message, "name_required") from None
        if isinstance(name, str) and len(name.strip()) > NAME_MAX:
            raise Invalid(exc.message, "name_too_long", {"max": NAME_MAX}) from None
        raise Invalid(exc.message, "name_invalid") from None
