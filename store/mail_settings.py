"""Email for members who are away: a user's address (verified by a link the
server mails), the digest they chose and the period it was last sent for, and
a circle's switch that emails its must-reads at once. The server mails
(server/mailer.py, server/digests.py); this module only remembers."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import and_, select, update

from . import validation
from .away_tables import ADDRESS_MAX, CIRCLE_MAIL, MAIL_SETTINGS
from .engine import Service
from .errors import Forbidden, Invalid
from .ids import now_ms
from .lookups import circle_row, require_member, role_of
from .models import MEMBERSHIPS, USERS
from .records import Record

DIGESTS = ("off", "daily", "weekly")
# One @, a dotted domain, nothing a header could be split on: what a person
# types, not RFC 5322's every corner (quoted local parts, comments).
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")
_M = MAIL_SETTINGS
_DEFAULT: Record = {"address": None, "verified": False, "digest": "off"}


def address(value: object) -> str:
    text = validation.text(value, "email", 3, ADDRESS_MAX)
    if not _ADDRESS.fullmatch(text):
        raise Invalid("email is not an email address", "email_invalid")
    return text


class MailSettings(Service):
    async def get(self, user_id: str) -> Record:
        """``{"address","verified","digest"}`` (no address: all defaults)."""
        async with self._db.read() as conn:
            row = (await conn.execute(select(_M).where(_M.c.user_id == user_id))).first()
        return _DEFAULT.copy() if row is None else _record(row)

    async def update(self, user_id: str, changes: dict[str, Any]) -> tuple[Record, bool]:
        """Change ``address`` ("" forgets it) and/or ``digest``; the settings and
        whether the address is new (and so unverified: the caller mails a link)."""
        unknown = set(changes) - {"address", "digest"}
        if unknown:
            raise Invalid(f"unknown field {sorted(unknown)[0]}")
        values: dict[str, Any] = {"changed": now_ms()}
        if "digest" in changes:
            values["digest"] = validation.choice(changes["digest"], "digest", DIGESTS)
        new_address = False
        async with self._db.write() as conn:
            row = (await conn.execute(select(_M).where(_M.c.user_id == user_id))).first()
            if "address" in changes:
                given = changes["address"]
                wanted = None if given == "" else address(given)
                if row is None or wanted != row.address:
                    values["address"], values["verified"] = wanted, None
                    new_address = wanted is not None
            if row is None:
                await conn.execute(_M.insert().values(user_id=user_id, **values))
            else:
                await conn.execute(update(_M).where(_M.c.user_id == user_id).values(**values))
            row = (await conn.execute(select(_M).where(_M.c.user_id == user_id))).one()
        return _record(row), new_address

    async def verify(self, user_id: str, mailed_to: str) -> bool:
        """Mark the address verified when it is still the one the link was mailed to."""
        async with self._db.write() as conn:
            result = await conn.execute(
                update(_M)
                .where(_M.c.user_id == user_id, _M.c.address == mailed_to)
                .values(verified=now_ms())
            )
        return bool(result.rowcount)

    async def unsubscribe(self, user_id: str) -> None:
        """No more digests (the one-click link)."""
        async with self._db.write() as conn:
            await conn.execute(
                update(_M).where(_M.c.user_id == user_id).values(digest="off", changed=now_ms())
            )

    async def digest_readers(self, after: str = "", limit: int = 500) -> list[Record]:
        """Users with a verified address and a digest, by id after ``after``:
        ``{"user","address","digest","period","sent"}``."""
        query = (
            select(_M.c.user_id, _M.c.address, _M.c.digest, _M.c.digest_period, _M.c.digest_sent)
            .join(USERS, USERS.c.id == _M.c.user_id)
            .where(
                _M.c.digest != "off",
                _M.c.verified.is_not(None),
                _M.c.user_id > after,
                USERS.c.deleted.is_(None),
            )
            .order_by(_M.c.user_id)
            .limit(validation.limit(limit))
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        return [
            {
                "user": r.user_id,
                "address": r.address,
                "digest": r.digest,
                "period": r.digest_period,
                "sent": r.digest_sent,
            }
            for r in rows
        ]

    async def claim_digest(self, user_id: str, period: str, previous: str | None) -> bool:
        """Take the sending of ``period``'s digest (True once, over every node)."""
        same = _M.c.digest_period.is_(None) if previous is None else _M.c.digest_period == previous
        async with self._db.write() as conn:
            result = await conn.execute(
                update(_M)
                .where(_M.c.user_id == user_id, same)
                .values(digest_period=period, digest_sent=now_ms())
            )
        return bool(result.rowcount)

    async def release_digest(self, user_id: str, period: str, previous: str | None) -> None:
        """A digest that could not be sent: the next run tries the period again."""
        async with self._db.write() as conn:
            await conn.execute(
                update(_M)
                .where(_M.c.user_id == user_id, _M.c.digest_period == period)
                .values(digest_period=previous)
            )

    async def circle(self, circle_id: str, viewer_id: str) -> Record:
        """The circle's email settings (members): ``{"must_reads"}``."""
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_member(conn, circle_id, viewer_id)
            return {"must_reads": await _must_reads(conn, circle_id)}

    async def set_circle(self, circle_id: str, actor_id: str, must_reads: object) -> Record:
        """Owners switch emailing must-reads at once."""
        flag = validation.boolean(must_reads, "must_reads")
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            if await role_of(conn, circle_id, actor_id) != "owner":
                raise Forbidden("only the circle's owners can do this")
            values = {"must_reads": flag, "changed_by": actor_id, "changed": now_ms()}
            done = await conn.execute(
                update(CIRCLE_MAIL).where(CIRCLE_MAIL.c.circle_id == circle_id).values(**values)
            )
            if not done.rowcount:
                await conn.execute(CIRCLE_MAIL.insert().values(circle_id=circle_id, **values))
        return {"must_reads": flag}

    async def must_read_recipients(self, circle_id: str, user_ids: list[str]) -> dict[str, str]:
        """Of these users, those to email a must-read of the circle to at once
        (the circle asks for it; a member with a verified address): user → address."""
        if not user_ids:
            return {}
        async with self._db.read() as conn:
            if not await _must_reads(conn, circle_id):
                return {}
            query = (
                select(_M.c.user_id, _M.c.address)
                .join(
                    MEMBERSHIPS,
                    and_(
                        MEMBERSHIPS.c.user_id == _M.c.user_id, MEMBERSHIPS.c.circle_id == circle_id
                    ),
                )
                .where(_M.c.user_id.in_(user_ids), _M.c.verified.is_not(None))
            )
            return {r.user_id: r.address for r in await conn.execute(query)}


async def _must_reads(conn: Any, circle_id: str) -> bool:
    value = (
        await conn.execute(
            select(CIRCLE_MAIL.c.must_reads).where(CIRCLE_MAIL.c.circle_id == circle_id)
        )
    ).scalar()
    return bool(value)


def _record(row: Any) -> Record:
    return {"address": row.address, "verified": row.verified is not None, "digest": row.digest}
