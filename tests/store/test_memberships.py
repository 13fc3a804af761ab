from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select, update

from store import Conflict, Forbidden, Invalid, Membership, NotFound, Store
from store.ids import CODE_ALPHABET, now_ms
from store.models import ACCESS_CODES, CIRCLES

Record = dict[str, Any]
NewUser = Callable[..., Awaitable[Record]]


async def members_count(store: Store, circle_id: str) -> int:
    async with store.db.read() as conn:
        query = select(CIRCLES.c.member_count).where(CIRCLES.c.id == circle_id)
        return int((await conn.execute(query)).scalar_one())


async def test_join_public_circle(store: Store, alice: Record, bob: Record, circle: Record) -> None:
    await store.chat.say(circle["id"], alice["id"], "Alice", "hello", "n1")
    member = await store.memberships.join(circle["id"], bob["id"])
    assert member == {"user": bob["id"], "role": "member", "nickname": None, "name": "Bob"}
    assert await members_count(store, circle["id"]) == 2
    assert await store.memberships.membership(circle["id"], bob["id"]) == Membership(
        circle["id"], bob["id"], "member", "Bob", joined_seq=1
    )
    # Idempotent: joining again changes nothing.
    assert await store.memberships.join(circle["id"], bob["id"]) == member
    assert await members_count(store, circle["id"]) == 2


async def test_join_unknown_circle_or_user(store: Store, bob: Record, circle: Record) -> None:
    with pytest.raises(NotFound):
        await store.memberships.join("missing", bob["id"])
    with pytest.raises(NotFound):
        await store.memberships.join(circle["id"], "ghost")
    assert await members_count(store, circle["id"]) == 1


async def test_private_circle_needs_a_code(
    store: Store, alice: Record, bob: Record, private_circle: Record
) -> None:
    for wrong in [None, "", "NOSUCHCODE"]:
        with pytest.raises(Forbidden):
            await store.memberships.join(private_circle["id"], bob["id"], wrong)
    [code] = await store.circles.create_codes(private_circle["id"], alice["id"], 1)
    # People type codes: case and stray spaces do not matter.
    member = await store.memberships.join(
        private_circle["id"], bob["id"], f" {code['code'].lower()} "
    )
    assert member["role"] == "member"
    assert await members_count(store, private_circle["id"]) == 2
    # A member joining again spends no use.
    await store.memberships.join(private_circle["id"], bob["id"], code["code"])
    assert await code_uses(store, code["code"]) == 1


async def code_uses(store: Store, code: str) -> int:
    async with store.db.read() as conn:
        return int(
            (
                await conn.execute(select(ACCESS_CODES.c.uses).where(ACCESS_CODES.c.code == code))
            ).scalar_one()
        )


async def test_used_up_code(
    store: Store, alice: Record, bob: Record, carol: Record, private_circle: Record
) -> None:
    [code] = await store.circles.create_codes(private_circle["id"], alice["id"], 1, max_uses=1)
    await store.memberships.join(private_circle["id"], bob["id"], code["code"])
    with pytest.raises(Forbidden, match="used up"):
        await store.memberships.join(private_circle["id"], carol["id"], code["code"])
    assert await code_uses(store, code["code"]) == 1
    assert await store.memberships.membership(private_circle["id"], carol["id"]) is None


async def test_expired_code(
    store: Store, alice: Record, bob: Record, private_circle: Record
) -> None:
    [code] = await store.circles.create_codes(
        private_circle["id"], alice["id"], 1, expires_in_s=3600
    )
    assert now_ms() + 3_590_000 < code["expires"] <= now_ms() + 3_600_000
    async with store.db.write() as conn:
        await conn.execute(
            update(ACCESS_CODES)
            .where(ACCESS_CODES.c.code == code["code"])
            .values(expires=now_ms() - 1)
        )
    with pytest.raises(Forbidden, match="expired"):
        await store.memberships.join(private_circle["id"], bob["id"], code["code"])
    assert await code_uses(store, code["code"]) == 0


async def test_code_of_another_circle(
    store: Store, alice: Record, bob: Record, private_circle: Record
) -> None:
    other = await store.circles.create(alice["id"], "Other", "business", "private")
    [code] = await store.circles.create_codes(other["id"], alice["id"], 1)
    with pytest.raises(Forbidden, match="not valid"):
        await store.memberships.join(private_circle["id"], bob["id"], code["code"])
    assert await code_uses(store, code["code"]) == 0


async def test_racing_for_the_last_uses(
    store: Store, new_user: NewUser, alice: Record, private_circle: Record
) -> None:
    [code] = await store.circles.create_codes(private_circle["id"], alice["id"], 1, max_uses=2)
    users = [await new_user(f"user{i}") for i in range(6)]
    results = await asyncio.gather(
        *(store.memberships.join(private_circle["id"], u["id"], code["code"]) for u in users),
        return_exceptions=True,
    )
    assert sum(isinstance(r, dict) for r in results) == 2
    assert sum(isinstance(r, Forbidden) for r in results) == 4
    assert await code_uses(store, code["code"]) == 2
    assert await members_count(store, private_circle["id"]) == 3


async def test_create_codes(store: Store, alice: Record, bob: Record, circle: Record) -> None:
    codes = await store.circles.create_codes(circle["id"], alice["id"], 100, max_uses=5)
    assert len({c["code"] for c in codes}) == 100
    for c in codes:
        assert len(c["code"]) == 10 and set(c["code"]) <= set(CODE_ALPHABET)
        assert c["max_uses"] == 5 and c["uses"] == 0 and c["expires"] is None
    await store.memberships.join(circle["id"], bob["id"])
    with pytest.raises(Forbidden):
        await store.circles.create_codes(circle["id"], bob["id"], 1)
    with pytest.raises(NotFound):
        await store.circles.create_codes("missing", alice["id"], 1)


@pytest.mark.parametrize(
    ("count", "max_uses", "expires_in_s"),
    [
        (0, None, None),
        (101, None, None),
        (True, None, None),
        ("3", None, None),
        (1, 0, None),
        (1, True, None),
        (1, None, 0),
        (1, None, -5),
        (1, None, 1.5),
    ],
)
async def test_create_codes_invalid(
    store: Store, alice: Record, circle: Record, count: Any, max_uses: Any, expires_in_s: Any
) -> None:
    with pytest.raises(Invalid):
        await store.circles.create_codes(circle["id"], alice["id"], count, max_uses, expires_in_s)


async def test_leave(store: Store, bob: Record, circle: Record) -> None:
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.leave(circle["id"], bob["id"])
    assert await store.memberships.membership(circle["id"], bob["id"]) is None
    assert await members_count(store, circle["id"]) == 1
    await store.memberships.leave(circle["id"], bob["id"])  # not a member: nothing happens
    assert await members_count(store, circle["id"]) == 1
    with pytest.raises(NotFound):
        await store.memberships.leave("missing", bob["id"])


async def test_last_owner_cannot_leave(
    store: Store, alice: Record, bob: Record, circle: Record
) -> None:
    with pytest.raises(Conflict):
        await store.memberships.leave(circle["id"], alice["id"])
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.update_member(circle["id"], alice["id"], bob["id"], role="owner")
    await store.memberships.leave(circle["id"], alice["id"])
    after = await store.circles.get(circle["id"])
    # The circle's `owner` follows to a remaining owner.
    assert after["owner"] == bob["id"] and after["members"] == 1


async def test_members_lists_display_names(
    store: Store, alice: Record, bob: Record, carol: Record, circle: Record, private_circle: Record
) -> None:
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.update_member(circle["id"], bob["id"], bob["id"], nickname="Bobby")
    members, next_page = await store.memberships.members(circle["id"], carol["id"])
    assert next_page is None
    assert members == [
        {"user": alice["id"], "role": "owner", "nickname": None, "name": "Alice"},
        {"user": bob["id"], "role": "member", "nickname": "Bobby", "name": "Bobby"},
    ]
    assert len((await store.memberships.members(private_circle["id"], alice["id"]))[0]) == 1
    with pytest.raises(Forbidden):
        await store.memberships.members(private_circle["id"], carol["id"])
    with pytest.raises(NotFound):
        await store.memberships.members("missing", alice["id"])


async def test_nicknames(
    store: Store, alice: Record, bob: Record, carol: Record, circle: Record
) -> None:
    for user in [bob, carol]:
        await store.memberships.join(circle["id"], user["id"])
    member = await store.memberships.update_member(
        circle["id"], bob["id"], bob["id"], nickname=" B "
    )
    assert member["nickname"] == "B" and member["name"] == "B"
    membership = await store.memberships.membership(circle["id"], bob["id"])
    assert membership is not None and membership.name == "B"
    with pytest.raises(Forbidden):
        await store.memberships.update_member(circle["id"], carol["id"], bob["id"], nickname="Boo")
    member = await store.memberships.update_member(
        circle["id"], alice["id"], bob["id"], nickname="Mod"
    )
    assert member["name"] == "Mod"
    with pytest.raises(Invalid):
        await store.memberships.update_member(circle["id"], bob["id"], bob["id"], nickname="x" * 33)
    member = await store.memberships.update_member(circle["id"], bob["id"], bob["id"], nickname="")
    assert member == {"user": bob["id"], "role": "member", "nickname": None, "name": "Bob"}


async def test_role_rules(
    store: Store, new_user: NewUser, alice: Record, bob: Record, carol: Record, circle: Record
) -> None:
    dave = await new_user("dave")
    cid = circle["id"]
    for user in [bob, carol, dave]:
        await store.memberships.join(cid, user["id"])

    # A member cannot change roles, not even their own.
    for target in [carol, bob]:
        with pytest.raises(Forbidden):
            await store.memberships.update_member(cid, bob["id"], target["id"], role="admin")
    # Owner makes bob admin; the admin may make admins but not owners.
    assert (await store.memberships.update_member(cid, alice["id"], bob["id"], role="admin"))[
        "role"
    ] == "admin"
    await store.memberships.update_member(cid, bob["id"], carol["id"], role="admin")
    with pytest.raises(Forbidden):
        await store.memberships.update_member(cid, bob["id"], dave["id"], role="owner")
    # An admin cannot touch another admin or an owner, but may step down.
    with pytest.raises(Forbidden):
        await store.memberships.update_member(cid, bob["id"], carol["id"], role="member")
    with pytest.raises(Forbidden):
        await store.memberships.update_member(cid, bob["id"], alice["id"], role="member")
    await store.memberships.update_member(cid, carol["id"], carol["id"], role="member")
    # Only an owner makes owners; the last owner cannot step down.
    with pytest.raises(Conflict):
        await store.memberships.update_member(cid, alice["id"], alice["id"], role="admin")
    await store.memberships.update_member(cid, alice["id"], dave["id"], role="owner")
    await store.memberships.update_member(cid, alice["id"], alice["id"], role="admin")
    assert (await store.circles.get(cid))["owner"] == dave["id"]
    roles = {m["user"]: m["role"] for m in (await store.memberships.members(cid, alice["id"]))[0]}
    assert roles == {
        alice["id"]: "admin",
        bob["id"]: "admin",
        carol["id"]: "member",
        dave["id"]: "owner",
    }


async def test_update_member_errors(
    store: Store, alice: Record, bob: Record, carol: Record, circle: Record
) -> None:
    await store.memberships.join(circle["id"], bob["id"])
    with pytest.raises(Invalid):
        await store.memberships.update_member(circle["id"], alice["id"], bob["id"], role="king")
    with pytest.raises(NotFound):
        await store.memberships.update_member(circle["id"], alice["id"], carol["id"], role="admin")
    with pytest.raises(Forbidden):
        await store.memberships.update_member(circle["id"], carol["id"], bob["id"], nickname="x")
    with pytest.raises(NotFound):
        await store.memberships.update_member("missing", alice["id"], bob["id"], role="admin")


async def test_remove_member_rules(
    store: Store, new_user: NewUser, alice: Record, bob: Record, carol: Record, circle: Record
) -> None:
    dave = await new_user("dave")
    cid = circle["id"]
    for user in [bob, carol, dave]:
        await store.memberships.join(cid, user["id"])
    await store.memberships.update_member(cid, alice["id"], bob["id"], role="admin")
    await store.memberships.update_member(cid, alice["id"], carol["id"], role="admin")
    assert await members_count(store, cid) == 4

    with pytest.raises(Forbidden):
        await store.memberships.remove_member(cid, dave["id"], bob["id"])
    with pytest.raises(Forbidden):
        await store.memberships.remove_member(cid, bob["id"], carol["id"])
    with pytest.raises(Forbidden):
        await store.memberships.remove_member(cid, bob["id"], alice["id"])
    with pytest.raises(NotFound):
        await store.memberships.remove_member(cid, bob["id"], "ghost")

    await store.memberships.remove_member(cid, bob["id"], dave["id"])
    await store.memberships.remove_member(cid, alice["id"], carol["id"])
    assert await members_count(store, cid) == 2
    assert await store.memberships.membership(cid, dave["id"]) is None
    # Removing oneself is leaving, with the same last-owner rule.
    with pytest.raises(Conflict):
        await store.memberships.remove_member(cid, alice["id"], alice["id"])
    await store.memberships.remove_member(cid, bob["id"], bob["id"])
    assert await members_count(store, cid) == 1


async def test_membership_of_a_stranger(store: Store, bob: Record, circle: Record) -> None:
    assert await store.memberships.membership(circle["id"], bob["id"]) is None
    assert await store.memberships.membership("missing", bob["id"]) is None


async def test_members_come_in_pages_in_joining_order(
    store: Store, circle: Record, alice: Record, add_members: Any
) -> None:
    members = await add_members(circle["id"], 25)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page, cursor = await store.memberships.members(
            circle["id"], alice["id"], cursor=cursor, limit=10
        )
        seen += [m["user"] for m in page]
        pages += 1
        if cursor is None:
            break
    assert pages == 3
    assert seen == [alice["id"], *(m["id"] for m in members)]


async def test_an_admin_sets_members_nicknames_but_not_an_owners_or_another_admins(
    store: Store, new_user: NewUser, alice: Record, bob: Record, carol: Record, circle: Record
) -> None:
    dave = await new_user("dave")
    cid = circle["id"]
    for user in [bob, carol, dave]:
        await store.memberships.join(cid, user["id"])
    await store.memberships.update_member(cid, alice["id"], bob["id"], role="admin")
    await store.memberships.update_member(cid, alice["id"], carol["id"], role="admin")

    # An admin renaming the owner (or another admin) in the circle is an admin
    # changing who the circle thinks is in charge: refused, as a role change is.
    for target in [alice, carol]:
        with pytest.raises(Forbidden):
            await store.memberships.update_member(cid, bob["id"], target["id"], nickname="Nobody")
    names = {m["user"]: m["name"] for m in (await store.memberships.members(cid, alice["id"]))[0]}
    assert names[alice["id"]] == "Alice" and names[carol["id"]] == "Carol"

    member = await store.memberships.update_member(cid, bob["id"], dave["id"], nickname="D")
    assert member["name"] == "D"
    assert (await store.memberships.update_member(cid, bob["id"], bob["id"], nickname="B"))[
        "name"
    ] == "B"
    # The owner names anyone, admins included.
    member = await store.memberships.update_member(cid, alice["id"], carol["id"], nickname="C")
    assert member["name"] == "C"
