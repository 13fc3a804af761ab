"""Contests (store/contests.py) on both databases: the windows and their refusals,
entries per member, one vote per entry and per member's allowance, never one's own,
votes from members who joined after voting opened refused when the rules say so,
votes changeable until the close and frozen after it, the ranking hidden until the
close unless live, managers' entries unranked when excluded, and the winners
announced once: a must-read notice and the contest_win points."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import update

from store import Conflict, Forbidden, Invalid, Record, Store, now_ms
from store.models import CONTESTS

HOUR = 3600 * 1000


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    for user in (bob, carol):
        await store.memberships.join(circle["id"], user["id"])
    return circle


async def reason_of(call: Awaitable[Any]) -> str | None:
    try:
        await call
    except (Forbidden, Conflict, Invalid) as refused:
        return refused.reason or refused.message
    raise AssertionError("not refused")


async def move(store: Store, contest: Record, **times: int) -> None:
    """Shift a contest's windows (the test's clock)."""
    async with store.db.write() as conn:
        await conn.execute(update(CONTESTS).where(CONTESTS.c.id == contest["id"]).values(**times))


async def make(store: Store, room: Record, alice: Record, **fields: Any) -> Record:
    now = now_ms()
    values = {
        "title": "手机摄影大赛",
        "entries_close": now + HOUR,
        "votes_open": now,
        "votes_close": now + 2 * HOUR,
    }
    return await store.contests.create(room["id"], alice["id"], values | fields)


async def test_entries_votes_and_their_refusals(
    store: Store,
    room: Record,
    alice: Record,
    bob: Record,
    carol: Record,
    new_user: Callable[..., Awaitable[Record]],
) -> None:
    with pytest.raises(Forbidden):
        await make(store, room, bob)
    for bad in (
        {"ranking": "sometimes"},
        {"votes_close": now_ms() - HOUR},
        {"entries_per_member": 0},
        {"prize": 1},
    ):
        with pytest.raises(Invalid):
            await make(store, room, alice, **bad)
    contest = await make(store, room, alice, votes_per_member=1, ranking="after_close")
    assert contest["status"] == "voting" and contest["ranking"] == "after_close"
    sunset = await store.contests.enter(contest["id"], bob["id"], "日落", None)
    assert (
        await reason_of(store.contests.enter(contest["id"], bob["id"], "又一张"))
        == "entries_used_up"
    )
    fog = await store.contests.enter(contest["id"], carol["id"], "晨雾")
    assert await reason_of(store.contests.vote(sunset["id"], bob["id"])) == "own_entry"
    mine = await store.contests.vote(sunset["id"], carol["id"])
    assert mine["my_votes"] == [sunset["id"]]
    # One vote each: Alice votes for the fog, then moves her vote.
    await store.contests.vote(fog["id"], alice["id"])
    assert await reason_of(store.contests.vote(sunset["id"], alice["id"])) == "votes_used_up"
    await store.contests.vote(fog["id"], alice["id"], False)
    await store.contests.vote(sunset["id"], alice["id"])
    # Hidden while voting: no counts, entries in the order they came.
    seen = await store.contests.get(contest["id"], bob["id"])
    assert [(e["text"], e["votes"], e["rank"]) for e in seen["entries_list"]] == [
        ("日落", None, None),
        ("晨雾", None, None),
    ]
    # A member who joined after voting opened is refused.
    late = await new_user("dan")
    await store.memberships.join(room["id"], late["id"])
    assert await reason_of(store.contests.vote(fog["id"], late["id"])) == "joined_too_late"
    # The close freezes it: no vote moves, and the ranking shows.
    await move(store, contest, entries_close=now_ms() - 2, votes_close=now_ms() - 1)
    assert await reason_of(store.contests.vote(fog["id"], bob["id"])) == "voting_closed"
    assert (
        await reason_of(store.contests.enter(contest["id"], carol["id"], "迟到"))
        == "entries_closed"
    )
    final = await store.contests.get(contest["id"], bob["id"])
    assert [(e["text"], e["votes"], e["rank"]) for e in final["entries_list"]] == [
        ("日落", 2, 1),
        ("晨雾", 0, 2),
    ]
    assert final["status"] == "closed"


async def test_live_ranking_managers_excluded_and_the_announcement(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    contest = await make(
        store,
        room,
        alice,
        ranking="live",
        exclude_managers=True,
        votes_per_member=2,
        joined_before_voting=False,
    )
    own = await store.contests.enter(contest["id"], alice["id"], "圈主的作品")
    sunset = await store.contests.enter(contest["id"], bob["id"], "日落")
    await store.contests.vote(own["id"], bob["id"])
    await store.contests.vote(own["id"], carol["id"])
    await store.contests.vote(sunset["id"], carol["id"])
    live = await store.contests.get(contest["id"], carol["id"])
    assert [(e["name"], e["votes"], e["rank"]) for e in live["entries_list"]] == [
        ("Bob", 1, 1),
        ("Alice", 2, None),
    ]
    assert sorted(live["my_votes"]) == sorted([own["id"], sunset["id"]])
    page = await store.changes.after(room["id"], carol["id"], 0, 500)
    assert [c.data.get("votes") for c in page.changes if c.kind == "contest.voted"] == [1, 2, 1]
    assert await reason_of(store.contests.announce(contest["id"], alice["id"])) == "voting_open"
    await move(store, contest, entries_close=now_ms() - 2, votes_close=now_ms() - 1)
    with pytest.raises(Forbidden):
        await store.contests.announce(contest["id"], bob["id"])
    done = await store.contests.announce(contest["id"], alice["id"], "恭喜获奖者", places=3)
    assert [w["name"] for w in done["winners"]] == ["Bob"]
    notice = await store.posts.get(done["post"], bob["id"])
    assert notice["must_read"] is True and notice["kind"] == "notice"
    assert notice["text"].splitlines() == ["🏆 手机摄影大赛", "恭喜获奖者", "🥇 Bob · 1"]
    assert (
        await reason_of(store.contests.announce(contest["id"], alice["id"])) == "already_announced"
    )
    _, _, points = await store.points.ledger(room["id"], bob["id"], bob["id"])
    assert points == 20 + 0  # the win; contest entries are not posts
    listed, _ = await store.contests.page(room["id"], carol["id"])
    assert listed[0]["announced_post"] == done["post"]
