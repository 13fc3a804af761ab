"""Events (store/gatherings.py) on both databases: times on the circle's clock,
answers and their counts, the waiting list in answer order and the seat that
goes to its first, the refusals with their reasons, cancelling, the reminder
sent once to those going or maybe, and every change in the circle's log."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest

from store import Conflict, Forbidden, Invalid, NotFound, Record, Store, now_ms

HOUR = 3600 * 1000


def shanghai(text: str) -> int:
    return int(datetime.fromisoformat(text + "+08:00").timestamp() * 1000)


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    for user in (bob, carol):
        await store.memberships.join(circle["id"], user["id"])
    return circle


async def make(store: Store, circle: Record, owner: Record, **fields: Any) -> Record:
    values = {"title": "十二月生日会", "starts_at": now_ms() + 48 * HOUR, "place": "三楼活动室"}
    return await store.gatherings.create(circle["id"], owner["id"], values | fields)


async def reason_of(call: Awaitable[Any]) -> str | None:
    try:
        await call
    except (Forbidden, Conflict, Invalid) as refused:
        return refused.reason or refused.message
    raise AssertionError("not refused")


async def kinds(store: Store, circle: Record, viewer: Record) -> list[str]:
    page = await store.changes.after(circle["id"], viewer["id"], 0, 500)
    return [c.kind for c in page.changes]


async def test_times_are_on_the_circles_clock_and_fields_are_checked(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    party = await make(store, room, alice, starts_at="2027-01-15T19:30", ends_at="2027-01-15T22:00")
    assert party["starts_at"] == shanghai("2027-01-15T19:30")
    assert party["starts_local"] == "2027-01-15T19:30" and party["time_zone"] == "Asia/Shanghai"
    assert party["ends_local"] == "2027-01-15T22:00" and party["status"] == "upcoming"
    assert party["remind_before_min"] == 60 and party["me"] is None
    with pytest.raises(Forbidden):
        await make(store, room, bob)
    for bad in (
        {"title": ""},
        {"starts_at": "tomorrow"},
        {"starts_at": "2027-01-15T19:30", "ends_at": "2027-01-15T18:00"},
        {"capacity": 0},
        {"link": "javascript:alert(1)"},
        {"colour": "red"},
        {"remind_before_min": 0},
    ):
        with pytest.raises(Invalid):
            await make(store, room, alice, **bad)
    with pytest.raises(Invalid, match="starts_at"):
        await store.gatherings.create(room["id"], alice["id"], {"title": "无时间"})
    with pytest.raises(NotFound):
        await store.gatherings.get("nope", bob["id"])


async def test_answers_fill_seats_then_the_waiting_list_in_order(
    store: Store,
    room: Record,
    alice: Record,
    bob: Record,
    carol: Record,
    new_user: Callable[..., Awaitable[Record]],
) -> None:
    dan = await new_user("dan", "小丹")
    await store.memberships.join(room["id"], dan["id"])
    party = await make(store, room, alice, capacity=2)
    gid = party["id"]
    _, mine = await store.gatherings.answer(gid, bob["id"], "going")
    assert mine["answer"] == "going" and not mine["waiting"]
    await store.gatherings.answer(gid, carol["id"], "going")
    found, mine = await store.gatherings.answer(gid, dan["id"], "going")
    assert mine["waiting"] and (found["going"], found["waiting"]) == (2, 1)
    found, _ = await store.gatherings.answer(gid, alice["id"], "maybe")
    assert (found["going"], found["maybe"], found["waiting"]) == (2, 1, 1)
    # The same answer again changes nothing and logs nothing.
    before = await kinds(store, room, alice)
    await store.gatherings.answer(gid, bob["id"], "going")
    assert await kinds(store, room, alice) == before
    # Bob gives up his seat: Dan, first to wait, gets it.
    found, _ = await store.gatherings.answer(gid, bob["id"], "not_going")
    assert (found["going"], found["not_going"], found["waiting"]) == (2, 1, 0)
    dans = await store.gatherings.get(gid, dan["id"])
    assert dans["me"]["answer"] == "going" and not dans["me"]["waiting"]
    page = await store.changes.after(room["id"], alice["id"], 0, 500)
    last = [c for c in page.changes if c.kind == "rsvp.changed"][-1]
    assert last.data["user"] == bob["id"] and last.data["promoted"] == [dan["id"]]
    # Bob wants back in: full again, he waits; a raised capacity seats him.
    _, mine = await store.gatherings.answer(gid, bob["id"], "going")
    assert mine["waiting"]
    waiting, _ = await store.gatherings.rsvps(gid, carol["id"], answer="going")
    assert [(r["name"], r["waiting"]) for r in waiting] == [
        ("Carol", False),
        ("小丹", False),
        ("Bob", True),
    ]
    found = await store.gatherings.update(gid, alice["id"], {"capacity": 3})
    assert (found["going"], found["waiting"]) == (3, 0)
    # Lowering it takes no seat back.
    found = await store.gatherings.update(gid, alice["id"], {"capacity": 1})
    assert (found["going"], found["waiting"]) == (3, 0)
    event, rows = await store.gatherings.export(gid, alice["id"])
    assert event["going"] == 3 and len(rows) == 4
    with pytest.raises(Forbidden):
        await store.gatherings.export(gid, bob["id"])


async def test_refusals_cancel_and_the_log(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    party = await make(store, room, alice)
    assert await reason_of(store.gatherings.answer(party["id"], bob["id"], "yes")) is not None
    await store.sanctions.mute(room["id"], alice["id"], bob["id"])
    assert await reason_of(store.gatherings.answer(party["id"], bob["id"], "going")) == "muted"
    past = await make(store, room, alice, starts_at=now_ms() - 2 * HOUR)
    assert past["status"] == "over"
    assert await reason_of(store.gatherings.answer(past["id"], carol["id"], "going")) == (
        "gathering_over"
    )
    upcoming, _ = await store.gatherings.page(room["id"], carol["id"])
    over, _ = await store.gatherings.page(room["id"], carol["id"], when="past")
    assert [g["id"] for g in upcoming] == [party["id"]] and [g["id"] for g in over] == [past["id"]]
    cancelled = await store.gatherings.cancel(party["id"], alice["id"])
    assert cancelled["status"] == "cancelled"
    assert await reason_of(store.gatherings.answer(party["id"], carol["id"], "going")) == (
        "gathering_cancelled"
    )
    assert await reason_of(store.gatherings.cancel(party["id"], alice["id"])) == (
        "gathering_cancelled"
    )
    with pytest.raises(Forbidden):
        await store.gatherings.cancel(past["id"], carol["id"])
    logged = await kinds(store, room, carol)
    assert logged.count("gathering.created") == 2 and "gathering.cancelled" in logged


async def test_pages_go_soonest_first_and_carry_my_answer(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    starts = now_ms() + 10 * HOUR
    made = [
        await make(store, room, alice, title=f"活动{i}", starts_at=starts + i * HOUR)
        for i in (2, 0, 1)
    ]
    await store.gatherings.answer(made[1]["id"], bob["id"], "maybe")
    first, cursor = await store.gatherings.page(room["id"], bob["id"], limit=2)
    assert [g["title"] for g in first] == ["活动0", "活动1"] and cursor is not None
    assert first[0]["me"]["answer"] == "maybe" and first[1]["me"] is None
    rest, cursor = await store.gatherings.page(room["id"], bob["id"], cursor=cursor, limit=2)
    assert [g["title"] for g in rest] == ["活动2"] and cursor is None


async def test_the_reminder_goes_once_to_those_going_or_maybe(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    starts = now_ms() + 3 * HOUR
    party = await make(store, room, alice, starts_at=starts, remind_before_min=30)
    await store.gatherings.answer(party["id"], bob["id"], "going")
    await store.gatherings.answer(party["id"], carol["id"], "not_going")
    assert await store.gatherings.remind_due(now=starts - 31 * 60_000) == 0
    assert await store.gatherings.remind_due(now=starts - 29 * 60_000) == 1
    assert await store.gatherings.remind_due(now=starts - 28 * 60_000) == 0
    page = await store.changes.after(room["id"], bob["id"], 0, 500)
    reminders = [c.data for c in page.changes if c.kind == "reminder"]
    assert reminders == [
        {
            "user": bob["id"],
            "about": {
                "kind": "gathering",
                "id": party["id"],
                "title": "十二月生日会",
                "at": starts,
            },
        }
    ]
    # A new time reminds again.
    await store.gatherings.update(party["id"], alice["id"], {"starts_at": starts + HOUR})
    assert await store.gatherings.remind_due(now=starts + HOUR - 29 * 60_000) == 1
