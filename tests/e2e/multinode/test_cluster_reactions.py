"""Reactions on two nodes (Redis between them, PostgreSQL under both): a
reaction given through one node reaches a member connected to the other, live
and once; members reacting on both nodes count once each."""

from __future__ import annotations

from urllib.parse import quote

from tests import timing
from tests.e2e.harness import Api, Client
from tests.e2e.multinode.conftest import StartNodes
from tests.e2e.test_reactions import HEART, THUMBS, next_reaction, say, scene


async def test_a_reaction_on_one_node_reaches_the_other_once(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    one, two = start_nodes(2, shared_redis)
    api_one, api_two = Api(one.http), Api(two.http)
    try:
        s = await scene(api_one)
        ann = await Client.open(one.ws, s.ann.token)
        bob = await Client.open(two.ws, s.bob.token)
        # A group's reactions reach who reads it: bob follows its chat.
        await bob.request({"t": "join", "circle": s.circle, "group": s.group})
        try:
            seq = await say(ann, s.circle, s.group, "两个节点")
            message = f"/groups/{s.group}/messages/{seq}/reactions"
            r = await api_one.call("PUT", f"{message}/{quote(THUMBS)}", s.ann.token)
            assert r.json()["count"] == 1
            event = await next_reaction(bob)
            assert (event["target"], event["user"], event["count"]) == (
                {"group": s.group, "seq": seq},
                s.ann.id,
                1,
            )
            # bob reacts through his node, twice: ann's node hears it once.
            for _ in range(2):
                r = await api_two.call("PUT", f"{message}/{quote(THUMBS)}", s.bob.token)
                assert r.json()["count"] == 2
            heard = await next_reaction(ann, after=event["rev"])
            assert (heard["user"], heard["count"]) == (s.bob.id, 2)
            await api_two.call("PUT", f"{message}/{quote(HEART)}", s.bob.token)
            last = await next_reaction(ann, after=heard["rev"])
            assert (last["rev"], last["emoji"]) == (heard["rev"] + 1, HEART)
            # Nothing more: the repeated reaction was not pushed.
            await timing.sleep(0.3)
            extra = []
            while not ann.pushes.empty():
                frame = ann.pushes.get_nowait()
                if frame["t"] == "event" and frame["kind"] == "reaction.changed":
                    extra.append(frame)
            assert extra == []
        finally:
            await ann.close()
            await bob.close()
    finally:
        await api_one.close()
        await api_two.close()
