"""Check-in challenges (store/challenges.py, store/checkins.py) with a clock the
test controls: one counted check-in per scheduled day of the circle's zone,
the refusals each with its reason, content rules, duplicate media, editing
until the slot closes, invalidation out of every count (audited), the two
boards with their tie-breaks, completion and today's missing list."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest

from store import Conflict, Forbidden, Invalid, NotFound, Record, Store


def ms(text: str) -> int:
    """Shanghai wall-clock time → ms."""
    return int(datetime.fromisoformat(text + "+08:00").timestamp() * 1000)


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    for user in (bob, carol):
        await store.memberships.join(circle["id"], user["id"])
    return circle


async def make(store: Store, circle: Record, owner: Record, **fields: Any) -> Record:
    values = {"title": "每日阅读一小时", "starts_on": "2026-12-01", "ends_on": "2026-12-21"}
    return await store.challenges.create(circle["id"], owner["id"], values | fields)


async def photo(store: Store, circle: Record, user: Record, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    found, _ = await store.attachments.add(
        circle["id"],
        user["id"],
        sha256=digest,
        kind="image",
        mime="image/jpeg",
        name="p.jpg",
        size=len(data),
        blob_key=f"circles/{circle['id']}/{digest}",
    )
    return str(found["id"])


async def reason_of(call: Awaitable[Any]) -> str | None:
    try:
        await call
    except (Forbidden, Conflict, Invalid) as refused:
        return refused.reason
    raise AssertionError("not refused")


async def test_create_validate_and_rights(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    challenge = await make(store, room, alice, type="continuous", required_days=21)
    assert challenge["title"] == "每日阅读一小时" and challenge["participants"] == 0
    assert challenge["schedule"] == {"every": "day"} and challenge["me"] is None
    with pytest.raises(Forbidden):
        await make(store, room, bob)
    for bad in (
        {"title": ""},
        {"type": "daily"},
        {"required_days": 22},  # more than the 21 scheduled days
        {"ends_on": "2026-11-30"},
        {"starts_on": "2026-02-30"},
        {"media_kinds": ["pdf"]},
        {"min_text": -1},
        {"schedule": {"every": "weekdays", "weekdays": []}},
        {"deposit": 100},
    ):
        with pytest.raises(Invalid):
            await make(store, room, alice, **bad)
    page, cursor = await store.challenges.page(room["id"], bob["id"])
    assert [c["id"] for c in page] == [challenge["id"]] and cursor is None


async def test_one_check_in_per_day_of_the_circle_zone(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    challenge = await make(store, room, alice, type="continuous", required_days=3)
    cid = challenge["id"]
    late = ms("2026-12-01T23:59:59")
    assert (
        await reason_of(store.checkins.check_in(cid, bob["id"], "读完了", now=late)) == "not_joined"
    )
    await store.challenges.join(cid, bob["id"])
    assert (await store.challenges.join(cid, bob["id"]))["total"] == 0  # idempotent
    checkin, standing = await store.checkins.check_in(cid, bob["id"], "第一天", now=late)
    assert checkin["date"] == "2026-12-01" and (standing["streak"], standing["total"]) == (1, 1)
    again = store.checkins.check_in(cid, bob["id"], "again", now=ms("2026-12-01T23:59:59"))
    assert await reason_of(again) == "already_checked_in"
    # One second later it is the 2nd in Shanghai.
    checkin, standing = await store.checkins.check_in(
        cid, bob["id"], "第二天", now=ms("2026-12-02T00:00:01")
    )
    assert checkin["date"] == "2026-12-02" and standing["streak"] == 2
    _, standing = await store.checkins.check_in(
        cid, bob["id"], "第三天", now=ms("2026-12-03T08:00")
    )
    assert standing["completed"] and standing["best"] == 3
    # Before and after the challenge.
    early = store.checkins.check_in(cid, bob["id"], "x", now=ms("2026-11-30T12:00"))
    assert await reason_of(early) == "challenge_not_started"
    after = store.checkins.check_in(cid, bob["id"], "x", now=ms("2026-12-22T12:00"))
    assert await reason_of(after) == "challenge_over"
    # Not a member any more: refused like any speech.
    with pytest.raises(NotFound):
        await store.checkins.check_in("nope", bob["id"], "x")
    got = await store.challenges.get(cid, bob["id"], now=ms("2026-12-03T09:00"))
    assert got["me"]["streak"] == 3 and got["checked_in_today"] and got["status"] == "ongoing"
    # Two days later, without a check-in, the streak is broken.
    got = await store.challenges.get(cid, bob["id"], now=ms("2026-12-05T09:00"))
    assert got["me"]["streak"] == 0 and got["me"]["total"] == 3 and got["me"]["completed"]


async def test_schedule_slot_and_content_rules(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    challenge = await make(
        store,
        room,
        alice,
        schedule={
            "every": "weekdays",
            "weekdays": [0, 1, 2, 3, 4],
            "slot": {"from": "05:00", "to": "09:00"},
        },
        min_text=5,
        media_kinds=["image"],
    )
    cid = challenge["id"]
    for user in (bob, carol):
        await store.challenges.join(cid, user["id"])
    pic = await photo(store, room, bob, b"bob's page")
    saturday = ms("2026-12-05T07:00")
    assert (
        await reason_of(
            store.checkins.check_in(cid, bob["id"], "今天读了十页", [pic], now=saturday)
        )
        == "not_scheduled"
    )
    monday = "2026-12-07T"
    assert (
        await reason_of(
            store.checkins.check_in(cid, bob["id"], "今天读了十页", [pic], now=ms(monday + "04:59"))
        )
        == "window_not_open"
    )
    assert (
        await reason_of(
            store.checkins.check_in(cid, bob["id"], "今天读了十页", [pic], now=ms(monday + "09:00"))
        )
        == "window_closed"
    )
    assert (
        await reason_of(
            store.checkins.check_in(cid, bob["id"], "短", [pic], now=ms(monday + "06:00"))
        )
        == "text_too_short"
    )
    assert (
        await reason_of(
            store.checkins.check_in(cid, bob["id"], "今天读了十页", [], now=ms(monday + "06:00"))
        )
        == "media_required"
    )
    checkin, _ = await store.checkins.check_in(
        cid, bob["id"], "今天读了十页", [pic], now=ms(monday + "06:00")
    )
    assert [a["id"] for a in checkin["attachments"]] == [pic]
    # Carol's copy of Bob's photo is the same attachment: refused.
    copied = await photo(store, room, carol, b"bob's page")
    assert copied == pic
    dup = store.checkins.check_in(
        cid, carol["id"], "我也读了十页", [copied], now=ms(monday + "06:30")
    )
    assert await reason_of(dup) == "duplicate_media"
    # Editing until the slot closes.
    edited = await store.checkins.edit(
        checkin["id"], bob["id"], "今天读了二十页", [pic], now=ms(monday + "08:59")
    )
    assert edited["text"] == "今天读了二十页" and edited["edited"] is not None
    closed = store.checkins.edit(
        checkin["id"], bob["id"], "改不了了", [pic], now=ms(monday + "09:01")
    )
    assert await reason_of(closed) == "window_closed"
    with pytest.raises(Forbidden):
        await store.checkins.edit(
            checkin["id"], carol["id"], "不是我的", [pic], now=ms(monday + "08:00")
        )


async def test_invalidation_boards_and_missing(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    challenge = await make(store, room, alice, type="accumulated", required_days=2)
    cid = challenge["id"]
    for user in (alice, bob, carol):
        await store.challenges.join(cid, user["id"])
    day1, day2 = "2026-12-01T", "2026-12-02T"
    # Bob reaches 2 first; Carol reaches 2 later: Bob ranks first on both boards.
    await store.checkins.check_in(cid, bob["id"], "b1", now=ms(day1 + "07:00"))
    await store.checkins.check_in(cid, carol["id"], "c1", now=ms(day1 + "08:00"))
    await store.checkins.check_in(cid, bob["id"], "b2", now=ms(day2 + "07:00"))
    c2, _ = await store.checkins.check_in(cid, carol["id"], "c2", now=ms(day2 + "08:00"))
    now = ms(day2 + "20:00")
    for by in ("streak", "total"):
        entries, cursor, me = await store.challenges.board(cid, carol["id"], by, now=now)
        assert [(e["rank"], e["user"]) for e in entries] == [(1, bob["id"]), (2, carol["id"])]
        assert cursor is None and me is not None and me["rank"] == 2
    first, cursor, _ = await store.challenges.board(cid, alice["id"], "total", limit=1, now=now)
    assert [e["user"] for e in first] == [bob["id"]] and cursor is not None
    second, cursor, me = await store.challenges.board(
        cid, alice["id"], "total", cursor=cursor, now=now
    )
    assert [(e["rank"], e["user"]) for e in second] == [(2, carol["id"])] and cursor is None
    assert me is None  # Alice has not checked in: not on the board
    missing, _, count = await store.challenges.missing(cid, alice["id"], now=now)
    assert count == 1 and [m["user"] for m in missing] == [alice["id"]]
    with pytest.raises(Forbidden):
        await store.challenges.missing(cid, bob["id"], now=now)
    done, _ = await store.challenges.completed(cid, alice["id"])
    assert [d["user"] for d in done] == [bob["id"], carol["id"]]
    # Invalidating Carol's second day: out of every count, in the audit log.
    with pytest.raises(Forbidden):
        await store.checkins.invalidate(c2["id"], bob["id"], "抄的")
    with pytest.raises(Invalid):
        await store.checkins.invalidate(c2["id"], alice["id"], "")
    checkin, standing = await store.checkins.invalidate(c2["id"], alice["id"], "内容与读书无关")
    assert checkin["state"] == "invalidated" and checkin["text"] == ""
    assert (standing["total"], standing["completed"]) == (1, False)
    with pytest.raises(Conflict):
        await store.checkins.invalidate(c2["id"], alice["id"], "again")
    done, _ = await store.challenges.completed(cid, alice["id"])
    assert [d["user"] for d in done] == [bob["id"]]
    acts = (await store.audit.page(room["id"], alice["id"]))[0]
    assert (acts[0]["action"], acts[0]["reason"]) == ("checkin.invalidated", "内容与读书无关")
    calendar = await store.checkins.calendar(cid, bob["id"], carol["id"])
    assert [(d["date"], d["state"]) for d in calendar["days"]] == [
        ("2026-12-01", "valid"),
        ("2026-12-02", "invalidated"),
    ]
    kinds = [c.kind for c in await store.changes.since(room["id"], 0, 1000)]
    assert kinds.count("checkin.added") == 4 and "checkin.invalidated" in kinds


async def test_many_members_checking_in_at_once_each_count_once(
    store: Store,
    room: Record,
    alice: Record,
    add_members: Callable[..., Awaitable[list[Record]]],
) -> None:
    challenge = await make(store, room, alice)
    cid = challenge["id"]
    people = await add_members(room["id"], 40)
    for user in people:
        await store.challenges.join(cid, user["id"])
    at = ms("2026-12-01T07:00")

    async def twice(user: Record) -> list[Any]:
        calls = [store.checkins.check_in(cid, user["id"], "到", now=at) for _ in range(2)]
        return await asyncio.gather(*calls, return_exceptions=True)

    results = await asyncio.gather(*(twice(u) for u in people))
    for pair in results:
        assert sum(isinstance(r, tuple) for r in pair) == 1
        assert [r.reason for r in pair if isinstance(r, Exception)] == ["already_checked_in"]
    entries, _, _ = await store.challenges.board(cid, alice["id"], "total", limit=100, now=at)
    assert len(entries) == 40 and [e["rank"] for e in entries] == list(range(1, 41))
    assert {e["total"] for e in entries} == {1}
