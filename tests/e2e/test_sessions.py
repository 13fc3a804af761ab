"""Sessions on a real server: a password change, ending a session and logging
out everywhere close the ended sessions' open sockets; the caller's stays."""

from __future__ import annotations

from tests.e2e.harness import Api, Client, ServerProcess


async def login(api: Api, handle: str, password: str = "correct horse") -> str:
    r = await api.call("POST", "/auth/login", json={"handle": handle, "password": password})
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


async def test_a_password_change_closes_the_other_sessions_sockets(
    server: ServerProcess, api: Api
) -> None:
    mine, _ = await api.signup("ann")
    theirs = await login(api, "ann")
    mine_ws = await Client.open(server.ws, mine)
    theirs_ws = await Client.open(server.ws, theirs)
    try:
        body = {"old_password": "correct horse", "new_password": "battery staple"}
        r = await api.call("POST", "/me/password", mine, json=body)
        assert r.status_code == 204, r.text
        assert await theirs_ws.closed() == 4001
        assert (await mine_ws.request({"t": "ping"}))["t"] == "pong"
        assert (await api.call("GET", "/me", theirs)).status_code == 401
        assert (await api.call("GET", "/me", mine)).status_code == 200
    finally:
        await mine_ws.close()
        await theirs_ws.close()


async def test_ending_sessions_closes_their_sockets(server: ServerProcess, api: Api) -> None:
    mine, _ = await api.signup("ann")
    theirs = await login(api, "ann")
    theirs_ws = await Client.open(server.ws, theirs)
    r = await api.call("GET", "/me/sessions", mine)
    [other] = [s for s in r.json()["sessions"] if not s["current"]]
    assert (await api.call("DELETE", f"/me/sessions/{other['id']}", mine)).status_code == 204
    assert await theirs_ws.closed() == 4001
    mine_ws = await Client.open(server.ws, mine)
    assert (await api.call("POST", "/auth/logout-everywhere", mine)).status_code == 204
    assert await mine_ws.closed() == 4001
    assert (await api.call("GET", "/me", mine)).status_code == 401
