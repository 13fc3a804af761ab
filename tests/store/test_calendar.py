"""store/calendar.py: the circle's day of an instant, schedules and a member's
standing (COMMUNITY-OPS.md rules 1–3) — pure, with the clock in the test's hands."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from store import Invalid
from store.calendar import Schedule, local_date, local_minute, standing, zone_name


def ms(text: str, tz: str = "+08:00") -> int:
    return int(datetime.fromisoformat(text + tz).timestamp() * 1000)


def test_a_day_is_a_date_in_the_circle_zone() -> None:
    # 23:59:59 and 00:00:01 Shanghai time are two days.
    assert local_date(ms("2026-12-01T23:59:59"), "Asia/Shanghai") == date(2026, 12, 1)
    assert local_date(ms("2026-12-02T00:00:01"), "Asia/Shanghai") == date(2026, 12, 2)
    # A member in Berlin at 17:30 on the 1st is already on the 2nd in Shanghai.
    berlin = int(datetime(2026, 12, 1, 17, 30, tzinfo=UTC).timestamp() * 1000)
    assert local_date(berlin, "Asia/Shanghai") == date(2026, 12, 2)
    assert local_date(berlin, "Europe/Berlin") == date(2026, 12, 1)
    # A day that closes at noon the next day.
    assert local_date(ms("2026-12-02T11:59:00"), "Asia/Shanghai", 720) == date(2026, 12, 1)
    assert local_date(ms("2026-12-02T12:00:00"), "Asia/Shanghai", 720) == date(2026, 12, 2)
    assert local_minute(ms("2026-12-02T11:59:00"), "Asia/Shanghai", 720) == 24 * 60 + 11 * 60 + 59
    assert local_minute(ms("2026-12-02T06:30:00"), "Asia/Shanghai") == 390


def test_zone_names_are_checked() -> None:
    assert zone_name("America/New_York") == "America/New_York"
    for bad in ("Mars/Olympus", "", 8, None, "../etc/passwd"):
        with pytest.raises(Invalid):
            zone_name(bad)


def test_schedules_parse_and_show_back() -> None:
    assert Schedule.parse(None) == Schedule()
    weekly = Schedule.parse(
        {"every": "weekdays", "weekdays": [0, 2, 4], "slot": {"from": "05:00", "to": "09:00"}}
    )
    assert weekly.public() == {
        "every": "weekdays",
        "weekdays": [0, 2, 4],
        "slot": {"from": "05:00", "to": "09:00"},
    }
    assert Schedule.parse(weekly.public()) == weekly
    assert weekly.scheduled(date(2026, 11, 30)) and not weekly.scheduled(date(2026, 12, 1))
    listed = Schedule.parse({"every": "dates", "dates": ["2026-12-03", "2026-12-01"]})
    assert listed.public()["dates"] == ["2026-12-01", "2026-12-03"]
    for bad in (
        "daily",
        {"every": "hour"},
        {"every": "weekdays"},
        {"every": "weekdays", "weekdays": [7]},
        {"every": "weekdays", "weekdays": [True]},
        {"every": "dates", "dates": []},
        {"every": "dates", "dates": ["2026-13-01"]},
        {"slot": {"from": "09:00", "to": "05:00"}},
        {"slot": {"from": "9:00", "to": "10:00"}},
        {"slot": {"from": "09:60", "to": "10:00"}},
        {"every": "day", "extra": 1},
    ):
        with pytest.raises(Invalid):
            Schedule.parse(bad)


DAY1 = date(2026, 11, 30)  # a Monday


def days(*offsets: int) -> set[date]:
    return {DAY1 + timedelta(days=n) for n in offsets}


def test_streak_total_and_best_every_day() -> None:
    every = Schedule()
    today = DAY1 + timedelta(days=6)
    # Checked in on days 0,1,2, missed 3, then 4,5: today (6) is still open.
    got = standing(days(0, 1, 2, 4, 5), every, DAY1, None, today)
    assert (got.streak, got.best, got.total) == (2, 3, 5)
    assert got.streak_from == DAY1 + timedelta(days=4) and got.last == DAY1 + timedelta(days=5)
    # Checking in today extends it.
    assert standing(days(0, 1, 2, 4, 5, 6), every, DAY1, None, today).streak == 3
    # A missed yesterday breaks it, even before today closes.
    got = standing(days(0, 1, 2, 4), every, DAY1, None, today)
    assert (got.streak, got.best, got.total) == (0, 3, 4)
    assert standing(set(), every, DAY1, None, today) == standing(days(), every, DAY1, None, today)
    assert standing(set(), every, DAY1, None, today).streak == 0


def test_days_off_the_schedule_neither_count_nor_break() -> None:
    mon_wed_fri = Schedule.parse({"every": "weekdays", "weekdays": [0, 2, 4]})
    # Mon, Wed, Fri checked; Tuesday's check-in does not count; the weekend is off.
    checked = days(0, 1, 2, 4)
    monday_next = DAY1 + timedelta(days=7)
    got = standing(checked, mon_wed_fri, DAY1, None, monday_next)
    assert (got.streak, got.total) == (3, 3)  # alive: next Monday is still open
    # A missed Wednesday breaks it.
    got = standing(days(0, 4), mon_wed_fri, DAY1, None, monday_next)
    assert (got.streak, got.best, got.total) == (1, 1, 2)


def test_a_challenge_ends_and_days_outside_it_do_not_count() -> None:
    last = DAY1 + timedelta(days=2)
    got = standing(days(-1, 0, 1, 2, 3), Schedule(), DAY1, last, DAY1 + timedelta(days=10))
    assert (got.streak, got.total) == (3, 3)  # the run that reached the last day stays


def test_a_local_time_reads_back_or_is_refused() -> None:
    """Every instant parse_local_time takes can be shown on the circle's clock: ms up
    to the year 9999 (a later one is refused, not a server error when shown)."""
    from store.calendar import LOCAL_TIME_MAX, local_time_text, parse_local_time

    assert parse_local_time("2027-03-01T20:00", "at", "Asia/Shanghai") == 1_803_902_400_000
    last = parse_local_time(LOCAL_TIME_MAX - 1, "at", "Pacific/Kiritimati")
    assert local_time_text(last, "Pacific/Kiritimati").startswith("9999-01-01T")
    for bad in (LOCAL_TIME_MAX, 2**50, 0, -1, True, "2027-03-01", "2027-03-01T20:00+08:00"):
        with pytest.raises(Invalid):
            parse_local_time(bad, "at", "Asia/Shanghai")
