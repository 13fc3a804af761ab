"""The tables of points (store/points.py): each circle's published rule table and
every member's ledger. Registered on the same metadata (``models`` imports this)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Table, UniqueConstraint
from sqlmodel import Field, SQLModel


class PointRules(SQLModel, table=True):
    """A circle's rule table, when its owners changed the defaults: points per
    action (JSON), whether owners and admins earn, and when it last changed."""

    __tablename__ = "point_rules"

    circle_id: str = Field(primary_key=True, max_length=32)
    rules: str = Field(max_length=2000)
    exclude_managers: bool = Field(default=False)
    updated: int = Field(sa_type=BigInteger)
    updated_by: str = Field(max_length=32)


class PointEntry(SQLModel, table=True):
    """One award (or a taking back: negative) with its reason and source, at the
    points the rule table said then."""

    __tablename__ = "point_entries"
    __table_args__ = (
        # One award per action, source and member: a change logged twice awards once.
        UniqueConstraint("circle_id", "action", "source_id", "user_id", name="uq_point_entries"),
        Index("ix_point_entries_member", "circle_id", "user_id", "created", "id"),
        Index("ix_point_entries_time", "circle_id", "created"),
    )

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    action: str = Field(max_length=32)
    points: int
    source_kind: str = Field(max_length=16)
    source_id: str = Field(max_length=64)
    created: int = Field(sa_type=BigInteger)


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


POINT_RULES = _table(PointRules)
POINT_ENTRIES = _table(PointEntry)

__all__ = ["POINT_ENTRIES", "POINT_RULES", "PointEntry", "PointRules"]
