"""The /ws transport itself (server/websocket.py): handshake, framing,
keepalive and pipelining, against a real server with real and raw clients."""

from __future__ import annotations

import asyncio
import base64
import os
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.frames import Frame, Opcode

from tests import timing
from tests.e2e.harness import Api, Client, ServerProcess, seconds


class RawPeer:
    """A WebSocket client by hand: it answers nothing unless told to."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int, path: str = "/ws") -> tuple[RawPeer, bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        return cls(reader, writer), head

    def send(self, opcode: Opcode, data: bytes, fin: bool = True) -> None:
        self.writer.write(Frame(opcode, data, fin=fin).serialize(mask=True, extensions=[]))

    async def frame(self) -> tuple[int, bytes]:
        """The next frame from the server: (opcode, payload)."""
        first, second = await self.reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(await self.reader.readexactly(2), "big")
        elif length == 127:
            length = int.from_bytes(await self.reader.readexactly(8), "big")
        return first & 0x0F, await self.reader.readexactly(length)

    async def close_code(self) -> int:
        """Read until the server's close frame; its code."""
        while True:
            opcode, payload = await self.frame()
            if opcode == Opcode.CLOSE:
                return int.from_bytes(payload[:2], "big")

    def close(self) -> None:
        self.writer.close()


async def test_only_ws_is_a_websocket_path(server: ServerProcess) -> None:
    peer, head = await RawPeer.open(server.port, "/elsewhere")
    assert head.startswith(b"HTTP/1.1 404"), head
    peer.close()
    with pytest.raises(InvalidStatus) as refused:
        await connect(server.ws, subprotocols=["quanzi.v9.xml"])  # type: ignore[list-item]
    assert refused.value.response.status_code == 403
    # Plain HTTP still works beside it.
    async with httpx.AsyncClient(base_url=server.http) as http:
        assert (await http.get("/healthz")).status_code == 200


async def test_a_fragmented_message_is_one_frame(server: ServerProcess, api: Api) -> None:
    token, _ = await api.signup("ann")
    peer, head = await RawPeer.open(server.port)
    assert head.startswith(b"HTTP/1.1 101"), head
    hello = f'{{"t":"hello","id":1,"token":"{token}"}}'.encode()
    peer.send(Opcode.TEXT, hello[:10], fin=False)
    peer.send(Opcode.CONT, hello[10:20], fin=False)
    peer.send(Opcode.CONT, hello[20:], fin=True)
    opcode, payload = await peer.frame()
    assert opcode == Opcode.TEXT and b'"t":"welcome"' in payload, payload
    peer.close()


async def test_invalid_utf8_in_a_text_frame_closes_with_1007(server: ServerProcess) -> None:
    peer, _ = await RawPeer.open(server.port)
    peer.send(Opcode.TEXT, b'{"t":"hello","token":"\xff\xfe"}')
    assert await asyncio.wait_for(peer.close_code(), seconds(5)) == 1007
    peer.close()


async def test_a_silent_peer_is_dropped_and_a_live_one_kept(tmp_path: Path) -> None:
    interval = 0.3
    proc = ServerProcess(tmp_path, QUANZI_PING_INTERVAL_S=str(interval)).start()
    api = Api(proc.http)
    try:
        token, _ = await api.signup("ann")
        live = await Client.open(proc.ws, token)  # websockets answers pings itself
        silent, _ = await RawPeer.open(proc.port)
        silent.send(Opcode.TEXT, f'{{"t":"hello","id":1,"token":"{token}"}}'.encode())
        _, welcome = await silent.frame()
        assert b"welcome" in welcome

        async def pings_then_eof() -> int:
            pings = 0
            try:
                while True:
                    opcode, _ = await silent.frame()
                    pings += opcode == Opcode.PING
            except asyncio.IncompleteReadError:
                return pings

        # Pinged once after an interval of silence, dropped one interval later.
        assert await asyncio.wait_for(pings_then_eof(), seconds(10 * interval)) >= 1
        await timing.sleep(4 * interval)
        assert (await live.request({"t": "ping"}))["t"] == "pong"
        await live.close()
    finally:
        await api.close()
        proc.stop()


async def test_pipelined_frames_are_answered_in_order(server: ServerProcess, api: Api) -> None:
    token, _ = await api.signup("ann")
    circle = await api.circle(token)
    client = await Client.open(server.ws, token)
    await client.say(circle, "one")
    # Frames answered on arrival (ping) and frames that wait on the store
    # (history), far more than the inbox holds before reading pauses.
    frames = []
    for i in range(400):
        if i % 3 == 0:
            frames.append({"t": "history", "id": 10_000 + i, "circle": circle})
        else:
            frames.append({"t": "ping", "id": 10_000 + i})
    for frame in frames:
        client.send(frame)
    replies = [await client.push(timeout=seconds(10)) for _ in frames]
    assert [r["id"] for r in replies] == [f["id"] for f in frames]
    assert {r["t"] for r in replies} == {"pong", "history"}
    await client.close()
