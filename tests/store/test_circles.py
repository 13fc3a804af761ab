from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from store import Forbidden, Invalid, NotFound, Store

Record = dict[str, Any]
NewUser = Callable[..., Awaitable[Record]]


async def test_create_makes_the_creator_owner(store: Store, alice: Record) -> None:
    circle = await store.circles.create(
        alice["id"], "  Tea House ", "community", "public", "Green tea only"
    )
    assert circle == {
        "id": circle["id"],
        "name": "Tea House",
        "kind": "community",
        "visibility": "public",
        "description": "Green tea only",
        "owner": alice["id"],
        "members": 1,
        "follower_count": 0,
        "promote_threshold": 3,
        "retention_messages": 10_000,
        "retention_days": 90,
        "history_for_new_members": True,
        "join_approval": False,
        "join_question": "",
        "time_zone": "Asia/Shanghai",
        "day_closes_after": 0,
        "quiet_from": None,
        "quiet_to": None,
        "sections": [
            "chat",
            "highlights",
            "feed",
            "events",
            "challenges",
            "contests",
            "points",
            "materials",
            "search",
        ],
        "created": circle["created"],
        "last_seq": 0,
        "last_rev": 1,  # the owner joining
    }
    membership = await store.memberships.membership(circle["id"], alice["id"])
    assert membership is not None and membership.role == "owner" and membership.is_manager
    assert await store.memberships.circle_ids_of(alice["id"]) == [circle["id"]]


@pytest.mark.parametrize(
    ("name", "kind", "visibility", "description"),
    [
        ("", "community", "public", ""),
        ("x" * 81, "community", "public", ""),
        ("Ok", "club", "public", ""),
        ("Ok", "community", "secret", ""),
        ("Ok", "community", "public", "d" * 2001),
        (None, "community", "public", ""),
        ("Ok", "community", "public", None),
    ],
)
async def test_create_invalid(
    store: Store, alice: Record, name: Any, kind: Any, visibility: Any, description: Any
) -> None:
    with pytest.raises(Invalid):
        await store.circles.create(alice["id"], name, kind, visibility, description)


async def test_create_for_an_unknown_user(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.circles.create("ghost", "Name", "community", "public")


async def test_get_hides_private_circles_from_non_members(
    store: Store, alice: Record, bob: Record, circle: Record, private_circle: Record
) -> None:
    assert (await store.circles.get(circle["id"]))["id"] == circle["id"]
    assert (await store.circles.get(circle["id"], bob["id"]))["id"] == circle["id"]
    # What a viewer sees adds whether they follow it (store/follows.py).
    seen = await store.circles.get(private_circle["id"], alice["id"])
    assert seen == {**private_circle, "following": False}
    for viewer in [None, bob["id"]]:
        with pytest.raises(Forbidden):
            await store.circles.get(private_circle["id"], viewer)
    with pytest.raises(NotFound):
        await store.circles.get("missing", alice["id"])


async def test_update_by_owner_and_admin(
    store: Store, alice: Record, bob: Record, circle: Record
) -> None:
    changed = await store.circles.update(
        circle["id"],
        alice["id"],
        {
            "name": "Tea Garden",
            "description": "",
            "promote_threshold": 0,
            "retention_messages": 100,
            "retention_days": 3650,
            "history_for_new_members": False,
        },
    )
    assert changed == {
        **circle,
        "name": "Tea Garden",
        "description": "",
        "promote_threshold": 0,
        "retention_messages": 100,
        "retention_days": 3650,
        "history_for_new_members": False,
        "last_rev": circle["last_rev"] + 1,
    }
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.update_member(circle["id"], alice["id"], bob["id"], role="admin")
    again = await store.circles.update(circle["id"], bob["id"], {"promote_threshold": 1000})
    assert again["promote_threshold"] == 1000
    assert (await store.circles.get(circle["id"]))["promote_threshold"] == 1000
    assert await store.circles.update(circle["id"], bob["id"], {}) == again


async def test_update_forbidden_for_members_and_strangers(
    store: Store, bob: Record, carol: Record, circle: Record
) -> None:
    await store.memberships.join(circle["id"], bob["id"])
    for actor in [bob, carol]:
        with pytest.raises(Forbidden):
            await store.circles.update(circle["id"], actor["id"], {"name": "Mine"})
    with pytest.raises(NotFound):
        await store.circles.update("missing", bob["id"], {"name": "Mine"})


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"name": "x" * 81},
        {"description": "d" * 2001},
        {"promote_threshold": -1},
        {"promote_threshold": 1001},
        {"promote_threshold": True},
        {"promote_threshold": 2.5},
        {"promote_threshold": "3"},
        {"retention_messages": 99},
        {"retention_messages": 10_000_001},
        {"retention_days": 0},
        {"retention_days": 3651},
        {"retention_days": False},
        {"history_for_new_members": 1},
        {"history_for_new_members": "yes"},
        {"kind": "teaching"},
        {"last_seq": 5},
    ],
)
async def test_update_invalid(
    store: Store, alice: Record, circle: Record, changes: dict[str, Any]
) -> None:
    with pytest.raises(Invalid):
        await store.circles.update(circle["id"], alice["id"], changes)
    assert await store.circles.get(circle["id"]) == circle


async def test_directory_lists_public_circles_and_filters(store: Store, alice: Record) -> None:
    tea = await store.circles.create(alice["id"], "Tea House", "community", "public")
    await store.circles.create(alice["id"], "Secret Tea", "community", "private")
    maths = await store.circles.create(
        alice["id"], "Algebra 101", "teaching", "public", "Weekly TEA and homework"
    )
    odd = await store.circles.create(alice["id"], "100% Pure", "business", "public")

    circles, cursor = await store.circles.directory()
    assert [c["id"] for c in circles] == [odd["id"], maths["id"], tea["id"]]
    assert cursor is None

    found, _ = await store.circles.directory(q="tEa")
    assert [c["id"] for c in found] == [maths["id"], tea["id"]]
    found, _ = await store.circles.directory(q="tea", kind="teaching")
    assert [c["id"] for c in found] == [maths["id"]]
    found, _ = await store.circles.directory(kind="business")
    assert [c["id"] for c in found] == [odd["id"]]
    # LIKE wildcards in q are literal characters.
    found, _ = await store.circles.directory(q="%")
    assert [c["id"] for c in found] == [odd["id"]]
    found, _ = await store.circles.directory(q="   ")
    assert len(found) == 3
    with pytest.raises(Invalid):
        await store.circles.directory(kind="club")


async def test_directory_pages_with_a_cursor(store: Store, alice: Record) -> None:
    # Created within a few ms of each other: ties on `created` must not lose or repeat rows.
    made = [
        await store.circles.create(alice["id"], f"Circle {i}", "community", "public")
        for i in range(11)
    ]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page, cursor = await store.circles.directory(cursor=cursor, limit=3)
        pages += 1
        seen += [c["id"] for c in page]
        if cursor is None:
            break
        assert isinstance(cursor, str)
    assert pages == 4
    assert len(seen) == len(set(seen)) == 11
    assert set(seen) == {c["id"] for c in made}
    expected = sorted(made, key=lambda c: (c["created"], c["id"]), reverse=True)
    assert seen == [c["id"] for c in expected]


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90IGEgY3Vyc29y", "YWJjOmRlZg", 42])
async def test_directory_rejects_bad_cursors(store: Store, cursor: Any) -> None:
    with pytest.raises(Invalid):
        await store.circles.directory(cursor=cursor)


async def test_directory_rejects_bad_limits(store: Store) -> None:
    for limit in [0, 201, True]:
        with pytest.raises(Invalid):
            await store.circles.directory(limit=limit)


async def test_my_circles_counts_unread(
    store: Store, alice: Record, bob: Record, circle: Record, private_circle: Record
) -> None:
    for i in range(5):
        await store.chat.say(circle["id"], alice["id"], "Alice", f"m{i}", f"n{i}")
    await store.memberships.join(circle["id"], bob["id"])
    await store.chat.say(circle["id"], alice["id"], "Alice", "after bob", "n5")

    mine = {c["id"]: c for c in await store.circles.my_circles(bob["id"])}
    assert list(mine) == [circle["id"]]
    entry = mine[circle["id"]]
    assert entry["role"] == "member" and entry["nickname"] is None
    assert entry["last_seq"] == 6 and entry["members"] == 2
    # What was said before bob joined is not unread for him.
    assert entry["unread"] == 1
    assert entry["must_read_pending"] == 0

    alices = {c["id"]: c for c in await store.circles.my_circles(alice["id"])}
    assert list(alices) == [circle["id"], private_circle["id"]]
    assert alices[circle["id"]]["unread"] == 6
    assert alices[private_circle["id"]]["unread"] == 0
    await store.chat.mark_read(circle["id"], alice["id"], 4)
    alices = {c["id"]: c for c in await store.circles.my_circles(alice["id"])}
    assert alices[circle["id"]]["unread"] == 2


async def test_circle_ids_of(
    store: Store, alice: Record, bob: Record, circle: Record, private_circle: Record
) -> None:
    assert sorted(await store.memberships.circle_ids_of(alice["id"])) == sorted(
        [circle["id"], private_circle["id"]]
    )
    assert await store.memberships.circle_ids_of(bob["id"]) == []
