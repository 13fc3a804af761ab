"""The tables of a circle's course plan (store/lessons.py): its lessons and who
has opened which. Kept beside ``models.py`` so that module stays the circle's
core; registered on the same metadata (``models`` imports this).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Table, false
from sqlmodel import Field, SQLModel


class Lesson(SQLModel, table=True):
    """One lesson of a circle's course plan, at ``position`` in the plan.

    ``state``: ``scheduled``, ``live`` (a teacher started it), ``ended``. While
    live and after, ``live_group`` is the chat group that was the live chat
    and ``live_start_seq``/``live_end_seq`` its seqs at the start and the end:
    the messages said during the lesson are ``start_seq < seq <= end_seq``.
    """

    __tablename__ = "lessons"
    __table_args__ = (
        Index("ix_lessons_circle", "circle_id", "position"),
        # The reminder job looks for lessons starting soon.
        Index("ix_lessons_starts", "starts_at"),
    )

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(max_length=32)
    position: int = Field(default=0)
    title: str = Field(max_length=100)
    description: str = Field(default="", max_length=4000)
    starts_at: int = Field(sa_type=BigInteger)
    duration_min: int | None = Field(default=None)
    # What clients see of its attachments (store/attachment_uses.py), JSON.
    attachments: str | None = Field(default=None)
    # The chat group that is the live chat (None: the circle's general group).
    group_id: str | None = Field(default=None, max_length=32)
    stream_url: str | None = Field(default=None, max_length=2000)
    # The stream is an embeddable player (shown in a frame) rather than a link.
    stream_embed: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    replay_url: str | None = Field(default=None, max_length=2000)
    # Minutes before the start that members get a reminder (0: none); when it went.
    remind_before_min: int = Field(default=15)
    reminded_at: int | None = Field(default=None, sa_type=BigInteger)
    state: str = Field(default="scheduled", max_length=16)
    live_group: str | None = Field(default=None, max_length=32)
    live_started_at: int | None = Field(default=None, sa_type=BigInteger)
    live_start_seq: int | None = Field(default=None, sa_type=BigInteger)
    live_ended_at: int | None = Field(default=None, sa_type=BigInteger)
    live_end_seq: int | None = Field(default=None, sa_type=BigInteger)
    created_by: str = Field(max_length=32)
    created: int = Field(sa_type=BigInteger)
    updated: int = Field(sa_type=BigInteger)


class LessonView(SQLModel, table=True):
    """A member opened a lesson (its page or its player): a past lesson without
    one is "missed" for that member."""

    __tablename__ = "lesson_views"

    lesson_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, index=True, max_length=32)
    seen: int = Field(sa_type=BigInteger)


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


LESSONS = _table(Lesson)
LESSON_VIEWS = _table(LessonView)

__all__ = ["LESSONS", "LESSON_VIEWS", "Lesson", "LessonView"]
