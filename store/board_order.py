"""The order of a challenge's two boards (COMMUNITY-OPS.md rule 5), in one place:
the count down (the current streak, or the total of valid days); ties to whoever
reached it first (``streak_at`` / ``total_at``); then to the member with more
精选 (featured check-ins of this challenge that are highlights now,
store/checkin_features.py); then by user id, so the order is total and a page
cursor exact. Points never reorder these boards.

A board's page cursor carries all four (``encode_cursor(count, "at_featured_user")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from .errors import Invalid
from .ids import decode_cursor, encode_cursor
from .models import CHALLENGE_MEMBERS, POSTS
from .records import AnyRow

BOARDS = ("streak", "total")


def featured_count(challenge: AnyRow) -> ColumnElement[int]:
    """A participant's 精选 in this challenge: its live highlights of their check-ins."""
    return (
        select(func.count())
        .select_from(POSTS)
        .where(
            POSTS.c.circle_id == challenge.circle_id,
            POSTS.c.source_kind == "checkin",
            POSTS.c.source_parent == challenge.id,
            POSTS.c.source_user_id == CHALLENGE_MEMBERS.c.user_id,
            ~POSTS.c.deleted,
        )
        .scalar_subquery()
    )


@dataclass(frozen=True)
class BoardOrder:
    """One board of one challenge: its terms, its order, its cursor."""

    by: str
    score: ColumnElement[Any]
    at: ColumnElement[Any]
    featured: ColumnElement[int]
    on_board: ColumnElement[bool]

    @classmethod
    def of(cls, challenge: AnyRow, by: str, alive: date) -> BoardOrder:
        """``alive``: the earliest last day of a streak not broken today."""
        members = CHALLENGE_MEMBERS.c
        if by == "streak":
            on_board = and_(members.streak > 0, members.streak_last >= alive.isoformat())
            return cls(by, members.streak, members.streak_at, featured_count(challenge), on_board)
        return cls(
            by, members.total, members.total_at, featured_count(challenge), members.total > 0
        )

    def select(self, query: Select[Any]) -> Select[Any]:
        """``query`` (of participants) kept to the board, with ``featured``."""
        return query.add_columns(self.featured.label("featured")).where(self.on_board)

    def ordered(self, query: Select[Any]) -> Select[Any]:
        return query.order_by(
            self.score.desc(), self.at.asc(), self.featured.desc(), CHALLENGE_MEMBERS.c.user_id
        )

    def cursor(self, row: AnyRow) -> str:
        return encode_cursor(
            getattr(row, self.by), f"{getattr(row, self.by + '_at')}_{row.featured}_{row.user_id}"
        )

    def after(self, cursor: str) -> ColumnElement[bool]:
        """The rows after a page's last, in board order (``Invalid``: a bad cursor)."""
        value, key = decode_cursor(cursor)
        when, featured, user = [*key.split("_", 2), "", ""][:3]
        if not when.isdigit() or not featured.isdigit() or not user:
            raise Invalid("bad cursor")
        return self._beyond(value, int(when), int(featured), user, later=True)

    def ahead_of(self, row: AnyRow) -> ColumnElement[bool]:
        """The rows before ``row`` (one of this board's, with ``featured``)."""
        value, when = getattr(row, self.by), getattr(row, self.by + "_at")
        return self._beyond(value, when, row.featured, row.user_id, later=False)

    def _beyond(
        self, value: int, when: int, featured: int, user: str, *, later: bool
    ) -> ColumnElement[bool]:
        score, at, feat, uid = self.score, self.at, self.featured, CHALLENGE_MEMBERS.c.user_id
        if later:
            return or_(
                score < value,
                and_(score == value, at > when),
                and_(score == value, at == when, feat < featured),
                and_(score == value, at == when, feat == featured, uid > user),
            )
        return or_(
            score > value,
            and_(score == value, at < when),
            and_(score == value, at == when, feat > featured),
            and_(score == value, at == when, feat == featured, uid < user),
        )
