"""Payments: what a paid-for membership changes (docs/payments.md).

Payment itself stays outside Quanzi: a payment provider or the operator's shop
calls the signed webhook (server/api/payments.py), which lands here once its
signature is checked. A payment grants a membership (the one road in,
``memberships.admit``, after the one check of who may join: a banned user is
refused) or renews its term (store/terms.py), by ``months`` or to a date.

Each call names an ``event_id``, stored in the same transaction: the provider's
retry of a call already applied changes nothing (``replayed``), and a refused
call stores nothing, so it may be sent again once the cause is gone. Every
applied payment is in the audit log (``member.paid``, actor ``payments``).
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .audit import record_act
from .engine import Database, Service
from .errors import NotFound
from .ids import now_ms
from .lookups import circle_row, member_row
from .memberships import admit, require_may_join
from .models import PAYMENT_EVENTS, USERS
from .records import Record, member_record
from .term_dates import GRACE_MS, check_term, renewed_end, set_term

# The audit log's actor for what the payment webhook does.
PAYMENTS_ACTOR = "payments"
EVENT_ID_MAX = 100
USER_REF_MAX = 64


class Payments(Service):
    """Apply a payment: grant or renew a membership, once per event id."""

    def __init__(self, db: Database, grace_ms: int = GRACE_MS) -> None:
        super().__init__(db)
        self.grace_ms = grace_ms

    async def apply(
        self,
        event_id: object,
        circle_id: object,
        user: object,
        months: object = None,
        until: object = None,
    ) -> tuple[Record | None, bool]:
        """Grant ``user`` (an id or a login name) membership of the circle, or renew
        it, by ``months`` or to ``until`` (ms; neither: a membership without end).
        Returns the member and whether the event was applied before (then nothing
        changed; the member is None if they have left since). ``NotFound`` (circle,
        user), ``Forbidden`` (banned), ``Invalid``."""
        event_id = validation.text(event_id, "event_id", 1, EVENT_ID_MAX)
        circle_id = validation.text(circle_id, "circle", 1, 32)
        user = validation.text(user, "user", 1, USER_REF_MAX)
        now = now_ms()
        months, until = check_term(months, until, now)
        try:
            return await self._apply(event_id, circle_id, user, months, until, now)
        except IntegrityError:
            # A concurrent call won: the same event (its id is the key) or a join of the
            # same user (the membership's key). Again: the first is now a replay, the
            # second a renewal of the membership it made.
            return await self._apply(event_id, circle_id, user, months, until, now)

    async def _user_id(self, conn: AsyncConnection, user: str) -> str:
        # Login names are stored lower-case (store/accounts.py); ids are taken as given.
        handle = user.strip().lower()
        query = select(USERS.c.id).where(or_(USERS.c.id == user, USERS.c.handle == handle))
        user_id = (await conn.execute(query)).scalar()
        if user_id is None:
            raise NotFound("no such user")
        return str(user_id)

    async def _apply(
        self,
        event_id: str,
        circle_id: str,
        user: str,
        months: int | None,
        until: int | None,
        now: int,
    ) -> tuple[Record | None, bool]:
        async with self._db.write() as conn:
            circle = await circle_row(conn, circle_id, lock=True)
            user_id = await self._user_id(conn, user)
            seen = (
                await conn.execute(
                    select(PAYMENT_EVENTS.c.event_id).where(PAYMENT_EVENTS.c.event_id == event_id)
                )
            ).first()
            row = await member_row(conn, circle_id, user_id)
            if seen is not None:
                # Applied before: a retry changes nothing (and says so even if they
                # have left since, or the provider would retry for ever).
                return (None if row is None else member_record(row)), True
            await conn.execute(
                PAYMENT_EVENTS.insert().values(
                    event_id=event_id, circle_id=circle_id, user_id=user_id, received=now
                )
            )
            current = None if row is None else row.ends_at
            ends_at = renewed_end(current, row is not None, now, months, until)
            if row is None:
                await require_may_join(conn, circle_id, user_id)
                member = await admit(conn, circle, user_id)
            else:
                member = member_record(row)
            if ends_at != current:
                member = await set_term(conn, circle_id, user_id, ends_at, self.grace_ms)
            data = {
                "event_id": event_id,
                "ends_at": ends_at,
                "before": current,
                "joined": row is None,
            }
            await record_act(
                conn, circle_id, PAYMENTS_ACTOR, "member.paid", "member", user_id, None, data
            )
        return member, False
