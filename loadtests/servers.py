"""Start and stop local servers for a bench or a test: Quanzi (`python -m server`), the
baseline relay, and moto's S3 server (an S3-compatible blob store for `uploads`).

Each gets a free port, its own log file (and, for Quanzi, a fresh data dir),
a raised open-files limit, and can be pinned to CPUs — all its threads, as
`taskset -a -p` does — so the server and the load generator don't share a core.
Stopping is by PID: SIGTERM, then SIGKILL if it does not exit in time.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .proc import pin_process

REPO = Path(__file__).resolve().parents[1]

# Load tests need more than a person's chat rate, cheap signups, more sockets per
# user (`idle` shares 10,000 among 100 users) and per address (a generator on
# another machine) than people need, and every client on one address (loopback)
# far past the per-IP and per-user rate limits; nothing else changes.
_MANY = "1000000"
QUANZI_BENCH_ENV = {
    "QUANZI_PASSWORD_TIME_COST": "1",
    # One process per server unless a scenario asks for more (with Redis and
    # PostgreSQL the default would be one worker per core).
    "QUANZI_WORKERS": "1",
    **{
        f"QUANZI_{name}": _MANY
        for name in (
            "SAY_RATE_PER_S",
            "SAY_BURST",
            "USER_SOCKETS",
            "IP_CONNECTIONS",
            "IP_PENDING_CONNECTIONS",
            "HTTP_RATE_PER_S",
            "HTTP_BURST",
            "SIGNUP_RATE_PER_MIN",
            "SIGNUP_BURST",
            "LOGIN_RATE_PER_MIN",
            "LOGIN_BURST",
            "LOGIN_FAILURES_PER_ACCOUNT_IP",
            "LOGIN_FAILURES_PER_IP",
            "LOGIN_FAILURES_PER_ACCOUNT",
            "WRITE_RATE_PER_S",
            "WRITE_BURST",
            "CIRCLE_RATE_PER_MIN",
            "CIRCLE_BURST",
            "FRAME_RATE_PER_S",
            "FRAME_BURST",
            "REPORT_RATE_PER_MIN",
            "REPORT_BURST",
        )
    },
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _raise_limits() -> None:  # runs in the child before exec
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1_048_576
    if soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@dataclass
class LocalServer:
    kind: str  # "quanzi", "baseline" or "moto"
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    workdir: Path
    own_workdir: bool = True
    pinned: list[int] = field(default_factory=list)
    health: str = "/healthz"  # the path that answers 200 once the server is up

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, timeout: float = 30.0) -> LocalServer:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.proc.returncode}: {self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.http}{self.health}", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.kind} did not become healthy in {timeout:.0f} s: {self.tail()}")

    def pin(self, cpus: list[int]) -> bool:
        """Move every thread of the server onto `cpus` (taskset -a -p when it exists)."""
        if not cpus:
            return False
        taskset = shutil.which("taskset")
        if taskset:
            done = (
                subprocess.run(
                    [taskset, "-a", "-p", "-c", ",".join(map(str, cpus)), str(self.pid)],
                    capture_output=True,
                ).returncode
                == 0
            )
        else:
            done = pin_process(self.pid, set(cpus))
        if done:
            self.pinned = list(cpus)
        return done

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return self.proc.returncode


def _spawn(
    kind: str,
    args: list[str],
    env: dict[str, str],
    workdir: Path,
    port: int,
    own: bool,
    health: str = "/healthz",
) -> LocalServer:
    log = workdir / f"{kind}-{port}.log"
    out = open(log, "ab")  # noqa: SIM115 - the child holds it; closed when we exit
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        preexec_fn=_raise_limits,
    )
    out.close()
    return LocalServer(kind, port, proc, log, workdir, own, health=health)


def start_quanzi(
    port: int | None = None,
    data_dir: Path | None = None,
    env: dict[str, str] | None = None,
    cpus: list[int] | None = None,
    timeout: float = 30.0,
) -> LocalServer:
    """`python -m server` on a free port with a fresh data dir and the bench's raised limits."""
    port = port or free_port()
    own = data_dir is None
    workdir = Path(tempfile.mkdtemp(prefix="quanzi-bench-")) if data_dir is None else data_dir
    workdir.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **QUANZI_BENCH_ENV, "PYTHONUNBUFFERED": "1", **(env or {})}
    server = _spawn(
        "quanzi",
        ["-m", "server", "--port", str(port), "--data-dir", str(workdir / "data")],
        full_env,
        workdir,
        port,
        own,
    )
    server.wait_healthy(timeout)
    if cpus:
        server.pin(cpus)
    return server


def start_baseline(
    port: int | None = None, cpus: list[int] | None = None, timeout: float = 30.0
) -> LocalServer:
    """The baseline relay (`python -m loadtests baseline`) on a free port."""
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix="quanzi-baseline-"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = _spawn(
        "baseline", ["-m", "loadtests", "baseline", "--port", str(port)], env, workdir, port, True
    )
    server.wait_healthy(timeout)
    if cpus:
        server.pin(cpus)
    return server


def start_moto(port: int | None = None, timeout: float = 30.0) -> LocalServer:
    """moto's standalone S3 server (`python -m moto.server`) on 127.0.0.1 and a free port;
    point Quanzi at it with `moto_env`. Its buckets live in its memory."""
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix="quanzi-moto-"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    args = ["-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    return _spawn("moto", args, env, workdir, port, True, health="/").wait_healthy(timeout)


def moto_env(moto: LocalServer, bucket: str = "quanzi-load") -> dict[str, str]:
    """The settings that make a Quanzi node keep its blobs in `moto`."""
    return {
        "QUANZI_S3_URL": moto.http,
        "QUANZI_S3_BUCKET": bucket,
        "QUANZI_S3_ACCESS_KEY": "test",
        "QUANZI_S3_SECRET_KEY": "test",
    }
