"""What becomes a notification (store/notification_rules.py, store/mentions.py):
mentions by circle nickname in chat (through the group commit, in its
transaction), posts and comments; @all for managers only; replies; must-reads,
moderation, join decisions and reminders — never to the actor, never to a member
who cannot see the item."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from store import Store, reminders
from store.ids import new_id
from store.mentions import match
from tests.store.test_joining import approval_on

Record = dict[str, Any]
NewUser = Callable[..., Awaitable[Record]]


async def _inbox(store: Store, user: Record) -> list[tuple[str, Record]]:
    page, _ = await store.notifications.list(user["id"])
    return [(n["kind"], n["about"]) for n in reversed(page)]


async def _say(store: Store, circle: Record, user: Record, text: str, **kw: Any) -> Record:
    message, _ = await store.chat.say(circle["id"], user["id"], user["name"], text, new_id(), **kw)
    return message


def test_the_grammar() -> None:
    names = {"王老师": ["w"], "emma": ["e"], "emma li": ["el"], "all": ["x"]}
    found = {
        text: (match(text, names, manager=True).members, match(text, names, True).everyone)
        for text in (
            "谢谢@王老师你好",
            "@Emma Li hi",
            "@Emmax",
            "@Emma, hi",
            "ann@emma.com",
            "@all 开会",
            "请@所有人看",
            "\uff20王老师",
        )
    }
    assert found == {
        "谢谢@王老师你好": ({"w": "王老师"}, None),
        "@Emma Li hi": ({"el": "Emma Li"}, None),
        "@Emmax": ({}, None),
        "@Emma, hi": ({"e": "Emma"}, None),
        "ann@emma.com": ({}, None),
        "@all 开会": ({}, "all"),
        "请@所有人看": ({}, "所有人"),
        "\uff20王老师": ({"w": "王老师"}, None),
    }
    # @all from a member is plain text, and never a member called "all".
    member = match("@all hi", names, manager=False)
    assert member.members == {} and member.everyone is None


async def test_a_chat_mention_by_nickname_is_stored_and_notified(
    store: Store, circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    await store.memberships.join(cid, carol["id"])
    await store.memberships.update_member(cid, bob["id"], bob["id"], nickname="王 小明")
    told: list[Record] = []
    store.on_notifications = told.extend
    message = await _say(store, circle, alice, "@王 小明 作业交了吗吗@Alice 自己不算")
    assert message["mentions"] == [{"id": bob["id"], "name": "王 小明"}]
    # Stored with the message: history shows it too.
    history, _ = await store.chat.history(cid)
    assert history[-1]["mentions"] == message["mentions"]
    assert [(k, a["seq"], a["actor"]["id"]) for k, a in await _inbox(store, bob)] == [
        ("mention", message["seq"], alice["id"])
    ]
    assert (await _inbox(store, bob))[0][1]["excerpt"] == "@王 小明 作业交了吗吗@Alice 自己不算"
    assert await _inbox(store, alice) == [] and await _inbox(store, carol) == []
    assert [(n["user"], n["kind"]) for n in told] == [(bob["id"], "mention")]


async def test_many_says_with_mentions_share_one_group_commit(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    import asyncio

    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    says = [
        store.chat.enqueue(
            cid,
            alice["id"],
            alice["name"],
            f"@Bob {i}",
            new_id(),
            addressed=await store.chat.addressed(cid, cid, alice["id"], f"@Bob {i}", None),
        )
        for i in range(20)
    ]
    seqs = [m["seq"] for m, _ in await asyncio.gather(*says)]
    inbox = await _inbox(store, bob)
    assert [a["seq"] for _, a in inbox] == seqs


async def test_at_all_only_from_managers(
    store: Store, circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    await store.memberships.join(cid, carol["id"])
    said = await _say(store, circle, bob, "@all 明天不上课")
    assert "mentions" not in said
    assert await _inbox(store, carol) == []
    said = await _say(store, circle, alice, "@所有人 明天不上课 @Carol")
    assert said["mentions"] == [
        {"all": True, "name": "所有人"},
        {"id": carol["id"], "name": "Carol"},
    ]
    assert [(k, a.get("all")) for k, a in await _inbox(store, bob)] == [("mention", True)]
    # Named as well: addressed to her, not "all".
    assert [(k, a.get("all")) for k, a in await _inbox(store, carol)] == [("mention", None)]
    assert await _inbox(store, alice) == []


async def test_an_edit_that_adds_a_mention_notifies_only_whom_it_adds(
    store: Store, circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    await store.memberships.join(cid, carol["id"])
    said = await _say(store, circle, alice, "明天的作业")
    told: list[Record] = []
    store.on_notifications = told.extend
    edited = await store.message_edits.edit(cid, said["seq"], alice["id"], "明天的作业 @Bob")
    assert edited["mentions"] == [{"id": bob["id"], "name": "Bob"}]
    assert [(k, a["seq"], a["excerpt"]) for k, a in await _inbox(store, bob)] == [
        ("mention", said["seq"], "明天的作业 @Bob")
    ]
    # Reworded, still @Bob: nobody is told again; @all added by the owner: the others.
    await store.message_edits.edit(cid, said["seq"], alice["id"], "后天的作业 @Bob")
    await store.message_edits.edit(cid, said["seq"], alice["id"], "@all 后天的作业 @Bob")
    assert len(await _inbox(store, bob)) == 1
    assert [(k, a.get("all")) for k, a in await _inbox(store, carol)] == [("mention", True)]
    assert await _inbox(store, alice) == []
    assert [(n["user"], n["kind"]) for n in told] == [
        (bob["id"], "mention"),
        (carol["id"], "mention"),
    ]
    # Taken out again: stored without it, history shows none.
    plain = await store.message_edits.edit(cid, said["seq"], alice["id"], "后天的作业")
    assert "mentions" not in plain
    history, _ = await store.chat.history(cid)
    assert "mentions" not in history[-1]


async def test_a_group_mention_reaches_only_its_readers(
    store: Store, circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    await store.memberships.join(cid, carol["id"])
    north = await store.groups.create(cid, alice["id"], "北方")
    await store.groups.join(north["id"], bob["id"])
    said = await _say(store, circle, bob, "@Carol @Alice 看这里", group_id=north["id"])
    # Carol may not read the group: not mentioned; alice manages the circle: she may.
    assert said["mentions"] == [{"id": alice["id"], "name": "Alice"}]
    assert await _inbox(store, carol) == []
    assert [k for k, _ in await _inbox(store, alice)] == ["mention"]


async def test_a_reply_notifies_the_author_replied_to(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    first = await _say(store, circle, bob, "谁有课表吗")
    answer = await _say(store, circle, alice, "我有", reply_to=first["seq"])
    assert [(k, a["seq"]) for k, a in await _inbox(store, bob)] == [("reply", answer["seq"])]
    # Replying to oneself notifies no one; a mention and a reply of one person: one.
    await _say(store, circle, bob, "补充", reply_to=first["seq"])
    await _say(store, circle, alice, "@Bob 看", reply_to=first["seq"])
    assert [k for k, _ in await _inbox(store, bob)] == ["reply", "mention"]
    assert await _inbox(store, alice) == []


async def test_posts_and_comments(
    store: Store, circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    await store.memberships.join(cid, carol["id"])
    post = await store.posts.create(cid, bob["id"], "post", "周六骑行 @Carol 来吗")
    assert post["mentions"] == [{"id": carol["id"], "name": "Carol"}]
    assert [(k, a["post"]) for k, a in await _inbox(store, carol)] == [("mention", post["id"])]
    # A comment on bob's post is a reply to him; a reply to carol's comment is hers.
    top = await store.comments.add_comment(post["id"], carol["id"], "来")
    assert [(k, a["comment"]) for k, a in await _inbox(store, bob)] == [("reply", top["id"])]
    answer = await store.comments.add_comment(post["id"], alice["id"], "@Bob 几点", top["id"])
    assert answer["mentions"] == [{"id": bob["id"], "name": "Bob"}]
    assert [(k, a.get("comment")) for k, a in await _inbox(store, carol)][-1] == (
        "reply",
        answer["id"],
    )
    assert [k for k, _ in await _inbox(store, bob)] == ["reply", "mention"]
    comments, _ = await store.comments.comments(post["id"], bob["id"])
    assert comments[-1]["mentions"] == answer["mentions"]


async def test_must_read_moderation_join_and_reminders(
    store: Store,
    private_circle: Record,
    alice: Record,
    bob: Record,
    carol: Record,
    new_user: NewUser,
) -> None:
    cid = private_circle["id"]
    await approval_on(store, private_circle, alice, "Why?")
    admin, joiner = await new_user("dave"), await new_user("erin")
    for user in (bob, carol, admin):
        await store.join_requests.request(cid, user["id"], "hi")
        await store.join_requests.approve(cid, alice["id"], user["id"])
    assert [k for k, a in await _inbox(store, bob)] == ["join"]
    assert (await _inbox(store, bob))[0][1] == {"circle": cid, "state": "approved"}
    await store.join_requests.request(cid, joiner["id"], "hi")
    await store.join_requests.reject(cid, alice["id"], joiner["id"])
    assert await _inbox(store, joiner) == [("join", {"circle": cid, "state": "rejected"})]
    await store.memberships.update_member(cid, alice["id"], admin["id"], role="admin")

    post = await store.posts.create(cid, alice["id"], "notice", "下周考试")
    await store.must_reads.set_must_read(post["id"], admin["id"], True)
    # Everyone but the author and the admin who flagged it.
    for user, expected in ((bob, 2), (carol, 2), (alice, 0), (admin, 1)):
        inbox = await _inbox(store, user)
        assert len(inbox) == expected, user["handle"]
        assert ("must_read" in [k for k, _ in inbox]) == (user in (bob, carol))

    await store.sanctions.mute(cid, alice["id"], bob["id"], reason="刷屏")
    assert (await _inbox(store, bob))[-1] == (
        "moderation",
        {"circle": cid, "action": "muted", "reason": "刷屏", "until": None},
    )

    async with store.db.write() as conn:
        await reminders.remind(
            conn, cid, [bob["id"], carol["id"]], reminders.about("lesson", "l1", "第一课", 5)
        )
    assert (await _inbox(store, carol))[-1] == (
        "reminder",
        {
            "circle": cid,
            "item": {"kind": "lesson", "id": "l1", "title": "第一课", "at": 5},
            "title": "第一课",
        },
    )
