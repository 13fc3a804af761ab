"""The coordinator of one run: setup, workers, phases, the live progress line.

Phases: ramp (workers open their connections at their share of `--ramp`),
settle (nothing happens: memory is read after it), send (`--duration` seconds
of the scenario), drain (until nothing arrived for a second, at most
`--drain`), finish (ledgers come back, connections close). Server CPU and
memory are sampled at each boundary and once a second.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from . import seed as seeding
from . import spread
from .histogram import Histogram
from .result import Rows, build_result
from .scenarios import SCENARIOS
from .serverstats import ServerProbe, ServerSample
from .worker import worker_main

ROOT = Path(__file__).resolve().parent
# Past its budget, the ramp is waited for while connections still come: one stalled
# this long ends the wait (a loaded machine ramps slower than asked, and that is a figure).
RAMP_STALL_S = 30.0
RESULTS_DIR = ROOT / "results"


@dataclass
class RunConfig:
    scenario: str
    urls: list[str]
    opts: dict[str, Any] = field(default_factory=dict)  # the scenario's own options
    codec: str = "msgpack"
    workers: int = 0  # 0: one per CPU this process may use
    ramp: float = 1000.0  # connections per second over all workers; 0: as fast as possible
    duration: float = 30.0
    settle: float = 2.0
    drain: float = 10.0
    users: int = 100
    seed: Path | None = None
    no_setup: bool | None = None  # None: decide from /healthz (the baseline says so)
    client: str = "lean"
    server_pids: list[int] = field(default_factory=list)
    fail_if: list[str] = field(default_factory=list)
    out: Path | None = RESULTS_DIR
    label: str = ""
    lag_threshold_ms: float = 50.0
    cpus: list[int] | None = None  # pin the workers to these CPUs
    reconnect: bool = False
    text_size: int = 64
    open_concurrency: int = 100
    quiet: bool = False
    uvloop: bool = True
    # Source addresses: a count (127.0.0.2 …) or a list; None: as many as the ports need.
    sources: list[str] | int | None = None
    # A database URL of the server's store: users and memberships inserted there in bulk.
    bulk_db: str | None = None


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def is_baseline(http: str) -> bool:
    try:
        with urllib.request.urlopen(f"{http}/healthz", timeout=5) as r:
            return b"quanzi-baseline" in r.read()
    except (OSError, ValueError):
        return False


class Coordinator:
    def __init__(self, cfg: RunConfig) -> None:
        self.cfg = cfg
        opts = dict(cfg.opts, users=cfg.users)
        self.scenario = SCENARIOS[cfg.scenario](opts)
        self.opts = opts
        self.https = [seeding.http_base(u) for u in cfg.urls]
        self.probe = ServerProbe(list(dict.fromkeys(self.https)), cfg.server_pids)
        self.rows = Rows()
        self.totals: dict[str, Histogram] = {
            n: Histogram() for n in ("latency", "ack", "connect", "upgrade")
        }
        self.steps: dict[str, Histogram] = {}  # a scenario's timed steps, over all workers
        self.events: dict[str, set[int]] = {
            "booted": set(),
            "ready": set(),
            "sent": set(),
            "final": set(),
            "closed": set(),
        }
        self.finals: list[dict[str, Any]] = []
        self.samples: dict[str, ServerSample | None] = {}
        self.times: dict[str, float] = {}
        self.last_activity = 0.0
        self.last_connect = 0.0
        self.pipes: list[Connection] = []
        self.procs: list[Any] = []
        self.notes: list[str] = []
        self.workers = 1
        self.sources: list[str] = []

    def check_layout(self) -> None:
        """Workers and source addresses for the connection count; `LayoutError` (before
        any setup) when the generator's or the servers' limits cannot hold the run."""
        cfg, n = self.cfg, self.scenario.connections()
        self.workers = spread.worker_count(n, cfg.workers, usable_cpus())
        self.sources = spread.source_addresses(n, cfg.sources, cfg.urls)
        spread.check_servers(n, cfg.server_pids)

    # -- setup
    def prepare(self) -> tuple[seeding.Seed, list[dict[str, Any]]]:
        cfg = self.cfg
        no_setup = cfg.no_setup if cfg.no_setup is not None else is_baseline(self.https[0])
        if no_setup and cfg.no_setup is None:
            self.notes.append("the target is the baseline relay: synthetic users and circles")
        layout = self.scenario.layout()
        t0 = time.perf_counter()
        seed = seeding.obtain(
            layout, self.https[0], cfg.seed, no_setup, cfg.quiet, bulk_db=cfg.bulk_db
        )
        self.times["setup_s"] = time.perf_counter() - t0
        if not seed.synthetic and cfg.seed is None and cfg.out is not None:
            path = cfg.out / f"seed-{time.strftime('%Y%m%d-%H%M%S')}-{cfg.scenario}.json"
            seed.save(path)
            self.notes.append(
                f"setup saved to {path}: pass --seed {path} to reuse it on this server"
            )
        specs = self.scenario.plan(seed, cfg.urls)
        for spec in specs:
            spec["source"] = self.sources[spec["i"] % len(self.sources)] if self.sources else None
        return seed, specs

    def spawn(self, specs: list[dict[str, Any]]) -> None:
        cfg = self.cfg
        n = max(1, min(self.workers, len(specs) or 1))
        ctx = mp.get_context("spawn")
        for w in range(n):
            mine = specs[w::n]
            wcfg = {
                "worker": w,
                "specs": mine,
                "scenario": cfg.scenario,
                "opts": self.opts,
                "codec": cfg.codec,
                "client": cfg.client,
                "ramp": cfg.ramp / n,
                "open_concurrency": max(1, cfg.open_concurrency // n),
                "text_size": cfg.text_size,
                "reconnect": cfg.reconnect,
                "cpus": cfg.cpus,
                "uvloop": cfg.uvloop,
                "rng_seed": 1,
            }
            parent, child = ctx.Pipe()
            proc = ctx.Process(
                target=worker_main, args=(child, wcfg), daemon=True, name=f"loadtests-worker-{w}"
            )
            proc.start()
            child.close()
            self.pipes.append(parent)
            self.procs.append(proc)

    # -- events
    def broadcast(self, **cmd: Any) -> None:
        for p in self.pipes:
            with contextlib.suppress(BrokenPipeError, OSError):
                p.send(cmd)

    def pump(self, timeout: float) -> None:
        ready = wait(self.pipes, timeout=timeout)
        for p in ready:
            assert isinstance(p, Connection)
            try:
                msg = p.recv()
            except (EOFError, OSError):
                self.pipes.remove(p)
                continue
            self.handle(msg)

    def handle(self, msg: dict[str, Any]) -> None:
        ev, w = msg["ev"], msg["w"]
        if ev == "tick":
            if w in self.events["final"]:
                return
            self.take_tick(w, msg)
        elif ev == "final":
            self.take_tick(w, msg["tick"])
            self.finals.append(msg["final"])
        elif ev == "ready":
            self.times["ramp_s"] = max(self.times.get("ramp_s", 0.0), float(msg["ramp_s"]))
        if ev in self.events:
            self.events[ev].add(w)

    def take_tick(self, w: int, tick: dict[str, Any]) -> None:
        snap = tick["snap"]
        for name, h in self.totals.items():
            h.merge(Histogram.from_dict(snap[name]))
        for name, d in snap.get("steps", {}).items():
            self.steps.setdefault(name, Histogram()).merge(Histogram.from_dict(d))
        if snap["deliveries"] or snap["acks"]:
            self.last_activity = time.time()
        if snap["connects"] or snap["errors"]:
            self.last_connect = time.time()
        row = self.rows.add(tick, w, final=tick.get("final", False))
        if row is not None and len(row["workers"]) == len(self.procs):
            row["server"] = self.probe.sample()
            self.rows.complete(row)
            if not self.cfg.quiet:
                self.progress(row)

    def until(self, what: str, timeout: float) -> bool:
        deadline = time.time() + timeout
        while len(self.events[what]) < len(self.procs):
            left = deadline - time.time()
            if left <= 0 or not self.pipes:
                return False
            self.pump(min(left, 0.5))
        return True

    def until_ramped(self, budget: float) -> bool:
        """Until every worker opened its connections: `budget` seconds, and past it
        for as long as connections keep coming (none for RAMP_STALL_S ends it)."""
        deadline = time.time() + budget
        self.last_connect = time.time()
        while len(self.events["ready"]) < len(self.procs):
            now = time.time()
            if not self.pipes or (now > deadline and now - self.last_connect > RAMP_STALL_S):
                return False
            self.pump(0.5)
        return True

    def idle_for(self, seconds: float) -> None:
        deadline = time.time() + seconds
        while (left := deadline - time.time()) > 0 and self.pipes:
            self.pump(min(left, 0.5))

    def progress(self, row: dict[str, Any]) -> None:
        lat = row["latency"].percentile(99)
        srv = row.get("server_cpu_pct")
        line = (
            f"[{row['k']:4d}s] {row['phase']:<6} conns {row['open']:>6}/{self.scenario.connections():<6}"
            f" deliv/s {row['deliveries']:>7,}  acks/s {row['acks']:>6,}"
            f"  p99 {'-' if lat is None else f'{lat / 1000:.1f} ms':>9}"
            f"  err {row['errors']:>4}  gen cpu {row['gen_cpu_max']:>4.0%}"
            f" lag {row['gen_lag_max_ms']:>4.0f} ms"
            f"  srv cpu {'-' if srv is None else f'{srv:.0f}%'}"
        )
        print(line, file=sys.stderr, flush=True)

    def sample(self, name: str) -> None:
        self.samples[name] = self.probe.sample()
        self.times[name] = time.time()

    # -- the run
    def run(self) -> dict[str, Any]:
        cfg = self.cfg
        self.check_layout()
        seed, specs = self.prepare()
        self.spawn(specs)
        try:
            if not self.until("booted", 60):
                raise RuntimeError("workers did not start")
            self.sample("before")
            t0 = time.time() + 0.2
            self.rows.t0 = t0
            self.broadcast(cmd="ramp", t0=t0)
            self.times["ramp"] = t0
            conns = self.scenario.connections()
            ramp_budget = 60 + conns / max(cfg.ramp or 1000, 1) * 3
            ramp_budget += conns * self.scenario.open_cost_s
            if not self.until_ramped(ramp_budget):
                self.notes.append("the ramp stalled; measuring what connected")
            self.sample("ready")
            self.idle_for(cfg.settle)
            self.sample("settled")
            self.sample("go")
            self.broadcast(cmd="go", duration=cfg.duration)
            self.until("sent", cfg.duration + 30)
            self.sample("sent")
            self.drain()
            self.sample("end")
            self.broadcast(cmd="finish")
            self.until("final", 120)
            self.until("closed", 60)
        finally:
            self.stop_workers()
        return build_result(self, seed)

    def drain(self) -> None:
        start = time.time()
        self.last_activity = max(self.last_activity, start)
        while time.time() - start < self.cfg.drain and self.pipes:
            if time.time() - self.last_activity >= 1.0:
                return
            self.pump(0.2)
        if time.time() - self.last_activity < 1.0:
            self.notes.append(
                f"deliveries were still arriving {self.cfg.drain:.0f} s after the "
                "senders stopped (the server or the generator is behind)"
            )

    def stop_workers(self) -> None:
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
        for p in self.pipes:
            p.close()


def run(cfg: RunConfig) -> dict[str, Any]:
    """One scenario run; the result (also written as JSON and HTML under cfg.out)."""
    return Coordinator(cfg).run()
