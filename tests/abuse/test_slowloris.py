"""Slowloris: connections that send nothing, or a request head a line at a
time, are closed by the head deadline (QUANZI_HEAD_TIMEOUT_S) instead of being
held for ever (issue 14: 600 of them were all still open after 60 s)."""

from __future__ import annotations

import asyncio

import httpx

from tests import timing
from tests.abuse.conftest import Raw, StartServer, status
from tests.e2e.harness import seconds

HEAD_TIMEOUT = 1.0  # scaled
# Per kind and address: bounded, and under the per-address caps of the defaults.
PER_KIND = 10
SOURCES = ("127.0.0.2", "127.0.0.3")

HTTP_START = b"GET /api/v1/me HTTP/1.1\r\nHost: quanzi\r\n"
WS_START = (
    b"GET /ws HTTP/1.1\r\nHost: quanzi\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
)


async def _trickle(conn: Raw, start: bytes, stop: asyncio.Event) -> None:
    """Send a head's start, then one more header line every 0.3 s (scaled), never the end."""
    sent = await conn.send(start)
    line = 0
    while sent and not stop.is_set():
        await timing.sleep(0.3)
        line += 1
        sent = await conn.send(b"X-Line-%d: still coming\r\n" % line)


async def _finished_request(conn: Raw) -> None:
    """A request answered in full: the connection is kept alive for the next one."""
    await conn.send(b"GET /healthz HTTP/1.1\r\nHost: quanzi\r\n\r\n")
    head = await conn.reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.startswith(b"content-length")
    )
    await conn.reader.readexactly(length)


async def test_silent_and_trickling_connections_are_closed_by_the_head_deadline(
    start_server: StartServer,
) -> None:
    server = start_server(QUANZI_HEAD_TIMEOUT_S=str(seconds(HEAD_TIMEOUT)))
    stop = asyncio.Event()
    silent, heads, handshakes, second_heads = [], [], [], []
    tasks = []
    for source in SOURCES:
        for _ in range(PER_KIND // len(SOURCES)):
            silent.append(await Raw.open(server.port, source))
            for group, start in ((heads, HTTP_START), (handshakes, WS_START)):
                conn = await Raw.open(server.port, source)
                group.append(conn)
                tasks.append(asyncio.create_task(_trickle(conn, start, stop)))
            # A second head, a line at a time, on a kept-alive connection.
            conn = await Raw.open(server.port, source)
            await _finished_request(conn)
            second_heads.append(conn)
            tasks.append(asyncio.create_task(_trickle(conn, HTTP_START, stop)))
    everyone = silent + heads + handshakes + second_heads
    try:
        # Well past the deadline, and before uvicorn's keep-alive timeout (5 s)
        # could explain a close of the second heads.
        answers = await asyncio.gather(
            *(conn.answer(seconds(HEAD_TIMEOUT * 4)) for conn in everyone)
        )
        still_open = sum(answer is None for answer in answers)
        assert still_open == 0, f"{still_open} of {len(everyone)} slow connections still open"
        # Those that sent part of a head are told why.
        assert {status(a) for a in answers[len(silent) :]} == {408}
        async with httpx.AsyncClient(timeout=seconds(5)) as client:
            assert (await client.get(f"{server.http}/healthz")).status_code == 200
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for conn in everyone:
            conn.close()
