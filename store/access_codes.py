"""Access codes: how people get into a private circle.

A code belongs to one circle, may be limited in uses and in time, and each
successful join consumes one use atomically (a conditional UPDATE), so two
people racing for the last use cannot both get in.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .engine import Database
from .errors import Forbidden
from .ids import new_code, normalize_code, now_ms
from .lookups import circle_row, require_manager
from .models import ACCESS_CODES
from .records import Record

CODES_MAX = 100
# Bounds that keep the values inside their columns; no real use comes near them.
MAX_USES_MAX = 1_000_000_000
EXPIRES_IN_MAX_S = 10 * 365 * 24 * 3600


async def create_codes(
    db: Database,
    circle_id: str,
    actor_id: str,
    count: int,
    max_uses: int | None = None,
    expires_in_s: int | None = None,
) -> list[Record]:
    """``count`` fresh codes for the circle; owner/admin only."""
    count = validation.integer(count, "count", 1, CODES_MAX)
    max_uses = validation.optional_integer(max_uses, "max_uses", 1, MAX_USES_MAX)
    expires_in_s = validation.optional_integer(expires_in_s, "expires_in_s", 1, EXPIRES_IN_MAX_S)
    now = now_ms()
    expires = None if expires_in_s is None else now + expires_in_s * 1000
    for _ in range(3):
        codes = [
            {"code": new_code(), "max_uses": max_uses, "uses": 0, "expires": expires}
            for _ in range(count)
        ]
        try:
            async with db.write() as conn:
                await circle_row(conn, circle_id)
                await require_manager(conn, circle_id, actor_id)
                await conn.execute(
                    ACCESS_CODES.insert(),
                    [{**code, "circle_id": circle_id, "created": now} for code in codes],
                )
        except IntegrityError:
            # ~49 random bits per code: a collision is all but impossible; draw again.
            continue
        return codes
    raise RuntimeError("could not draw unique access codes")


async def consume_code(conn: AsyncConnection, circle_id: str, code: object) -> None:
    """Use one use of ``code`` for ``circle_id``, or raise ``Forbidden`` saying why not."""
    if not isinstance(code, str) or not code.strip():
        raise Forbidden("this circle is private: an access code is needed")
    code = normalize_code(code)
    now = now_ms()
    result = await conn.execute(
        update(ACCESS_CODES)
        .where(
            ACCESS_CODES.c.code == code,
            ACCESS_CODES.c.circle_id == circle_id,
            or_(ACCESS_CODES.c.max_uses.is_(None), ACCESS_CODES.c.uses < ACCESS_CODES.c.max_uses),
            or_(ACCESS_CODES.c.expires.is_(None), ACCESS_CODES.c.expires >= now),
        )
        .values(uses=ACCESS_CODES.c.uses + 1)
    )
    if result.rowcount == 1:
        return
    raise Forbidden(await _why_refused(conn, circle_id, code, now))


async def _why_refused(conn: AsyncConnection, circle_id: str, code: str, now: int) -> str:
    row = (
        await conn.execute(
            select(
                ACCESS_CODES.c.circle_id,
                ACCESS_CODES.c.max_uses,
                ACCESS_CODES.c.uses,
                ACCESS_CODES.c.expires,
            ).where(ACCESS_CODES.c.code == code)
        )
    ).first()
    if row is None or row.circle_id != circle_id:
        return "this access code is not valid for this circle"
    if row.expires is not None and row.expires < now:
        return "this access code has expired"
    return "this access code has been used up"


async def code_admits(conn: AsyncConnection, circle_id: str, code: object) -> bool:
    """Whether ``code`` would let someone into ``circle_id`` now (right circle, not
    expired, not used up), without using it: the invite preview asks this."""
    if not isinstance(code, str) or not code.strip():
        return False
    now = now_ms()
    found = await conn.execute(
        select(ACCESS_CODES.c.code).where(
            ACCESS_CODES.c.code == normalize_code(code),
            ACCESS_CODES.c.circle_id == circle_id,
            or_(ACCESS_CODES.c.max_uses.is_(None), ACCESS_CODES.c.uses < ACCESS_CODES.c.max_uses),
            or_(ACCESS_CODES.c.expires.is_(None), ACCESS_CODES.c.expires >= now),
        )
    )
    return found.first() is not None
