"""A challenge's rules beyond its schedule (COMMUNITY-OPS.md rules 4, 6 and 7):
make-up (补卡), leave (请假), strict (deposit) mode, the review queue and the
reminder time — read from a new challenge's fields and shown in its record.

Make-up is off by default (``makeup_days`` 0); when on, a member may make up
one of the last ``makeup_days`` days, at most ``makeup_quota`` times per
``makeup_per`` (``month`` of the day made up, or the whole ``challenge``).
``leave_days`` is how many leave days each member may take (0: none). A
``strict`` challenge (a deposit is at stake) allows neither: asking for
make-up or leave in one is ``Invalid``. ``review``: check-ins wait as
``pending`` until a teacher or admin approves them. ``remind_at``: the minute
of the circle's day the reminder goes out (None: no reminders). ``nudge_at``:
the minute of the evening the streak-at-risk nudge goes out (``NUDGE_DEFAULT``,
20:00, unless given; None: no nudge).
"""

from __future__ import annotations

from typing import Any

from . import validation
from .calendar import minute_text, parse_minute
from .errors import Invalid
from .records import AnyRow, Record

FIELDS = frozenset(
    {
        "makeup_days",
        "makeup_quota",
        "makeup_per",
        "leave_days",
        "strict",
        "review",
        "remind_at",
        "nudge_at",
    }
)
# 20:00: the evening, when a day's check-in can still be made and few are asleep.
NUDGE_DEFAULT = 20 * 60
PERIODS = ("month", "challenge")
LOOK_BACK_MAX = 366
QUOTA_MAX = 366


def parse(fields: dict[str, Any]) -> dict[str, Any]:
    """The columns of a new challenge's rules (``Invalid`` naming the field)."""
    makeup_days = validation.integer(fields.get("makeup_days", 0), "makeup_days", 0, LOOK_BACK_MAX)
    quota = validation.integer(fields.get("makeup_quota", 0), "makeup_quota", 0, QUOTA_MAX)
    per = validation.choice(fields.get("makeup_per", "challenge"), "makeup_per", PERIODS)
    leave = validation.integer(fields.get("leave_days", 0), "leave_days", 0, QUOTA_MAX)
    strict = validation.boolean(fields.get("strict", False), "strict")
    review = validation.boolean(fields.get("review", False), "review")
    remind = fields.get("remind_at")
    remind_at = None if remind is None else parse_minute(remind, "remind_at") % (24 * 60)
    nudge = fields.get("nudge_at", minute_text(NUDGE_DEFAULT))
    nudge_at = None if nudge is None else parse_minute(nudge, "nudge_at") % (24 * 60)
    if makeup_days and not quota:
        raise Invalid("makeup_quota must be at least 1 when makeup_days is on")
    if strict and (makeup_days or leave):
        raise Invalid("a strict challenge allows neither make-up nor leave days")
    return {
        "makeup_days": makeup_days,
        "makeup_quota": quota if makeup_days else 0,
        "makeup_per": per,
        "leave_days": leave,
        "strict": strict,
        "review": review,
        "remind_at": remind_at,
        "nudge_at": nudge_at,
    }


def public(row: AnyRow) -> Record:
    """The rules as a challenge record shows them."""
    return {
        "makeup_days": row.makeup_days,
        "makeup_quota": row.makeup_quota,
        "makeup_per": row.makeup_per,
        "leave_days": row.leave_days,
        "strict": bool(row.strict),
        "review": bool(row.review),
        "remind_at": None if row.remind_at is None else minute_text(row.remind_at),
        "nudge_at": None if row.nudge_at is None else minute_text(row.nudge_at),
    }
