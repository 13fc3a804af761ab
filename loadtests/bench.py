"""`python -m loadtests bench` (`make bench`): Quanzi against the Python floor, in the same run.

Starts Quanzi (fresh data dir, raised chat rate limits, cheap signups) and the
baseline relay on free ports, creates Quanzi's users and circles while both
CPUs are free, then pins both servers to one CPU and the generator (this
process and its workers) to another, and runs each scenario against the floor
and then Quanzi at the same sizes. Prints the ratios next to the goals of the
issue as a markdown table (RESULTS.md-ready) and writes everything as JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from . import reported
from . import seed as seeding
from .bench_figures import figures, kept_up, markdown
from .runner import RESULTS_DIR, RunConfig, run, usable_cpus
from .scenarios import SCENARIOS
from .servers import QUANZI_BENCH_ENV, LocalServer, start_baseline, start_quanzi

ALL = ("idle", "fanout", "rooms", "saturation", "durable", "uploads")


@dataclass(frozen=True)
class Sizes:
    idle: int
    fanout_members: int
    fanout_rate: float
    rooms: int
    durable_senders: int
    saturation_rates: tuple[float, ...]
    duration: float
    step_duration: float
    uploads_members: int
    uploads_mb: int


FULL = Sizes(
    idle=10_000,
    fanout_members=2000,
    fanout_rate=20,
    rooms=2000,
    durable_senders=200,
    saturation_rates=(10, 20, 30, 40, 60, 80),
    duration=20,
    step_duration=8,
    uploads_members=4,
    uploads_mb=25,
)
QUICK = Sizes(
    idle=1000,
    fanout_members=200,
    fanout_rate=20,
    rooms=200,
    durable_senders=50,
    saturation_rates=(25, 50, 100, 200),
    duration=5,
    step_duration=4,
    uploads_members=2,
    uploads_mb=5,
)


def add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--quick",
        action="store_true",
        help="small sizes and short runs (about two minutes): a smoke test, not figures",
    )
    p.add_argument(
        "--scenarios",
        default=",".join(ALL),
        help=f"comma-separated subset of {','.join(ALL)} (default: all)",
    )
    p.add_argument("--duration", type=float, help="seconds per scenario run (default 20; quick 5)")
    p.add_argument("--codec", choices=("msgpack", "json"), default="msgpack")
    p.add_argument("--users", type=int, default=100, help="distinct users (default %(default)s)")
    p.add_argument("--server-cpus", default="0", help="CPUs for the servers (default %(default)s)")
    p.add_argument(
        "--generator-cpus",
        default="",
        help="CPUs for the generator (default: every CPU but the servers')",
    )
    p.add_argument("--no-pin", action="store_true", help="do not pin anything")
    p.add_argument("--out", type=Path, default=RESULTS_DIR)


def _cpus(spec: str) -> list[int]:
    return [int(c) for c in spec.split(",") if c.strip()]


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sizes = QUICK if args.quick else FULL
        if args.duration:
            self.sizes = replace(self.sizes, duration=args.duration)
        self.wanted = [s.strip() for s in args.scenarios.split(",") if s.strip()]
        unknown = set(self.wanted) - set(ALL)
        if unknown:
            raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
        self.server_cpus, self.gen_cpus = self._placement()
        self.runs: dict[str, dict[str, Any]] = {}
        self.notes: list[str] = []
        self.quanzi: LocalServer | None = None
        self.floor: LocalServer | None = None
        self.seeds: dict[str, seeding.Seed] = {}

    def _placement(self) -> tuple[list[int], list[int]]:
        if self.args.no_pin or not hasattr(os, "sched_getaffinity"):
            return [], []
        cpus = sorted(os.sched_getaffinity(0))
        server = [c for c in _cpus(self.args.server_cpus) if c in cpus]
        gen = [c for c in _cpus(self.args.generator_cpus) if c in cpus] or [
            c for c in cpus if c not in server
        ]
        if len(cpus) < 2 or not server or not gen or shutil.which("taskset") is None:
            return [], []
        return server, gen

    # -- one scenario run
    def config(
        self,
        scenario: str,
        opts: dict[str, Any],
        target: LocalServer,
        duration: float | None = None,
        label: str = "",
    ) -> RunConfig:
        return RunConfig(
            scenario=scenario,
            urls=[target.ws],
            opts=opts,
            codec=self.args.codec,
            workers=len(self.gen_cpus) or usable_cpus(),
            ramp=1000.0,
            duration=duration or self.sizes.duration,
            settle=2.0,
            drain=10.0,
            users=self.args.users,
            no_setup=target.kind == "baseline",
            server_pids=[target.pid],
            out=self.args.out,
            cpus=self.gen_cpus or None,
            label=label or target.kind,
            quiet=False,
        )

    def run_one(
        self,
        key: str,
        scenario: str,
        opts: dict[str, Any],
        target: LocalServer,
        duration: float | None = None,
    ) -> dict[str, Any]:
        from .report import table, write

        cfg = self.config(scenario, opts, target, duration, label=f"{target.kind}")
        if target.kind == "quanzi":
            cfg.seed = self._seed_file(scenario, opts)
        print(f"\n--- {key} · {target.kind} · {scenario} {opts}", file=sys.stderr, flush=True)
        result = run(cfg)
        print(table(result), file=sys.stderr)
        write(result, self.args.out, stem=f"{self.stamp}-bench-{key}-{target.kind}")
        self.runs.setdefault(key, {})[target.kind] = result
        return result

    def _seed_file(self, scenario: str, opts: dict[str, Any]) -> Path:
        """Quanzi's setup for this layout: made once, users shared by every layout."""
        assert self.quanzi is not None
        layout = SCENARIOS[scenario]({**opts, "users": self.args.users}).layout()
        digest = hashlib.sha1(layout.key().encode()).hexdigest()[:10]
        path = self.args.out / f"{self.stamp}-bench-seed-{scenario}-{digest}.json"
        if not path.exists():
            donor = max(self.seeds.values(), key=lambda s: len(s.users), default=None)
            seed = seeding.obtain(layout, self.quanzi.http, path, False, users_from=donor)
            self.seeds[layout.key()] = seed
        return path

    # -- the whole bench
    def run(self) -> dict[str, Any]:
        s = self.sizes
        self.stamp = time.strftime("%Y%m%d-%H%M%S")
        self.args.out.mkdir(parents=True, exist_ok=True)
        plan: list[
            tuple[str, str, dict[str, Any], bool, float | None]
        ] = []  # key, scenario, opts, floor too, duration
        if "idle" in self.wanted:
            plan.append(("idle", "idle", {"connections": s.idle}, True, min(s.duration, 10)))
        if "fanout" in self.wanted:
            plan.append(
                (
                    "fanout",
                    "fanout",
                    {"members": s.fanout_members, "senders": 1, "rate": s.fanout_rate},
                    True,
                    None,
                )
            )
        if "rooms" in self.wanted:
            plan.append(
                (
                    "rooms",
                    "rooms",
                    {"connections": s.rooms, "circle_size": 10, "period": 5.0},
                    True,
                    None,
                )
            )
        if "saturation" in self.wanted:
            for r in s.saturation_rates:
                plan.append(
                    (
                        f"saturation@{r:g}",
                        "fanout",
                        {"members": s.fanout_members, "senders": 1, "rate": r},
                        True,
                        s.step_duration,
                    )
                )
        if "durable" in self.wanted:
            plan.append(
                (
                    "durable",
                    "durable",
                    {"senders": s.durable_senders, "circles": 10, "inflight": 1},
                    False,
                    None,
                )
            )
        self.quanzi = start_quanzi()
        self.floor = start_baseline()
        try:
            # Signups are argon2-bound: make every seed while both CPUs are free.
            for _key, scenario, opts, _floor, _d in plan:
                self._seed_file(scenario, opts)
            if self.server_cpus:
                for srv in (self.quanzi, self.floor):
                    if not srv.pin(self.server_cpus):
                        self.notes.append(f"could not pin {srv.kind} to {self.server_cpus}")
                os.sched_setaffinity(0, set(self.gen_cpus))
            else:
                self.notes.append(
                    "servers and generator share the CPUs (fewer than 2 CPUs, "
                    "no taskset, or --no-pin): ratios are rougher"
                )
            behind: set[str] = set()  # servers that already fell behind on the saturation ladder
            for key, scenario, opts, with_floor, duration in plan:
                for srv in (self.floor, self.quanzi) if with_floor else (self.quanzi,):
                    if key.startswith("saturation@") and srv.kind in behind:
                        continue
                    result = self.run_one(key, scenario, opts, srv, duration)
                    if key.startswith("saturation@") and not kept_up(result):
                        behind.add(srv.kind)
                        if result["summary"]["generator_saturated"]:
                            # Past the generator's own limit no step tells the servers apart.
                            behind |= {"baseline", "quanzi"}
                            self.notes.append(
                                f"saturation ladder stopped at {key}: the generator saturated "
                                "first, so the sustained rates are lower bounds for the servers"
                            )
        finally:
            for srv in (self.quanzi, self.floor):
                if srv is not None:
                    srv.stop()
        if "uploads" in self.wanted:
            self.run_uploads()
        return self.summarise()

    def run_uploads(self) -> None:
        """`uploads` (Quanzi only, a server of its own on the servers' CPUs, local disk)."""
        from . import uploads
        from .upload_client import MB

        s = self.sizes
        cfg = uploads.UploadsConfig(
            members=s.uploads_members,
            size=s.uploads_mb * MB,
            server_cpus=self.server_cpus,
            out=None,
        )
        print(f"\n--- uploads · quanzi · {cfg.members} × {s.uploads_mb} MB", file=sys.stderr)
        try:
            result = uploads.run(cfg)
        except Exception as exc:  # the other scenarios' figures still stand
            self.notes.append(f"uploads failed: {type(exc).__name__}: {exc}")
            return
        print(uploads.table(result), file=sys.stderr)
        reported.write(result, self.args.out, "uploads", f"bench-{self.stamp}")
        self.runs["uploads"] = {"quanzi": result}

    def summarise(self) -> dict[str, Any]:
        rows = figures(self.runs)
        env = {
            "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "host": platform.node(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "server_cpus": self.server_cpus,
            "generator_cpus": self.gen_cpus,
            "quick": bool(self.args.quick),
            "codec": self.args.codec,
            "sizes": asdict(self.sizes),
            "quanzi_env": QUANZI_BENCH_ENV,
            "command": " ".join(["python -m loadtests bench", *sys.argv[2:]]).strip(),
        }
        for key, both in self.runs.items():
            for kind, result in both.items():
                if result["summary"].get("generator_saturated"):
                    self.notes.append(
                        f"{key} against {kind}: the generator was saturated "
                        f"({'; '.join(result['generator']['reasons'])})"
                    )
        return {
            "environment": env,
            "figures": rows,
            "notes": self.notes,
            "runs": {
                k: {kind: r["summary"] for kind, r in v.items()} for k, v in self.runs.items()
            },
        }


def main(args: argparse.Namespace) -> int:
    # SIGTERM (a CI timeout, kill) must still run the finally that stops both servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench(args)
    summary = bench.run()
    path = args.out / f"{bench.stamp}-bench{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(summary, indent=1, default=str))
    print(markdown(summary))
    print(f"\n(JSON: {path})")
    return 0
