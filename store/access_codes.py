"""Access codes: how people get into a private circle.

A code belongs to one circle, may be limited in uses and in time, and each
successful join consumes one use atomically (a conditional UPDATE), so two
people racing for the last use cannot both get in, and writes who redeemed it
and when (``code_redemptions``) in the join's transaction.

An invite link is a link carrying a code (``#/join/<circle>/<code>``):
revoking the code (``AccessCodes.revoke``) revokes the link. A revoked code
stops admitting at once and answers, at a join and in the invite preview,
exactly as a code that never existed. Managers list a circle's codes with their
uses (``AccessCodes.page``) and each code's redemptions.

A paid code carries a membership term (store/terms.py): ``period_months``
(calendar months from redeeming) or ``deadline`` (everyone ends then; past it the
code admits nobody). A member with an end who redeems one renews their term.

A batch is a cohort (a class of a term): the codes made together share a
``batch`` id and may carry a ``label`` ("2026 春季班"), a ``period_days`` term
(N days from redeeming, instead of months or a deadline: exactly one of the
three) and a chat ``group_id`` their redeemers are added to (store/cohorts.py).
Managers see each code's label and who redeemed it when, and revoke a batch's or
a label's unused codes at once (``AccessCodes.revoke_unused``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .audit import record_act
from .engine import Database, Service
from .errors import Forbidden, Invalid, NotFound
from .ids import new_code, new_id, normalize_code, now_ms
from .lookups import circle_row, newest_first_by, next_cursor, require_manager
from .models import ACCESS_CODES, CODE_REDEMPTIONS, GROUPS, USERS
from .records import AnyRow, Record
from .term_dates import END_MAX_MS, PERIOD_MONTHS_MAX

CODES_MAX = 100
PAGE_MAX = 200
CODE_MAX = 64
# Bounds that keep the values inside their columns; no real use comes near them.
MAX_USES_MAX = 1_000_000_000
EXPIRES_IN_MAX_S = 10 * 365 * 24 * 3600
LABEL_MAX = 80
# A cohort's term in days: at most ten years, as the other terms.
PERIOD_DAYS_MAX = 3660
# Who redeemed a code, shown beside it in the managers' list (single-use codes: one).
REDEEMERS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class CodeUse:
    """What a consumed code grants: a term (months, a deadline, days, or none) and
    the cohort's chat group (or None)."""

    months: int | None = None
    deadline: int | None = None
    days: int | None = None
    group_id: str | None = None

    @property
    def has_term(self) -> bool:
        return not (self.months is None and self.deadline is None and self.days is None)


async def create_codes(
    db: Database,
    circle_id: str,
    actor_id: str,
    count: int,
    max_uses: int | None = None,
    expires_in_s: int | None = None,
    period_months: int | None = None,
    deadline: int | None = None,
    label: str | None = None,
    period_days: int | None = None,
    group_id: str | None = None,
) -> list[Record]:
    """``count`` fresh codes for the circle, one batch; owner/admin only.
    ``period_months``, ``deadline`` (ms) or ``period_days`` (one of them) make
    them paid codes (store/terms.py); ``label`` names the cohort; ``group_id``, a
    chat group of the circle (not its general one), is joined by each redeemer."""
    count = validation.integer(count, "count", 1, CODES_MAX)
    max_uses = validation.optional_integer(max_uses, "max_uses", 1, MAX_USES_MAX)
    expires_in_s = validation.optional_integer(expires_in_s, "expires_in_s", 1, EXPIRES_IN_MAX_S)
    now = now_ms()
    if sum(x is not None for x in (period_months, deadline, period_days)) > 1:
        raise Invalid("give one of period_months, period_days or deadline")
    period_days = validation.optional_integer(period_days, "period_days", 1, PERIOD_DAYS_MAX)
    if label is not None:
        label = validation.display_name(label, "label", LABEL_MAX, min_len=0) or None
    if group_id is not None:
        group_id = validation.text(group_id, "group_id", 1, 32)
    period_months = validation.optional_integer(
        period_months, "period_months", 1, PERIOD_MONTHS_MAX
    )
    deadline = validation.optional_integer(deadline, "deadline", now + 1, now + END_MAX_MS)
    expires = None if expires_in_s is None else now + expires_in_s * 1000
    term = {
        "period_months": period_months,
        "deadline": deadline,
        "period_days": period_days,
        "batch": new_id(),
        "label": label,
        "group_id": group_id,
    }
    for _ in range(3):
        codes = [
            {"code": new_code(), "max_uses": max_uses, "uses": 0, "expires": expires, **term}
            for _ in range(count)
        ]
        try:
            async with db.write() as conn:
                await circle_row(conn, circle_id)
                await require_manager(conn, circle_id, actor_id)
                if group_id is not None:
                    await _check_cohort_group(conn, circle_id, group_id)
                await conn.execute(
                    ACCESS_CODES.insert(),
                    [
                        {**code, "circle_id": circle_id, "created": now, "created_by": actor_id}
                        for code in codes
                    ],
                )
        except IntegrityError:
            # ~49 random bits per code: a collision is all but impossible; draw again.
            continue
        return [{**code, "redeemed": []} for code in codes]
    raise RuntimeError("could not draw unique access codes")


async def _check_cohort_group(conn: AsyncConnection, circle_id: str, group_id: str) -> None:
    """A cohort's group: one of the circle's groups, not archived, not the general one
    (everyone is in that already)."""
    group = (
        await conn.execute(
            select(GROUPS.c.circle_id, GROUPS.c.archived).where(GROUPS.c.id == group_id)
        )
    ).first()
    if group is None or group.circle_id != circle_id:
        raise NotFound("no such group in this circle")
    if group_id == circle_id:
        raise Invalid("everyone is in the general group: choose another group")
    if group.archived:
        raise Invalid("this group is archived")


def _admitting(circle_id: str, code: str, now: int) -> ColumnElement[bool]:
    """The code, of this circle, not revoked, not expired, not used up."""
    return and_(
        ACCESS_CODES.c.code == code,
        ACCESS_CODES.c.circle_id == circle_id,
        ACCESS_CODES.c.revoked.is_(None),
        or_(ACCESS_CODES.c.max_uses.is_(None), ACCESS_CODES.c.uses < ACCESS_CODES.c.max_uses),
        or_(ACCESS_CODES.c.expires.is_(None), ACCESS_CODES.c.expires >= now),
        # A deadline code admits nobody once everyone's term has ended.
        or_(ACCESS_CODES.c.deadline.is_(None), ACCESS_CODES.c.deadline > now),
    )


async def consume_code(
    conn: AsyncConnection, circle_id: str, code: object, user_id: str
) -> CodeUse:
    """Use one use of ``code`` for ``circle_id`` by ``user_id`` (and write the
    redemption), or raise ``Forbidden`` saying why not. Returns what it grants:
    its term (none: no end) and its cohort's group."""
    if not isinstance(code, str) or not code.strip():
        raise Forbidden("this circle is private: an access code is needed")
    code = normalize_code(code)
    now = now_ms()
    result = await conn.execute(
        update(ACCESS_CODES)
        .where(_admitting(circle_id, code, now))
        .values(uses=ACCESS_CODES.c.uses + 1)
        .returning(
            ACCESS_CODES.c.period_months,
            ACCESS_CODES.c.deadline,
            ACCESS_CODES.c.period_days,
            ACCESS_CODES.c.group_id,
        )
    )
    term = result.first()
    if term is not None:
        await conn.execute(
            CODE_REDEMPTIONS.insert().values(
                code=code, user_id=user_id, redeemed=now, circle_id=circle_id
            )
        )
        return CodeUse(term.period_months, term.deadline, term.period_days, term.group_id)
    raise Forbidden(await _why_refused(conn, circle_id, code, now))


async def _why_refused(conn: AsyncConnection, circle_id: str, code: str, now: int) -> str:
    row = (
        await conn.execute(
            select(
                ACCESS_CODES.c.circle_id,
                ACCESS_CODES.c.max_uses,
                ACCESS_CODES.c.uses,
                ACCESS_CODES.c.expires,
                ACCESS_CODES.c.revoked,
                ACCESS_CODES.c.deadline,
            ).where(ACCESS_CODES.c.code == code)
        )
    ).first()
    # A revoked code is, to the one who holds it, a code that never was.
    if row is None or row.circle_id != circle_id or row.revoked is not None:
        return "this access code is not valid for this circle"
    if row.expires is not None and row.expires < now:
        return "this access code has expired"
    if row.deadline is not None and row.deadline <= now:
        return "this access code's membership term has ended"
    return "this access code has been used up"


async def code_admits(conn: AsyncConnection, circle_id: str, code: object) -> bool:
    """Whether ``code`` would let someone into ``circle_id`` now (right circle, not
    revoked, not expired, not used up), without using it: the invite preview asks this."""
    if not isinstance(code, str) or not code.strip():
        return False
    query = select(ACCESS_CODES.c.code).where(_admitting(circle_id, normalize_code(code), now_ms()))
    return (await conn.execute(query)).first() is not None


async def code_term(conn: AsyncConnection, circle_id: str, code: object) -> bool:
    """Whether ``code`` admits now and carries a membership term (a renewal for a
    member with an end), without using it."""
    if not isinstance(code, str) or not code.strip():
        return False
    query = select(ACCESS_CODES.c.code).where(
        _admitting(circle_id, normalize_code(code), now_ms()),
        or_(
            ACCESS_CODES.c.period_months.is_not(None),
            ACCESS_CODES.c.deadline.is_not(None),
            ACCESS_CODES.c.period_days.is_not(None),
        ),
    )
    return (await conn.execute(query)).first() is not None


def _code_record(row: AnyRow) -> Record:
    return {
        "code": row.code,
        "max_uses": row.max_uses,
        "uses": row.uses,
        "expires": row.expires,
        "created": row.created,
        "created_by": row.created_by,
        "revoked": row.revoked,
        # A paid code's term (store/terms.py); all null: no end.
        "period_months": row.period_months,
        "deadline": row.deadline,
        "period_days": row.period_days,
        # Its cohort: the batch it was made in, the label, the chat group.
        "batch": row.batch,
        "label": row.label,
        "group_id": row.group_id,
    }


class AccessCodes(Service):
    """A circle's codes as its owners and admins see them: list, redemptions, revoke."""

    async def page(
        self,
        circle_id: str,
        actor_id: str,
        cursor: str | None = None,
        limit: int = 100,
        label: str | None = None,
    ) -> tuple[list[Record], str | None]:
        """A page of the circle's codes, newest first (revoked ones too, marked),
        optionally of one cohort ``label``; each with ``redeemed``, who redeemed it
        and when (the first ``REDEEMERS_SHOWN``; ``redemptions`` pages them all)."""
        limit = validation.limit(limit, high=PAGE_MAX)
        query = select(*ACCESS_CODES.c).where(ACCESS_CODES.c.circle_id == circle_id)
        if label is not None:
            query = query.where(ACCESS_CODES.c.label == validation.text(label, "label", 1, 80))
        query = newest_first_by(query, ACCESS_CODES.c.created, ACCESS_CODES.c.code, cursor, limit)
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_manager(conn, circle_id, actor_id)
            rows = (await conn.execute(query)).all()
            used = [row.code for row in rows[:limit] if row.uses]
            redeemers = await _redeemers(conn, used) if used else {}
        codes = [
            {**_code_record(row), "redeemed": redeemers.get(row.code, [])} for row in rows[:limit]
        ]
        return codes, next_cursor(rows, limit, "created", "code")

    async def revoke_unused(
        self, circle_id: str, actor_id: str, batch: str | None = None, label: str | None = None
    ) -> int:
        """Revoke every code of a ``batch`` or of a cohort ``label`` that nobody has
        used yet (owner/admin); codes already redeemed keep their members and stay.
        Returns how many were revoked; logged once (``codes.revoked``)."""
        if (batch is None) == (label is None):
            raise Invalid("give batch or label")
        which = (
            ACCESS_CODES.c.batch == validation.text(batch, "batch", 1, 32)
            if batch is not None
            else ACCESS_CODES.c.label == validation.text(label, "label", 1, LABEL_MAX)
        )
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            result = await conn.execute(
                update(ACCESS_CODES)
                .where(
                    ACCESS_CODES.c.circle_id == circle_id,
                    ACCESS_CODES.c.revoked.is_(None),
                    ACCESS_CODES.c.uses == 0,
                    which,
                )
                .values(revoked=now_ms())
                .returning(ACCESS_CODES.c.code)
            )
            revoked = [row.code for row in result.all()]
            if revoked:
                data = {"batch": batch, "label": label, "count": len(revoked)}
                await record_act(
                    conn, circle_id, actor_id, "codes.revoked", "codes", None, None, data
                )
        return len(revoked)

    async def redemptions(
        self,
        circle_id: str,
        actor_id: str,
        code: str,
        cursor: str | None = None,
        limit: int = 100,
    ) -> tuple[list[Record], str | None]:
        """Who joined with ``code`` and when, newest first."""
        limit = validation.limit(limit, high=PAGE_MAX)
        code = _code_of(code)
        query = (
            select(CODE_REDEMPTIONS.c.user_id, CODE_REDEMPTIONS.c.redeemed, USERS.c.name)
            .join(USERS, USERS.c.id == CODE_REDEMPTIONS.c.user_id)
            .where(CODE_REDEMPTIONS.c.code == code)
        )
        query = newest_first_by(
            query, CODE_REDEMPTIONS.c.redeemed, CODE_REDEMPTIONS.c.user_id, cursor, limit
        )
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_manager(conn, circle_id, actor_id)
            await _code_row(conn, circle_id, code)
            rows = (await conn.execute(query)).all()
        found = [
            {"user": row.user_id, "name": row.name, "redeemed": row.redeemed}
            for row in rows[:limit]
        ]
        return found, next_cursor(rows, limit, "redeemed", "user_id")

    async def revoke(self, circle_id: str, actor_id: str, code: str) -> Record:
        """Revoke a code (idempotent): it admits nobody from now on, and the
        invite links carrying it stop working. Logged (``code.revoked``)."""
        code = _code_of(code)
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            row = await _code_row(conn, circle_id, code)
            if row.revoked is None:
                await conn.execute(
                    update(ACCESS_CODES).where(ACCESS_CODES.c.code == code).values(revoked=now_ms())
                )
                await record_act(conn, circle_id, actor_id, "code.revoked", "code", code)
                row = await _code_row(conn, circle_id, code)
        return _code_record(row)


async def _redeemers(conn: AsyncConnection, codes: list[str]) -> dict[str, list[Record]]:
    """code → who redeemed it and when, oldest first, at most ``REDEEMERS_SHOWN`` each
    (numbered in the database: a code used a thousand times reads five rows)."""
    place = (
        func.row_number()
        .over(
            partition_by=CODE_REDEMPTIONS.c.code,
            order_by=(CODE_REDEMPTIONS.c.redeemed, CODE_REDEMPTIONS.c.user_id),
        )
        .label("place")
    )
    numbered = (
        select(
            CODE_REDEMPTIONS.c.code,
            CODE_REDEMPTIONS.c.user_id,
            CODE_REDEMPTIONS.c.redeemed,
            place,
        )
        .where(CODE_REDEMPTIONS.c.code.in_(codes))
        .subquery()
    )
    query = (
        select(numbered.c.code, numbered.c.user_id, numbered.c.redeemed, USERS.c.name)
        .join(USERS, USERS.c.id == numbered.c.user_id)
        .where(numbered.c.place <= REDEEMERS_SHOWN)
        .order_by(numbered.c.code, numbered.c.place)
    )
    found: dict[str, list[Record]] = {}
    for row in (await conn.execute(query)).all():
        found.setdefault(row.code, []).append(
            {"user": row.user_id, "name": row.name, "redeemed": row.redeemed}
        )
    return found


def _code_of(code: object) -> str:
    return normalize_code(validation.text(code, "code", 1, CODE_MAX))


async def _code_row(conn: AsyncConnection, circle_id: str, code: str) -> AnyRow:
    row = (
        await conn.execute(
            select(*ACCESS_CODES.c).where(
                ACCESS_CODES.c.code == code, ACCESS_CODES.c.circle_id == circle_id
            )
        )
    ).first()
    if row is None:
        raise NotFound("no such access code")
    return row
