"""The tables of events (store/gatherings.py): a birthday party, a meet-up, a live
session with a time, a place or link, a capacity and members' answers. Called
"gatherings" in the code and the API, since "event" is the protocol's word for
a change pushed to clients. Registered on the same metadata (``models`` imports
this)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Table
from sqlmodel import Field, SQLModel


class Gathering(SQLModel, table=True):
    """An event of a circle; the counts are kept with it (``rsvps`` has each answer)."""

    __tablename__ = "gatherings"
    __table_args__ = (
        Index("ix_gatherings_circle", "circle_id", "starts_at", "id"),
        # The reminder job's walk: what starts soon.
        Index("ix_gatherings_starts", "starts_at"),
    )

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(max_length=32)
    title: str = Field(max_length=100)
    description: str = Field(default="", max_length=2000)
    starts_at: int = Field(sa_type=BigInteger)
    ends_at: int | None = Field(default=None, sa_type=BigInteger)
    place: str = Field(default="", max_length=200)
    link: str | None = Field(default=None, max_length=500)
    # Seats for "going"; beyond it a "going" answer waits (None: no limit).
    capacity: int | None = Field(default=None)
    # Minutes before the start that members who answered going or maybe are
    # reminded (None: no reminder); ``reminded_at`` marks it sent.
    remind_before_min: int | None = Field(default=None)
    reminded_at: int | None = Field(default=None, sa_type=BigInteger)
    created_by: str = Field(max_length=32)
    created: int = Field(sa_type=BigInteger)
    cancelled: int | None = Field(default=None, sa_type=BigInteger)
    going: int = Field(default=0)
    maybe: int = Field(default=0)
    not_going: int = Field(default=0)
    waiting: int = Field(default=0)


class Rsvp(SQLModel, table=True):
    """A member's answer: ``going`` (seated, or ``waiting`` when the event is full),
    ``maybe`` or ``not_going``; ``at`` is when they gave it (the waiting list's order)."""

    __tablename__ = "rsvps"
    __table_args__ = (Index("ix_rsvps_list", "gathering_id", "answer", "waiting", "at"),)

    gathering_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, index=True, max_length=32)
    answer: str = Field(max_length=16)
    waiting: bool = Field(default=False)
    at: int = Field(sa_type=BigInteger)


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


GATHERINGS = _table(Gathering)
RSVPS = _table(Rsvp)

__all__ = ["GATHERINGS", "RSVPS", "Gathering", "Rsvp"]
