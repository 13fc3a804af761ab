"""The notification inbox across nodes (Redis between them, PostgreSQL under both):
a mention said on one node reaches the mentioned member's sockets on the other,
live, with the unread count; what was said while they were away comes back by
the catch-up after the last id they had — nothing lost, nothing doubled; a mark
read on one node reaches their tab on the other."""

from __future__ import annotations

from typing import Any

from tests.e2e.harness import Api, Client
from tests.e2e.multinode.conftest import StartNodes


async def test_mentions_reach_another_node_and_catch_up_after_a_reconnect(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    one, two = start_nodes(2, shared_redis)
    api = Api(one.http)
    try:
        ann, _ = await api.signup("ann", "王老师")
        bob, bob_user = await api.signup("bob", "小明")
        circle = await api.circle(ann, "舞蹈班")
        assert (await api.join(bob, circle)).status_code == 200

        async def inbox(**query: Any) -> dict[str, Any]:
            r = await api.call("GET", "/me/notifications", bob, params=query)
            assert r.status_code == 200, r.text
            return r.json()

        teacher = await Client.open(one.ws, ann)
        student = await Client.open(two.ws, bob)
        other_tab = await Client.open(two.ws, bob)
        try:
            said = await teacher.say(circle, "@小明 作业收到了")
            for tab in (student, other_tab):
                pushed = await tab.push("notification")
                assert pushed["unread"] == 1
                assert pushed["notification"]["about"]["seq"] == said["seq"]
            last = pushed["notification"]["id"]
            await student.close()
            await other_tab.close()

            # Away: three mentions, one of them in a reply frame.
            missed = [(await teacher.say(circle, f"@小明 第{i}件事"))["seq"] for i in range(3)]
            student = await Client.open(two.ws, bob)
            caught = await inbox(after=last)
            assert [n["about"]["seq"] for n in caught["notifications"]] == missed
            assert caught["unread"] == 4 and not caught["more"]
            # Asking again from the newest id brings nothing twice.
            newest = caught["notifications"][-1]["id"]
            assert (await inbox(after=newest))["notifications"] == []

            # Marked read through node one: the tab on node two hears it.
            r = await api.call("POST", "/me/notifications/read", bob, json={})
            assert r.json() == {"unread": 0}
            read = await student.push("notifications_read")
            assert read["unread"] == 0 and read["ids"] is None
            assert bob_user["id"]
        finally:
            await student.close()
            await teacher.close()
    finally:
        await api.close()
