"""Poll votes on two nodes sharing Redis and PostgreSQL: members voting at once
through either node count once each, and every vote reaches the members
connected to either node live, in rev order, with the counts right after it."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.e2e.harness import Api, Client
from tests.e2e.multinode.conftest import StartNodes


async def test_votes_count_once_and_push_live_on_both_nodes(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    one, two = start_nodes(2, shared_redis)
    api_one, api_two = Api(one.http), Api(two.http)
    clients: list[Client] = []
    try:
        people = [await api_one.signup(f"voter{i}", f"成员{i}") for i in range(6)]
        owner = people[0][0]
        circle = await api_one.circle(owner, "两地")
        for token, _ in people[1:]:
            assert (await api_two.join(token, circle)).status_code == 200
        watch_one = await Client.open(one.ws, people[1][0])
        watch_two = await Client.open(two.ws, people[2][0])
        clients += [watch_one, watch_two]
        r = await api_one.call(
            "POST",
            f"/groups/{circle}/polls",
            owner,
            json={"question": "几点集合吗", "options": ["八点", "九点"]},
        )
        assert r.status_code == 201, r.text
        poll = r.json()["poll"]["id"]

        async def vote(i: int, token: str) -> None:
            api = api_one if i % 2 else api_two
            for choice in ([0], [1]):  # a change of mind: still one vote
                got = await api.call("PUT", f"/polls/{poll}/votes", token, json={"options": choice})
                assert got.status_code == 200, got.text

        await asyncio.gather(*(vote(i, token) for i, (token, _) in enumerate(people)))
        for client in (watch_one, watch_two):
            created = await _next(client, "poll.created")
            assert created["poll"]["id"] == poll
            pushed = [await _next(client, "poll.voted") for _ in range(12)]
            revs = [e["rev"] for e in pushed]
            assert revs == sorted(revs) and len(set(revs)) == 12
            assert (pushed[-1]["counts"], pushed[-1]["voters"]) == ([0, 6], 6)
        final = await api_two.call("GET", f"/polls/{poll}", owner)
        assert final.json()["poll"]["counts"] == [0, 6]
    finally:
        for client in clients:
            await client.close()
        await api_one.close()
        await api_two.close()


async def _next(client: Client, kind: str) -> dict[str, Any]:
    while True:
        frame = await client.push("event")
        if frame["kind"] == kind:
            return frame
