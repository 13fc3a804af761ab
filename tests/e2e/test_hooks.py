"""Webhooks and bots against a real server process: a receiver run here verifies
each delivery's signature and gets the retry after answering 500; a receiver
that keeps failing gets its webhook disabled and the owner a reminder; an
incoming webhook posts a message members receive live; a bot token reaches its
own circle over HTTP and /ws (say and read) and no other."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from tests.e2e.harness import Api, Client, ServerProcess
from tests.timing import until
from tests.webhook_receiver import Receiver, verify

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.server_env(
        QUANZI_WEBHOOK_ALLOW_LOOPBACK="1",
        QUANZI_WEBHOOK_POLL_S="0.05",
        QUANZI_WEBHOOK_BACKOFF_S="0.1",
        QUANZI_WEBHOOK_ATTEMPTS="3",
        QUANZI_WEBHOOK_DISABLE_AFTER="3",
    ),
]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver([500, 200])
    yield r
    r.close()


@pytest.fixture
def failing() -> Iterator[Receiver]:
    r = Receiver([503])
    yield r
    r.close()


async def ok(api: Api, method: str, path: str, token: str, **kw: Any) -> Any:
    r = await api.call(method, path, token, **kw)
    assert r.status_code < 300, r.text
    return r.json() if r.status_code != 204 else None


async def test_a_signed_delivery_is_retried_after_a_500(
    server: ServerProcess, api: Api, receiver: Receiver
) -> None:
    ann, _ = await api.signup("ann")
    bob, bob_user = await api.signup("bob")
    circle = await api.circle(ann)
    refused = await api.call(
        "POST",
        f"/circles/{circle}/webhooks",
        ann,
        json={"url": "https://10.0.0.1/hook", "events": ["member.joined"]},
    )
    assert refused.status_code == 400 and refused.json()["error"]["reason"] == "webhook_url"
    hook = await ok(
        api,
        "POST",
        f"/circles/{circle}/webhooks",
        ann,
        json={"url": receiver.url, "events": ["member.joined", "message"]},
    )
    assert (await api.call("GET", f"/circles/{circle}/webhooks", bob)).status_code == 403
    await api.join(bob, circle)
    # The first try is answered 500; the retry carries the same delivery.
    await until(lambda: len(receiver.calls) >= 2, 10)
    assert len(receiver.calls) >= 2
    (first_headers, first), (again_headers, again) = receiver.calls[:2]
    assert first == again
    assert first_headers["quanzi-delivery"] == again_headers["quanzi-delivery"]
    bob_ws = await Client.open(server.ws, bob)
    await bob_ws.request({"t": "join", "circle": circle})
    await bob_ws.say(circle, "部署完成了吗")
    await until(lambda: len(receiver.calls) >= 3, 10)
    assert len(receiver.calls) >= 3
    for headers, body in receiver.calls:
        assert verify(hook["secret"], headers["quanzi-signature"], body)
        assert not verify("not the secret", headers["quanzi-signature"], body)
    joined = orjson.loads(first)
    assert joined["event"] == "member.joined" and joined["circle"] == circle
    assert joined["data"]["member"]["user"] == bob_user["id"]
    said = orjson.loads(receiver.calls[2][1])
    assert said["event"] == "message" and said["data"]["text"] == "部署完成了吗"
    log = await ok(api, "GET", f"/circles/{circle}/webhooks/{hook['id']}/deliveries", ann)
    by_event = {d["event"]: d for d in log["deliveries"]}
    assert by_event["member.joined"]["state"] == "delivered"
    assert by_event["member.joined"]["attempts"] == 2
    await bob_ws.close()


async def test_a_failing_webhook_is_disabled_and_its_owner_told(
    server: ServerProcess, api: Api, failing: Receiver
) -> None:
    ann, ann_user = await api.signup("ann")
    bob, _ = await api.signup("bob")
    circle = await api.circle(ann)
    hook = await ok(
        api,
        "POST",
        f"/circles/{circle}/webhooks",
        ann,
        json={"url": failing.url, "events": ["member.joined"]},
    )
    ann_ws = await Client.open(server.ws, ann)
    await api.join(bob, circle)
    reminder = await ann_ws.push("event", timeout=10)
    while reminder["kind"] != "reminder":
        reminder = await ann_ws.push("event", timeout=10)
    assert reminder["user"] == ann_user["id"]
    assert reminder["about"] == {"kind": "webhook", "id": hook["id"], "title": failing.url}
    # And it waits in the owner's notification inbox, as every reminder does.
    inbox = (await ok(api, "GET", "/me/notifications", ann))["notifications"]
    assert [n["about"]["item"]["kind"] for n in inbox if n["kind"] == "reminder"] == ["webhook"]
    assert len(failing.calls) == 3
    [listed] = (await ok(api, "GET", f"/circles/{circle}/webhooks", ann))["webhooks"]
    assert not listed["enabled"]
    [delivery] = (await ok(api, "GET", f"/circles/{circle}/webhooks/{hook['id']}/deliveries", ann))[
        "deliveries"
    ]
    assert delivery["state"] == "failed" and delivery["status"] == 503
    # Re-enabled by its owner, it is sent to again.
    await ok(api, "PATCH", f"/circles/{circle}/webhooks/{hook['id']}", ann, json={"enabled": True})
    await api.call("POST", f"/circles/{circle}/leave", bob)
    await api.join(bob, circle)
    await until(lambda: len(failing.calls) >= 4, 10)
    assert len(failing.calls) >= 4
    await ann_ws.close()


async def test_an_incoming_webhook_posts_what_members_receive_live(
    server: ServerProcess, api: Api
) -> None:
    ann, _ = await api.signup("ann")
    bob, _ = await api.signup("bob")
    circle = await api.circle(ann)
    await api.join(bob, circle)
    assert (
        await api.call(
            "POST", f"/circles/{circle}/incoming-hooks", bob, json={"name": "CI", "target": "chat"}
        )
    ).status_code == 403
    hook = await ok(
        api, "POST", f"/circles/{circle}/incoming-hooks", ann, json={"name": "CI", "target": "chat"}
    )
    feed = await ok(
        api,
        "POST",
        f"/circles/{circle}/incoming-hooks",
        ann,
        json={"name": "Shop", "target": "feed"},
    )
    bob_ws = await Client.open(server.ws, bob)
    await bob_ws.request({"t": "join", "circle": circle})
    path = hook["url"].split("/api/v1", 1)[1]
    answer = await api.client.post(f"/api/v1{path}", json={"text": "build #42 passed ✅"})
    assert answer.status_code == 201, answer.text
    msg = await bob_ws.push("msg")
    assert msg["text"] == "build #42 passed ✅"
    assert msg["from"] == {"id": hook["bot"], "name": "CI", "bot": True}
    feed_path = feed["url"].split("/api/v1", 1)[1]
    answer = await api.client.post(
        f"/api/v1{feed_path}", json={"title": "New order", "text": "#1001 paid"}
    )
    assert answer.status_code == 201, answer.text
    event = await bob_ws.push("event")
    while event["kind"] != "post.created":
        event = await bob_ws.push("event")
    assert event["post"]["text"] == "New order\n\n#1001 paid"
    assert event["post"]["author"] == {"id": feed["bot"], "name": "Shop", "bot": True}
    members = await ok(api, "GET", f"/circles/{circle}/members", bob)
    assert {m["name"]: m.get("bot", False) for m in members["members"]}["CI"] is True
    # Revoked: the URL is gone.
    await ok(api, "DELETE", f"/circles/{circle}/incoming-hooks/{hook['id']}", ann)
    gone = await api.client.post(f"/api/v1{path}", json={"text": "again"})
    assert gone.status_code == 404
    assert (await api.client.post("/api/v1/hooks/nonsense", json={"text": "x"})).status_code == 404
    await bob_ws.close()


async def test_a_bot_says_and_reads_in_its_circle_and_reaches_no_other(
    server: ServerProcess, api: Api
) -> None:
    ann, _ = await api.signup("ann")
    dan, _ = await api.signup("dan")
    home = await api.circle(ann, "Home")
    other = await api.circle(dan, "Other")  # public: anyone but a bot may read it
    secret = await api.circle(dan, "Secret", visibility="private")
    bot = await ok(api, "POST", "/me/bots", ann, json={"name": "Helper"})
    token = bot.pop("token")
    await ok(api, "PUT", f"/me/bots/{bot['id']}/circles", ann, json={"circles": [home, other]})
    await ok(api, "POST", f"/circles/{home}/bots", ann, json={"bot": bot["id"]})
    refused = await api.call("POST", f"/circles/{secret}/bots", dan, json={"bot": bot["id"]})
    assert refused.status_code == 403
    # HTTP: its own circle yes; the others not, whatever the path.
    assert (await api.call("GET", f"/circles/{home}/posts", token)).status_code == 200
    for path in ("posts", "messages", "events?since=0", "search?q=hello", "members"):
        for circle in (other, secret):
            r = await api.call("GET", f"/circles/{circle}/{path}", token)
            assert r.status_code in (403, 404), (path, r.status_code, r.text)
    assert (await api.join(token, other)).status_code == 403
    assert (await api.call("POST", f"/circles/{other}/follow", token)).status_code in (403, 404)
    r = await api.call(
        "POST",
        "/circles",
        token,
        json={"name": "Mine", "kind": "community", "visibility": "public"},
    )
    assert r.status_code == 403
    # /ws: join and say in its circle, read what members say; nothing elsewhere.
    bot_ws = await Client.open(server.ws, token)
    ann_ws = await Client.open(server.ws, ann)
    assert (await ann_ws.request({"t": "join", "circle": home}))["t"] == "joined"
    assert (await bot_ws.request({"t": "join", "circle": home}))["t"] == "joined"
    for circle in (other, secret):
        refused_join = await bot_ws.request({"t": "join", "circle": circle})
        assert refused_join["t"] == "error", refused_join
        refused_say = await bot_ws.request(
            {"t": "say", "circle": circle, "text": "hi", "nonce": f"x{circle}"}
        )
        assert refused_say["t"] == "error", refused_say
    await bot_ws.say(home, "🤖 ready")
    heard = await ann_ws.push("msg")
    assert heard["text"] == "🤖 ready"
    assert heard["from"] == {"id": bot["id"], "name": "Helper", "bot": True}
    await ann_ws.say(home, "@Helper status?")
    seen = await bot_ws.push("msg")
    while seen["text"] != "@Helper status?":
        seen = await bot_ws.push("msg")
    history = await bot_ws.request({"t": "history", "circle": home})
    assert [(m["text"], m["from"].get("bot")) for m in history["messages"]] == [
        ("🤖 ready", True),
        ("@Helper status?", None),
    ]
    # Rotated: the old token's socket closes, the new token works.
    new = (await ok(api, "POST", f"/me/bots/{bot['id']}/token", ann))["token"]
    assert await bot_ws.closed() == 4001
    assert (await api.call("GET", f"/circles/{home}/posts", new)).status_code == 200
    assert (await api.call("GET", f"/circles/{home}/posts", token)).status_code == 401
    await ann_ws.close()


@pytest.mark.server_env(
    QUANZI_WEBHOOK_ALLOW_LOOPBACK="1",
    QUANZI_WEBHOOK_POLL_S="0.05",
    QUANZI_WEBHOOK_BACKOFF_S="1",
    QUANZI_WEBHOOK_ATTEMPTS="5",
)
async def test_a_restart_loses_no_delivery(server: ServerProcess, api: Api) -> None:
    """The outbox is in the database: a delivery the receiver refused before a
    restart is tried again after it (the same delivery, once it answers)."""
    ann, _ = await api.signup("ann")
    bob, _ = await api.signup("bob")
    circle = await api.circle(ann)
    down = Receiver([503])
    try:
        await ok(
            api,
            "POST",
            f"/circles/{circle}/webhooks",
            ann,
            json={"url": down.url, "events": ["member.joined"]},
        )
        await api.join(bob, circle)
        await until(lambda: len(down.calls) >= 1, 10)
        assert len(down.calls) >= 1
        server.stop()
        before = len(down.calls)  # the server is down: nothing more comes meanwhile
        assert before < 5
        down.statuses = [200]  # the receiver is back while the server is down
        server.start()
        await until(lambda: len(down.calls) > before, 20)
        assert len(down.calls) > before
        first, again = down.calls[0], down.calls[-1]
        assert first[1] == again[1]
        assert first[0]["quanzi-delivery"] == again[0]["quanzi-delivery"]
    finally:
        down.close()
