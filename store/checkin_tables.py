"""The tables of check-in challenges (store/challenges.py, store/checkins.py;
COMMUNITY-OPS.md rules 1–6), kept beside ``models.py`` so that module stays
the circle's core. Registered on the same metadata (``models`` imports this).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Table, UniqueConstraint, false, true
from sqlmodel import Field, SQLModel


class Challenge(SQLModel, table=True):
    """A challenge members join and check in to, once per scheduled day."""

    __tablename__ = "challenges"
    __table_args__ = (Index("ix_challenges_circle", "circle_id", "created", "id"),)

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(max_length=32)
    title: str = Field(max_length=100)
    description: str = Field(default="", max_length=2000)
    # "continuous" (a streak of required_days) or "accumulated" (required_days in all).
    type: str = Field(max_length=16)
    # store/calendar.py Schedule.public() as JSON.
    schedule: str = Field(max_length=8000)
    # Dates in the circle's zone, YYYY-MM-DD; no last day: open-ended.
    starts_on: str = Field(max_length=10)
    ends_on: str | None = Field(default=None, max_length=10)
    # Completed when reached (None: nothing to complete, open-ended practice).
    required_days: int | None = Field(default=None)
    # Content rules (rule 6): the least text, the media kinds each check-in needs (JSON list).
    min_text: int = Field(default=0)
    media_kinds: str = Field(default="[]", max_length=200)
    created_by: str = Field(max_length=32)
    created: int = Field(sa_type=BigInteger)
    participants: int = Field(default=0)
    # Make-up (补卡, rule 4; store/makeups.py): the last N days may be made up
    # (0: off), at most ``makeup_quota`` per member per ``makeup_per`` ("month",
    # "challenge"); leave (请假) days per member (0: none); strict (deposit) mode
    # forbids both; a review queue holds check-ins as pending until approved.
    makeup_days: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    makeup_quota: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    makeup_per: str = Field(
        default="challenge", max_length=16, sa_column_kwargs={"server_default": "challenge"}
    )
    leave_days: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    strict: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    review: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # The reminder's minute of the circle's day (None: no reminders; rule 7,
    # store/checkin_reminders.py).
    remind_at: int | None = Field(default=None)
    # The streak-at-risk nudge's minute of the circle's evening (None: no nudge;
    # rule 7, store/checkin_reminders.py): 20:00, when a day's check-in can still
    # be made and few are asleep.
    nudge_at: int | None = Field(default=1200, sa_column_kwargs={"server_default": "1200"})


class ChallengeMember(SQLModel, table=True):
    """A member who joined a challenge, and their standing as of their last
    check-in (the server computes it: store/calendar.py ``standing``)."""

    __tablename__ = "challenge_members"
    __table_args__ = (
        # The two boards (rule 5): count down, then who reached it first.
        Index("ix_challenge_members_streak", "challenge_id", "streak", "streak_at"),
        Index("ix_challenge_members_total", "challenge_id", "total", "total_at"),
    )

    challenge_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, index=True, max_length=32)
    joined: int = Field(sa_type=BigInteger)
    streak: int = Field(default=0)
    # The last day of the current streak (YYYY-MM-DD): the board counts a streak
    # whose last day is before the schedule's previous day as broken.
    streak_last: str | None = Field(default=None, max_length=10)
    # When the streak, the best streak and the total reached their values (ms):
    # the boards' tie-break, earliest first.
    streak_at: int | None = Field(default=None, sa_type=BigInteger)
    best: int = Field(default=0)
    total: int = Field(default=0)
    total_at: int | None = Field(default=None, sa_type=BigInteger)
    completed_at: int | None = Field(default=None, sa_type=BigInteger)
    # Reminders (rule 7): the member may turn them off; the day of the last one.
    reminders: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    reminded_on: str | None = Field(default=None, max_length=10)
    # The day of the last streak-at-risk nudge (at most one a day).
    nudged_on: str | None = Field(default=None, max_length=10)


class CheckIn(SQLModel, table=True):
    """One member's check-in of one day (``local_date``, the circle's day)."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("challenge_id", "user_id", "local_date", name="uq_checkins_day"),
        # A day's check-ins, newest first.
        Index("ix_checkins_day", "challenge_id", "local_date", "created", "id"),
    )

    id: str = Field(primary_key=True, max_length=32)
    challenge_id: str = Field(max_length=32)
    circle_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    local_date: str = Field(max_length=10)
    created: int = Field(sa_type=BigInteger)
    edited: int | None = Field(default=None, sa_type=BigInteger)
    text: str = Field(default="")
    # What clients see of its attachments (store/attachment_uses.py), JSON.
    attachments: str | None = Field(default=None)
    # "valid" or "invalidated" (by a teacher or admin, with a reason: rule 6);
    # "pending" in a review queue until approved ("valid") or "rejected".
    state: str = Field(default="valid", max_length=16)
    invalidated_by: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, max_length=512)
    # "checkin", or "leave" (请假: neither breaks nor extends a streak).
    kind: str = Field(
        default="checkin", max_length=16, sa_column_kwargs={"server_default": "checkin"}
    )
    # A make-up (补卡) of a past day; ``granted_by`` an admin who granted it.
    makeup: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    granted_by: str | None = Field(default=None, max_length=32)
    # Who approved or rejected it (review queue).
    reviewed_by: str | None = Field(default=None, max_length=32)


class CheckInMedia(SQLModel, table=True):
    """Which member's check-in carries an attachment, per circle: the same photo
    or voice as another member's is refused (rule 6; the same bytes are one
    attachment in a circle)."""

    __tablename__ = "checkin_media"

    circle_id: str = Field(primary_key=True, max_length=32)
    attachment_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(max_length=32)
    checkin_id: str = Field(max_length=32, index=True)


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


CHALLENGES = _table(Challenge)
CHALLENGE_MEMBERS = _table(ChallengeMember)
CHECKINS = _table(CheckIn)
CHECKIN_MEDIA = _table(CheckInMedia)

__all__ = [
    "CHALLENGES",
    "CHALLENGE_MEMBERS",
    "CHECKINS",
    "CHECKIN_MEDIA",
    "Challenge",
    "ChallengeMember",
    "CheckIn",
    "CheckInMedia",
]
