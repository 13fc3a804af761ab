"""Bad input gets a clear error and loses nothing; limits close what they must."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path

import msgpack
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from protocol import SUBPROTOCOL_JSON
from tests import timing
from tests.e2e.harness import Api, Client, ServerProcess, seconds


async def _member(api: Api, handle: str = "ann") -> tuple[str, str]:
    token, _ = await api.signup(handle)
    return token, await api.circle(token)


async def test_malformed_frames_get_errors_and_the_connection_survives(
    server: ServerProcess, api: Api
) -> None:
    token, circle = await _member(api)
    client = await Client.open(server.ws, token)
    await client.ws.send("{not json")
    assert (await client.push("error"))["code"] == "bad_frame"
    await client.ws.send("[1, 2]")
    assert (await client.push("error"))["code"] == "bad_frame"
    reply = await client.request({"t": "dance"})
    assert (reply["t"], reply["code"]) == ("error", "unknown_type")
    reply = await client.request({"t": "say", "circle": circle, "text": 5, "nonce": "n"})
    assert (reply["code"], reply["t"]) == ("bad_frame", "error")
    reply = await client.request({"t": "say", "circle": circle, "text": "x" * 4001, "nonce": "n"})
    assert reply["code"] == "too_big"
    # Still alive and nothing was stored.
    assert (await client.request({"t": "ping"}))["t"] == "pong"
    hist = await client.request({"t": "history", "circle": circle})
    assert hist["messages"] == []
    await client.close()


async def test_msgpack_garbage_is_a_bad_frame(server: ServerProcess, api: Api) -> None:
    token, _ = await _member(api)
    client = await Client.open(server.ws, token, "msgpack")
    await client.ws.send(b"\xc1\xff\x00")
    assert (await client.push("error"))["code"] == "bad_frame"
    await client.ws.send(msgpack.packb([1, 2, 3]))
    assert (await client.push("error"))["code"] == "bad_frame"
    assert (await client.request({"t": "ping"}))["t"] == "pong"
    await client.close()


async def test_repeated_abuse_closes_with_4008(server: ServerProcess, api: Api) -> None:
    token, _ = await _member(api)
    client = await Client.open(server.ws, token)
    for _ in range(25):
        await client.ws.send("nope")
    assert await client.closed() == 4008


async def test_hello_after_welcome_is_a_bad_frame_and_no_traceback(
    server: ServerProcess, api: Api
) -> None:
    token, _ = await _member(api)
    client = await Client.open(server.ws, token)
    for i in range(25):
        client.send({"t": "hello", "id": f"again-{i}", "token": token})
    first = await client.push()
    assert (first["t"], first["code"], first["id"]) == ("error", "bad_frame", "again-0")
    # Each one counts toward the bad-frame limit, like any other wrong frame.
    assert await client.closed() == 4008
    errors = [first]
    while not client.pushes.empty():
        errors.append(client.pushes.get_nowait())
    assert len(errors) > 20
    assert {(e["t"], e["code"]) for e in errors} == {("error", "bad_frame")}
    assert "Traceback" not in server.log.read_text()


async def test_oversize_frame_closes_with_1009(server: ServerProcess, api: Api) -> None:
    token, _ = await _member(api)
    client = await Client.open(server.ws, token)
    await client.ws.send('{"t":"say","text":"' + "x" * 70000 + '"}')
    assert await client.closed() == 1009


async def test_no_hello_in_time_closes_with_4001(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path, QUANZI_HELLO_TIMEOUT_S="0.5").start()
    try:
        client = await Client.open(proc.ws, None, hello=False)
        assert await client.closed(timeout=5) == 4001
    finally:
        proc.stop()


async def test_bad_token_gets_unauthenticated_and_4001(server: ServerProcess) -> None:
    client = await Client.open(server.ws, None, hello=False)
    client.send({"t": "hello", "id": 1, "token": "forged"})
    error = await client.push("error")
    assert (error["code"], error["id"]) == ("unauthenticated", 1)
    assert await client.closed() == 4001


async def test_chat_floods_are_rate_limited_and_not_stored(tmp_path: Path) -> None:
    proc = ServerProcess(tmp_path, QUANZI_SAY_RATE_PER_S="1", QUANZI_SAY_BURST="3").start()
    api = Api(proc.http)
    try:
        token, circle = await _member(api)
        client = await Client.open(proc.ws, token)
        replies = [
            await client.request({"t": "say", "circle": circle, "text": f"{i}", "nonce": f"f{i}"})
            for i in range(6)
        ]
        assert [r["t"] for r in replies[:3]] == ["ok"] * 3
        assert {r.get("code") for r in replies[3:]} == {"rate_limited"}
        hist = await client.request({"t": "history", "circle": circle})
        assert len(hist["messages"]) == 3
        await client.close()
    finally:
        await api.close()
        proc.stop()


async def test_a_fast_typist_is_rate_limited_and_stays_connected(tmp_path: Path) -> None:
    """Sixty says at once at the people-sized defaults (10/s, bursts of 20): about
    forty are refused with rate_limited — more than the 20 bad frames that close
    a connection with 4008 — and none of that counts as abuse: the connection
    goes on."""
    proc = ServerProcess(tmp_path).start()  # the default rate limits
    api = Api(proc.http)
    try:
        token, circle = await _member(api)
        client = await Client.open(proc.ws, token)
        frames = [
            {"t": "say", "circle": circle, "text": f"{i}", "nonce": f"f{i}"} for i in range(60)
        ]
        replies = list(await asyncio.gather(*(client.request(f) for f in frames)))
        codes = [r.get("code") for r in replies if r["t"] == "error"]
        assert len(codes) > 20 and set(codes) == {"rate_limited"}, codes
        # Still connected: a ping is answered and a say after a pause is stored.
        assert (await client.request({"t": "ping"}))["t"] == "pong"
        await timing.sleep(0.5)
        ok = await client.request(
            {"t": "say", "circle": circle, "text": "still here", "nonce": "z"}
        )
        assert ok["t"] == "ok", ok
        assert client.ws.close_code is None
        await client.close()
    finally:
        await api.close()
        proc.stop()


# A rate so low that no token comes back while a test runs: what a user may say
# is then exactly the burst, and nothing depends on how fast the machine is.
NO_REFILL = {"QUANZI_SAY_RATE_PER_S": "0.0001", "QUANZI_SAY_BURST": "20"}


async def say_burst(client: Client, circle: str, count: int, tag: str) -> list[str]:
    """``count`` says at once; the reply of each: "ok" or its error code."""
    frames = [
        {"t": "say", "circle": circle, "text": f"{tag} {i}", "nonce": f"{tag}-{i}"}
        for i in range(count)
    ]
    replies = await asyncio.gather(*(client.request(f) for f in frames))
    return [r["t"] if r["t"] == "ok" else r["code"] for r in replies]


async def test_reconnecting_never_refills_the_chat_rate_limit(tmp_path: Path) -> None:
    """Connect, say twenty, close, ten times: the bucket is the user's, not the
    socket's, so ten sockets in a row get one burst between them."""
    proc = ServerProcess(tmp_path, **NO_REFILL).start()
    api = Api(proc.http)
    try:
        token, circle = await _member(api)
        replies: list[str] = []
        for round_ in range(10):
            client = await Client.open(proc.ws, token)
            replies += await say_burst(client, circle, 20, f"r{round_}")
            await client.close()
        assert replies.count("ok") == 20, replies
        assert set(replies) == {"ok", "rate_limited"}
        client = await Client.open(proc.ws, token)
        hist = await client.request({"t": "history", "circle": circle, "limit": 200})
        assert len(hist["messages"]) == 20
        await client.close()
    finally:
        await api.close()
        proc.stop()


async def test_slow_reader_is_closed_while_others_keep_flowing(tmp_path: Path) -> None:
    proc = ServerProcess(
        tmp_path,
        QUANZI_SEND_QUEUE_FRAMES="256",
        QUANZI_SAY_RATE_PER_S="100000",
        QUANZI_SAY_BURST="100000",
    ).start()
    api = Api(proc.http)
    try:
        token, circle = await _member(api)
        reader_token, _ = await api.signup("reader")
        slow_token, _ = await api.signup("slow")
        for t in (reader_token, slow_token):
            await api.join(t, circle)

        # The slow client: tiny kernel buffer, and it never reads after joining.
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", proc.port))
        slow = await connect(proc.ws, sock=sock, subprotocols=[SUBPROTOCOL_JSON], max_queue=1)
        await slow.send(f'{{"t":"hello","id":1,"token":"{slow_token}"}}')
        await slow.recv()
        await slow.send(f'{{"t":"join","id":2,"circle":"{circle}"}}')

        reader = await Client.open(proc.ws, reader_token)
        await reader.request({"t": "join", "circle": circle})
        sender = await Client.open(proc.ws, token)
        count, burst = 3000, 100
        big = "y" * 3900
        # Bursts well under the queue bound: only a client that stops reading overflows.
        for start in range(0, count, burst):
            await asyncio.gather(
                *(
                    sender.say(circle, f"{i} {big}", nonce=f"s{i}")
                    for i in range(start, start + burst)
                )
            )
        seqs = [m["seq"] for m in await reader.messages(count, timeout=30)]
        assert seqs == list(range(1, count + 1))
        # The slow client reads again: it finds part of the stream, then 4009.
        got = await asyncio.wait_for(_drain(slow), seconds(10))
        assert slow.close_code == 4009
        assert got < count
        metrics = (await api.client.get("/metrics")).text
        assert "quanzi_slow_reader_disconnects_total 1.0" in metrics
        await reader.close()
        await sender.close()
    finally:
        await api.close()
        proc.stop()


async def _drain(ws: ClientConnection) -> int:
    n = 0
    with contextlib.suppress(ConnectionClosed):
        async for _ in ws:
            n += 1
    return n


@pytest.mark.parametrize("bad", ["/api/v1/nope", "/api/v1/circles/zzz"])
async def test_http_errors_have_the_contract_shape(api: Api, bad: str) -> None:
    r = await api.client.get(bad)
    assert r.status_code in (401, 404)
    assert set(r.json()["error"]) == {"code", "message"}
