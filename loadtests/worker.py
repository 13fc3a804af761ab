"""One load-generating process: an event loop (uvloop when installed) driving many connections.

The coordinator sends commands over a pipe — `ramp` (open the connections at
this worker's share of the ramp rate), `go` (run the scenario for the
duration), `finish` (ship the final ledgers, close everything, exit) — and the
worker answers with events: `booted`, a `tick` every second (counters,
histograms, its own CPU use and event-loop lag), `ready`, `sent`, `final`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sys
import time
from multiprocessing.connection import Connection
from typing import Any

from protocol import should_reconnect

from .client import Client, RequestFailed
from .proc import own_cpu_seconds, raise_nofile_limit
from .scenarios import SCENARIOS
from .scenarios.base import ConnSpec, Context, text_of
from .stats import Stats
from .wsclient import HandshakeError

LAG_SAMPLE_S = 0.05


class Worker:
    def __init__(self, pipe: Connection, cfg: dict[str, Any]) -> None:
        self.pipe, self.cfg = pipe, cfg
        self.index: int = cfg["worker"]
        self.specs: list[ConnSpec] = cfg["specs"]
        self.stats = Stats()
        self.scenario = SCENARIOS[cfg["scenario"]](cfg["opts"])
        self.clients: dict[int, Client] = {}
        self.ctx = Context(
            worker=self.index,
            opts=cfg["opts"],
            stats=self.stats,
            stop=asyncio.Event(),
            clients=self.clients,
            rng=random.Random(cfg.get("rng_seed", 0) * 1000 + self.index),
            text=text_of(int(cfg.get("text_size", 64))),
            specs={s["i"]: s for s in self.specs},
        )
        self.phase = "boot"
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.t0 = time.time()
        self.lag_max = 0.0
        self.lag_sum = 0.0
        self.lag_n = 0
        self.background: set[asyncio.Task[Any]] = set()

    # -- plumbing
    def emit(self, ev: str, **data: Any) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self.pipe.send({"ev": ev, "w": self.index, **data})

    def _on_pipe(self) -> None:
        try:
            while self.pipe.poll():
                self.inbox.put_nowait(self.pipe.recv())
        except (EOFError, OSError):
            self.inbox.put_nowait({"cmd": "abort"})
            asyncio.get_running_loop().remove_reader(self.pipe.fileno())

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    async def command(self, *expected: str) -> dict[str, Any]:
        while True:
            msg = await self.inbox.get()
            if msg["cmd"] == "abort":
                raise SystemExit(1)
            if msg["cmd"] in expected:
                return msg

    # -- the run
    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_reader(self.pipe.fileno(), self._on_pipe)
        self.emit("booted", pid=os.getpid())
        msg = await self.command("ramp")
        self.t0 = float(msg["t0"])
        self.spawn(self._lag_monitor())
        self.spawn(self._ticker())
        await asyncio.sleep(max(0.0, self.t0 - time.time()))
        self.phase = "ramp"
        await self._ramp()
        self.phase = "hold"
        self.emit(
            "ready",
            connected=sum(c.is_open for c in self.clients.values()),
            failed=self.stats.connect_failures,
            ramp_s=time.time() - self.t0,
        )
        msg = await self.command("go", "finish")
        if msg["cmd"] == "go":
            self.phase = "send"
            await self._send_phase(float(msg["duration"]))
            self.phase = "drain"
            self.emit("sent", outstanding=sum(len(c.say_sent) for c in self.clients.values()))
            await self.command("finish")
        await self._finish()

    async def _ramp(self) -> None:
        rate = float(self.cfg["ramp"])
        sem = asyncio.Semaphore(int(self.cfg.get("open_concurrency", 100)))
        loop = asyncio.get_running_loop()
        start = loop.time()
        tasks = []
        for k, spec in enumerate(self.specs):
            if rate > 0:
                delay = start + k / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            await sem.acquire()
            tasks.append(asyncio.ensure_future(self._open(spec, sem)))
        await asyncio.gather(*tasks)

    async def _open(self, spec: ConnSpec, sem: asyncio.Semaphore) -> None:
        try:
            await self.scenario.arrive(self.ctx, spec)
        except Exception as exc:  # a member who could not arrive is a figure, not a crash
            self.stats.connect_failures += 1
            self.stats.count_error(f"arrive:{describe(exc)}")
            sem.release()
            return
        client = Client(
            spec["i"],
            self.index,
            spec["url"],
            spec["token"],
            self.cfg["codec"],
            self.stats,
            library=self.cfg.get("client") == "websockets",
            source=spec.get("source"),
        )
        client.on_push = lambda c, m: self.scenario.on_push(self.ctx, c, m)
        client.on_closed = self._closed
        try:
            await client.connect(wait_s=float(self.cfg.get("open_timeout", 30)))
            if spec.get("stream", True):
                for circle in spec["join"]:
                    group = spec.get("group") if circle == spec.get("circle") else None
                    t0 = time.perf_counter_ns()
                    await client.join(circle, group=group)
                    self.stats.record_step("join", (time.perf_counter_ns() - t0) // 1000)
            self.stats.connects += 1
            self.clients[spec["i"]] = client
            self.scenario.joined(self.ctx, client, spec)
        except Exception as exc:  # every failure is a figure of the report, not a crash
            self.stats.connect_failures += 1
            self.stats.count_error(f"connect:{describe(exc)}")
            if client.ws is not None:
                client.closing = True
                client.ws.abort()
        finally:
            sem.release()

    def _closed(self, client: Client, code: int) -> None:
        for ledger in client.ledgers.values():
            ledger.open_at_end = False
        if (
            self.cfg.get("reconnect")
            and not client.closing
            and should_reconnect(code)
            and self.phase in ("hold", "send", "drain")
        ):
            self.spawn(self._resume(client))

    async def _resume(self, client: Client) -> None:
        """What the contract asks of a client after 1012/4009/1006: come back and rejoin with since."""
        for attempt in range(5):
            await asyncio.sleep(0.2 * (attempt + 1) + random.random() * 0.3)
            try:
                await client.connect()
                await client.rejoin()
                self.stats.bump("resumed")
                return
            except (OSError, TimeoutError, ConnectionError, RequestFailed) as exc:
                self.stats.count_error(f"resume:{describe(exc)}")

    async def _send_phase(self, duration: float) -> None:
        self.ctx.stop.clear()

        async def drive(client: Client) -> None:
            try:
                await self.scenario.drive(self.ctx, client, self.ctx.specs[client.index])
            except Exception as exc:
                self.stats.count_error(f"drive:{describe(exc)}")

        tasks = [asyncio.ensure_future(drive(c)) for c in list(self.clients.values())]
        await asyncio.sleep(duration)
        self.ctx.stop.set()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=5)
            for t in pending:
                t.cancel()

    async def _finish(self) -> None:
        self.phase = "finish"
        for c in self.clients.values():
            self.stats.unacked += len(c.say_sent)
            c.say_sent.clear()
        last = self._tick_data(final=True)
        self.emit("final", tick=last, final=self.stats.final())
        await self.scenario.close(self.ctx)
        clients = list(self.clients.values())
        for i in range(0, len(clients), 500):
            await asyncio.gather(*(c.close() for c in clients[i : i + 500]), return_exceptions=True)
        self.emit("closed")

    # -- measuring ourselves
    async def _lag_monitor(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            t = loop.time()
            await asyncio.sleep(LAG_SAMPLE_S)
            lag = max(0.0, loop.time() - t - LAG_SAMPLE_S)
            self.lag_max = max(self.lag_max, lag)
            self.lag_sum += lag
            self.lag_n += 1

    async def _ticker(self) -> None:
        k = 1
        while True:
            delay = self.t0 + k - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.emit("tick", **self._tick_data(k=k))
            k += 1

    _cpu_mark: tuple[float, float] | None = None

    def _tick_data(self, k: int = 0, final: bool = False) -> dict[str, Any]:
        now, cpu = time.time(), own_cpu_seconds()
        prev = self._cpu_mark or (self.t0, cpu)
        self._cpu_mark = (now, cpu)
        data = {
            "k": k,
            "phase": self.phase,
            "final": final,
            "snap": self.stats.take_interval(),
            "open": sum(c.is_open for c in self.clients.values()),
            "cpu": (cpu - prev[1]) / max(now - prev[0], 1e-3),
            "lag_max_ms": self.lag_max * 1000,
            "lag_mean_ms": self.lag_sum / self.lag_n * 1000 if self.lag_n else 0.0,
        }
        self.lag_max, self.lag_sum, self.lag_n = 0.0, 0.0, 0
        return data


def describe(exc: BaseException) -> str:
    if isinstance(exc, HandshakeError):
        return f"http{exc.status}"
    if isinstance(exc, RequestFailed):
        return exc.code
    if isinstance(exc, OSError) and exc.errno:
        return f"{type(exc).__name__}[{os.strerror(exc.errno)}]"
    return type(exc).__name__


def worker_main(pipe: Connection, cfg: dict[str, Any]) -> None:
    """Process entry point (multiprocessing, spawn)."""
    raise_nofile_limit()
    cpus = cfg.get("cpus")
    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(cpus))
    worker = Worker(pipe, cfg)
    try:
        if cfg.get("uvloop", True):
            try:
                import uvloop

                uvloop.run(worker.run())
                return
            except ImportError:
                pass
        asyncio.run(worker.run())
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        sys.stdout.flush()
