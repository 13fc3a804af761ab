"""Mutes and bans in the store: who may, what a muted member may not do, and
that a ban keeps someone out of every road in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from store import MUTED_UNTIL_LIFTED, Conflict, Forbidden, NotFound, Record, Store, now_ms
from tests.timing import sleep


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record, alice: Record) -> Record:
    """Alice owns it, Bob is an admin, Carol a member."""
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.join(circle["id"], carol["id"])
    await store.memberships.update_member(circle["id"], alice["id"], bob["id"], role="admin")
    return circle


async def test_a_muted_member_reads_but_cannot_post_comment_or_vote(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    post = await store.posts.create(room["id"], alice["id"], "post", "欢迎")
    said, _ = await store.chat.say(room["id"], alice["id"], "Alice", "hi", "n1")
    member = await store.sanctions.mute(room["id"], bob["id"], carol["id"], reason="刷屏")
    assert member["muted_until"] == MUTED_UNTIL_LIFTED
    attempts: list[Callable[[], Awaitable[object]]] = [
        lambda: store.posts.create(room["id"], carol["id"], "post", "buy now"),
        lambda: store.comments.add_comment(post["id"], carol["id"], "buy now"),
        lambda: store.stars.star(room["id"], said["seq"], carol["id"]),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden) as refused:
            await attempt()
        assert refused.value.reason == "muted"
        assert refused.value.params == {"until": MUTED_UNTIL_LIFTED}
    # Reading is untouched.
    assert (await store.posts.get(post["id"], carol["id"]))["id"] == post["id"]
    unmuted = await store.sanctions.unmute(room["id"], bob["id"], carol["id"])
    assert "muted_until" not in unmuted
    await store.posts.create(room["id"], carol["id"], "post", "sorry")
    acts = [e["action"] for e in (await store.audit.page(room["id"], alice["id"]))[0]]
    assert acts == ["member.unmuted", "member.muted", "member.role"]  # bob made admin first


async def test_a_timed_mute_ends_by_itself(
    store: Store, room: Record, bob: Record, carol: Record
) -> None:
    until = now_ms() + 300
    member = await store.sanctions.mute(room["id"], bob["id"], carol["id"], until=until)
    assert member["muted_until"] == until
    membership = await store.memberships.membership(room["id"], carol["id"])
    assert membership is not None and membership.muted(now_ms())
    with pytest.raises(Forbidden):
        await store.posts.create(room["id"], carol["id"], "post", "too soon")
    while now_ms() <= until:
        await sleep(0.1)
    await store.posts.create(room["id"], carol["id"], "post", "back")
    members, _ = await store.memberships.members(room["id"], carol["id"])
    assert all("muted_until" not in m for m in members)


async def test_who_may_mute_and_ban_whom(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    with pytest.raises(Forbidden):  # a member
        await store.sanctions.mute(room["id"], carol["id"], bob["id"])
    with pytest.raises(Forbidden):  # an admin, an owner
        await store.sanctions.ban(room["id"], bob["id"], alice["id"])
    with pytest.raises(Conflict):  # oneself
        await store.sanctions.mute(room["id"], bob["id"], bob["id"])
    with pytest.raises(NotFound):  # no such member
        await store.sanctions.mute(room["id"], bob["id"], "nobody")
    await store.memberships.update_member(room["id"], alice["id"], carol["id"], role="owner")
    with pytest.raises(Forbidden):  # an owner is never muted, even by an owner: demote first
        await store.sanctions.mute(room["id"], alice["id"], carol["id"])
    await store.memberships.update_member(room["id"], alice["id"], carol["id"], role="admin")
    with pytest.raises(Forbidden):  # an admin, another admin
        await store.sanctions.mute(room["id"], bob["id"], carol["id"])
    await store.sanctions.mute(room["id"], alice["id"], carol["id"])  # the owner may


async def test_a_ban_removes_and_keeps_out_of_every_road_in(
    store: Store,
    room: Record,
    private_circle: Record,
    alice: Record,
    bob: Record,
    new_user: Callable[..., Awaitable[Record]],
) -> None:
    spammer = await new_user("spam8", "广告哥")
    await store.memberships.join(room["id"], spammer["id"])
    ban = await store.sanctions.ban(room["id"], bob["id"], spammer["id"], reason="广告")
    assert ban["user"]["name"] == "广告哥" and ban["reason"] == "广告" and ban["by"] == bob["id"]
    assert await store.memberships.membership(room["id"], spammer["id"]) is None
    with pytest.raises(Forbidden) as refused:
        await store.memberships.join(room["id"], spammer["id"])
    assert refused.value.reason == "banned"
    # A private circle: a valid code does not let them in either.
    code = (await store.circles.create_codes(private_circle["id"], alice["id"], 1))[0]["code"]
    await store.sanctions.ban(private_circle["id"], alice["id"], spammer["id"])
    with pytest.raises(Forbidden):
        await store.memberships.join(private_circle["id"], spammer["id"], code)
    # The list, searchable by name in any script; twice banned is one ban.
    await store.sanctions.ban(room["id"], bob["id"], spammer["id"])
    found, _ = await store.sanctions.bans(room["id"], bob["id"], query="广告")
    assert [b["user"]["id"] for b in found] == [spammer["id"]]
    assert (await store.sanctions.bans(room["id"], bob["id"], query="nobody"))[0] == []
    await store.sanctions.unban(room["id"], bob["id"], spammer["id"])
    with pytest.raises(NotFound):
        await store.sanctions.unban(room["id"], bob["id"], spammer["id"])
    await store.memberships.join(room["id"], spammer["id"])
    acts = [e["action"] for e in (await store.audit.page(room["id"], alice["id"]))[0]]
    assert acts == ["member.unbanned", "member.banned", "member.role"]


async def test_members_are_searchable_by_nickname_name_or_login(
    store: Store, room: Record, alice: Record, carol: Record
) -> None:
    await store.memberships.update_member(room["id"], carol["id"], carol["id"], nickname="提拉米蘇")
    found, _ = await store.memberships.members(room["id"], alice["id"], query="米蘇")
    assert [m["user"] for m in found] == [carol["id"]]
    found, _ = await store.memberships.members(room["id"], alice["id"], query="CAROL")
    assert [m["user"] for m in found] == [carol["id"]]
    found, _ = await store.memberships.members(room["id"], alice["id"], query="%")
    assert found == []


async def test_a_muted_author_cannot_edit_their_messages_either(
    store: Store, room: Record, bob: Record, carol: Record
) -> None:
    said, _ = await store.chat.say(room["id"], carol["id"], "Carol", "first", "e1")
    await store.sanctions.mute(room["id"], bob["id"], carol["id"])
    with pytest.raises(Forbidden) as refused:
        await store.message_edits.edit(room["id"], said["seq"], carol["id"], "spam instead")
    assert refused.value.reason == "muted"
