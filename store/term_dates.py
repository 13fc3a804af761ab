"""The dates of paid terms (store/terms.py): how a term is counted and written,
shared by the roads that set one (an owner or admin, a paid code, a payment).
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .changes import record
from .errors import Invalid
from .lookups import member_row
from .models import MEMBERSHIPS
from .records import Record, member_record

DAY_MS = 86_400_000
# The server's default grace (QUANZI_MEMBERSHIP_GRACE_S): a week to renew.
GRACE_MS = 7 * DAY_MS
# A term of at most ten years, and an end date at most that far ahead.
PERIOD_MONTHS_MAX = 120
END_MAX_MS = 10 * 366 * DAY_MS


def add_months(ms: int, months: int) -> int:
    """``months`` calendar months after ``ms`` (UTC), the day of the month kept
    where it exists (31 January + 1 month: the last day of February)."""
    at = datetime.fromtimestamp(ms / 1000, UTC)
    index = at.month - 1 + months
    year, month = at.year + index // 12, index % 12 + 1
    day = min(at.day, calendar.monthrange(year, month)[1])
    return int(at.replace(year=year, month=month, day=day).timestamp() * 1000)


def renewed_end(
    current: int | None,
    member: bool,
    now: int,
    months: int | None,
    until: int | None,
    days: int | None = None,
) -> int | None:
    """The end after a renewal by ``months`` or to ``until`` (neither: no end).

    ``member`` says whether they were already a member: a membership without end
    stays without end. A renewal starts from the later of the current end and now,
    and never moves the end earlier. ``days``: that many days (a cohort's code)."""
    if member and current is None:
        return None
    base = now if current is None else max(current, now)
    if months is not None:
        return add_months(base, months)
    if days is not None:  # a cohort code's term (store/access_codes.py)
        return base + days * DAY_MS
    if until is not None:
        return until if current is None else max(current, until)
    return None


def check_term(months: object, until: object, now: int) -> tuple[int | None, int | None]:
    """A term given as months or an end date (ms, in the future), not both."""
    if months is not None and until is not None:
        raise Invalid("give period_months or a date, not both")
    return (
        validation.optional_integer(months, "period_months", 1, PERIOD_MONTHS_MAX),
        validation.optional_integer(until, "ends_at", now + 1, now + END_MAX_MS),
    )


async def set_term(
    conn: AsyncConnection, circle_id: str, user_id: str, ends_at: int | None, grace_ms: int
) -> Record:
    """Write the member's end (and removal time) and log ``member.updated``; in the
    caller's transaction. Returns the member."""
    removes_at = None if ends_at is None else ends_at + grace_ms
    await conn.execute(
        update(MEMBERSHIPS)
        .where(MEMBERSHIPS.c.circle_id == circle_id, MEMBERSHIPS.c.user_id == user_id)
        .values(ends_at=ends_at, removes_at=removes_at)
    )
    row = await member_row(conn, circle_id, user_id)
    assert row is not None
    member = member_record(row)
    await record(conn, circle_id, "member.updated", {"member": member})
    return member
