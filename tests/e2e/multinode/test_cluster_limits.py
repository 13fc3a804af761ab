"""The chat rate limit holds for a user whose sockets are on two nodes."""

from __future__ import annotations

from tests.e2e.harness import Api, Client, ServerProcess
from tests.e2e.multinode.conftest import StartNodes
from tests.e2e.test_limits import NO_REFILL, say_burst


async def test_a_user_saying_through_both_nodes_is_limited_as_one(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    await limited_as_one(*start_nodes(2, shared_redis, **NO_REFILL))


async def limited_as_one(a: ServerProcess, b: ServerProcess) -> None:
    """Ten rounds of ten says through each node, over sockets kept open and
    sockets opened anew: one burst in all, as if there were one node."""
    api = Api(a.http)
    try:
        token, _ = await api.signup("ann")
        circle = await api.circle(token)
        kept = [await Client.open(node.ws, token) for node in (a, b)]
        replies: list[str] = []
        for round_ in range(10):
            fresh = await Client.open((a, b)[round_ % 2].ws, token)
            for i, client in enumerate([*kept, fresh]):
                replies += await say_burst(
                    client, circle, 5 if client is fresh else 10, f"{round_}{i}"
                )
            await fresh.close()
        assert replies.count("ok") == 20, replies
        assert set(replies) == {"ok", "rate_limited"}
        hist = await kept[1].request({"t": "history", "circle": circle, "limit": 200})
        assert len(hist["messages"]) == 20
        for client in kept:
            await client.close()
    finally:
        await api.close()
