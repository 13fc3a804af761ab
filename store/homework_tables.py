"""The tables of homework (store/homework.py; COMMUNITY-OPS.md rules 7–9),
kept beside ``models.py`` so that module stays the circle's core. Registered on
the same metadata (``models`` imports this).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, Index, Table, UniqueConstraint
from sqlmodel import Field, SQLModel


class Assignment(SQLModel, table=True):
    """An assignment of a circle's teachers (owners and admins)."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_circle", "circle_id", "created", "id"),)

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(max_length=32)
    title: str = Field(max_length=100)
    instructions: str = Field(default="")
    # What clients see of its attachments (store/attachment_uses.py), JSON.
    attachments: str | None = Field(default=None)
    due_at: int | None = Field(default=None, sa_type=BigInteger)
    allow_late: bool = Field(default=True)
    # Media limits (rule 8): text length, images and videos in all, videos, audio clips.
    text_max: int = Field(default=2000)
    visual_max: int = Field(default=9)
    video_max: int = Field(default=3)
    audio_max: int = Field(default=10)
    # hidden | after_submit | after_review | always (who of the classmates sees a submission).
    peer_visibility: str = Field(default="hidden", max_length=16)
    # A lesson of the course plan (no foreign key: the lessons table is another module's).
    lesson_id: str | None = Field(default=None, max_length=32)
    closed: bool = Field(default=False)
    created_by: str = Field(max_length=32)
    created: int = Field(sa_type=BigInteger)
    updated: int = Field(sa_type=BigInteger)
    # The reminders sent before due_at (housekeeping): the offsets done, JSON list of ms.
    reminded: str = Field(default="[]", max_length=200)


class Submission(SQLModel, table=True):
    """One student's work on an assignment, through its states (rule 8)."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("assignment_id", "user_id", name="uq_submissions_student"),
        # The review queue and the lists, oldest submitted first.
        Index("ix_submissions_assignment", "assignment_id", "submitted", "id"),
    )

    id: str = Field(primary_key=True, max_length=32)
    assignment_id: str = Field(max_length=32)
    circle_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32, index=True)
    # assigned | submitted | reviewed | returned | resubmitted
    state: str = Field(max_length=16)
    text: str = Field(default="")
    attachments: str | None = Field(default=None)
    submitted: int | None = Field(default=None, sa_type=BigInteger)
    edited: int | None = Field(default=None, sa_type=BigInteger)
    late: bool = Field(default=False)
    reviewer_id: str | None = Field(default=None, max_length=32)
    reviewed: int | None = Field(default=None, sa_type=BigInteger)
    score: float | None = Field(default=None, sa_type=Float)
    grade: str | None = Field(default=None, max_length=20)
    comment: str = Field(default="")
    comment_attachments: str | None = Field(default=None)
    excellent: bool = Field(default=False)
    post_id: str | None = Field(default=None, max_length=32)
    like_count: int = Field(default=0)
    comment_count: int = Field(default=0)


class SubmissionComment(SQLModel, table=True):
    """A classmate's (or teacher's) comment on a submission."""

    __tablename__ = "submission_comments"
    __table_args__ = (Index("ix_submission_comments", "submission_id", "created", "id"),)

    id: str = Field(primary_key=True, max_length=32)
    submission_id: str = Field(max_length=32)
    circle_id: str = Field(max_length=32)
    author_id: str = Field(max_length=32)
    text: str = Field(default="")
    created: int = Field(sa_type=BigInteger)


class SubmissionLike(SQLModel, table=True):
    """A like of a submission (one per member)."""

    __tablename__ = "submission_likes"

    submission_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    created: int = Field(sa_type=BigInteger)


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


ASSIGNMENTS = _table(Assignment)
SUBMISSIONS = _table(Submission)
SUBMISSION_COMMENTS = _table(SubmissionComment)
SUBMISSION_LIKES = _table(SubmissionLike)

__all__ = [
    "ASSIGNMENTS",
    "SUBMISSIONS",
    "SUBMISSION_COMMENTS",
    "SUBMISSION_LIKES",
    "Assignment",
    "Submission",
    "SubmissionComment",
    "SubmissionLike",
]
