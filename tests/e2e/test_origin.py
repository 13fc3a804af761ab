"""The Origin check of a /ws upgrade on the socket path (websocket.py), against a
real server: a page of another site is refused with 403 before the upgrade; the
server's own pages and clients without an Origin (not browsers) get in."""

from __future__ import annotations

from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from tests.e2e.harness import Api, Client, ServerProcess, seconds


async def test_a_foreign_origin_is_refused_and_the_own_one_accepted(
    server: ServerProcess, api: Api
) -> None:
    token, user = await api.signup("ann")
    with pytest.raises(InvalidStatus) as refused:
        await connect(server.ws, origin=Origin("https://evil.example"))
    assert refused.value.response.status_code == 403
    assert b"Origin" in refused.value.response.body

    own = Origin(server.http)  # http://127.0.0.1:<port>, as the page's own
    async with connect(server.ws, origin=own, open_timeout=seconds(10)) as ws:
        client = Client(ws, "json")
        welcome = await client.request({"t": "hello", "token": token})
        assert welcome["user"]["id"] == user["id"]

    # The harness's clients send no Origin: not a browser, nothing to check.
    client = await Client.open(server.ws, token)
    assert (await client.request({"t": "ping"}))["t"] == "pong"
    await client.close()


async def test_listed_origins_are_accepted(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path, QUANZI_ALLOWED_ORIGINS="https://app.example").start()
    try:
        async with connect(server.ws, origin=Origin("https://app.example")) as ws:
            await ws.send('{"t":"ping","id":1}')
            assert '"id":1' in str(await ws.recv())  # the session answers
        with pytest.raises(InvalidStatus) as refused:
            await connect(server.ws, origin=Origin("https://evil.example"))
        assert refused.value.response.status_code == 403
    finally:
        server.stop()
