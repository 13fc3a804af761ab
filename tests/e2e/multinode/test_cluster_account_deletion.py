"""Deleting an account through one node closes the user's sockets on another, and
a member connected to that other node sees them leave and their words go, while
both nodes' housekeeping erase at once (PostgreSQL, Redis)."""

from __future__ import annotations

from typing import Any

from tests.e2e.harness import Api, Client
from tests.e2e.multinode.conftest import StartNodes


async def test_an_account_deleted_through_one_node_is_gone_on_the_other(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    a, b = start_nodes(2, shared_redis, QUANZI_RETENTION_INTERVAL_S="0.2")
    api = Api(a.http)
    try:
        ann, ann_user = await api.signup("ann", "Ann")
        bob, _ = await api.signup("bob", "Bob")
        circle = await api.circle(bob, "Readers")
        assert (await api.join(ann, circle)).status_code == 200
        writer = await Client.open(b.ws, ann)
        member = await Client.open(b.ws, bob)
        try:
            assert (await writer.request({"t": "join", "circle": circle}))["t"] == "joined"
            for i in range(30):
                await writer.say(circle, f"words {i}")
            r = await api.call("POST", "/me/delete", ann, json={"password": "correct horse"})
            assert r.status_code == 204, r.text
            assert await writer.closed() == 4001
            seen: list[dict[str, Any]] = []
            while len([e for e in seen if e["kind"] == "message.deleted"]) < 30:
                seen.append(await member.push("event", timeout=20))
            kinds = [e["kind"] for e in seen]
            assert "member.left" in kinds
            deleted = [e["seq"] for e in seen if e["kind"] == "message.deleted"]
            assert sorted(deleted) == list(range(1, 31))  # each once, both nodes erasing
            history = await member.request({"t": "history", "circle": circle, "limit": 50})
            assert all(m["text"] == "" and m["deleted"] == "account" for m in history["messages"])
            assert all(m["from"]["id"] == ann_user["id"] for m in history["messages"])
        finally:
            await member.close()
            await writer.close()
    finally:
        await api.close()
