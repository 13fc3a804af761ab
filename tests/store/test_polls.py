"""Polls (store/polls.py): in chat groups and on posts; single and multiple
choice, once per member, deadline, close, anonymous, who may see and vote."""

from __future__ import annotations

from typing import Any

import pytest

from store import Conflict, Forbidden, Invalid, NotFound, Store
from store.ids import new_id, now_ms

Record = dict[str, Any]


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    """alice's circle with bob and carol as members."""
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.join(circle["id"], carol["id"])
    return circle


async def ask(store: Store, group: str, user: Record, **settings: Any) -> Record:
    settings.setdefault("question", "去哪儿吃饭吗")
    settings.setdefault("options", ["火锅", "烤鸭", "饺子"])
    return await store.polls.create_in_group(group, user["id"], new_id(), **settings)


async def kinds(store: Store, circle: str) -> list[tuple[str, Record]]:
    page = await store.changes.after(circle, None, 0)
    return [(c.kind, c.data) for c in page.changes if c.kind.startswith("poll.")]


async def test_a_chat_poll_is_a_message_of_its_group(
    store: Store, room: Record, alice: Record
) -> None:
    poll = await ask(store, room["id"], alice)
    assert (poll["group"], poll["post"], poll["author"]) == (room["id"], None, alice["id"])
    assert poll["options"] == ["火锅", "烤鸭", "饺子"] and poll["counts"] == [0, 0, 0]
    assert (poll["voters"], poll["mine"], poll["closed"]) == (0, [], False)
    history, _ = await store.chat.history(room["id"], None, 10)
    assert [(m["seq"], m["text"]) for m in history][-1] == (poll["seq"], "📊 去哪儿吃饭吗")
    [(kind, data)] = await kinds(store, room["id"])
    assert kind == "poll.created" and data["poll"]["id"] == poll["id"]
    assert "mine" not in data["poll"]
    second = await ask(store, room["id"], alice, question="第二个", options=["是", "否"])
    await store.polls.vote(second["id"], alice["id"], [1])
    again = await store.polls.create_in_group(
        room["id"], alice["id"], "same", question="q", options=["a", "b"]
    )
    repeated = await store.polls.create_in_group(
        room["id"], alice["id"], "same", question="q", options=["a", "b"]
    )
    assert repeated["id"] == again["id"]
    await store.chat.say(room["id"], alice["id"], "Alice", "hello", "plain")
    with pytest.raises(Conflict):
        await store.polls.create_in_group(
            room["id"], alice["id"], "plain", question="q", options=["a", "b"]
        )
    listed = await store.polls.of_group(room["id"], alice["id"])
    assert [(p["id"], p["counts"], p["mine"]) for p in listed] == [
        (again["id"], [0, 0], []),
        (second["id"], [0, 1], [1]),
        (poll["id"], [0, 0, 0], []),
    ]
    assert [p["id"] for p in await store.polls.of_group(room["id"], alice["id"], 1)] == [
        again["id"]
    ]


async def test_single_choice_replaces_the_members_vote(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    poll = await ask(store, room["id"], alice)
    await store.polls.vote(poll["id"], bob["id"], [0])
    again = await store.polls.vote(poll["id"], bob["id"], [0])
    assert (again["counts"], again["voters"], again["mine"]) == ([1, 0, 0], 1, [0])
    moved = await store.polls.vote(poll["id"], bob["id"], [2])
    assert (moved["counts"], moved["voters"], moved["mine"]) == ([0, 0, 1], 1, [2])
    other = await store.polls.vote(poll["id"], carol["id"], [2])
    assert (other["counts"], other["voters"]) == ([0, 0, 2], 2)
    with pytest.raises(Invalid):
        await store.polls.vote(poll["id"], bob["id"], [0, 1])
    for bad in ([3], [-1], ["0"], [True], "0", None):
        with pytest.raises(Invalid):
            await store.polls.vote(poll["id"], bob["id"], bad)
    withdrawn = await store.polls.vote(poll["id"], bob["id"], [])
    assert (withdrawn["counts"], withdrawn["voters"], withdrawn["mine"]) == ([0, 0, 1], 1, [])
    voted = [d for k, d in await kinds(store, room["id"]) if k == "poll.voted"]
    # The repeated vote changed nothing and logged nothing.
    assert len(voted) == 4
    assert voted[-1] == {
        "poll": poll["id"],
        "group": room["id"],
        "post": None,
        "counts": [0, 0, 1],
        "voters": 1,
        "user": bob["id"],
        "options": [],
    }


async def test_multiple_choice_counts_each_option_once_per_member(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    poll = await ask(store, room["id"], alice, multiple=True)
    await store.polls.vote(poll["id"], bob["id"], [0, 2, 2])
    await store.polls.vote(poll["id"], carol["id"], [2])
    seen = await store.polls.vote(poll["id"], bob["id"], [2, 1])
    assert (seen["counts"], seen["voters"], seen["mine"]) == ([0, 1, 2], 2, [1, 2])
    voters = await store.polls.voters(poll["id"], alice["id"])
    assert {v["user"]: v["options"] for v in voters} == {bob["id"]: [1, 2], carol["id"]: [2]}


async def test_bad_polls_are_refused(store: Store, room: Record, alice: Record) -> None:
    for settings in (
        {"options": ["only one"]},
        {"options": [str(i) for i in range(21)]},
        {"options": ["a", "a"]},
        {"options": ["a", "x" * 101]},
        {"options": ["a", ""]},
        {"options": "a,b"},
        {"question": "  "},
        {"question": "?" * 301},
        {"closes_at": now_ms() - 1},
        {"closes_at": "soon"},
        {"multiple": "yes"},
    ):
        with pytest.raises(Invalid):
            await ask(store, room["id"], alice, **settings)
    assert (await store.chat.history(room["id"], None, 10))[0] == []
    assert len(await ask(store, room["id"], alice, options=[str(i) for i in range(20)])) > 0


async def test_no_vote_after_the_deadline_or_once_closed(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    soon = await ask(store, room["id"], bob, closes_at=now_ms() + 60_000)
    await store.polls.vote(soon["id"], carol["id"], [1])
    # The deadline passes (moved into the past as time would).
    from sqlalchemy import update

    from store.models import POLLS

    async with store.db.write() as conn:
        await conn.execute(
            update(POLLS).where(POLLS.c.id == soon["id"]).values(closes_at=now_ms() - 1)
        )
    with pytest.raises(Conflict):
        await store.polls.vote(soon["id"], carol["id"], [0])
    assert (await store.polls.get(soon["id"], carol["id"]))["closed"] is True

    poll = await ask(store, room["id"], bob)
    with pytest.raises(Forbidden):
        await store.polls.close(poll["id"], carol["id"])
    closed = await store.polls.close(poll["id"], bob["id"])
    assert closed["closed"] is True
    with pytest.raises(Conflict):
        await store.polls.vote(poll["id"], carol["id"], [0])
    with pytest.raises(Conflict):
        await store.polls.close(poll["id"], alice["id"])
    # An owner closes anyone's poll.
    third = await ask(store, room["id"], bob)
    assert (await store.polls.close(third["id"], alice["id"]))["closed"] is True
    assert [k for k, _ in await kinds(store, room["id"])].count("poll.closed") == 2


async def test_an_anonymous_poll_never_tells_who_voted_for_what(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    poll = await ask(store, room["id"], alice, anonymous=True)
    await store.polls.vote(poll["id"], bob["id"], [1])
    seen = await store.polls.vote(poll["id"], carol["id"], [0])
    assert (seen["counts"], seen["mine"]) == ([1, 1, 0], [0])
    assert (await store.polls.get(poll["id"], bob["id"]))["mine"] == [1]
    assert (await store.polls.get(poll["id"], alice["id"]))["mine"] == []
    with pytest.raises(Forbidden):
        await store.polls.voters(poll["id"], alice["id"])
    voted = [d for k, d in await kinds(store, room["id"]) if k == "poll.voted"]
    assert [(d["user"], d["options"]) for d in voted] == [(None, None), (None, None)]
    for _, data in await kinds(store, room["id"]):
        assert bob["id"] not in str(data) and carol["id"] not in str(data)


async def test_only_who_may_read_the_group_sees_and_votes(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record, new_user: Any
) -> None:
    group = await store.groups.create(room["id"], alice["id"], "北京", access="invite")
    await store.groups.add(group["id"], alice["id"], bob["id"])
    poll = await ask(store, group["id"], bob)
    assert poll["group"] == group["id"]
    with pytest.raises(Forbidden):
        await store.polls.get(poll["id"], carol["id"])
    with pytest.raises(Forbidden):
        await store.polls.vote(poll["id"], carol["id"], [0])
    with pytest.raises(Forbidden):
        await store.polls.of_group(group["id"], carol["id"])
    with pytest.raises(Forbidden):
        await ask(store, group["id"], carol)
    stranger = await new_user("dave")
    with pytest.raises(Forbidden):
        await store.polls.vote(poll["id"], stranger["id"], [0])
    # The circle's owner reads every group.
    assert (await store.polls.vote(poll["id"], alice["id"], [0]))["counts"] == [1, 0, 0]
    with pytest.raises(NotFound):
        await store.polls.get("nope", alice["id"])
    with pytest.raises(NotFound):
        await store.polls.of_group("nope", alice["id"])
    await store.groups.update(group["id"], alice["id"], archived=True)
    with pytest.raises(Conflict):
        await store.polls.vote(poll["id"], bob["id"], [1])
    assert (await store.polls.get(poll["id"], bob["id"]))["counts"] == [1, 0, 0]
    read_only = await store.groups.create(room["id"], alice["id"], "公告", read_only=True)
    await store.groups.join(read_only["id"], bob["id"])
    with pytest.raises(Forbidden):
        await ask(store, read_only["id"], bob)


async def test_a_post_poll_belongs_to_its_authors_post(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record, new_user: Any
) -> None:
    post = await store.posts.create(room["id"], bob["id"], "post", "周末活动")
    with pytest.raises(Forbidden):
        await store.polls.create_on_post(
            post["id"], carol["id"], question="几点吗", options=["9", "10"]
        )
    assert await store.polls.of_post(post["id"], carol["id"]) is None
    poll = await store.polls.create_on_post(
        post["id"], bob["id"], question="几点吗", options=["9", "10"], multiple=True
    )
    assert (poll["post"], poll["group"], poll["seq"]) == (post["id"], None, None)
    with pytest.raises(Conflict):
        await store.polls.create_on_post(post["id"], bob["id"], question="q", options=["a", "b"])
    voted = await store.polls.vote(poll["id"], carol["id"], [0, 1])
    assert voted["counts"] == [1, 1]
    assert (await store.polls.of_post(post["id"], alice["id"]))["id"] == poll["id"]  # type: ignore[index]
    stranger = await new_user("dave")
    with pytest.raises(Forbidden):
        await store.polls.vote(poll["id"], stranger["id"], [0])
    await store.posts.delete(post["id"], bob["id"])
    with pytest.raises(NotFound):
        await store.polls.get(poll["id"], carol["id"])
