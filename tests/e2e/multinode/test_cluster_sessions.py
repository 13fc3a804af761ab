"""A password change on one node closes the other sessions' sockets on another
(the ended sessions cross Redis by token hash)."""

from __future__ import annotations

from tests.e2e.harness import Api, Client, ServerProcess
from tests.e2e.test_sessions import login


async def test_a_password_change_through_one_node_closes_sockets_on_the_other(
    two_nodes: list[ServerProcess], api: Api
) -> None:
    _, b = two_nodes
    mine, _ = await api.signup("ann")
    theirs = await login(api, "ann")
    theirs_ws = await Client.open(b.ws, theirs)
    mine_ws = await Client.open(b.ws, mine)
    try:
        body = {"old_password": "correct horse", "new_password": "battery staple"}
        # `api` speaks to the first node; the sockets are on the second.
        r = await api.call("POST", "/me/password", mine, json=body)
        assert r.status_code == 204, r.text
        assert await theirs_ws.closed() == 4001
        assert (await mine_ws.request({"t": "ping"}))["t"] == "pong"
    finally:
        await mine_ws.close()
        await theirs_ws.close()
