"""The tables of contests (store/contests.py): a contest, its entries and the
votes on them. Registered on the same metadata (``models`` imports this)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Table
from sqlmodel import Field, SQLModel


class Contest(SQLModel, table=True):
    """A contest with its entry and voting windows and its published rules."""

    __tablename__ = "contests"
    __table_args__ = (Index("ix_contests_circle", "circle_id", "created", "id"),)

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(max_length=32)
    title: str = Field(max_length=100)
    rules: str = Field(default="", max_length=2000)
    entries_open: int = Field(sa_type=BigInteger)
    entries_close: int = Field(sa_type=BigInteger)
    votes_open: int = Field(sa_type=BigInteger)
    votes_close: int = Field(sa_type=BigInteger)
    entries_per_member: int = Field(default=1)
    votes_per_member: int = Field(default=1)
    # Owners' and admins' entries are shown but not ranked.
    exclude_managers: bool = Field(default=False)
    # "live": counts and ranks while voting; "after_close": only once it closed.
    ranking: str = Field(default="after_close", max_length=16)
    # Only members who joined before voting opened may vote.
    joined_before_voting: bool = Field(default=True)
    created_by: str = Field(max_length=32)
    created: int = Field(sa_type=BigInteger)
    entry_count: int = Field(default=0)
    announced_at: int | None = Field(default=None, sa_type=BigInteger)
    announced_post: str | None = Field(default=None, max_length=32)


class ContestEntry(SQLModel, table=True):
    """A member's entry: words and photos or videos; ``votes`` counts them."""

    __tablename__ = "contest_entries"
    __table_args__ = (
        Index("ix_contest_entries_contest", "contest_id", "created", "id"),
        Index("ix_contest_entries_votes", "contest_id", "votes", "created"),
    )

    id: str = Field(primary_key=True, max_length=32)
    contest_id: str = Field(max_length=32)
    circle_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32, index=True)
    text: str = Field(default="")
    attachments: str | None = Field(default=None)
    created: int = Field(sa_type=BigInteger)
    votes: int = Field(default=0)


class ContestVote(SQLModel, table=True):
    """One member's vote for one entry: one account, one vote per entry."""

    __tablename__ = "contest_votes"
    __table_args__ = (Index("ix_contest_votes_voter", "contest_id", "user_id"),)

    entry_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    contest_id: str = Field(max_length=32)
    created: int = Field(sa_type=BigInteger)


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


CONTESTS = _table(Contest)
CONTEST_ENTRIES = _table(ContestEntry)
CONTEST_VOTES = _table(ContestVote)

__all__ = ["CONTESTS", "CONTEST_ENTRIES", "CONTEST_VOTES", "Contest", "ContestEntry", "ContestVote"]
