"""Read counts ("read by N"): read markers pushed to a group's listeners and
listed by GET /groups/{id}/reads, only for groups within the size for them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import FAST
from tests.e2e.harness import Api, Client, ServerProcess
from tests.e2e.test_groups import Scene, _drain, _say


def _read(circle: str, group: str, seq: int) -> dict[str, Any]:
    return {"t": "read", "circle": circle, "group": group, "seq": seq}


async def _next_non_presence(client: Client) -> dict[str, Any]:
    frame = await client.push()
    while frame["t"] == "presence":
        frame = await client.push()
    return frame


async def test_a_moved_read_marker_reaches_the_groups_listeners(
    server: ServerProcess, api: Api, codec: str
) -> None:
    scene = await Scene(api).build()
    ann = await scene.client(server, "ann", codec)
    bob = await scene.client(server, "bob", codec)
    cat = await scene.client(server, "cat", codec)
    await ann.request({"t": "join", "circle": scene.circle, "group": scene.north})
    await cat.request({"t": "join", "circle": scene.circle, "group": scene.south})
    await _say(ann, scene.circle, scene.north, "路上有雪")
    assert (await ann.push("msg"))["seq"] == 1
    bob.send(_read(scene.circle, scene.north, 1))
    pushed = await ann.push("read")
    assert pushed == {
        "t": "read",
        "circle": scene.circle,
        "group": scene.north,
        "user": scene.users["bob"]["id"],
        "seq": 1,
    }
    # A marker that does not move (again 1, or beyond the last seq capped to it) is not told.
    bob.send(_read(scene.circle, scene.north, 1))
    await _say(ann, scene.circle, scene.north, "second")
    assert (await _next_non_presence(ann))["t"] == "msg"
    # Cat, in another group, heard of neither.
    assert all(f["t"] == "presence" for f in _drain(cat))
    for client in (ann, bob, cat):
        await client.close()


async def test_reads_lists_the_groups_markers_to_its_members(
    server: ServerProcess, api: Api
) -> None:
    scene = await Scene(api).build()
    bob = await scene.client(server, "bob")
    await _say(bob, scene.circle, scene.north, "one")
    await _say(bob, scene.circle, scene.north, "two")
    await bob.request({"t": "join", "circle": scene.circle, "group": scene.north})
    bob.send(_read(scene.circle, scene.north, 2))
    await bob.push("read")  # one's own tabs hear it too: the marker is stored by now
    r = await api.call("GET", f"/groups/{scene.north}/reads", scene.tokens["ann"])
    assert r.status_code == 200, r.text
    ann_id, bob_id = scene.users["ann"]["id"], scene.users["bob"]["id"]
    assert r.json() == {"reads": {ann_id: 0, bob_id: 2}, "members": 2}
    # General's are the circle's memberships.
    r = await api.call("GET", f"/groups/{scene.circle}/reads", scene.tokens["cat"])
    assert r.status_code == 200, r.text
    assert r.json()["members"] == 3 and set(r.json()["reads"]) == set(
        u["id"] for u in scene.users.values()
    )
    # Not in the group: 403; no such group: 404; not signed in: 401.
    r = await api.call("GET", f"/groups/{scene.north}/reads", scene.tokens["cat"])
    assert r.status_code == 403, r.text
    r = await api.call("GET", "/groups/nosuchgroup0/reads", scene.tokens["cat"])
    assert r.status_code == 404, r.text
    r = await api.call("GET", f"/groups/{scene.north}/reads")
    assert r.status_code == 401, r.text
    await bob.close()


@pytest.fixture
def small_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """Read counts only for groups of at most 2 members; markers told every 5 s at most."""
    proc = ServerProcess(
        tmp_path / "small",
        QUANZI_READ_RECEIPTS_MAX_MEMBERS="2",
        QUANZI_READ_PUSH_INTERVAL_S="5",
        **FAST,
    ).start()
    yield proc
    proc.stop()


@pytest.fixture
async def small_api(small_server: ServerProcess) -> AsyncIterator[Api]:
    client = Api(small_server.http)
    yield client
    await client.close()


async def test_no_read_counts_beyond_the_size_and_pushes_coalesced(
    small_server: ServerProcess, small_api: Api
) -> None:
    scene = await Scene(small_api).build()
    # General has three members: beyond the size.
    r = await small_api.call("GET", f"/groups/{scene.circle}/reads", scene.tokens["ann"])
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "conflict"
    r = await small_api.call("GET", f"/groups/{scene.north}/reads", scene.tokens["ann"])
    assert r.status_code == 200 and r.json()["members"] == 2, r.text

    ann = await scene.client(small_server, "ann")
    bob = await scene.client(small_server, "bob")
    await ann.request({"t": "join", "circle": scene.circle})
    await ann.request({"t": "join", "circle": scene.circle, "group": scene.north})
    # In general no marker is told.
    await _say(ann, scene.circle, None, "general")
    assert (await ann.push("msg"))["group"] == scene.circle
    bob.send(_read(scene.circle, scene.circle, 1))
    # In north, three markers in a burst: the first at once, the last when the
    # interval is over, the one between never.
    for text in ("a", "b", "c"):
        await _say(ann, scene.circle, scene.north, text)
    for seq in (1, 2, 3):
        bob.send(_read(scene.circle, scene.north, seq))
    first = await ann.push("read")
    assert (first["group"], first["seq"]) == (scene.north, 1)
    second = await ann.push("read", timeout=15)
    assert (second["group"], second["seq"]) == (scene.north, 3)
    for client in (ann, bob):
        await client.close()
