"""Points (store/points.py, store/point_awards.py) on both databases: the circle's
changes earn what the rule table says, once per source; a rule change applies
only from then on; owners and admins can be excluded; an invalidated check-in
takes its point back; the ledger is one's own (managers read anyone's); boards
per period rank best first, ties to whoever got there first."""

from __future__ import annotations

from datetime import datetime

import pytest

from store import Forbidden, Invalid, Record, Store, now_ms
from store.point_awards import award

DAY = 24 * 3600 * 1000


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    for user in (bob, carol):
        await store.memberships.join(circle["id"], user["id"])
    return circle


async def total(store: Store, room: Record, user: Record) -> int:
    _, _, points = await store.points.ledger(room["id"], user["id"], user["id"])
    return points


async def test_changes_earn_by_the_table_and_a_change_of_it_applies_forward(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    table = await store.points.rules(room["id"], carol["id"])
    assert table["rules"]["post"] == 2 and table["updated"] is None
    post = await store.posts.create(room["id"], bob["id"], "post", "周末一起去爬山")
    await store.comments.add_comment(post["id"], carol["id"], "算我一个")
    assert await total(store, room, bob) == 2 and await total(store, room, carol) == 1
    with pytest.raises(Forbidden):
        await store.points.set_rules(room["id"], bob["id"], {"post": 10})
    for bad in ({"posts": 1}, {"post": "ten"}, {}, {"post": 10_000}):
        with pytest.raises(Invalid):
            await store.points.set_rules(room["id"], alice["id"], bad)
    changed = await store.points.set_rules(room["id"], alice["id"], {"post": 10})
    assert changed["rules"]["post"] == 10 and changed["updated"] is not None
    await store.posts.create(room["id"], bob["id"], "post", "第二篇")
    entries, _, points = await store.points.ledger(room["id"], bob["id"], bob["id"])
    assert [(e["action"], e["points"]) for e in entries] == [("post", 10), ("post", 2)]
    assert points == 12
    # Stamped in the log and the audit, pushed as points.rules.
    page = await store.changes.after(room["id"], carol["id"], 0, 500)
    assert [c.data["rules"]["post"] for c in page.changes if c.kind == "points.rules"] == [10]
    # One award per action and source, however often it is asked.
    await award_twice(store, room, bob, post)
    assert await total(store, room, bob) == 17


async def award_twice(store: Store, room: Record, who: Record, post: Record) -> None:
    for _ in range(2):
        async with store.db.write() as conn:
            await award(conn, room["id"], who["id"], "excellent", "post", post["id"])


async def test_managers_can_be_excluded_and_the_ledger_is_ones_own(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    await store.posts.create(room["id"], alice["id"], "post", "欢迎大家")
    assert await total(store, room, alice) == 2
    await store.points.set_rules(room["id"], alice["id"], {"post": 2}, exclude_managers=True)
    await store.posts.create(room["id"], alice["id"], "post", "第二条通知")
    await store.posts.create(room["id"], carol["id"], "post", "收到")
    assert await total(store, room, alice) == 2 and await total(store, room, carol) == 2
    with pytest.raises(Forbidden):
        await store.points.ledger(room["id"], bob["id"], carol["id"])
    _, _, carols = await store.points.ledger(room["id"], alice["id"], carol["id"])
    assert carols == 2
    rows, _ = await store.points.entries(room["id"], alice["id"])
    assert [(r["name"], r["points"]) for r in rows] == [("Alice", 2), ("Carol", 2)]
    with pytest.raises(Forbidden):
        await store.points.entries(room["id"], bob["id"])


async def test_an_invalidated_checkin_takes_its_point_back(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    challenge = await store.challenges.create(room["id"], alice["id"], {"title": "每日阅读"})
    await store.challenges.join(challenge["id"], bob["id"])
    checkin, _ = await store.checkins.check_in(challenge["id"], bob["id"], "读了一章")
    assert await total(store, room, bob) == 1
    await store.checkins.invalidate(checkin["id"], alice["id"], "与主题无关")
    entries, _, points = await store.points.ledger(room["id"], bob["id"], bob["id"])
    assert points == 0
    assert [(e["action"], e["points"]) for e in entries] == [
        ("checkin_revoked", -1),
        ("checkin", 1),
    ]


async def test_boards_by_period_with_ties_to_who_got_there_first(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    await store.points.set_rules(room["id"], alice["id"], {"post": 2}, exclude_managers=True)
    await store.posts.create(room["id"], carol["id"], "post", "一")
    await store.posts.create(room["id"], bob["id"], "post", "二")
    entries, nxt, me = await store.points.board(room["id"], bob["id"], "all")
    assert [(e["rank"], e["name"], e["points"]) for e in entries] == [
        (1, "Carol", 2),
        (2, "Bob", 2),
    ]
    assert me == {"rank": 2, "user": bob["id"], "name": "Bob", "points": 2} and nxt is None
    first, nxt, _ = await store.points.board(room["id"], bob["id"], "all", limit=1)
    rest, last, _ = await store.points.board(room["id"], bob["id"], "all", cursor=nxt, limit=1)
    assert [e["name"] for e in first + rest] == ["Carol", "Bob"] and last is None
    later = now_ms() + 40 * DAY
    for period in ("week", "month"):
        assert (await store.points.board(room["id"], bob["id"], period, now=later))[0] == []
        now_entries, _, _ = await store.points.board(room["id"], bob["id"], period)
        assert len(now_entries) == 2
    with pytest.raises(Invalid):
        await store.points.board(room["id"], bob["id"], "year")
    assert await store.points.board(room["id"], alice["id"], "all") is not None


def test_a_week_starts_on_monday_on_the_circles_clock() -> None:
    from store.points import period_start

    sunday_night = int(datetime.fromisoformat("2026-12-06T23:30+08:00").timestamp() * 1000)
    monday = int(datetime.fromisoformat("2026-11-30T00:00+08:00").timestamp() * 1000)
    first = int(datetime.fromisoformat("2026-12-01T00:00+08:00").timestamp() * 1000)
    assert period_start("week", sunday_night, "Asia/Shanghai") == monday
    assert period_start("month", sunday_night, "Asia/Shanghai") == first
    assert period_start("all", sunday_night, "Asia/Shanghai") is None


async def test_excellent_homework_earns_as_excellent_not_as_a_highlight(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    task = await store.homework.create(room["id"], alice["id"], {"title": "基本功练习"})
    work = await store.homework.submit(task["id"], bob["id"], "交作业", None)
    await store.homework.excellent(work["id"], alice["id"])
    await store.homework.excellent(work["id"], alice["id"])  # once is once
    entries, _, points = await store.points.ledger(room["id"], bob["id"], bob["id"])
    assert [(e["action"], e["points"]) for e in entries] == [("excellent", 5)] and points == 5


async def test_a_checkin_waiting_for_review_earns_when_approved(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    challenge = await store.challenges.create(
        room["id"], alice["id"], {"title": "晨读", "review": True}
    )
    for who in (bob, carol):
        await store.challenges.join(challenge["id"], who["id"])
    waiting, _ = await store.checkins.check_in(challenge["id"], bob["id"], "读了十页")
    refused, _ = await store.checkins.check_in(challenge["id"], carol["id"], "随便写写")
    assert waiting["state"] == "pending" and await total(store, room, bob) == 0
    await store.checkin_review.decide(waiting["id"], alice["id"], True)
    await store.checkin_review.decide(refused["id"], alice["id"], False)
    assert await total(store, room, bob) == 1 and await total(store, room, carol) == 0


def test_the_earning_kinds_are_change_kinds_that_the_rules_read() -> None:
    """``follow`` skips every kind outside ``KINDS``: each of them must be a kind the
    change log knows, and each kind the rules award for must be among them."""
    from store import changes, point_awards

    assert point_awards.KINDS.issubset(changes.KINDS)
    assert point_awards.follow in changes.FOLLOWERS
    for kind in changes.KINDS:
        if kind not in point_awards.KINDS:
            assert point_awards._taken_back(kind, {}) is None
