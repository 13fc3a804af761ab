"""An upgrade that arrives while the node shuts down is refused with 503 (try
again), on both ways /ws is served."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from starlette.testclient import TestClient, WebSocketDenialResponse
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.__main__ import QuanziServer, uvicorn_config
from server.app import create_app
from server.settings import Settings
from tests import timing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_socket_path_refuses_with_503_while_shutting_down(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, password_time_cost=1, port=_free_port())
    app = create_app(settings)
    server = QuanziServer(uvicorn_config(settings, app), app)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not serving.done(), "the server did not start"
            await timing.sleep(0.02)
        url = f"ws://127.0.0.1:{settings.port}/ws"
        async with connect(url) as ws:  # accepted while the node accepts
            await ws.send('{"t":"ping","id":1}')
        app.state.node.accepting = False
        with pytest.raises(InvalidStatus) as refused:
            await connect(url)
        assert refused.value.response.status_code == 503
    finally:
        app.state.node.accepting = True
        server.should_exit = True
        await asyncio.wait_for(serving, 30)


def test_the_asgi_route_refuses_with_503_while_shutting_down(
    client: TestClient, settings: Settings
) -> None:
    client.app.state.node.accepting = False  # type: ignore[attr-defined]
    try:
        with pytest.raises(WebSocketDenialResponse) as refused, client.websocket_connect("/ws"):
            pass
        assert refused.value.status_code == 503
    finally:
        client.app.state.node.accepting = True  # type: ignore[attr-defined]
