"""Following across nodes (Redis between them, PostgreSQL under both): a follow
and an unfollow made through one node take effect on the follower's open socket
on the other, whose node follows the circle's feed for it alone."""

from __future__ import annotations

from typing import Any

from tests.e2e.harness import Api, Client
from tests.e2e.multinode.conftest import StartNodes
from tests.e2e.test_follows import only_feed, until_event


async def test_follow_and_unfollow_reach_a_socket_on_another_node(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    one, two = start_nodes(2, shared_redis)
    api = Api(one.http)
    try:
        olga, _ = await api.signup("olga", "Olga")
        fan, fan_user = await api.signup("fan", "粉丝")
        circle = await api.circle(olga, "Creator")

        async def call(token: str, method: str, path: str, **kw: Any) -> Any:
            r = await api.call(method, path, token, **kw)
            assert r.status_code < 300, r.text
            return r.json()

        async def post(text: str) -> None:
            body = {"kind": "post", "text": text}
            await call(olga, "POST", f"/circles/{circle}/posts", json=body)

        # The fan's socket is on node two, where nobody belongs to the circle.
        follower = await Client.open(two.ws, fan)
        owner = await Client.open(one.ws, olga)
        try:
            seen: list[dict[str, Any]] = []
            await call(fan, "POST", f"/circles/{circle}/follow")
            added = await until_event(follower, "follow.added", seen)
            assert added["user"] == fan_user["id"]
            said = await owner.say(circle, "worth keeping")
            await owner.request({"t": "star", "circle": circle, "seq": said["seq"]})
            await until_event(follower, "post.promoted", seen)
            assert (await follower.push())["action"] == "promoted"
            await post("first")
            await until_event(follower, "post.created", seen)

            await call(fan, "DELETE", f"/circles/{circle}/follow")
            await until_event(follower, "follow.removed", seen)
            await post("while away")
            await call(fan, "POST", f"/circles/{circle}/follow")
            await until_event(follower, "follow.added", seen)
            await post("back")
            await until_event(follower, "post.created", seen)
            texts = [f["post"]["text"] for f in seen if f.get("kind") == "post.created"]
            assert texts == ["first", "back"]
            # Nothing of the chat, nor of anything else, on the way.
            only_feed(seen, fan_user["id"])
        finally:
            await follower.close()
            await owner.close()
    finally:
        await api.close()
