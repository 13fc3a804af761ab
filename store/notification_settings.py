"""A member's notification settings: a level per circle and per kind, quiet hours in
their own time zone, and the language of the away channels.

A level is ``all`` (every notification), ``mentions`` (only those addressed to the
member personally: an @ of their name, a reply to them, a review of their
homework, a moderation outcome or a join decision about them, their own
reminders — not ``@all`` nor a must-read for everyone) or ``none``. A
notification passes when both its circle's level and its kind's level let it
through (no setting: ``all``). The levels decide what is made at all (the
inbox, its live push) and, again when they are due, what the away channels get;
quiet hours only hold the away channels (the inbox itself is silent).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from . import calendar, validation
from .engine import Service, insert_ignore
from .errors import Invalid
from .ids import now_ms
from .models import NOTIFICATION_SETTINGS
from .records import Record

LEVELS = ("all", "mentions", "none")
KINDS = ("mention", "reply", "must_read", "review", "reminder", "moderation", "join")
LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
# Circles a member may set a level for (one per circle they belong to, with room).
CIRCLES_MAX = 1000
FIELDS = ("circles", "kinds", "quiet_from", "quiet_to", "time_zone", "language")
_RANK = {"none": 0, "mentions": 1, "all": 2}


def defaults() -> Record:
    return {
        "circles": {},
        "kinds": {},
        "quiet_from": None,
        "quiet_to": None,
        "time_zone": calendar.DEFAULT_ZONE,
        "language": DEFAULT_LANGUAGE,
    }


def settings_record(row: Any) -> Record:
    if row is None:
        return defaults()
    return {
        "circles": orjson.loads(row.circles),
        "kinds": orjson.loads(row.kinds),
        "quiet_from": row.quiet_from,
        "quiet_to": row.quiet_to,
        "time_zone": row.time_zone,
        "language": row.language,
    }


def is_direct(kind: str, about: Record) -> bool:
    """Whether a notification names the member personally (what ``mentions`` lets
    through): everything but a must-read and an ``@all``."""
    if kind == "must_read":
        return False
    return not (kind == "mention" and about.get("all"))


def allows(settings: Record, circle_id: str, kind: str, about: Record) -> bool:
    """Whether the member's levels let this notification through."""
    level = min(
        _RANK[settings["circles"].get(circle_id, "all")],
        _RANK[settings["kinds"].get(kind, "all")],
    )
    if level == _RANK["all"]:
        return True
    return level == _RANK["mentions"] and is_direct(kind, about)


def quiet_now(settings: Record, now: int) -> bool:
    """Whether it is within the member's quiet hours, in their zone, at ``now`` (ms)."""
    if settings["quiet_from"] is None or settings["quiet_to"] is None:
        return False
    minute = calendar.local_minute(now, settings["time_zone"])
    return calendar.in_quiet_hours(minute, settings["quiet_from"], settings["quiet_to"])


async def settings_of_users(conn: AsyncConnection, user_ids: list[str]) -> dict[str, Record]:
    """The settings of the users who changed any (the others have the defaults)."""
    if not user_ids:
        return {}
    rows = await conn.execute(
        select(*NOTIFICATION_SETTINGS.c).where(NOTIFICATION_SETTINGS.c.user_id.in_(user_ids))
    )
    return {row.user_id: settings_record(row) for row in rows}


def _levels(value: object, field: str, keys: tuple[str, ...] | None, current: Record) -> Record:
    """A partial map of levels merged into ``current``; a null level clears one."""
    if not isinstance(value, dict):
        raise Invalid(f"{field} must be an object of levels")
    merged = dict(current)
    for key, level in value.items():
        if keys is not None:
            validation.choice(key, f"{field} key", keys)
        else:
            validation.text(key, f"{field} key", 1, 32)
        if level is None or level == "all":
            merged.pop(key, None)
        else:
            merged[key] = validation.choice(level, f"{field}.{key}", LEVELS)
    if len(merged) > CIRCLES_MAX:
        raise Invalid(f"{field} may set at most {CIRCLES_MAX} levels")
    return merged


def checked(changes: object, current: Record) -> Record:
    """``current`` with ``changes`` applied, each checked (``Invalid`` naming the field)."""
    if not isinstance(changes, dict):
        raise Invalid("settings must be an object")
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise Invalid(f"unknown setting {sorted(unknown)[0]!r}")
    found = dict(current)
    if "circles" in changes:
        found["circles"] = _levels(changes["circles"], "circles", None, current["circles"])
    if "kinds" in changes:
        found["kinds"] = _levels(changes["kinds"], "kinds", KINDS, current["kinds"])
    for field in ("quiet_from", "quiet_to"):
        if field in changes:
            found[field] = calendar.optional_minute_text(changes[field], field)
    if "time_zone" in changes:
        found["time_zone"] = calendar.zone_name(changes["time_zone"])
    if "language" in changes:
        found["language"] = validation.choice(changes["language"], "language", LANGUAGES)
    if (found["quiet_from"] is None) != (found["quiet_to"] is None):
        raise Invalid("quiet hours need both quiet_from and quiet_to (or neither)")
    return found


class NotificationSettings(Service):
    async def settings_of(self, user_id: str) -> Record:
        """The member's settings (the defaults until they change one)."""
        async with self._db.read() as conn:
            found = await settings_of_users(conn, [user_id])
        return found.get(user_id) or defaults()

    async def update_settings(self, user_id: str, changes: object) -> Record:
        """Change some settings (``FIELDS``; ``circles`` and ``kinds`` merge into what
        is set: ``{"circle id": "mentions"}``, a null or ``all`` clears one); returns
        them all. ``Invalid`` for an unknown field, level, zone, time or language."""
        async with self._db.write() as conn:
            row = (
                await conn.execute(
                    select(*NOTIFICATION_SETTINGS.c)
                    .where(NOTIFICATION_SETTINGS.c.user_id == user_id)
                    .with_for_update()
                )
            ).first()
            found = checked(changes, settings_record(row))
            values = {
                "circles": orjson.dumps(found["circles"]).decode(),
                "kinds": orjson.dumps(found["kinds"]).decode(),
                "quiet_from": found["quiet_from"],
                "quiet_to": found["quiet_to"],
                "time_zone": found["time_zone"],
                "language": found["language"],
                "updated": now_ms(),
            }
            # Two first changes at once: one inserts, both update.
            await conn.execute(
                insert_ignore(conn.dialect.name, NOTIFICATION_SETTINGS).values(
                    user_id=user_id, **values
                )
            )
            await conn.execute(
                NOTIFICATION_SETTINGS.update()
                .where(NOTIFICATION_SETTINGS.c.user_id == user_id)
                .values(**values)
            )
        return found
