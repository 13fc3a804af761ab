"""The course plan (store/lessons.py) with a clock the test controls: lessons in
the circle's zone, teachers' rights, order, next/past/missed per member, the
live state machine with the chat range and the lesson's highlights, and the
reminder sent once."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from store import Conflict, Forbidden, Invalid, NotFound, Record, Store
from store.models import LESSON_VIEWS, LESSONS

Say = Callable[..., Awaitable[int]]


def ms(text: str, offset: str = "+08:00") -> int:
    return int(datetime.fromisoformat(text + offset).timestamp() * 1000)


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    for user in (bob, carol):
        await store.memberships.join(circle["id"], user["id"])
    return await store.circles.update(circle["id"], circle["owner"], {"promote_threshold": 1})


async def add(store: Store, room: Record, owner: Record, **fields: Any) -> Record:
    values = {"title": "第一课 站姿", "starts_at": "2026-12-10T19:30"}
    return await store.lessons.create(room["id"], owner["id"], values | fields)


async def reason_of(call: Awaitable[Any]) -> str | None:
    try:
        await call
    except (Forbidden, Conflict, Invalid) as refused:
        return refused.reason or refused.code
    raise AssertionError("not refused")


async def kinds(store: Store, circle_id: str) -> list[str]:
    return [c.kind for c in await store.changes.since(circle_id, 0, 1000)]


async def test_teachers_plan_lessons_in_the_circle_zone(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    cid = room["id"]
    assert await reason_of(add(store, room, bob)) == "forbidden"
    for bad in (
        {"title": ""},
        {"starts_at": "tomorrow"},
        {"starts_at": "2026-12-10 19:30"},
        {"duration_min": 0},
        {"stream_url": "javascript:alert(1)"},
        {"stream_url": "ftp://example.com/x"},
        {"replay_url": "https:///nohost"},
        {"remind_before_min": -1},
        {"colour": "red"},
    ):
        with pytest.raises(Invalid):
            await add(store, room, alice, **bad)
    first = await add(store, room, alice, duration_min=90, description="带好舞鞋")
    assert first["starts_at"] == ms("2026-12-10T19:30")
    assert first["starts_local"] == "2026-12-10T19:30" and first["time_zone"] == "Asia/Shanghai"
    assert first["ends_at"] == ms("2026-12-10T21:00") and first["remind_before_min"] == 15
    assert first["position"] == 1 and first["state"] == "scheduled" and first["live"] is None
    # The circle moves to Berlin: the same wall-clock entry is another instant.
    await store.circles.update(cid, alice["id"], {"time_zone": "Europe/Berlin"})
    second = await add(store, room, alice, title="第二课", starts_at="2026-12-17T19:30")
    assert second["starts_at"] == ms("2026-12-17T19:30", "+01:00") and second["position"] == 2
    # A teacher's edit; a member's is refused; a null clears an optional field.
    edited = await store.lessons.update(
        second["id"], alice["id"], {"stream_url": "https://live.example.com/room/9"}
    )
    assert edited["stream_url"] == "https://live.example.com/room/9"
    assert await reason_of(store.lessons.update(second["id"], bob["id"], {"title": "x"})) == (
        "forbidden"
    )
    cleared = await store.lessons.update(first["id"], alice["id"], {"duration_min": None})
    assert cleared["duration_min"] is None and cleared["title"] == "第一课 站姿"
    # Reorder: every lesson once.
    assert await reason_of(store.lessons.reorder(cid, alice["id"], [first["id"]])) == "bad_request"
    assert await reason_of(store.lessons.reorder(cid, bob["id"], [second["id"], first["id"]]))
    await store.lessons.reorder(cid, alice["id"], [second["id"], first["id"]])
    plan, _ = await store.lessons.plan(cid, bob["id"], now=ms("2026-12-01T08:00"))
    assert [lesson["title"] for lesson in plan] == ["第二课", "第一课 站姿"]
    await store.lessons.delete(first["id"], alice["id"])
    with pytest.raises(NotFound):
        await store.lessons.get(first["id"], bob["id"])
    assert [k for k in await kinds(store, cid) if k.startswith("lesson")] == [
        "lesson.created",
        "lesson.created",
        "lesson.updated",
        "lesson.updated",
        "lessons.reordered",
        "lesson.deleted",
    ]


async def test_next_upcoming_past_and_missed_per_member(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record, new_user: Any
) -> None:
    cid = room["id"]
    one = await add(store, room, alice, title="一", starts_at="2026-12-01T10:00", duration_min=60)
    two = await add(store, room, alice, title="二", starts_at="2026-12-08T10:00")
    three = await add(store, room, alice, title="三", starts_at="2026-12-03T10:00")
    now = ms("2026-12-02T09:00")
    plan, nxt = await store.lessons.plan(cid, bob["id"], now=now)
    assert nxt == three["id"]  # the earliest upcoming, whatever its place in the plan
    by_title = {lesson["title"]: lesson for lesson in plan}
    assert by_title["一"]["past"] and by_title["一"]["missed"]
    assert not by_title["二"]["past"] and not by_title["二"]["missed"]
    await store.lessons.mark_seen(one["id"], bob["id"])
    await store.lessons.mark_seen(one["id"], bob["id"])  # twice: still one mark
    plan, _ = await store.lessons.plan(cid, bob["id"], now=now)
    assert [lesson["missed"] for lesson in plan] == [False, False, False]
    carols, _ = await store.lessons.plan(cid, carol["id"], now=now)
    assert carols[0]["missed"] is True  # seen is per member
    outsider = await new_user("dan")
    with pytest.raises(Forbidden):
        await store.lessons.plan(cid, outsider["id"])
    with pytest.raises(Forbidden):
        await store.lessons.mark_seen(two["id"], outsider["id"])


async def test_live_lesson_records_the_chat_range_and_its_highlights(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record, say: Say
) -> None:
    cid = room["id"]
    lesson = await add(store, room, alice)
    assert await reason_of(store.lessons.start(lesson["id"], alice["id"])) == "no_stream"
    lesson = await store.lessons.update(
        lesson["id"], alice["id"], {"stream_url": "https://live.example.com/r/1"}
    )
    before = await say(cid, bob, "课前聊天")
    assert await reason_of(store.lessons.end(lesson["id"], alice["id"])) == "lesson_not_live"
    assert await reason_of(store.lessons.start(lesson["id"], bob["id"])) == "forbidden"
    live = await store.lessons.start(lesson["id"], alice["id"])
    assert live["state"] == "live" and live["live"]["group"] == cid
    assert live["live"]["start_seq"] == before and live["live"]["end_seq"] is None
    assert await reason_of(store.lessons.start(lesson["id"], alice["id"])) == "lesson_live"
    assert [x["id"] for x in await store.lessons.live_for(bob["id"])] == [lesson["id"]]
    during = await say(cid, carol, "老师这个动作怎么做")
    await store.stars.star(cid, during, bob["id"])  # threshold 1: a highlight
    await store.stars.star(cid, before, bob["id"])  # said before: not the lesson's
    _, nxt = await store.lessons.plan(cid, bob["id"])
    assert nxt == lesson["id"]  # a live lesson is the next one
    ended = await store.lessons.end(lesson["id"], alice["id"])
    after = await say(cid, bob, "下课了")
    await store.stars.star(cid, after, carol["id"])
    assert ended["state"] == "ended" and ended["live"]["end_seq"] == during
    assert await reason_of(store.lessons.start(lesson["id"], alice["id"])) == "lesson_ended"
    assert await store.lessons.live_for(bob["id"]) == []
    page = await store.lessons.get(lesson["id"], carol["id"])
    assert [h["source"]["seq"] for h in page["highlights"]] == [during]
    assert page["highlights"][0]["text"] == "老师这个动作怎么做" and page["past"]
    replay = await store.lessons.update(
        lesson["id"], alice["id"], {"replay_url": "https://replay.example.com/1"}
    )
    assert replay["replay_url"] == "https://replay.example.com/1"
    assert [k for k in await kinds(store, cid) if k.startswith("lesson")] == [
        "lesson.created",
        "lesson.updated",
        "lesson.live",
        "lesson.ended",
        "lesson.updated",
    ]


async def test_a_lesson_group_is_the_live_chat(
    store: Store, room: Record, alice: Record, bob: Record, say: Say
) -> None:
    cid = room["id"]
    group = await store.groups.create(cid, alice["id"], "直播间")
    with pytest.raises(NotFound):
        await add(store, room, alice, group="nope")
    lesson = await add(
        store, room, alice, group=group["id"], stream_url="https://live.example.com/r/2"
    )
    assert lesson["group"] == group["id"]
    live = await store.lessons.start(lesson["id"], alice["id"])
    assert live["live"]["group"] == group["id"] and live["live"]["start_seq"] == 0


async def test_embeddable_players_follow_the_callers_policy(
    store: Store, room: Record, alice: Record
) -> None:
    def allowed(url: str) -> bool:
        return url.startswith("https://player.example.com/")

    ok = await store.lessons.create(
        room["id"],
        alice["id"],
        {
            "title": "嵌入",
            "starts_at": "2026-12-10T19:30",
            "stream_url": "https://player.example.com/embed/1",
            "stream_embed": True,
        },
        embeddable=allowed,
    )
    assert ok["stream_embed"] is True
    refused = store.lessons.update(
        ok["id"], alice["id"], {"stream_url": "https://elsewhere.example.com/x"}, allowed
    )
    assert await reason_of(refused) == "embed_not_allowed"
    as_link = await store.lessons.update(
        ok["id"],
        alice["id"],
        {"stream_url": "https://elsewhere.example.com/x", "stream_embed": False},
        allowed,
    )
    assert as_link["stream_embed"] is False


async def test_lesson_attachments_are_its_materials(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    data = b"%PDF-1.4 lesson notes"
    digest = hashlib.sha256(data).hexdigest()
    pdf, _ = await store.attachments.add(
        room["id"],
        alice["id"],
        sha256=digest,
        kind="file",
        mime="application/pdf",
        name="讲义.pdf",
        size=len(data),
        blob_key=f"circles/{room['id']}/{digest}",
    )
    with pytest.raises(NotFound):
        await add(store, room, alice, attachments=["nope"])
    lesson = await add(store, room, alice, attachments=[pdf["id"]])
    await add(store, room, alice, title="没有讲义")
    assert [a["name"] for a in lesson["attachments"]] == ["讲义.pdf"]
    grouped = await store.lessons.by_lesson(room["id"], bob["id"])
    assert [(g["title"], [a["id"] for a in g["attachments"]]) for g in grouped] == [
        ("第一课 站姿", [pdf["id"]])
    ]
    # The lesson keeps its attachment from collection; deleting it lets it go.
    far = 10**13
    assert await store.attachments.collect(far) == []
    await store.lessons.delete(lesson["id"], alice["id"])
    assert [a["id"] for a in await store.attachments.collect(far)] == [pdf["id"]]


async def test_reminders_go_once_when_their_time_comes(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    cid = room["id"]
    soon = await add(store, room, alice, starts_at="2026-12-10T19:30")
    quiet = await add(store, room, alice, title="不提醒", remind_before_min=0)
    early = await add(store, room, alice, title="提前一小时", remind_before_min=60)
    assert await store.lessons.remind_due(ms("2026-12-10T18:00")) == []
    at_1830 = await store.lessons.remind_due(ms("2026-12-10T18:30"))
    assert [lesson["id"] for lesson in at_1830] == [early["id"]]
    assert await store.lessons.remind_due(ms("2026-12-10T18:31")) == []
    at_1815 = await store.lessons.remind_due(ms("2026-12-10T19:15"))
    assert [lesson["id"] for lesson in at_1815] == [soon["id"]]
    assert await store.lessons.remind_due(ms("2026-12-10T19:20")) == []
    changes = await store.changes.since(cid, 0, 1000)
    reminders = [c.data for c in changes if c.kind == "reminder"]
    # One personal reminder per member (alice, bob, carol) and lesson, through the one road.
    members = sorted([alice["id"], bob["id"], carol["id"]])
    assert [(r["about"]["id"], r["user"]) for r in reminders] == [
        *((early["id"], user) for user in members),
        *((soon["id"], user) for user in members),
    ]
    assert reminders[0]["about"] == {
        "kind": "lesson",
        "id": early["id"],
        "title": "提前一小时",
        "at": ms("2026-12-10T19:30"),
    }
    assert quiet["id"] not in {r["about"]["id"] for r in reminders}
    # Moved later: reminded again before the new start; never after a start.
    await store.lessons.update(soon["id"], alice["id"], {"starts_at": "2026-12-11T19:30"})
    again = await store.lessons.remind_due(ms("2026-12-11T19:20"))
    assert [lesson["id"] for lesson in again] == [soon["id"]]
    late = await add(store, room, alice, title="错过提醒", starts_at="2026-12-12T10:00")
    assert late["id"] not in [
        x["id"] for x in await store.lessons.remind_due(ms("2026-12-12T11:00"))
    ]


async def test_a_deleted_circles_lessons_are_purged(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    lesson = await add(store, room, alice)
    await store.lessons.mark_seen(lesson["id"], bob["id"])
    await store.deleted_circles.delete(room["id"], alice["id"], room["name"])
    with pytest.raises(NotFound):
        await store.lessons.get(lesson["id"], bob["id"])
    assert await store.lessons.live_for(bob["id"]) == []
    while (await store.deleted_circles.purge())[0]:
        pass
    async with store.db.read() as conn:
        left = [
            (await conn.execute(select(func.count()).select_from(table))).scalar_one()
            for table in (LESSONS, LESSON_VIEWS)
        ]
    assert left == [0, 0]


async def test_seen_marks_at_the_same_moment_are_one(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    lesson = await add(store, room, alice)
    await asyncio.gather(*(store.lessons.mark_seen(lesson["id"], bob["id"]) for _ in range(5)))
    async with store.db.read() as conn:
        count = (await conn.execute(select(func.count()).select_from(LESSON_VIEWS))).scalar_one()
    assert count == 1
