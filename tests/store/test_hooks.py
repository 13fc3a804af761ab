"""Webhooks and bots in the store (store/webhooks.py, webhook_outbox.py,
incoming_hooks.py, bots.py) on both databases: the outbox is written in the
change's transaction and in the group commit, only for what every member sees;
claims keep two senders off one delivery; failures back off, fail and disable
the webhook with a reminder to the managers; bots reach only the circles they
were let into and added to."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import select

from store import Forbidden, Invalid, NotFound, Record, Store, Unauthenticated, now_ms
from store.hook_tables import WEBHOOK_DELIVERIES
from store.webhook_outbox import Outcome

EVENTS = ["message", "post.created", "member.joined"]
SETTLE = {"max_attempts": 3, "backoff_ms": 1000, "disable_after": 4}


async def outbox(store: Store) -> list[dict]:
    async with store.db.read() as conn:
        rows = await conn.execute(
            select(*WEBHOOK_DELIVERIES.c).order_by(WEBHOOK_DELIVERIES.c.created)
        )
        return [dict(r._mapping) for r in rows]


async def test_changes_and_messages_fill_the_outbox_in_their_transaction(
    store: Store, circle: Record, alice: Record, bob: Record, say
) -> None:
    with pytest.raises(Invalid):
        await store.webhooks.create(circle["id"], alice["id"], "http://example.com/h", EVENTS)
    with pytest.raises(Invalid):
        await store.webhooks.create(circle["id"], alice["id"], "https://x.example", ["acked"])
    hook, secret = await store.webhooks.create(
        circle["id"], alice["id"], "https://hooks.example/in", EVENTS
    )
    assert len(secret) == 64 and hook["enabled"] and hook["events"] == EVENTS
    with pytest.raises(Forbidden):
        await store.webhooks.of_circle(circle["id"], bob["id"])
    await store.memberships.join(circle["id"], bob["id"])
    await say(circle["id"], bob, "你好 hooks")
    await store.posts.create(circle["id"], bob["id"], "post", "a post")
    # A kind it did not ask for, and a manager-only one, go nowhere.
    post = await store.posts.create(circle["id"], alice["id"], "post", "must read")
    await store.must_reads.set_must_read(post["id"], alice["id"], True)
    rows = await outbox(store)
    assert [r["event"] for r in rows] == [
        "member.joined",
        "message",
        "post.created",
        "post.created",
    ]
    body = orjson.loads(rows[1]["body"])
    assert body["id"] == rows[1]["id"] and body["circle"] == circle["id"]
    assert body["data"]["text"] == "你好 hooks" and body["data"]["from"]["id"] == bob["id"]
    log = await store.webhooks.deliveries(circle["id"], alice["id"], hook["id"])
    assert {d["state"] for d in log} == {"pending"}
    # Turned off by hand: what waits is dropped, nothing is claimed.
    await store.webhooks.update(circle["id"], alice["id"], hook["id"], {"enabled": False})
    log = await store.webhooks.deliveries(circle["id"], alice["id"], hook["id"])
    assert {d["state"] for d in log} == {"failed"}
    assert await store.webhooks.claim("n", 1000, 10, now=now_ms() + 1) == []


async def test_claims_backoff_failure_and_disabling(
    store: Store, circle: Record, alice: Record, bob: Record
) -> None:
    hook, _ = await store.webhooks.create(
        circle["id"], alice["id"], "https://hooks.example/in", ["member.joined"]
    )
    await store.memberships.join(circle["id"], bob["id"])
    now = now_ms() + 10
    first = await store.webhooks.claim("node-a", 30_000, 10, now=now)
    assert len(first) == 1 and first[0].url == "https://hooks.example/in"
    # Another sender finds nothing while the claim holds; after it lapses, it may.
    assert await store.webhooks.claim("node-b", 30_000, 10, now=now) == []
    assert len(await store.webhooks.claim("node-b", 30_000, 10, now=now + 30_001)) == 1
    # node-a's late settle is not node-b's row any more: nothing changes.
    await store.webhooks.settle(first[0], "node-a", Outcome(False, 500), **SETTLE)
    [row] = await outbox(store)
    assert row["attempts"] == 0 and row["claim"] == "node-b"
    due = (await store.webhooks.claim("node-c", 30_000, 10, now=now + 60_002))[0]
    await store.webhooks.settle(due, "node-c", Outcome(False, 500, "HTTP 500"), **SETTLE)
    [row] = await outbox(store)
    assert row["attempts"] == 1 and row["state"] == "pending" and row["next_at"] > now_ms()
    for _ in (2, 3):
        [row] = await outbox(store)
        due = (await store.webhooks.claim("n", 1, 10, now=row["next_at"] + 1))[0]
        await store.webhooks.settle(due, "n", Outcome(False, None, "timeout"), **SETTLE)
    [row] = await outbox(store)
    assert row["state"] == "failed" and row["attempts"] == 3 and row["last_error"] == "timeout"
    [listed] = await store.webhooks.of_circle(circle["id"], alice["id"])
    assert listed["failures"] == 3 and listed["enabled"]
    # The fourth failure in a row disables it, audits it and reminds the managers.
    await store.webhooks.update(circle["id"], alice["id"], hook["id"], {"events": ["member.left"]})
    await store.memberships.leave(circle["id"], bob["id"])
    rows = await outbox(store)
    due = (await store.webhooks.claim("n", 1, 10, now=rows[-1]["next_at"] + 1))[0]
    settled = await store.webhooks.settle(due, "n", Outcome(False, 502), **SETTLE)
    assert settled.disabled == (circle["id"], hook["id"])
    [listed] = await store.webhooks.of_circle(circle["id"], alice["id"])
    assert not listed["enabled"] and listed["disabled"]
    page = await store.changes.after(circle["id"], alice["id"], 0, 500)
    [reminder] = [c for c in page.changes if c.kind == "reminder"]
    assert reminder.data["user"] == alice["id"] and reminder.data["about"]["kind"] == "webhook"
    entries, _ = await store.audit.page(circle["id"], alice["id"])
    assert "webhook.disabled" in [e["action"] for e in entries]
    # Disabled: nothing more is queued; re-enabled: it is again.
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.leave(circle["id"], bob["id"])
    assert len(await outbox(store)) == 2
    await store.webhooks.update(circle["id"], alice["id"], hook["id"], {"enabled": True})
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.leave(circle["id"], bob["id"])
    assert len(await outbox(store)) == 3


async def test_bots_reach_only_circles_they_were_let_into_and_added_to(
    store: Store, circle: Record, private_circle: Record, alice: Record, bob: Record
) -> None:
    bot, token = await store.bots.create(bob["id"], "CI 机器人")
    user = await store.accounts.authenticate(token)
    assert user["id"] == bot["id"] and user["bot"] is True
    # Not by itself, not a public circle it was not added to, not without scope.
    with pytest.raises(Forbidden):
        await store.memberships.join(circle["id"], bot["id"])
    with pytest.raises(Forbidden):
        await store.posts.feed(circle["id"], bot["id"])
    with pytest.raises(Forbidden):
        await store.bots.add(circle["id"], alice["id"], bot["id"])
    await store.bots.set_scope(bob["id"], bot["id"], [circle["id"], private_circle["id"]])
    with pytest.raises(Forbidden):
        await store.bots.add(circle["id"], bob["id"], bot["id"])  # bob manages nothing
    member = await store.bots.add(circle["id"], alice["id"], bot["id"])
    assert member["bot"] is True and member["name"] == "CI 机器人"
    members, _ = await store.memberships.members(circle["id"], alice["id"])
    assert [m.get("bot", False) for m in members] == [False, True]
    await store.posts.create(circle["id"], bot["id"], "post", "build #12 passed")
    [listed] = await store.bots.mine(bob["id"])
    assert {c["id"]: c["member"] for c in listed["circles"]} == {
        circle["id"]: True,
        private_circle["id"]: False,
    }
    # Out of scope: out of the circle.
    await store.bots.set_scope(bob["id"], bot["id"], [private_circle["id"]])
    assert await store.memberships.membership(circle["id"], bot["id"]) is None
    with pytest.raises(NotFound):
        await store.bots.rotate(alice["id"], bot["id"])
    new, ended = await store.bots.rotate(bob["id"], bot["id"])
    assert len(ended) == 1
    with pytest.raises(Unauthenticated):
        await store.accounts.authenticate(token)
    assert (await store.accounts.authenticate(new))["id"] == bot["id"]
    await store.bots.revoke(bob["id"], bot["id"])
    with pytest.raises(Unauthenticated):
        await store.accounts.authenticate(new)


async def test_incoming_hooks_and_the_owners_deletion(
    store: Store, circle: Record, alice: Record
) -> None:
    hook, token = await store.incoming_hooks.create(circle["id"], alice["id"], "Shop", "chat")
    found = await store.incoming_hooks.by_token(token)
    assert found["id"] == hook["id"] and found["name"] == "Shop" and found["target"] == "chat"
    assert await store.memberships.membership(circle["id"], hook["bot"]) is not None
    assert await store.bots.mine(alice["id"]) == []
    fresh = await store.incoming_hooks.rotate(circle["id"], alice["id"], hook["id"])
    with pytest.raises(NotFound):
        await store.incoming_hooks.by_token(token)
    await store.incoming_hooks.by_token(fresh)
    await store.incoming_hooks.revoke(circle["id"], alice["id"], hook["id"])
    with pytest.raises(NotFound):
        await store.incoming_hooks.by_token(fresh)
    assert await store.memberships.membership(circle["id"], hook["bot"]) is None


async def test_deleting_the_owner_deletes_their_bots(
    store: Store, circle: Record, alice: Record
) -> None:
    _, dora = await store.accounts.signup("dora", "correct horse", "Dora")
    bot, bot_token = await store.bots.create(dora["id"], "helper")
    await store.bots.set_scope(dora["id"], bot["id"], [circle["id"]])
    await store.bots.add(circle["id"], alice["id"], bot["id"])
    # Their export lists their bots (no token).
    exported, _ = await store.account_export.page("bots", dora["id"])
    assert [(b["id"], b["name"]) for b in exported] == [(bot["id"], "helper")]
    assert all(bot_token not in str(value) for b in exported for value in b.values())
    ended = await store.account_deletion.delete(dora["id"], "correct horse")
    assert len(ended) == 2
    with pytest.raises(Unauthenticated):
        await store.accounts.authenticate(bot_token)
    assert await store.memberships.membership(circle["id"], bot["id"]) is None
    assert await store.bots.mine(dora["id"]) == []
