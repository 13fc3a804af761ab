"""One address, or one user, cannot hold the node's connections (issue 14: one
user from one address opened 19,800 authenticated sockets, up to the open-file
limit): QUANZI_IP_CONNECTIONS, QUANZI_IP_PENDING_CONNECTIONS, QUANZI_USER_SOCKETS."""

from __future__ import annotations

import contextlib
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidMessage, InvalidStatus

from protocol import SUBPROTOCOL_JSON, CloseCode
from tests import timing
from tests.abuse.conftest import Raw, StartServer, status
from tests.e2e.harness import Api, Client, seconds

CAP = 50


async def _ws(url: str, source: str, **headers: str) -> ClientConnection:
    return await connect(
        url,
        subprotocols=[SUBPROTOCOL_JSON],  # type: ignore[list-item]
        local_addr=(source, 0),
        additional_headers=headers or None,
        open_timeout=seconds(10),
    )


async def _refused_status(url: str, source: str, **headers: str) -> int | None:
    """The HTTP status the upgrade was refused with (None: closed without one);
    fails if the socket opened."""
    try:
        ws = await _ws(url, source, **headers)
    except InvalidStatus as exc:
        return exc.response.status_code
    except (InvalidMessage, ConnectionError, OSError):
        return None  # closed before an answer could be read
    await ws.close()
    raise AssertionError("the socket past the cap was opened")


async def _close_all(sockets: list[Any]) -> None:
    for ws in sockets:
        with contextlib.suppress(Exception):
            await ws.close()


async def test_one_address_gets_at_most_its_open_connections(start_server: StartServer) -> None:
    server = start_server(QUANZI_IP_CONNECTIONS=str(CAP), QUANZI_HELLO_TIMEOUT_S="60")
    held = [await _ws(server.ws, "127.0.0.2") for _ in range(CAP)]
    others: list[Any] = []
    try:
        assert await _refused_status(server.ws, "127.0.0.2") in (429, None)
        # A plain HTTP connection from there is refused too, at once.
        conn = await Raw.open(server.port, "127.0.0.2")
        assert status(await conn.answer(seconds(5))) == 429
        conn.close()
        # Another address is not affected.
        others.append(await _ws(server.ws, "127.0.0.3"))
        # A closed socket gives its place back.
        await held.pop().close()
        for _ in range(100):
            try:
                held.append(await _ws(server.ws, "127.0.0.2"))
                break
            except (InvalidStatus, InvalidMessage, OSError):
                await timing.sleep(0.05)  # the server has not seen the close yet
        assert len(held) == CAP
    finally:
        await _close_all(held + others)


async def test_behind_a_trusted_proxy_the_cap_is_the_clients(start_server: StartServer) -> None:
    # Loopback is a trusted proxy by default: its connections count for the
    # client named in X-Forwarded-For (the last address there).
    server = start_server(QUANZI_IP_CONNECTIONS=str(CAP), QUANZI_HELLO_TIMEOUT_S="60")
    client = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    held = [await _ws(server.ws, "127.0.0.1", **client) for _ in range(CAP)]
    others: list[Any] = []
    try:
        assert await _refused_status(server.ws, "127.0.0.1", **client) == 429
        # The proxy's other clients, and the proxy itself, are not affected.
        others.append(await _ws(server.ws, "127.0.0.1", **{"X-Forwarded-For": "203.0.113.10"}))
        others.append(await _ws(server.ws, "127.0.0.1"))
        # A peer that is not a trusted proxy cannot pick its address by header:
        # its connections count for its own.
        others += [await _ws(server.ws, "127.0.0.2", **client) for _ in range(CAP)]
        assert await _refused_status(server.ws, "127.0.0.2", **{"X-Forwarded-For": "1.2.3.4"}) in (
            429,
            None,
        )
    finally:
        await _close_all(held + others)


async def test_connections_in_progress_per_address_are_capped(start_server: StartServer) -> None:
    server = start_server(QUANZI_IP_PENDING_CONNECTIONS=str(CAP), QUANZI_HEAD_TIMEOUT_S="60")
    silent = [await Raw.open(server.port, "127.0.0.2") for _ in range(CAP)]
    try:
        extra = await Raw.open(server.port, "127.0.0.2")
        assert status(await extra.answer(seconds(5))) == 429
        extra.close()
        # Once a head arrives the connection is no longer in progress.
        await silent[0].send(b"GET /healthz HTTP/1.1\r\nHost: quanzi\r\n\r\n")
        assert (await silent[0].reader.readuntil(b"\r\n")).startswith(b"HTTP/1.1 200")
        other = await Raw.open(server.port, "127.0.0.2")
        assert await other.answer(seconds(0.5)) is None  # admitted: waiting for its head
        silent.append(other)
    finally:
        for conn in silent:
            conn.close()


async def test_one_user_gets_at_most_its_sockets(start_server: StartServer) -> None:
    server = start_server(QUANZI_USER_SOCKETS="5")
    api = Api(server.http)
    try:
        token, _ = await api.signup("ann")
        other_token, _ = await api.signup("bob")
        clients = [await Client.open(server.ws, token) for _ in range(5)]
        extra = await Client.open(server.ws, token, hello=False)
        reply = await extra.request({"t": "hello", "token": token})
        assert (reply["t"], reply.get("code")) == ("error", "rate_limited")
        assert await extra.closed() == CloseCode.TOO_MANY == 4029
        # Another user is not affected, and a closed socket gives its place back.
        bob = await Client.open(server.ws, other_token)
        await clients.pop().close()
        for _ in range(50):
            try:
                clients.append(await Client.open(server.ws, token))
                break
            except (AssertionError, ConnectionClosed, ConnectionError):
                await timing.sleep(0.05)  # the server has not seen the close yet
        assert len(clients) == 5
        for client in [*clients, bob]:
            await client.close()
    finally:
        await api.close()
