"""Paid terms across two nodes (Redis between them, PostgreSQL under both): an end
date set through one node makes a socket on the other read-only, a renewal there
lifts it at once, and the removal after the grace (whichever node's housekeeping
does it) reaches that socket as `left`."""

from __future__ import annotations

from store import now_ms
from tests.e2e.harness import Api, Client
from tests.e2e.multinode.conftest import StartNodes
from tests.timing import seconds, sleep

GRACE_S = seconds(2)


async def until_past(ms: int) -> None:
    while now_ms() <= ms:
        await sleep(0.1)


async def test_an_end_date_a_renewal_and_the_removal_reach_the_other_node(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    one, two = start_nodes(
        2,
        shared_redis,
        QUANZI_MEMBERSHIP_GRACE_S=str(GRACE_S),
        QUANZI_MEMBERSHIP_CHECK_S="0.2",
    )
    api = Api(one.http)
    try:
        olga, _ = await api.signup("olga", "Olga")
        sam, sam_user = await api.signup("sam", "Sam")
        circle = await api.circle(olga, "Course")
        assert (await api.join(sam, circle)).status_code == 200
        term = f"/circles/{circle}/members/{sam_user['id']}/term"
        client = await Client.open(two.ws, sam)
        try:
            say = {"t": "say", "circle": circle, "text": "hi", "nonce": "n1"}
            assert (await client.request(say))["t"] == "ok"
            ends = now_ms() + int(seconds(0.5) * 1000)
            assert (await api.call("PUT", term, olga, json={"ends_at": ends})).status_code == 200
            assert (await client.push("event"))["member"]["ends_at"] == ends
            await until_past(ends)
            refused = await client.request({**say, "nonce": "n2"})
            assert refused["reason"] == "membership_ended", refused
            renewed = await api.call("PUT", term, olga, json={"ends_at": now_ms() + 1000 * 3600})
            assert renewed.status_code == 200
            assert (await client.push("event"))["member"]["ends_at"] == renewed.json()["ends_at"]
            assert (await client.request({**say, "nonce": "n3"}))["t"] == "ok"
            ends = now_ms() + int(seconds(0.3) * 1000)
            assert (await api.call("PUT", term, olga, json={"ends_at": ends})).status_code == 200
            left = await client.push("left", timeout=GRACE_S + 10)
            assert left["reason"] == "removed"
        finally:
            await client.close()
    finally:
        await api.close()
