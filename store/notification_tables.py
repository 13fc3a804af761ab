"""The tables of the notification inbox (store/notifications.py): every member's
notifications and their settings. Registered on the same metadata (``models``
imports this)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, Table
from sqlmodel import Field, SQLModel


class Notification(SQLModel, table=True):
    """One item of a member's inbox: what happened (``kind``), in which circle, and
    what to open (``about``, JSON). ``id`` only grows (SQLite: AUTOINCREMENT, never
    a deleted row's id again): a client pages and catches up by it."""

    __tablename__ = "notifications"
    __table_args__ = (
        # A member's inbox, newest first, and the catch-up after an id.
        Index("ix_notifications_user", "user_id", "id"),
        # The unread count.
        Index("ix_notifications_unread", "user_id", "read_at"),
        # The away channels' scan: those not handed to them yet, by user.
        Index("ix_notifications_away", "away_at", "user_id"),
        # Purging a deleted circle's.
        Index("ix_notifications_circle", "circle_id"),
        # What a deleted account set off goes with it (its words are quoted).
        Index("ix_notifications_actor", "actor_id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(
        default=None,
        primary_key=True,
        sa_type=BigInteger().with_variant(Integer(), "sqlite"),
    )
    user_id: str = Field(max_length=32)
    circle_id: str = Field(max_length=32)
    # Who set it off (None: nobody, a reminder).
    actor_id: str | None = Field(default=None, max_length=32)
    # mention, reply, must_read, review, reminder, moderation, join
    kind: str = Field(max_length=16)
    # What to open, as JSON: circle, group and seq / post / comment / submission /
    # item, an excerpt and a title, the actor's id and name in the circle.
    about: str
    created: int = Field(sa_type=BigInteger)
    read_at: int | None = Field(default=None, sa_type=BigInteger)
    # When the away channels (server/away.py: Web Push, email) were handed it; None
    # while not yet (held by quiet hours, or not due).
    away_at: int | None = Field(default=None, sa_type=BigInteger)


class NotificationSettings(SQLModel, table=True):
    """A member's notification settings; no row: the defaults
    (store/notification_settings.py)."""

    __tablename__ = "notification_settings"

    user_id: str = Field(primary_key=True, max_length=32)
    # {circle id: level} and {kind: level}, JSON; a level is all, mentions or none.
    circles: str = Field(default="{}")
    kinds: str = Field(default="{}")
    # Quiet hours "HH:MM" to "HH:MM" in ``time_zone`` (IANA); both None: none.
    quiet_from: str | None = Field(default=None, max_length=5)
    quiet_to: str | None = Field(default=None, max_length=5)
    time_zone: str = Field(default="Asia/Shanghai", max_length=64)
    # The language of the away channels (email): zh-CN or en.
    language: str = Field(default="zh-CN", max_length=8)
    updated: int = Field(sa_type=BigInteger)


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


NOTIFICATIONS = _table(Notification)
NOTIFICATION_SETTINGS = _table(NotificationSettings)

__all__ = ["NOTIFICATIONS", "NOTIFICATION_SETTINGS", "Notification", "NotificationSettings"]
