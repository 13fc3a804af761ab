"""Check-in challenges, second slice, with a clock the test controls: make-up
(window, quota per challenge and per month, granted by an admin with an
audited reason), leave days that neither break nor extend a streak, strict
mode refusing both, the review queue (pending does not count, approval
does), reminders once a day outside quiet hours and off for who turned them
off, and the export's days matching the boards."""

from __future__ import annotations

from typing import Any

import pytest

from store import Conflict, Forbidden, Invalid, Record, Store
from tests.store.test_checkins import make, ms, reason_of


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    for user in (bob, carol):
        await store.memberships.join(circle["id"], user["id"])
    return circle


async def test_makeup_window_quota_and_grant(
    store: Store,
    room: Record,
    alice: Record,
    bob: Record,
    carol: Record,
) -> None:
    off = await make(store, room, alice, type="continuous")
    await store.challenges.join(off["id"], bob["id"])
    refused = store.makeups.make_up(off["id"], bob["id"], "2026-12-01", now=ms("2026-12-02T08:00"))
    assert await reason_of(refused) == "makeup_not_allowed"
    with pytest.raises(Invalid):
        await make(store, room, alice, makeup_days=2)  # no quota
    with pytest.raises(Invalid):
        await make(store, room, alice, makeup_days=2, makeup_quota=1, strict=True)
    challenge = await make(
        store, room, alice, type="continuous", makeup_days=2, makeup_quota=1, required_days=3
    )
    assert (challenge["makeup_days"], challenge["makeup_quota"], challenge["strict"]) == (
        2,
        1,
        False,
    )
    cid = challenge["id"]
    await store.challenges.join(cid, bob["id"])
    await store.challenges.join(cid, carol["id"])
    await store.checkins.check_in(cid, bob["id"], "d1", now=ms("2026-12-01T08:00"))
    await store.checkins.check_in(cid, bob["id"], "d3", now=ms("2026-12-03T08:00"))
    at = ms("2026-12-04T08:00")
    assert await reason_of(store.makeups.make_up(cid, bob["id"], "2026-12-01", now=at)) == (
        "makeup_window"
    )
    assert await reason_of(store.makeups.make_up(cid, bob["id"], "2026-12-04", now=at)) == (
        "makeup_window"
    )
    assert await reason_of(store.makeups.make_up(cid, bob["id"], "2026-12-03", now=at)) == (
        "already_checked_in"
    )
    made, standing = await store.makeups.make_up(cid, bob["id"], "2026-12-02", "补", now=at)
    assert made["makeup"] is True and made["date"] == "2026-12-02" and made["state"] == "valid"
    assert (standing["streak"], standing["total"], standing["completed"]) == (3, 3, True)
    await store.checkins.check_in(cid, carol["id"], "c1", now=ms("2026-12-01T08:00"))
    await store.checkins.check_in(cid, carol["id"], "c4", now=ms("2026-12-04T08:00"))
    late = ms("2026-12-05T08:00")
    await store.makeups.make_up(cid, carol["id"], "2026-12-03", now=late)
    refusal = store.makeups.make_up(cid, carol["id"], "2026-12-04", now=late)
    assert await reason_of(refusal) == "already_checked_in"
    quota = store.makeups.make_up(cid, bob["id"], "2026-12-04", now=late)
    assert await reason_of(quota) == "makeup_quota"
    # An admin grants Carol's 2nd (outside the window, beyond the quota), audited.
    with pytest.raises(Forbidden):
        await store.makeups.grant(cid, bob["id"], carol["id"], "2026-12-02", "病假", now=late)
    with pytest.raises(Invalid):
        await store.makeups.grant(cid, alice["id"], carol["id"], "2026-12-02", "x" * 513, now=late)
    granted, standing = await store.makeups.grant(
        cid, alice["id"], carol["id"], "2026-12-02", "系统故障补卡", now=late
    )
    assert granted["granted_by"] == alice["id"] and granted["makeup"]
    assert (standing["streak"], standing["total"]) == (4, 4)
    acts = (await store.audit.page(room["id"], alice["id"]))[0]
    assert (acts[0]["action"], acts[0]["reason"]) == ("checkin.granted", "系统故障补卡")
    calendar = await store.checkins.calendar(cid, bob["id"], carol["id"])
    assert [(d["date"], d["makeup"]) for d in calendar["days"]] == [
        ("2026-12-01", False),
        ("2026-12-02", True),
        ("2026-12-03", True),
        ("2026-12-04", False),
    ]


async def test_monthly_quota(store: Store, room: Record, alice: Record, bob: Record) -> None:
    challenge = await make(
        store,
        room,
        alice,
        starts_on="2026-11-25",
        makeup_days=10,
        makeup_quota=1,
        makeup_per="month",
    )
    cid = challenge["id"]
    await store.challenges.join(cid, bob["id"])
    at = ms("2026-12-03T08:00")
    await store.makeups.make_up(cid, bob["id"], "2026-11-29", now=at)
    assert await reason_of(store.makeups.make_up(cid, bob["id"], "2026-11-30", now=at)) == (
        "makeup_quota"
    )
    made, _ = await store.makeups.make_up(cid, bob["id"], "2026-12-01", now=at)
    assert made["makeup"]


async def test_leave_days_and_strict(
    store: Store,
    room: Record,
    alice: Record,
    bob: Record,
) -> None:
    challenge = await make(store, room, alice, type="continuous", leave_days=1)
    cid = challenge["id"]
    await store.challenges.join(cid, bob["id"])
    await store.checkins.check_in(cid, bob["id"], "d1", now=ms("2026-12-01T08:00"))
    # Leave for the 2nd, taken on the 1st.
    leave, standing = await store.makeups.leave(
        cid, bob["id"], "2026-12-02", now=ms("2026-12-01T09:00")
    )
    assert leave["kind"] == "leave" and standing["streak"] == 1
    # On the 3rd the streak is alive through the leave day, on the board too.
    got = await store.challenges.get(cid, bob["id"], now=ms("2026-12-03T07:00"))
    assert got["me"]["streak"] == 1
    board, _, _ = await store.challenges.board(cid, bob["id"], "streak", now=ms("2026-12-03T07:00"))
    assert [e["streak"] for e in board] == [1]
    on_leave = store.checkins.check_in(cid, bob["id"], "x", now=ms("2026-12-02T08:00"))
    assert await reason_of(on_leave) == "on_leave"
    _, standing = await store.checkins.check_in(cid, bob["id"], "d3", now=ms("2026-12-03T08:00"))
    # Neither broken nor extended: 2 days checked in, a run of 2.
    assert (standing["streak"], standing["total"]) == (2, 2)
    used = store.makeups.leave(cid, bob["id"], "2026-12-05", now=ms("2026-12-03T09:00"))
    assert await reason_of(used) == "leave_quota"
    past = store.makeups.leave(cid, bob["id"], "2026-12-01", now=ms("2026-12-03T09:00"))
    assert await reason_of(past) == "leave_window"
    missing, _, count = await store.challenges.missing(cid, alice["id"], now=ms("2026-12-02T20:00"))
    assert count == 0 and missing == []
    strict = await make(store, room, alice, strict=True)
    await store.challenges.join(strict["id"], bob["id"])
    at = ms("2026-12-03T08:00")
    assert await reason_of(store.makeups.leave(strict["id"], bob["id"], now=at)) == "leave_strict"
    assert (
        await reason_of(store.makeups.make_up(strict["id"], bob["id"], "2026-12-02", now=at))
        == "makeup_strict"
    )
    assert (
        await reason_of(
            store.makeups.grant(strict["id"], alice["id"], bob["id"], "2026-12-02", "r", now=at)
        )
        == "makeup_strict"
    )
    plain = await make(store, room, alice)
    await store.challenges.join(plain["id"], bob["id"])
    assert await reason_of(store.makeups.leave(plain["id"], bob["id"], now=at)) == (
        "leave_not_allowed"
    )


async def test_review_queue(
    store: Store,
    room: Record,
    alice: Record,
    bob: Record,
    carol: Record,
) -> None:
    challenge = await make(store, room, alice, review=True, required_days=1)
    cid = challenge["id"]
    for user in (bob, carol):
        await store.challenges.join(cid, user["id"])
    at = ms("2026-12-01T08:00")
    b, standing = await store.checkins.check_in(cid, bob["id"], "读了", now=at)
    c, _ = await store.checkins.check_in(cid, carol["id"], "也读了", now=at + 1)
    assert b["state"] == "pending" and standing["total"] == 0 and not standing["completed"]
    board, _, _ = await store.challenges.board(cid, alice["id"], "total", now=at)
    assert board == []
    _, _, count = await store.challenges.missing(cid, alice["id"], now=at)
    assert count == 0
    with pytest.raises(Forbidden):
        await store.checkin_review.pending(cid, bob["id"])
    assert await reason_of(store.checkins.invalidate(b["id"], alice["id"], "x")) == "not_reviewed"
    queue, _ = await store.checkin_review.pending(cid, alice["id"])
    assert [q["id"] for q in queue] == [b["id"], c["id"]]
    approved, standing = await store.checkin_review.decide(b["id"], alice["id"], True, now=at + 5)
    assert approved["state"] == "valid" and approved["reviewed_by"] == alice["id"]
    assert (standing["total"], standing["completed"]) == (1, True)
    rejected, standing = await store.checkin_review.decide(c["id"], alice["id"], False, "无关")
    assert (rejected["state"], rejected["reason"], standing["total"]) == ("rejected", "无关", 0)
    with pytest.raises(Conflict):
        await store.checkin_review.decide(c["id"], alice["id"], True)
    board, _, _ = await store.challenges.board(cid, alice["id"], "total", now=at)
    assert [e["user"] for e in board] == [bob["id"]]
    kinds = [ch.kind for ch in await store.changes.since(room["id"], 0, 1000)]
    assert kinds.count("checkin.reviewed") == 2


async def test_reminders_once_a_day_outside_quiet_hours(
    store: Store,
    room: Record,
    alice: Record,
    bob: Record,
    carol: Record,
) -> None:
    # The evening's streak nudge off: this test is about the reminder alone.
    challenge = await make(store, room, alice, type="continuous", remind_at="20:00", nudge_at=None)
    assert challenge["remind_at"] == "20:00" and challenge["nudge_at"] is None
    cid = challenge["id"]
    for user in (alice, bob, carol):
        await store.challenges.join(cid, user["id"])
    await store.checkins.check_in(cid, bob["id"], "d1", now=ms("2026-12-01T08:00"))
    await store.checkins.check_in(cid, carol["id"], "d1", now=ms("2026-12-01T08:00"))
    standing = await store.checkin_reminders.set_reminders(cid, alice["id"], False)
    assert standing["reminders"] is False

    async def reminders() -> list[Any]:
        changes = await store.changes.since(room["id"], 0, 1000)
        return [c.data for c in changes if c.kind == "reminder"]

    assert await store.checkin_reminders.remind_due(now=ms("2026-12-02T19:59")) == 0
    await store.checkins.check_in(cid, carol["id"], "d2", now=ms("2026-12-02T12:00"))
    # Quiet hours from 20:00 to 21:00: nothing then.
    await store.circles.update(
        room["id"], alice["id"], {"quiet_from": "20:00", "quiet_to": "21:00"}
    )
    assert await store.checkin_reminders.remind_due(now=ms("2026-12-02T20:30")) == 0
    assert await store.checkin_reminders.remind_due(now=ms("2026-12-02T21:00")) == 1
    assert await store.checkin_reminders.remind_due(now=ms("2026-12-02T22:00")) == 0  # once a day
    sent = await reminders()
    assert [(r["user"], r["about"]["kind"], r["about"]["id"]) for r in sent] == [
        (bob["id"], "checkin", cid)
    ]
    # The next day again, for both who have not checked in.
    assert await store.checkin_reminders.remind_due(now=ms("2026-12-03T21:30")) == 2
    assert len(await reminders()) == 3
    # One who left the circle is reminded no more.
    await store.memberships.leave(room["id"], carol["id"])
    assert await store.checkin_reminders.remind_due(now=ms("2026-12-04T21:30")) == 1
    with pytest.raises(Invalid):
        await store.circles.update(room["id"], alice["id"], {"quiet_from": "25:00"})


async def test_streak_at_risk_nudge_in_the_evening_once(
    store: Store,
    room: Record,
    alice: Record,
    bob: Record,
    carol: Record,
) -> None:
    challenge = await make(store, room, alice, type="accumulated")
    assert challenge["nudge_at"] == "20:00" and challenge["remind_at"] is None  # the default
    with pytest.raises(Invalid):
        await make(store, room, alice, nudge_at="8pm")
    cid = challenge["id"]
    for user in (alice, bob, carol):
        await store.challenges.join(cid, user["id"])
    for user in (bob, carol):
        await store.checkins.check_in(cid, user["id"], "d1", now=ms("2026-12-01T08:00"))
    await store.checkins.check_in(cid, carol["id"], "d2", now=ms("2026-12-02T12:00"))

    async def nudges() -> list[tuple[str, int]]:
        changes = await store.changes.since(room["id"], 0, 1000)
        found = [c.data for c in changes if c.kind == "reminder"]
        assert all(r["about"]["kind"] == "streak" and r["about"]["id"] == cid for r in found)
        return [(r["user"], r["about"]["count"]) for r in found]

    due = store.checkin_reminders.remind_due
    # Day 2: Bob's one-day streak is at risk; Carol checked in; Alice has no streak.
    assert await due(now=ms("2026-12-02T19:59")) == 0
    assert await due(now=ms("2026-12-02T20:00")) == 1
    assert await due(now=ms("2026-12-02T23:00")) == 0  # once a day
    assert await nudges() == [(bob["id"], 1)]
    # Day 3: Bob's streak broke (nothing to keep); Carol's two days are at risk, but
    # the circle is quiet from 20:00 to 22:00.
    await store.circles.update(
        room["id"], alice["id"], {"quiet_from": "20:00", "quiet_to": "22:00"}
    )
    assert await due(now=ms("2026-12-03T21:59")) == 0
    assert await due(now=ms("2026-12-03T22:00")) == 1
    assert await nudges() == [(bob["id"], 1), (carol["id"], 2)]
    # Day 4: Carol checked in at last, Bob is back on a streak but turned reminders off.
    await store.checkins.check_in(cid, carol["id"], "d3", now=ms("2026-12-03T23:00"))
    await store.checkins.check_in(cid, bob["id"], "d3", now=ms("2026-12-03T23:00"))
    await store.checkin_reminders.set_reminders(cid, bob["id"], False)
    await store.checkins.check_in(cid, carol["id"], "d4", now=ms("2026-12-04T09:00"))
    assert await due(now=ms("2026-12-04T22:30")) == 0
    assert len(await nudges()) == 2


async def test_export_days_match_the_boards(
    store: Store,
    room: Record,
    alice: Record,
    bob: Record,
    carol: Record,
) -> None:
    challenge = await make(store, room, alice, makeup_days=3, makeup_quota=2, leave_days=1)
    cid = challenge["id"]
    for user in (bob, carol):
        await store.challenges.join(cid, user["id"])
    await store.checkins.check_in(cid, bob["id"], "1", now=ms("2026-12-01T08:00"))
    c1, _ = await store.checkins.check_in(cid, carol["id"], "1", now=ms("2026-12-01T08:00"))
    await store.makeups.leave(cid, carol["id"], "2026-12-02", now=ms("2026-12-01T09:00"))
    await store.makeups.make_up(cid, bob["id"], "2026-12-02", now=ms("2026-12-03T08:00"))
    await store.checkins.invalidate(c1["id"], alice["id"], "抄的")
    with pytest.raises(Forbidden):
        await store.checkin_export.days(cid, bob["id"])
    _, first, after = await store.checkin_export.days(cid, alice["id"], limit=2)
    _, rest, end = await store.checkin_export.days(cid, alice["id"], after=after)
    days = first + rest
    assert end is None and len(days) == 4
    invalid = next(d for d in days if d["state"] == "invalidated")
    assert invalid["invalidated_by"] == alice["id"] and invalid["reason"] == "抄的"
    board, _, _ = await store.challenges.board(
        cid, alice["id"], "total", now=ms("2026-12-03T09:00")
    )
    totals = {e["user"]: e["total"] for e in board}
    counted: dict[str, int] = {}
    for d in days:
        if d["kind"] == "checkin" and d["state"] == "valid":
            counted[d["user"]] = counted.get(d["user"], 0) + 1
    assert counted == totals == {bob["id"]: 2}
