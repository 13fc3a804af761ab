"""Days as a circle counts them: pure functions, no I/O (COMMUNITY-OPS.md rules 1–3).

A check-in day is a calendar date in the circle's time zone (``local_date``),
kept beside the UTC timestamp, so changing the zone never rewrites a past day.
A circle may let its day close later than midnight (``closes_after_min``: 720
keeps a day open until noon of the next), for members spread over zones.

A challenge's ``Schedule`` says which dates are check-in days (every day, some
weekdays, or listed dates) between its first and last day, and optionally a
time slot within the day (05:00–09:00 for morning reading). ``Standing`` is a
member's count, computed from the dates they checked in on: days off the
schedule neither count nor break a streak; today, while it is still open,
does not break one either.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .errors import Invalid

DEFAULT_ZONE = "Asia/Shanghai"
CLOSES_AFTER_MAX_MIN = 12 * 60
EVERY = ("day", "weekdays", "dates")
DATES_MAX = 366
# The longest a schedule is walked back when counting a streak (an open-ended
# challenge of ten years has at most this many scheduled days).
WALK_MAX_DAYS = 3660


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``Invalid`` naming ``time_zone`` if unknown)."""
    if not isinstance(name, str) or name not in _zone_names():
        raise Invalid("time_zone must be an IANA time zone such as Asia/Shanghai")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:  # pragma: no cover - listed but broken
        raise Invalid("time_zone must be an IANA time zone such as Asia/Shanghai") from error


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_name(value: object) -> str:
    """A valid zone name (the input check of a circle's ``time_zone``)."""
    if not isinstance(value, str):
        raise Invalid("time_zone must be an IANA time zone such as Asia/Shanghai")
    zone(value)
    return value


def local_date(ts_ms: int, zone_name: str, closes_after_min: int = 0) -> date:
    """The circle's day that the instant ``ts_ms`` belongs to."""
    moment = datetime.fromtimestamp(ts_ms / 1000, tz=UTC).astimezone(zone(zone_name))
    return (moment - timedelta(minutes=closes_after_min)).date()


def local_minute(ts_ms: int, zone_name: str, closes_after_min: int = 0) -> int:
    """Minutes since the start of the circle's day ``local_date`` gives (past
    1440 while a late-closing day is still open)."""
    moment = datetime.fromtimestamp(ts_ms / 1000, tz=UTC).astimezone(zone(zone_name))
    day = local_date(ts_ms, zone_name, closes_after_min)
    start = datetime.combine(day, time(), tzinfo=moment.tzinfo)
    return int((moment - start).total_seconds() // 60)


def parse_date(value: object, field: str) -> date:
    """``YYYY-MM-DD`` → a date (``Invalid`` naming the field)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid(f"{field} must be a date written YYYY-MM-DD")


def parse_minute(value: object, field: str) -> int:
    """``HH:MM`` → minutes after midnight (24:00 allowed, the end of a day)."""
    if isinstance(value, str) and len(value) == 5 and value[2] == ":":
        hours, minutes = value[:2], value[3:]
        if hours.isdigit() and minutes.isdigit():
            total = int(hours) * 60 + int(minutes)
            if int(minutes) < 60 and total <= 24 * 60:
                return total
    raise Invalid(f"{field} must be a time of day written HH:MM")


def minute_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def optional_minute_text(value: object, field: str) -> str | None:
    """A time of day ``HH:MM`` as written (None or "": none)."""
    if value is None or value == "":
        return None
    return minute_text(parse_minute(value, field) % (24 * 60))


def in_quiet_hours(minute: int, quiet_from: str | None, quiet_to: str | None) -> bool:
    """Whether the minute of the day is within quiet hours (they may span midnight)."""
    if quiet_from is None or quiet_to is None:
        return False
    start, end, now = (
        parse_minute(quiet_from, "quiet_from"),
        parse_minute(quiet_to, "quiet_to"),
        minute % 1440,
    )
    if start == end:
        return False
    return start <= now < end if start < end else now >= start or now < end


def local_time_text(ts_ms: int, zone_name: str) -> str:
    """The instant as the circle's wall clock, ``YYYY-MM-DDTHH:MM``."""
    moment = datetime.fromtimestamp(ts_ms / 1000, tz=UTC).astimezone(zone(zone_name))
    return moment.strftime("%Y-%m-%dT%H:%M")


# The last instant a circle's clock can show in four digits (9999-01-01 UTC: a
# zone ahead of UTC still reads a year 9998 or 9999 wall clock).
LOCAL_TIME_MAX = 253_370_764_800_000


def parse_local_time(value: object, field: str, zone_name: str) -> int:
    """An instant (ms) from the circle's wall clock ``YYYY-MM-DDTHH:MM[:SS]`` (a time
    skipped or repeated by a clock change takes its first reading), or from ms
    since the epoch as they are (up to ``LOCAL_TIME_MAX``); ``Invalid`` naming the field."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < LOCAL_TIME_MAX:
        return value
    if isinstance(value, str) and 16 <= len(value) <= 19 and value[10] == "T":
        try:
            wall = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if wall.tzinfo is None:
                return int(wall.replace(tzinfo=zone(zone_name)).timestamp() * 1000)
    raise Invalid(f"{field} must be a time written YYYY-MM-DDTHH:MM (the circle's clock) or ms")


@dataclass(frozen=True)
class Schedule:
    """Which dates are check-in days, and the slot of each day (minutes)."""

    every: str = "day"
    weekdays: frozenset[int] = frozenset()  # 0 = Monday … 6 = Sunday
    dates: frozenset[date] = frozenset()
    slot_from: int = 0
    slot_to: int = 24 * 60

    @classmethod
    def parse(cls, value: object) -> Schedule:
        """From a challenge's ``schedule`` object: ``{"every": "day"}``,
        ``{"every": "weekdays", "weekdays": [0, 2, 4]}``, ``{"every": "dates",
        "dates": ["2026-12-01", …]}``, each with an optional ``"slot": {"from":
        "05:00", "to": "09:00"}``. ``Invalid`` naming the field."""
        if value is None:
            return cls()
        if not isinstance(value, dict):
            raise Invalid("schedule must be an object")
        unknown = set(value) - {"every", "weekdays", "dates", "slot"}
        if unknown:
            raise Invalid(f"schedule cannot have {', '.join(sorted(map(str, unknown)))}")
        every = value.get("every", "day")
        if every not in EVERY:
            raise Invalid(f"schedule.every must be one of {', '.join(EVERY)}")
        weekdays: frozenset[int] = frozenset()
        dates: frozenset[date] = frozenset()
        if every == "weekdays":
            days = value.get("weekdays")
            if (
                not isinstance(days, list)
                or not days
                or not all(isinstance(d, int) and not isinstance(d, bool) for d in days)
                or not all(0 <= d <= 6 for d in days)
            ):
                raise Invalid("schedule.weekdays must list days 0 (Monday) to 6 (Sunday)")
            weekdays = frozenset(days)
        if every == "dates":
            listed = value.get("dates")
            if not isinstance(listed, list) or not 0 < len(listed) <= DATES_MAX:
                raise Invalid(f"schedule.dates must list 1 to {DATES_MAX} dates")
            dates = frozenset(parse_date(d, "schedule.dates") for d in listed)
        slot_from, slot_to = 0, 24 * 60
        slot = value.get("slot")
        if slot is not None:
            if not isinstance(slot, dict):
                raise Invalid("schedule.slot must be an object {from, to}")
            slot_from = parse_minute(slot.get("from"), "schedule.slot.from")
            slot_to = parse_minute(slot.get("to"), "schedule.slot.to")
            if slot_from >= slot_to:
                raise Invalid("schedule.slot.from must come before schedule.slot.to")
        return cls(every, weekdays, dates, slot_from, slot_to)

    def public(self) -> dict[str, Any]:
        """The object clients see (and ``parse`` reads back)."""
        shown: dict[str, Any] = {"every": self.every}
        if self.every == "weekdays":
            shown["weekdays"] = sorted(self.weekdays)
        if self.every == "dates":
            shown["dates"] = [d.isoformat() for d in sorted(self.dates)]
        if (self.slot_from, self.slot_to) != (0, 24 * 60):
            shown["slot"] = {"from": minute_text(self.slot_from), "to": minute_text(self.slot_to)}
        return shown

    def without(self, days: Collection[date]) -> Schedule:
        """The same schedule with ``days`` off it (a member's leave days)."""
        return _Without(
            self.every, self.weekdays, self.dates, self.slot_from, self.slot_to, frozenset(days)
        )

    def scheduled(self, day: date) -> bool:
        if self.every == "weekdays":
            return day.weekday() in self.weekdays
        if self.every == "dates":
            return day in self.dates
        return True

    def previous(self, day: date, first: date) -> date | None:
        """The last scheduled day before ``day`` (not before ``first``)."""
        return next(iter(self.days(first, day - timedelta(days=1))), None)

    def days(self, first: date, last: date) -> Iterable[date]:
        """The scheduled days from ``first`` to ``last``, newest first."""
        day = last
        walked = 0
        while day >= first and walked < WALK_MAX_DAYS:
            if self.scheduled(day):
                yield day
            day -= timedelta(days=1)
            walked += 1


@dataclass(frozen=True)
class _Without(Schedule):
    """A schedule with some days taken off (leave days)."""

    off: frozenset[date] = frozenset()

    def scheduled(self, day: date) -> bool:
        return day not in self.off and Schedule.scheduled(self, day)


def covered_until(last: date, schedule: Schedule, leave: Collection[date], until: date) -> date:
    """The last day a streak ending on ``last`` reaches through the leave days that
    follow it (leave neither breaks nor extends a streak: a board counts the run
    alive through them). Walks forward at most to ``until``."""
    day, reached = last + timedelta(days=1), last
    while day <= until:
        if schedule.scheduled(day):
            if day not in leave:
                break
            reached = day
        day += timedelta(days=1)
    return reached


@dataclass(frozen=True)
class Standing:
    """A member's count in a challenge as of a day."""

    streak: int  # the current run of scheduled days checked in (alive today)
    best: int  # the longest run so far
    total: int  # valid days in all
    streak_from: date | None  # the first day of the current run
    last: date | None  # the last day checked in


def standing(
    checked: Collection[date],
    schedule: Schedule,
    first: date,
    last: date | None,
    today: date,
    leave: Collection[date] = (),
) -> Standing:
    """Count ``checked`` (the days a member checked in, valid ones) against the
    schedule from the challenge's ``first`` day to ``today`` (or its ``last``).
    Today, while scheduled and not yet checked in, neither counts nor breaks the
    current streak. ``leave`` days (请假) are as if off the schedule: they
    neither count nor break nor extend a streak."""
    if leave:
        schedule = schedule.without(leave)
    until = today if last is None else min(today, last)
    valid = {d for d in checked if first <= d <= until and schedule.scheduled(d)}
    if not valid:
        return Standing(0, 0, 0, None, None)
    runs: list[tuple[date, int]] = []  # (first day, length), newest run first
    run_from: date | None = None
    length = 0
    open_today = until == today and today not in valid
    for day in schedule.days(first, until):
        if day in valid:
            run_from = day
            length += 1
            continue
        if open_today and day == today:
            continue
        if length:
            assert run_from is not None
            runs.append((run_from, length))
        run_from, length = None, 0
    if length:
        assert run_from is not None
        runs.append((run_from, length))
    newest = max(valid)
    current = runs[0] if runs and _alive(runs[0], newest, valid, schedule, until, today) else None
    return Standing(
        streak=current[1] if current else 0,
        best=max(n for _, n in runs),
        total=len(valid),
        streak_from=current[0] if current else None,
        last=newest,
    )


def _alive(
    run: tuple[date, int],
    newest: date,
    valid: Collection[date],
    schedule: Schedule,
    until: date,
    today: date,
) -> bool:
    """Whether the newest run reaches the latest scheduled day that counts: today
    if checked in, else the scheduled day before it (today is still open)."""
    for day in schedule.days(run[0], until):
        if day == today and today not in valid:
            continue
        return day == newest
    return False


__all__ = [
    "CLOSES_AFTER_MAX_MIN",
    "DEFAULT_ZONE",
    "Schedule",
    "Standing",
    "covered_until",
    "in_quiet_hours",
    "local_date",
    "local_minute",
    "minute_text",
    "optional_minute_text",
    "parse_date",
    "parse_minute",
    "standing",
    "zone",
    "zone_name",
]
