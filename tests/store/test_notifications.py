"""The notification inbox (store/notifications.py, store/notification_settings.py):
made in a write transaction and told after its commit, paged and caught up by an
id that only grows, read marks, levels, quiet hours and the away channels' scan."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from store import Invalid, Store, notifications
from store.notifications import Item

Record = dict[str, Any]


def _at(hour: int, minute: int = 0) -> int:
    """A day's UTC time in ms (08:00 UTC is 16:00 in Shanghai)."""
    return int(datetime(2026, 12, 1, hour, minute, tzinfo=UTC).timestamp() * 1000)


async def _make(store: Store, items: list[Item]) -> list[Record]:
    async with store.db.write() as conn:
        return await notifications.add(conn, items)


def _mention(user: Record, circle: Record, seq: int, actor: Record) -> Item:
    about = {
        "circle": circle["id"],
        "group": circle["id"],
        "seq": seq,
        "excerpt": f"@{user['name']} hello",
        "actor": {"id": actor["id"], "name": actor["name"]},
    }
    return (user["id"], circle["id"], "mention", about)


async def test_made_in_the_transaction_and_told_after_its_commit(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    told: list[list[Record]] = []
    store.on_notifications = told.append
    made = await _make(store, [_mention(bob, circle, 1, alice), _mention(bob, circle, 2, alice)])
    assert [m["user"] for m in made] == [bob["id"], bob["id"]]
    assert made[0]["id"] < made[1]["id"]
    assert told == [made]
    # A rolled-back transaction makes none and tells nothing.
    with pytest.raises(RuntimeError):
        async with store.db.write() as conn:
            await notifications.add(conn, [_mention(bob, circle, 3, alice)])
            raise RuntimeError("roll back")
    assert len(told) == 1
    page, more = await store.notifications.list(bob["id"])
    assert [n["about"]["seq"] for n in page] == [2, 1] and not more
    assert page[0] == notifications.public(made[1])
    assert await store.notifications.unread_count(bob["id"]) == 2
    assert await store.notifications.unread_count(alice["id"]) == 0


async def test_pages_back_and_catches_up_by_id(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    made = await _make(store, [_mention(bob, circle, seq, alice) for seq in range(1, 8)])
    ids = [m["id"] for m in made]
    first, more = await store.notifications.list(bob["id"], limit=3)
    assert [n["id"] for n in first] == ids[::-1][:3] and more
    second, more = await store.notifications.list(bob["id"], before=first[-1]["id"], limit=3)
    assert [n["id"] for n in second] == ids[::-1][3:6] and more
    after, more = await store.notifications.list(bob["id"], after=ids[2], limit=3)
    assert [n["id"] for n in after] == ids[3:6] and more
    rest, more = await store.notifications.list(bob["id"], after=ids[5])
    assert [n["id"] for n in rest] == ids[6:] and not more
    # Someone else's inbox holds none of them.
    assert (await store.notifications.list(alice["id"]))[0] == []
    for bad in ({"limit": 0}, {"limit": 201}, {"after": -1}, {"before": "x"}):
        with pytest.raises(Invalid):
            await store.notifications.list(bob["id"], **bad)
    with pytest.raises(Invalid):
        await store.notifications.list(bob["id"], before=5, after=1)


async def test_ids_are_never_handed_out_twice(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    """The newest one deleted (a deleted circle's, a deleted account's): the next one
    still gets a greater id, so a client that saw it misses nothing after it."""
    made = await _make(store, [_mention(bob, circle, 1, alice)])
    async with store.db.write() as conn:
        await conn.execute(notifications.NOTIFICATIONS.delete())
    again = await _make(store, [_mention(bob, circle, 2, alice)])
    assert again[0]["id"] > made[0]["id"]


async def test_mark_read_some_up_to_or_all(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    made = await _make(store, [_mention(bob, circle, seq, alice) for seq in range(1, 6)])
    mine = [_mention(alice, circle, 9, bob)]
    theirs = await _make(store, mine)
    ids = [m["id"] for m in made]
    # Another member's id changes nothing.
    assert await store.notifications.mark_read(bob["id"], ids=[ids[0], theirs[0]["id"]]) == 4
    assert await store.notifications.unread_count(alice["id"]) == 1
    assert await store.notifications.mark_read(bob["id"], up_to=ids[2]) == 2
    page, _ = await store.notifications.list(bob["id"])
    assert [n["read"] is not None for n in page] == [False, False, True, True, True]
    assert await store.notifications.mark_read(bob["id"]) == 0
    for bad in ({"ids": []}, {"ids": ["x"]}, {"ids": 3}, {"up_to": -1}, {"ids": [1], "up_to": 2}):
        with pytest.raises(Invalid):
            await store.notifications.mark_read(bob["id"], **bad)


async def test_settings_default_change_and_check(store: Store, circle: Record, bob: Record) -> None:
    assert await store.notification_settings.settings_of(bob["id"]) == {
        "circles": {},
        "kinds": {},
        "quiet_from": None,
        "quiet_to": None,
        "time_zone": "Asia/Shanghai",
        "language": "zh-CN",
    }
    changed = await store.notification_settings.update_settings(
        bob["id"],
        {
            "circles": {circle["id"]: "mentions"},
            "kinds": {"must_read": "none"},
            "quiet_from": "22:00",
            "quiet_to": "07:30",
            "time_zone": "Europe/Berlin",
            "language": "en",
        },
    )
    assert await store.notification_settings.settings_of(bob["id"]) == changed
    assert changed["circles"] == {circle["id"]: "mentions"}
    # Levels merge; a null (or all) clears one.
    again = await store.notification_settings.update_settings(
        bob["id"], {"circles": {circle["id"]: None}, "kinds": {"reply": "none"}}
    )
    assert again["circles"] == {} and again["kinds"] == {"must_read": "none", "reply": "none"}
    assert again["quiet_from"] == "22:00" and again["language"] == "en"
    for bad in (
        {"kinds": {"nonsense": "all"}},
        {"circles": {circle["id"]: "loud"}},
        {"circles": []},
        {"quiet_from": "25:00"},
        {"quiet_from": None},  # one end without the other
        {"time_zone": "Mars/Olympus"},
        {"language": "fr"},
        {"volume": 11},
        [],
    ):
        with pytest.raises(Invalid):
            await store.notification_settings.update_settings(bob["id"], bad)


async def test_levels_decide_what_is_made(
    store: Store, circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    await store.notification_settings.update_settings(
        bob["id"], {"circles": {circle["id"]: "mentions"}}
    )
    await store.notification_settings.update_settings(carol["id"], {"kinds": {"mention": "none"}})
    everyone = {**_mention(bob, circle, 1, alice)[3], "all": True}
    made = await _make(
        store,
        [
            _mention(bob, circle, 1, alice),  # his name: made
            (bob["id"], circle["id"], "mention", everyone),  # @all: not at "mentions"
            (bob["id"], circle["id"], "must_read", {"post": "p1"}),  # not at "mentions"
            _mention(carol, circle, 1, alice),  # carol turned mentions off
            (carol["id"], circle["id"], "reply", {"seq": 1}),
        ],
    )
    assert [(m["user"], m["kind"]) for m in made] == [
        (bob["id"], "mention"),
        (carol["id"], "reply"),
    ]


async def test_due_away_holds_quiet_hours_and_skips_what_is_read(
    store: Store, circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    # Bob sleeps 22:00-07:00 in Shanghai (14:00-23:00 UTC); carol has no quiet hours.
    await store.notification_settings.update_settings(
        bob["id"], {"quiet_from": "22:00", "quiet_to": "07:00", "language": "en"}
    )
    for_bob = await _make(store, [_mention(bob, circle, 1, alice)])
    for_carol = await _make(
        store, [_mention(carol, circle, 1, alice), _mention(carol, circle, 2, alice)]
    )
    await store.notifications.mark_read(carol["id"], ids=[for_carol[1]["id"]])

    night = _at(15)  # 23:00 in Shanghai
    due = await store.notifications.due_away(night, 100)
    assert [(d["user"], d["id"], d["language"]) for d in due] == [
        (carol["id"], for_carol[0]["id"], "zh-CN")
    ]
    await store.notifications.mark_away([d["id"] for d in due], night)
    assert await store.notifications.due_away(night, 100) == []
    # Morning in Shanghai: bob's, held until now, in his language.
    morning = _at(0, 30)  # 08:30 in Shanghai
    due = await store.notifications.due_away(morning, 100)
    assert [(d["user"], d["id"], d["language"]) for d in due] == [
        (bob["id"], for_bob[0]["id"], "en")
    ]
    assert due[0]["about"]["seq"] == 1


async def test_due_away_drops_what_the_levels_no_longer_allow(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    await _make(store, [_mention(bob, circle, 1, alice)])
    await store.notification_settings.update_settings(
        bob["id"], {"circles": {circle["id"]: "none"}}
    )
    assert await store.notifications.due_away(_at(8), 100) == []
    # Marked handed: it never comes back, whatever the levels say later.
    await store.notification_settings.update_settings(bob["id"], {"circles": {circle["id"]: "all"}})
    assert await store.notifications.due_away(_at(8), 100) == []


async def test_due_away_in_batches(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    made = await _make(store, [_mention(bob, circle, seq, alice) for seq in range(1, 6)])
    first = await store.notifications.due_away(_at(8), 3)
    assert [d["id"] for d in first] == [m["id"] for m in made[:3]]
    claimed = await store.notifications.mark_away([d["id"] for d in first], _at(8))
    assert claimed == {m["id"] for m in made[:3]}
    # Another node's run that read the same rows claims none of them: each goes out once.
    assert await store.notifications.mark_away([d["id"] for d in first], _at(8)) == set()
    second = await store.notifications.due_away(_at(8), 3)
    assert [d["id"] for d in second] == [m["id"] for m in made[3:]]


async def test_old_notifications_are_pruned_oldest_first_in_batches(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    async with store.db.write() as conn:
        old = await notifications.add(
            conn, [_mention(bob, circle, seq, alice) for seq in (1, 2, 3)], at=_at(8)
        )
        await notifications.add(conn, [_mention(bob, circle, 4, alice)], at=_at(10))
    await store.notifications.mark_read(bob["id"], ids=[old[0]["id"]])
    # Read or not, what is older than the cut goes, two at a time here.
    assert await store.notifications.prune(_at(9), batch=2) == 2
    assert await store.notifications.prune(_at(9), batch=2) == 1
    assert await store.notifications.prune(_at(9), batch=2) == 0
    page, more = await store.notifications.list(bob["id"])
    assert [n["about"]["seq"] for n in page] == [4] and not more
    assert await store.notifications.unread_count(bob["id"]) == 1
    with pytest.raises(Invalid):
        await store.notifications.prune(_at(9), batch=0)
