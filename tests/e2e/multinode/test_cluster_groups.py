"""Chat groups across two nodes: a group's messages and typing hints reach its
members on the other node, and nobody outside it; removal from a group on one
node stops the chat on the other."""

from __future__ import annotations

from typing import Any

from tests.e2e.harness import Api, Client, ServerProcess
from tests.e2e.multinode.test_cluster_chat import members


async def _group(api: Api, token: str, circle: str, name: str) -> str:
    r = await api.call("POST", f"/circles/{circle}/groups", token, json={"name": name})
    assert r.status_code == 201, r.text
    return str(r.json()["group"]["id"])


async def _say(client: Client, circle: str, group: str, text: str) -> dict[str, Any]:
    reply = await client.request(
        {"t": "say", "circle": circle, "group": group, "text": text, "nonce": text}
    )
    assert reply["t"] == "ok", reply
    return reply


async def test_a_group_chats_across_nodes_and_stays_in_itself(
    two_nodes: list[ServerProcess], api: Api
) -> None:
    a, b = two_nodes
    circle, [(ann, _), (bob, bob_user), (cat, _)] = await members(api, 3)
    north = await _group(api, ann, circle, "north")
    south = await _group(api, ann, circle, "south")
    assert (await api.call("POST", f"/groups/{north}/join", bob)).status_code == 200
    assert (await api.call("POST", f"/groups/{south}/join", cat)).status_code == 200

    ann_a = await Client.open(a.ws, ann)
    bob_b = await Client.open(b.ws, bob)
    cat_b = await Client.open(b.ws, cat)
    await ann_a.request({"t": "join", "circle": circle, "group": north})
    await bob_b.request({"t": "join", "circle": circle, "group": north})
    await cat_b.request({"t": "join", "circle": circle, "group": south})

    await _say(ann_a, circle, north, "north from a")
    got = await bob_b.push("msg")
    assert (got["group"], got["seq"], got["text"]) == (north, 1, "north from a")
    bob_b.send({"t": "typing", "circle": circle, "group": north})
    typing = await ann_a.push("typing")
    assert typing["group"] == north and typing["user"]["id"] == bob_user["id"]

    # Cat, on bob's node but in south, got none of it: her next message is south's.
    await _say(ann_a, circle, south, "south from a")
    got = await cat_b.push("msg")
    assert (got["group"], got["seq"], got["text"]) == (south, 1, "south from a")

    # Removed from north on node a's API, bob's socket on node b stops.
    r = await api.call("DELETE", f"/groups/{north}/members/{bob_user['id']}", ann)
    assert r.status_code == 204, r.text
    left = await bob_b.push("left")
    assert (left["circle"], left["group"]) == (circle, north)
    refused = await bob_b.request(
        {"t": "say", "circle": circle, "group": north, "text": "x", "nonce": "x"}
    )
    assert refused["t"] == "error" and refused["code"] == "forbidden"
    for client in (ann_a, bob_b, cat_b):
        await client.close()
