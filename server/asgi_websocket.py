"""`/ws` as a Starlette WebSocket route: for any ASGI server and the in-process
test client. `python -m server` serves `/ws` straight on the socket instead
(`websocket.py`); both run the same `Session`.

ASGI sends are awaited, so frames always go through the connection's queue
and a writer task of this link sends them.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.responses import PlainTextResponse
from starlette.websockets import WebSocket, WebSocketState

from protocol import CloseCode, UnsupportedSubprotocol, choose_subprotocol, codec_for

from .connection import Connection, Wire
from .node import Node
from .origins import ORIGIN_REFUSED
from .session import Session

log = logging.getLogger(__name__)


class AsgiLink:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self._wakeup = asyncio.Event()
        self._reading = asyncio.Event()
        self._reading.set()
        self._writer: asyncio.Task[None] | None = None

    def start(self, conn: Connection) -> None:
        self._writer = asyncio.create_task(self._write_loop(conn))

    # -- Link -------------------------------------------------------------------

    @property
    def writable(self) -> bool:
        return False  # every send is awaited by the writer task

    def write(self, data: Wire) -> None:
        raise RuntimeError("an ASGI link writes from its writer task only")

    def wake(self) -> None:
        self._wakeup.set()

    def close(self, code: int) -> None:
        self._wakeup.set()

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.cancel()

    def pause_reading(self) -> None:
        self._reading.clear()

    def resume_reading(self) -> None:
        self._reading.set()

    def keepalive(self) -> None:
        pass  # the ASGI server pings

    # -- tasks --------------------------------------------------------------------

    async def reading_allowed(self) -> None:
        await self._reading.wait()

    async def _write_loop(self, conn: Connection) -> None:
        ws, binary = self.websocket, conn.codec.binary
        try:
            while True:
                await self._wakeup.wait()
                self._wakeup.clear()
                while (data := conn.take()) is not None:
                    if binary:
                        await ws.send_bytes(data)
                    else:
                        await ws.send_text(data.decode())
                code = conn.close_code
                if code is not None and not conn.queued:
                    await self._close_socket(code)
                    return
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # the peer went away while we wrote
            log.debug("writer for %s stopped: %r", conn.user_id, exc)
        finally:
            conn.lost()

    async def _close_socket(self, code: int) -> None:
        if self.websocket.application_state != WebSocketState.DISCONNECTED:
            try:
                await self.websocket.close(code)
            except Exception as exc:
                log.debug("close with %d failed: %r", code, exc)


async def ws_endpoint(websocket: WebSocket) -> None:
    node: Node = websocket.app.state.node
    headers = websocket.headers
    if not websocket.app.state.origins.allows(
        headers.get("origin"), (*headers.getlist("host"), *headers.getlist("x-forwarded-host"))
    ):
        await _refuse(websocket, 403, ORIGIN_REFUSED, CloseCode.POLICY)
        return
    try:
        subprotocol = choose_subprotocol(list(websocket.scope.get("subprotocols") or []))
    except UnsupportedSubprotocol:
        await websocket.close(CloseCode.POLICY)
        return
    if not node.accepting:
        await _refuse(websocket, 503, "The server is restarting: try again.\n", CloseCode.RESTART)
        return
    await websocket.accept(subprotocol=subprotocol)
    codec = codec_for(subprotocol)
    link = AsgiLink(websocket)
    conn = Connection(link, codec, node.settings.send_queue_frames)
    link.start(conn)
    session = Session(node, conn)
    try:
        while not conn.closed:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            data = message.get("bytes")
            session.received(data if data is not None else message.get("text", ""))
            await link.reading_allowed()
    finally:
        session.end()
        # Send what is queued (a close code included) unless the peer is gone.
        conn.close(CloseCode.NORMAL)
        try:
            async with asyncio.timeout(node.settings.shutdown_grace_s):
                await conn.drained()
                await session.finished()
        except TimeoutError:
            conn.abort()


async def _refuse(websocket: WebSocket, status: int, text: str, close_code: int) -> None:
    """As on the direct path: an HTTP answer to the upgrade; where the server
    can't send one, a close before accepting (uvicorn answers that with 403)."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(PlainTextResponse(text, status))
    else:
        await websocket.close(close_code)
