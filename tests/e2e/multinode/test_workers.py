"""`python -m server --workers 2` on one port, on Redis and a fresh PostgreSQL
database: members whose sockets landed on different workers chat and get
highlights, one worker runs the background jobs, a killed worker is replaced,
SIGHUP restarts them one at a time, and SIGTERM ends every worker with a `bye`
to every client."""

from __future__ import annotations

import os
import re
import secrets
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from tests import timing
from tests.e2e.conftest import FAST
from tests.e2e.harness import Api, Client, ServerProcess, seconds
from tests.e2e.multinode.conftest import PRESENCE_TTL_S
from tests.e2e.multinode.test_cluster_chat import members

CONNECTIONS = re.compile(r'^quanzi_connections\{worker="(\d+)"\} ([0-9.]+)$', re.M)


@pytest.fixture
async def workers(
    tmp_path: Path, database_url: str, shared_redis: str
) -> AsyncIterator[ServerProcess]:
    """One `python -m server` with two workers, both serving."""
    server = ServerProcess(
        tmp_path / "workers",
        QUANZI_DATABASE_URL=database_url,
        QUANZI_REDIS_URL=shared_redis,
        QUANZI_REDIS_PREFIX=f"qt{secrets.token_hex(4)}:",
        QUANZI_PRESENCE_TTL_S=PRESENCE_TTL_S,
        QUANZI_WORKERS="2",
        QUANZI_METRICS_SNAPSHOT_S="0.2",
        **FAST,
    )
    # The supervisor migrates the fresh database before the workers start.
    server.start_s = 60
    server.start()
    await eventually(lambda: healthz_by_worker(server, {0, 1}), s=60)
    yield server
    if server.proc is not None:
        server.stop()


async def eventually(check: Callable[[], Awaitable[object]], s: float = 20) -> object:
    """``check()``'s first truthy result within ``s`` (scaled) seconds."""
    deadline = time.monotonic() + seconds(s)
    while True:
        got = await check()
        if got:
            return got
        assert time.monotonic() < deadline, "timed out"
        await timing.sleep(0.05)


async def healthz_by_worker(server: ServerProcess, want: set[int]) -> dict[int, dict] | None:
    """/healthz of each worker in ``want`` (each request a new connection, which the
    kernel hands to any worker), or None until all of them answered."""
    seen: dict[int, dict] = {}
    # A worker being replaced answers once its successor serves (its socket waits).
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=no_reuse, timeout=seconds(30)) as http:
        for _ in range(40):
            body = (await http.get(f"{server.http}/healthz")).json()
            seen[body["worker"]] = body
            if set(seen) == want:
                return seen
    return None


async def connections_by_worker(server: ServerProcess) -> dict[int, int]:
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{server.http}/metrics")).text
    return {int(w): int(float(v)) for w, v in CONNECTIONS.findall(text)}


async def _logged(server: ServerProcess, line: str) -> bool:
    return line in server.log.read_text()


def running(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


def children(pid: int) -> set[int]:
    return {int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


async def clients_on_both_workers(
    server: ServerProcess, tokens: list[str]
) -> tuple[list[Client], dict[int, int]]:
    """Open sockets for ``tokens`` until both workers hold some (the kernel picks)."""
    clients: list[Client] = []
    for token in tokens:
        clients.append(await Client.open(server.ws, token))

        async def counted() -> dict[int, int] | None:
            by_worker = await connections_by_worker(server)
            return by_worker if sum(by_worker.values()) == len(clients) else None

        by_worker = await eventually(counted)
        assert isinstance(by_worker, dict)
        if all(by_worker.get(w) for w in (0, 1)):
            return clients, by_worker
    raise AssertionError(f"{len(tokens)} sockets all landed on one worker")


async def test_members_on_two_workers_chat_and_see_highlights_and_one_runs_the_jobs(
    workers: ServerProcess,
) -> None:
    api = Api(workers.http)
    circle, people = await members(api, 12)
    await api.close()
    clients, _ = await clients_on_both_workers(workers, [t for t, _ in people])
    for client in clients:
        await client.request({"t": "join", "circle": circle})
    owner, *others = clients
    ok = await owner.say(circle, "across workers")
    for client in clients:
        got = await client.push("msg")
        assert (got["seq"], got["text"]) == (ok["seq"], "across workers")
    reply = await owner.request({"t": "star", "circle": circle, "seq": ok["seq"]})
    assert reply["t"] == "ok" and reply["post"] is not None, reply
    for client in others:
        pushed = await client.push("highlight")
        assert pushed["post"]["id"] == reply["post"]["id"]
    for client in clients:
        await client.close()

    # Each worker is a node of its own; worker 0 alone runs the background jobs.
    seen = await healthz_by_worker(workers, {0, 1})
    assert seen is not None
    assert {w: body["background_jobs"] for w, body in seen.items()} == {0: True, 1: False}
    nodes = {w: body["broker_state"]["node"] for w, body in seen.items()}
    assert nodes[0].endswith("-0") and nodes[1].endswith("-1") and nodes[0][:-2] == nodes[1][:-2]
    log = workers.log.read_text()
    assert log.count("running the background jobs") == 1
    assert log.count("background jobs off here") == 1
    assert log.count("schema at revision") == 1  # one migration, by the supervisor


async def test_a_killed_worker_is_replaced_sighup_restarts_all_sigterm_says_bye_everywhere(
    workers: ServerProcess,
) -> None:
    assert workers.proc is not None
    supervisor = workers.proc.pid
    before = children(supervisor)
    assert len(before) == 2
    victim = min(before)
    os.kill(victim, signal.SIGKILL)

    async def replaced() -> bool:
        now = children(supervisor)
        return len(now) == 2 and victim not in now

    await eventually(replaced, s=30)
    assert await eventually(lambda: healthz_by_worker(workers, {0, 1}), s=60)
    assert "exited with -9" in workers.log.read_text()

    # SIGHUP: a rolling restart, one worker at a time; both serve again.
    replaced_pids = children(supervisor)
    os.kill(supervisor, signal.SIGHUP)
    await eventually(lambda: _logged(workers, "rolling restart of the 2 workers done"), s=90)
    assert not children(supervisor) & replaced_pids
    assert await eventually(lambda: healthz_by_worker(workers, {0, 1}), s=60)

    # SIGTERM: every worker says bye to its clients and ends; then the supervisor.
    pids = children(supervisor)
    api = Api(workers.http)
    _, people = await members(api, 12)
    await api.close()
    clients, _ = await clients_on_both_workers(workers, [t for t, _ in people])
    assert workers.stop(signal.SIGTERM) == 0
    for client in clients:
        assert (await client.push("bye"))["reason"] == "shutdown"
        assert await client.closed() == 1012
    assert not running(pids)  # reaped by the supervisor before it exited
    assert "all workers stopped" in workers.log.read_text()
