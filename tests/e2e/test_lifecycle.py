"""Restarts, logouts and health: what operators and members live through."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import httpx

from tests import timing
from tests.e2e.harness import Api, Client, ServerProcess


async def test_sigterm_says_bye_and_loses_no_acknowledged_message(
    server: ServerProcess, api: Api
) -> None:
    token, _ = await api.signup("ann")
    circle = await api.circle(token)
    listener = await Client.open(server.ws, token)
    await listener.request({"t": "join", "circle": circle})
    senders = [await Client.open(server.ws, token) for _ in range(4)]
    acked: list[int] = []
    stop = asyncio.Event()

    async def send(client: Client, k: int) -> None:
        i = 0
        while not stop.is_set():
            try:
                reply = await client.request(
                    {"t": "say", "circle": circle, "text": f"{k}-{i}", "nonce": f"{k}-{i}"},
                    timeout=5,
                )
            except (TimeoutError, ConnectionError, Exception):
                return
            if reply.get("t") == "ok":
                acked.append(reply["seq"])
            i += 1

    tasks = [asyncio.create_task(send(c, k)) for k, c in enumerate(senders)]
    await timing.sleep(0.5)
    server.proc.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    bye = await listener.push("bye", timeout=10)
    assert bye["reason"] in ("shutdown", "restart")
    assert await listener.closed() == 1012
    stop.set()
    await asyncio.gather(*tasks)
    # uvicorn re-raises the signal it handled once shutdown completed.
    assert server.stop() in (0, -signal.SIGTERM)
    assert acked, "nothing was acknowledged before the shutdown"

    server.start()
    again = await Client.open(server.ws, token)
    await again.request({"t": "join", "circle": circle})
    stored: set[int] = set()
    before = None
    while True:
        page = await again.request(
            {
                "t": "history",
                "circle": circle,
                "limit": 200,
                **({"before": before} if before else {}),
            }
        )
        stored |= {m["seq"] for m in page["messages"]}
        if not page["more"]:
            break
        before = page["messages"][0]["seq"]
    assert set(acked) <= stored
    assert sorted(stored) == list(range(1, len(stored) + 1))
    for c in senders:
        with contextlib.suppress(Exception):
            await c.close()
    await again.close()


async def test_logout_closes_that_tokens_sockets(server: ServerProcess, api: Api) -> None:
    token, _ = await api.signup("ann")
    r = await api.call("POST", "/auth/login", json={"handle": "ann", "password": "correct horse"})
    other_token = r.json()["token"]
    doomed = await Client.open(server.ws, token)
    survivor = await Client.open(server.ws, other_token)
    r = await api.call("POST", "/auth/logout", token)
    assert r.status_code == 204
    assert await doomed.closed(timeout=2) == 4001
    assert (await survivor.request({"t": "ping"}))["t"] == "pong"
    assert (await api.call("GET", "/me", token)).status_code == 401
    await survivor.close()


async def test_healthz_and_metrics(server: ServerProcess, api: Api) -> None:
    token, _ = await api.signup("ann")
    circle = await api.circle(token)
    client = await Client.open(server.ws, token)
    await client.request({"t": "join", "circle": circle})
    await client.say(circle, "counted")
    async with httpx.AsyncClient(base_url=server.http) as http:
        health = await http.get("/healthz")
        assert health.status_code == 200 and health.json()["database"] is True
        text = (await http.get("/metrics")).text
    for name in (
        "quanzi_connections 1.0",
        "quanzi_joined_streams 1.0",
        'quanzi_frames_in_total{type="say"} 1.0',
        "quanzi_deliveries_total 1.0",
        "quanzi_commit_batch_size_count",
        "quanzi_commit_seconds_count",
        "quanzi_send_queue_frames",
        "quanzi_slow_reader_disconnects_total",
    ):
        assert name in text, name
    await client.close()


async def test_web_client_is_served(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.http) as http:
        r = await http.get("/")
    assert r.status_code == 200 and "Quanzi" in r.text
