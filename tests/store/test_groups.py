"""Chat groups (store/groups.py): who creates and edits them, joining (open,
on request, invite-only), caps, leaving, group admins, what archiving keeps,
and each group's own seq stream, stars and history floor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from store import Conflict, Forbidden, Invalid, NotFound, Store
from store.ids import new_id
from tests import timing

Record = dict[str, Any]


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    """alice's circle with bob and carol as members."""
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.join(circle["id"], carol["id"])
    return circle


async def say_in(store: Store, circle_id: str, group_id: str, user: Record, text: str) -> int:
    message, _ = await store.chat.say(
        circle_id, user["id"], user["name"], text, new_id(), group_id=group_id
    )
    return int(message["seq"])


def by_id(groups: list[Record]) -> dict[str, Record]:
    return {group["id"]: group for group in groups}


async def test_owners_and_admins_create_groups_members_do_not(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    group = await store.groups.create(room["id"], alice["id"], "Beijing", topic="north")
    assert group["circle"] == room["id"] and group["general"] is False
    assert (group["name"], group["topic"], group["access"]) == ("Beijing", "north", "open")
    assert (group["members"], group["last_seq"], group["archived"]) == (1, 0, False)
    with pytest.raises(Forbidden):
        await store.groups.create(room["id"], bob["id"], "Shanghai")
    await store.memberships.update_member(room["id"], alice["id"], bob["id"], role="admin")
    assert (await store.groups.create(room["id"], bob["id"], "Shanghai"))["members"] == 1
    with pytest.raises(Invalid):
        await store.groups.create(room["id"], alice["id"], "x", access="secret")
    with pytest.raises(Invalid):
        await store.groups.create(room["id"], alice["id"], "x", max_members=1)


async def test_the_list_is_in_order_with_each_viewers_standing_and_unread(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    circle = room["id"]
    first = await store.groups.create(circle, alice["id"], "first")
    second = await store.groups.create(circle, alice["id"], "second", access="request")
    await store.groups.join(first["id"], bob["id"])
    await store.groups.join(second["id"], carol["id"])
    for text in ("one", "two", "three"):
        await say_in(store, circle, first["id"], alice, text)
    await store.chat.mark_read(circle, bob["id"], 1, first["id"])

    listed = await store.groups.of_circle(circle, bob["id"])
    assert [g["id"] for g in listed] == [circle, first["id"], second["id"]]
    assert listed[0]["general"] is True and listed[0]["members"] == 3
    seen = by_id(listed)
    assert {k: seen[first["id"]][k] for k in ("joined", "role", "requested", "unread")} == {
        "joined": True,
        "role": "member",
        "requested": False,
        "unread": 2,
    }
    assert seen[second["id"]]["joined"] is False and seen[second["id"]]["unread"] is None

    theirs = by_id(await store.groups.of_circle(circle, carol["id"]))
    assert theirs[second["id"]]["requested"] is True and theirs[second["id"]]["role"] is None
    assert theirs[first["id"]]["joined"] is False
    assert by_id(await store.groups.of_circle(circle, alice["id"]))[first["id"]]["role"] == "admin"

    # Reordering moves a group up; only the circle's managers place groups.
    await store.groups.update(second["id"], alice["id"], position=0)
    order = [g["id"] for g in await store.groups.of_circle(circle, bob["id"])]
    assert order.index(second["id"]) < order.index(first["id"])


async def test_a_stranger_sees_no_groups(
    store: Store, room: Record, alice: Record, new_user: Callable[..., Awaitable[Record]]
) -> None:
    stranger = await new_user("dave")
    group = await store.groups.create(room["id"], alice["id"], "g")
    with pytest.raises(Forbidden):
        await store.groups.of_circle(room["id"], stranger["id"])
    with pytest.raises(Forbidden):
        await store.groups.get(group["id"], stranger["id"])
    with pytest.raises(Forbidden):
        await store.groups.join(group["id"], stranger["id"])
    with pytest.raises(NotFound):
        await store.groups.get("nope", alice["id"])


async def test_joining_open_request_and_invite_only_groups(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    opened = await store.groups.create(room["id"], alice["id"], "open")
    asked = await store.groups.create(room["id"], alice["id"], "asked", access="request")
    invited = await store.groups.create(room["id"], alice["id"], "cohort", access="invite")

    assert (await store.groups.join(opened["id"], bob["id"]))["approved"] is True
    pending = await store.groups.join(asked["id"], bob["id"])
    assert pending == {"group": asked["id"], "user": bob["id"], "role": "member", "approved": False}
    assert await store.groups.join(asked["id"], bob["id"]) == pending  # idempotent
    with pytest.raises(Forbidden):
        await store.groups.access(asked["id"], bob["id"])
    # A plain member cannot approve; a group admin can.
    with pytest.raises(Forbidden):
        await store.groups.add(asked["id"], carol["id"], bob["id"])
    await store.groups.add(asked["id"], alice["id"], carol["id"], role="admin")
    approved = await store.groups.add(asked["id"], carol["id"], bob["id"])
    assert approved["approved"] is True
    assert (await store.groups.access(asked["id"], bob["id"])).role == "member"
    assert (await store.groups.get(asked["id"], bob["id"]))["members"] == 3

    with pytest.raises(Forbidden):
        await store.groups.join(invited["id"], bob["id"])
    added = await store.groups.add(invited["id"], alice["id"], bob["id"])
    assert added["approved"] is True and added["role"] == "member"


async def test_a_full_group_refuses_joins_and_approvals(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    capped = await store.groups.create(room["id"], alice["id"], "pair", max_members=2)
    await store.groups.join(capped["id"], bob["id"])
    with pytest.raises(Conflict):
        await store.groups.join(capped["id"], carol["id"])
    with pytest.raises(Conflict):
        await store.groups.add(capped["id"], alice["id"], carol["id"])
    await store.groups.leave(capped["id"], bob["id"])
    assert (await store.groups.join(capped["id"], carol["id"]))["approved"] is True


async def test_leaving_and_the_general_group(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    circle = room["id"]
    group = await store.groups.create(circle, alice["id"], "g")
    await store.groups.join(group["id"], bob["id"])
    await store.groups.leave(group["id"], bob["id"])
    with pytest.raises(Forbidden):
        await store.groups.access(group["id"], bob["id"])
    assert (await store.groups.get(group["id"], bob["id"]))["members"] == 1
    await store.groups.leave(group["id"], bob["id"])  # not in it: nothing to do

    with pytest.raises(Conflict):
        await store.groups.leave(circle, bob["id"])
    with pytest.raises(Conflict):
        await store.groups.update(circle, alice["id"], archived=True)
    with pytest.raises(Conflict):
        await store.groups.update(circle, alice["id"], access="invite")
    renamed = await store.groups.update(circle, alice["id"], name="lobby", topic="say hi")
    assert (renamed["name"], renamed["general"], renamed["members"]) == ("lobby", True, 3)
    # Everyone in the circle is in general, without joining.
    assert (await store.groups.join(circle, bob["id"]))["approved"] is True
    assert (await store.groups.access(circle, bob["id"], circle)).general


async def test_group_admins_edit_name_and_topic_but_not_place_access_or_archive(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    group = await store.groups.create(room["id"], alice["id"], "g")
    await store.groups.join(group["id"], bob["id"])
    await store.groups.add(group["id"], alice["id"], bob["id"], role="admin")
    await store.groups.join(group["id"], carol["id"])
    edited = await store.groups.update(group["id"], bob["id"], name="renamed", topic="t")
    assert (edited["name"], edited["topic"]) == ("renamed", "t")
    for change in ({"archived": True}, {"position": 9}, {"access": "invite"}):
        with pytest.raises(Forbidden):
            await store.groups.update(group["id"], bob["id"], **change)
    with pytest.raises(Forbidden):
        await store.groups.update(group["id"], carol["id"], name="mine")


async def test_a_group_admin_cannot_demote_another_group_admin(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    # Demoting then removing would get round "a group admin cannot remove another".
    group = await store.groups.create(room["id"], alice["id"], "g")
    for user in (bob, carol):
        await store.groups.add(group["id"], alice["id"], user["id"], role="admin")
    with pytest.raises(Forbidden):
        await store.groups.remove(group["id"], bob["id"], carol["id"])
    with pytest.raises(Forbidden):
        await store.groups.add(group["id"], bob["id"], carol["id"], role="member")
    assert (await store.groups.access(group["id"], carol["id"])).role == "admin"
    # The circle's owner may.
    await store.groups.add(group["id"], alice["id"], carol["id"], role="member")
    assert (await store.groups.access(group["id"], carol["id"])).role == "member"


async def test_pending_requests_show_only_to_group_admins(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    group = await store.groups.create(room["id"], alice["id"], "g", access="request")
    await store.groups.add(group["id"], alice["id"], bob["id"])
    await store.groups.join(group["id"], carol["id"])
    everyone, _ = await store.groups.members(group["id"], alice["id"])
    assert {(m["user"], m["approved"]) for m in everyone} == {
        (alice["id"], True),
        (bob["id"], True),
        (carol["id"], False),
    }
    members, _ = await store.groups.members(group["id"], bob["id"])
    assert {m["user"] for m in members} == {alice["id"], bob["id"]}
    with pytest.raises(Forbidden):
        await store.groups.members(group["id"], carol["id"])
    with pytest.raises(Conflict):
        await store.groups.members(room["id"], alice["id"])
    first, cursor = await store.groups.members(group["id"], alice["id"], limit=2)
    rest, end = await store.groups.members(group["id"], alice["id"], cursor=cursor, limit=2)
    assert len(first) == 2 and len(rest) == 1 and end is None
    assert {m["user"] for m in first + rest} == {m["user"] for m in everyone}


async def test_archiving_hides_a_group_from_the_list_and_stops_joins(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    group = await store.groups.create(room["id"], alice["id"], "old")
    await store.groups.update(group["id"], alice["id"], archived=True)
    assert group["id"] not in by_id(await store.groups.of_circle(room["id"], bob["id"]))
    listed = by_id(await store.groups.of_circle(room["id"], bob["id"], archived=True))
    assert listed[group["id"]]["archived"] is True
    with pytest.raises(Conflict):
        await store.groups.join(group["id"], bob["id"])
    access = await store.groups.access(group["id"], alice["id"])
    assert access.archived and not access.may_say


async def test_leaving_the_circle_is_leaving_its_groups(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    circle = room["id"]
    group = await store.groups.create(circle, alice["id"], "g")
    await store.groups.join(group["id"], bob["id"])
    await store.groups.join(group["id"], carol["id"])
    await store.memberships.remove_member(circle, alice["id"], bob["id"])
    await store.memberships.leave(circle, carol["id"])
    assert (await store.groups.get(group["id"], alice["id"]))["members"] == 1
    assert await store.groups.member_ids(group["id"]) == [alice["id"]]
    # Each departure from the group is logged before the one from the circle:
    # members' counts move live, and a node stops the group's chat first.
    log = (await store.changes.after(circle, alice["id"], 0, limit=100)).changes
    kinds = [(c.kind, c.data.get("user"), c.data.get("reason")) for c in log[-4:]]
    assert kinds == [
        ("group.left", bob["id"], "removed"),
        ("member.removed", bob["id"], None),
        ("group.left", carol["id"], "left"),
        ("member.left", carol["id"], None),
    ]
    assert log[-2].data["members"] == 1
    # Back in the circle, not back in the group.
    await store.memberships.join(circle, bob["id"])
    with pytest.raises(Forbidden):
        await store.groups.access(group["id"], bob["id"])


async def test_each_group_has_its_own_seq_stream(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    circle = room["id"]
    one = await store.groups.create(circle, alice["id"], "one")
    two = await store.groups.create(circle, alice["id"], "two")
    said = [await say_in(store, circle, one["id"], alice, f"a{i}") for i in range(3)]
    said += [await say_in(store, circle, two["id"], alice, f"b{i}") for i in range(2)]
    said += [await say_in(store, circle, circle, alice, "general")]
    assert said == [1, 2, 3, 1, 2, 1]
    history, more = await store.chat.history(one["id"])
    assert [m["text"] for m in history] == ["a0", "a1", "a2"] and more is False
    assert {m["group"] for m in history} == {one["id"]}
    assert [m["text"] for m in await store.chat.after(two["id"], 0, 10)] == ["b0", "b1"]
    assert await store.chat.last_seqs([one["id"], two["id"], circle]) == {
        one["id"]: 3,
        two["id"]: 2,
        circle: 1,
    }


async def test_a_star_in_a_group_makes_one_highlight_that_archiving_keeps(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    circle = room["id"]
    group = await store.groups.create(circle, alice["id"], "g")
    await store.groups.join(group["id"], bob["id"])
    seq = await say_in(store, circle, group["id"], bob, "worth keeping")
    stars, post, promoted = await store.stars.star(circle, seq, alice["id"], group["id"])
    assert stars == 1 and promoted is True and post is not None
    assert post["source"]["group"] == group["id"] and post["source"]["seq"] == seq
    # Starred again (by a member of the group), still one post.
    _, again, promoted = await store.stars.star(circle, seq, bob["id"], group["id"])
    assert promoted is False and again is not None and again["id"] == post["id"]
    # The same seq in general is another message.
    with pytest.raises(NotFound):
        await store.stars.star(circle, seq, alice["id"])
    await store.groups.update(group["id"], alice["id"], archived=True)
    feed, _ = await store.posts.feed(circle, bob["id"])
    assert [p["id"] for p in feed if p.get("source")] == [post["id"]]
    assert (await store.posts.get(post["id"], bob["id"]))["source"]["group"] == group["id"]


async def test_a_star_from_outside_the_group_is_refused(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    group = await store.groups.create(room["id"], alice["id"], "g")
    seq = await say_in(store, room["id"], group["id"], alice, "members only")
    with pytest.raises(Forbidden):
        await store.stars.star(room["id"], seq, bob["id"], group["id"])


async def test_hidden_history_is_hidden_per_group(
    store: Store, room: Record, alice: Record, bob: Record, new_user: Callable[..., Any]
) -> None:
    circle = room["id"]
    await store.circles.update(circle, alice["id"], {"history_for_new_members": False})
    group = await store.groups.create(circle, alice["id"], "g")
    await say_in(store, circle, group["id"], alice, "before bob joined the group")
    await say_in(store, circle, circle, alice, "general, after bob joined the circle")
    await store.groups.join(group["id"], bob["id"])
    after = await say_in(store, circle, group["id"], alice, "after bob joined the group")

    access = await store.groups.access(group["id"], bob["id"])
    assert access.floor == after - 1
    seen, _ = await store.chat.history(group["id"], min_seq=access.floor)
    assert [m["text"] for m in seen] == ["after bob joined the group"]
    # In general, bob's floor is where he joined the circle: he sees its later chat.
    general = await store.groups.access(circle, bob["id"], circle)
    seen, _ = await store.chat.history(circle, min_seq=general.floor)
    assert [m["text"] for m in seen] == ["general, after bob joined the circle"]
    # What he cannot read he cannot star.
    with pytest.raises(NotFound):
        await store.stars.star(circle, 1, bob["id"], group["id"])
    # With history shown, the floor is 0 in every group.
    await store.circles.update(circle, alice["id"], {"history_for_new_members": True})
    assert (await store.groups.access(group["id"], bob["id"])).floor == 0


async def test_an_admin_outside_a_group_reads_it_from_when_they_joined_the_circle(
    store: Store, room: Record, alice: Record, bob: Record, new_user: Callable[..., Any]
) -> None:
    circle = room["id"]
    await store.circles.update(circle, alice["id"], {"history_for_new_members": False})
    group = await store.groups.create(circle, alice["id"], "g")
    await store.groups.join(group["id"], bob["id"])
    await say_in(store, circle, group["id"], bob, "before dee came")
    dee = await new_user("dee")
    await store.memberships.join(circle, dee["id"])
    await store.memberships.update_member(circle, alice["id"], dee["id"], role="admin")
    await timing.sleep(0.005)  # a later millisecond than her joining
    after = await say_in(store, circle, group["id"], bob, "after dee came")

    access = await store.groups.access(group["id"], dee["id"])
    assert access.role is None and access.manager and access.floor == after - 1
    with pytest.raises(NotFound):
        await store.chat.set_veto(circle, after - 1, dee["id"], True, group["id"])
    await store.chat.set_veto(circle, after, dee["id"], True, group["id"])
    # Joining the group, she reads it from her joining on, like anyone.
    await store.groups.join(group["id"], dee["id"])
    assert (await store.groups.access(group["id"], dee["id"])).floor == after


async def test_vetoes_are_per_group(store: Store, room: Record, alice: Record, bob: Record) -> None:
    circle = room["id"]
    group = await store.groups.create(circle, alice["id"], "g")
    seq = await say_in(store, circle, group["id"], alice, "no promotion please")
    await say_in(store, circle, circle, alice, "same seq in general")
    await store.chat.set_veto(circle, seq, alice["id"], True, group["id"])
    assert await store.chat.is_vetoed(group["id"], seq) is True
    assert await store.chat.is_vetoed(circle, seq) is False
    with pytest.raises(Forbidden):
        await store.chat.set_veto(circle, seq, bob["id"], False, group["id"])
    with pytest.raises(NotFound):
        await store.chat.set_veto(circle, seq + 5, alice["id"], True, group["id"])


async def test_a_pending_request_is_granted_by_joining_once_the_group_is_open(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    group = await store.groups.create(room["id"], alice["id"], "g", access="request")
    assert (await store.groups.join(group["id"], bob["id"]))["approved"] is False
    assert (await store.groups.join(group["id"], carol["id"]))["approved"] is False
    await store.groups.update(group["id"], alice["id"], access="open")
    assert (await store.groups.join(group["id"], bob["id"]))["approved"] is True
    assert (await store.groups.access(group["id"], bob["id"])).role == "member"
    assert (await store.groups.get(group["id"], bob["id"]))["members"] == 2
    # Invite-only: the request waits for an admin, as before.
    await store.groups.update(group["id"], alice["id"], access="invite")
    assert (await store.groups.join(group["id"], carol["id"]))["approved"] is False


async def test_a_members_unread_in_my_circles_counts_the_groups_they_are_in(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    circle = room["id"]
    joined = await store.groups.create(circle, alice["id"], "joined")
    other = await store.groups.create(circle, alice["id"], "other")
    await store.groups.join(joined["id"], bob["id"])
    await say_in(store, circle, circle, alice, "general 1")
    for text in ("a", "b", "c"):
        await say_in(store, circle, joined["id"], alice, text)
    await say_in(store, circle, other["id"], alice, "not bob's")
    await store.chat.mark_read(circle, bob["id"], 1, joined["id"])

    def unread(circles: list[Record]) -> int:
        return next(int(c["unread"]) for c in circles if c["id"] == circle)

    assert unread(await store.circles.my_circles(bob["id"])) == 1 + 2
    await store.groups.update(joined["id"], alice["id"], archived=True)
    assert unread(await store.circles.my_circles(bob["id"])) == 1
