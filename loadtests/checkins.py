"""`python -m loadtests checkins`: N members of one challenge checking in within the same second.

Starts a server of its own on loopback (fresh data dir, the bench's raised
limits), signs N members up into one circle, has its owner start a daily
check-in challenge that every member joins, warms the route with the owner's
own check-in, then releases every member's ``POST /challenges/{id}/checkins``
at the same moment, one thread each (blocking ``http.client``, a connection
each). Reports acknowledged check-ins per second (201 answers over the time from
the first start to the last answer), each check-in's latency (p50, p99, max)
and the server's CPU, then checks the boards: every member counted once on the
``total`` and the ``streak`` board (paged to the end, ranks 1…N+1 without a gap),
the challenge's ``participants``, and the owner's ``export.csv`` holding one day
per member. The traffic never leaves 127.0.0.1; the server and its data are
removed at the end.

Exit status: 0 consistent (and every ``--fail-if`` held), 1 a check-in failed,
the boards disagree or a ``--fail-if`` was breached, 2 bad usage, 3 the run
itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import http.client
import io
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .proc import ProcessSampler, own_cpu_seconds
from .reported import EXIT_USAGE, checks_of, measured, run_and_report, table_of
from .runner import RESULTS_DIR
from .scenarios.base import Layout
from .seed import create
from .servers import LocalServer, start_quanzi
from .upload_client import api_call

API = "/api/v1"
BOARD_PAGE = 100


def add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--members", type=int, default=200, help="members checking in at once (200)")
    p.add_argument(
        "--timeout", type=float, default=120.0, help="give up on the check-ins after S seconds"
    )
    from .cli import output_options

    output_options(p, "checkins_per_s<100' or 'p99_ms>2000")


@dataclass
class BurstConfig:
    """The options of a burst command (`checkins`, `stars`)."""

    members: int = 200
    timeout: float = 120.0
    out: Path | None = RESULTS_DIR
    label: str = ""
    quiet: bool = False
    fail_if: list[str] = field(default_factory=list)
    server_cpus: list[int] = field(default_factory=list)


CheckinsConfig = BurstConfig


@dataclass
class Attempt:
    member: int
    status: int = 0
    error: str = ""
    start: float = 0.0
    seconds: float = 0.0


def percentile(sorted_values: list[float], q: float) -> float:
    """The nearest-rank percentile (q in 0–100) of ascending values."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def _post(port: int, path: str, token: str, body: Any, timeout: float) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        conn.request("POST", path, body=json.dumps(body), headers=headers)
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()


def _csv_rows(port: int, path: str, token: str) -> list[dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        answer = conn.getresponse()
        data = answer.read()
    finally:
        conn.close()
    if answer.status != 200:
        raise RuntimeError(f"GET {path}: {answer.status} {data[:200]!r}")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


class BurstRun:
    """What a burst command (`checkins`, `stars`) starts with: a server of its own
    and N members and an owner in one circle."""

    def __init__(self, cfg: BurstConfig) -> None:
        self.cfg = cfg
        self.server: LocalServer | None = None
        self.tokens: list[str] = []  # the owner first, then the members
        self.users: list[str] = []
        self.circle = ""

    def say(self, line: str) -> None:
        if not self.cfg.quiet:
            print(line, file=sys.stderr, flush=True)

    def call(self, method: str, path: str, token: str, body: Any = None) -> Any:
        assert self.server is not None
        return api_call(self.server.port, method, API + path, body, token)

    def start(self) -> None:
        self.say("starting Quanzi …")
        self.server = start_quanzi(cpus=self.cfg.server_cpus or None)
        n = self.cfg.members + 1
        self.say(f"signing {self.cfg.members} members and an owner up into one circle …")
        layout = Layout(users=n, circles=[list(range(n))])
        seed = asyncio.run(create(self.server.http, layout, quiet=True))
        self.tokens = [u["token"] for u in seed.users]
        self.users = [u["id"] for u in seed.users]
        self.circle = seed.circles[0]["id"]

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


class CheckinsRun(BurstRun):
    def __init__(self, cfg: BurstConfig) -> None:
        super().__init__(cfg)
        self.challenge = ""

    def start(self) -> None:
        super().start()
        circle = self.circle
        made = self.call(
            "POST", f"/circles/{circle}/challenges", self.tokens[0], {"title": "每日阅读 load"}
        )
        self.challenge = made["id"]
        self.say("every member joins the challenge …")
        for token in self.tokens:
            self.call("POST", f"/challenges/{self.challenge}/join", token, {})
        # The owner's own check-in loads the route's code before the burst.
        self.call(
            "POST", f"/challenges/{self.challenge}/checkins", self.tokens[0], {"text": "warm"}
        )

    def _one(self, attempt: Attempt, gate: threading.Barrier) -> None:
        assert self.server is not None
        path = f"{API}/challenges/{self.challenge}/checkins"
        token = self.tokens[attempt.member]
        gate.wait()
        attempt.start = time.perf_counter()
        try:
            attempt.status = _post(
                self.server.port,
                path,
                token,
                {"text": f"读了一小时 {attempt.member}"},
                self.cfg.timeout,
            )
        except Exception as exc:  # one failed check-in is a finding, not the run's end
            attempt.error = f"{type(exc).__name__}: {exc}"
        attempt.seconds = time.perf_counter() - attempt.start

    def burst(self) -> tuple[list[Attempt], float]:
        """Every member's check-in at once; (the attempts, first start → last answer in s)."""
        attempts = [Attempt(i) for i in range(1, self.cfg.members + 1)]
        gate = threading.Barrier(len(attempts))
        threads = [
            threading.Thread(target=self._one, args=(a, gate), daemon=True) for a in attempts
        ]
        for t in threads:
            t.start()
        deadline = time.monotonic() + self.cfg.timeout
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        for a, t in zip(attempts, threads, strict=True):
            if t.is_alive():
                a.error = a.error or f"not answered within {self.cfg.timeout:g} s"
        ends = [a.start + a.seconds for a in attempts if a.seconds]
        wall = (max(ends) - min(a.start for a in attempts if a.start)) if ends else 0.0
        return attempts, wall

    def board(self, by: str) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        cursor = ""
        while True:
            query = f"?by={by}&limit={BOARD_PAGE}" + (f"&cursor={quote(cursor)}" if cursor else "")
            page = self.call("GET", f"/challenges/{self.challenge}/board{query}", self.tokens[0])
            entries += page["entries"]
            if not page["next"]:
                return entries
            cursor = page["next"]

    def check(self, attempts: list[Attempt]) -> list[str]:
        """What disagrees after the burst: the boards, the count, the export."""
        assert self.server is not None
        problems = [
            f"member {a.member}: {a.error or a.status}" for a in attempts if a.status != 201
        ]
        everyone = self.cfg.members + 1
        counted = everyone - len(problems)
        for by in ("total", "streak"):
            entries = self.board(by)
            users = [e["user"] for e in entries]
            if sorted(users) != sorted(set(users)) or len(users) != counted:
                problems.append(f"{by} board: {len(users)} entries, {len(set(users))} distinct")
            if [e["rank"] for e in entries] != list(range(1, len(entries) + 1)):
                problems.append(f"{by} board: ranks are not 1…{len(entries)}")
            wrong = [e for e in entries if e[by] != 1]
            if wrong:
                problems.append(f"{by} board: {len(wrong)} members do not count 1")
        found = self.call("GET", f"/challenges/{self.challenge}", self.tokens[0])
        if found.get("participants") not in (None, everyone):
            problems.append(f"participants {found.get('participants')}, joined {everyone}")
        days = _csv_rows(
            self.server.port, f"{API}/challenges/{self.challenge}/export.csv", self.tokens[0]
        )
        per_member = [d["user_id"] for d in days if d["state"] == "valid"]
        if len(per_member) != counted or len(set(per_member)) != counted:
            problems.append(f"export.csv: {len(per_member)} valid days for {counted} check-ins")
        return problems

    def measure(self) -> dict[str, Any]:
        assert self.server is not None
        server = ProcessSampler(self.server.pid)
        cpu0, own0 = server.sample()[0], own_cpu_seconds()
        self.say(f"{self.cfg.members} check-ins at once …")
        attempts, wall = self.burst()
        cpu, own = server.sample()[0] - cpu0, own_cpu_seconds() - own0
        self.say("reading the boards and the export back …")
        problems = self.check(attempts)
        return summarise(self.cfg, attempts, wall, cpu, own, problems)


def summarise(
    cfg: Any,
    attempts: list[Attempt],
    wall: float,
    cpu: float,
    own: float,
    problems: list[str],
    rate: str = "checkins_per_s",
) -> dict[str, Any]:
    """A burst's figures (the rate named ``rate``) and its problems (also `stars`')."""
    done = [a for a in attempts if a.status == 201]
    times = sorted(a.seconds * 1000 for a in done)
    summary = {
        "members": cfg.members,
        "acknowledged": len(done),
        "failed": len(attempts) - len(done),
        "wall_s": round(wall, 3),
        rate: round(len(done) / wall, 1) if wall > 0 else None,
        "p50_ms": round(percentile(times, 50), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "max_ms": round(times[-1], 1) if times else 0.0,
        "server_cpu_s": round(cpu, 2),
        "generator_cpu_s": round(own, 2),
        "consistent": not problems,
        "problems": len(problems),
    }
    return {"summary": summary, "problems": problems}


def rows_of(noun: str, answer: str, rate: str, consistent: str) -> list[tuple[str, str, str]]:
    """The table rows of a burst of ``noun`` (also `stars`')."""
    return [
        ("acknowledged", f"{noun} acknowledged ({answer})", ""),
        ("failed", f"{noun} failed", ""),
        ("wall_s", "first start → last answer", "s"),
        (rate, f"acknowledged {noun}", "/s"),
        ("p50_ms", "latency p50", "ms"),
        ("p99_ms", "latency p99", "ms"),
        ("max_ms", "latency max", "ms"),
        ("server_cpu_s", "server CPU", "s"),
        ("generator_cpu_s", "generator CPU", "s"),
        ("consistent", consistent, ""),
    ]


ROWS = rows_of("check-ins", "201", "checkins_per_s", "boards and export consistent")


def burst_main(
    args: argparse.Namespace,
    runner: Callable[[BurstConfig], Any],
    head: str,
    rows: list[tuple[str, str, str]],
    name: str,
) -> int:
    """A burst command's exit status (also `stars`'): its options checked, the
    ``runner`` started, measured and stopped, its table (``head`` formatted with
    the summary) printed and its result written."""
    checks = checks_of(args.fail_if)
    if checks is None:
        return EXIT_USAGE
    if args.members < 1:
        print("--members must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    cfg = BurstConfig(
        **{k: getattr(args, k) for k in BurstConfig.__dataclass_fields__ if hasattr(args, k)}
    )

    def table(result: dict[str, Any]) -> str:
        return table_of(head.format(**result["summary"]), rows, result)

    return run_and_report(cfg, checks, lambda c: measured(runner(c)), table, name)


def main(args: argparse.Namespace) -> int:
    head = "checkins · {members} members of one challenge at once"
    return burst_main(args, CheckinsRun, head, ROWS, "checkins")
