"""`python -m server --workers N`: N worker processes on one port, supervised.

The parent migrates the store once, binds one listening socket per worker on
the same port (``SO_REUSEPORT``: the kernel spreads new connections over them
evenly) and starts each worker as ``python -m server`` with its socket. It
keeps the sockets open for the workers' whole life, so a worker that restarts
takes over its socket with the connections waiting in it: none is refused.

- Each worker is a whole node (its own event loop, hub and node id, the
  parent's suffixed with ``-<index>``) and the workers share circles through
  Redis like nodes on several machines: hence Redis is required for N > 1.
- Worker 0 runs the cluster-wide background jobs (``QUANZI_BACKGROUND_JOBS``
  as set); the others do not.
- SIGTERM or SIGINT: forwarded to every worker (each says `bye` and flushes),
  the parent waits for them within their grace and kills what is left.
- A worker that exits on its own is restarted (after a pause when it keeps
  dying at start). SIGHUP restarts the workers one at a time: a rolling restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

from sqlalchemy import make_url

import store

from .settings import Settings

log = logging.getLogger("server.workers")

# prctl(PR_SET_PDEATHSIG): a worker gets SIGTERM when its supervisor dies
# (killed with -9), instead of serving on without it.
PR_SET_PDEATHSIG = 1
# How often the supervisor looks at its workers when no signal wakes it.
POLL_S = 0.5


class WorkersRefused(ValueError):
    """A worker count the settings cannot run (said in one line, no traceback)."""


def cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worker_count(settings: Settings) -> int:
    """How many workers the settings ask for, or ``WorkersRefused`` saying why not.
    The default is the cores when the workers can share circles (Redis, and a
    store that is not SQLite), else 1."""
    shared = bool(settings.redis_url) and not on_sqlite(settings)
    count = settings.workers or (cores() if shared else 1)
    if count < 1:
        raise WorkersRefused(f"--workers {count}: give 1 or more (0 picks the number of cores)")
    if count == 1:
        return 1
    if not settings.redis_url:
        raise WorkersRefused(
            f"--workers {count} needs QUANZI_REDIS_URL: workers share circles through "
            "Redis (the in-process broker cannot); run one worker, or set a Redis URL"
        )
    if on_sqlite(settings):
        raise WorkersRefused(
            f"--workers {count} needs QUANZI_DATABASE_URL (PostgreSQL): on SQLite the "
            "workers would take turns at its one write lock, so one worker is as fast "
            "and never waits for another's commit"
        )
    return count


def on_sqlite(settings: Settings) -> bool:
    return make_url(settings.store_url).get_backend_name() == "sqlite"


@dataclass
class Worker:
    index: int
    sock: socket.socket
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    # The pause before the next restart when it keeps dying at start.
    backoff_s: float = 0.0


class Supervisor:
    def __init__(self, settings: Settings, count: int) -> None:
        self.settings = settings
        self.count = count
        self.node_id = settings.node_id or _machine_node_id()
        self.metrics_dir = tempfile.mkdtemp(prefix="quanzi-metrics-")
        self.workers: list[Worker] = []
        self._wake = threading.Event()
        self._stopping = False
        self._rolling = False

    def run(self) -> int:
        """Migrate, start the workers, supervise them until SIGTERM/SIGINT."""
        revision = asyncio.run(store.migrate_database(self.settings.store_url))
        log.info("schema at revision %s; starting %d workers", revision, self.count)
        socks = bind_sockets(self.settings.host, self.settings.port, self.count)
        self.workers = [Worker(i, sock) for i, sock in enumerate(socks)]
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._signalled)
        try:
            # All at once (each start-up is mostly imports: one core each).
            waiting = [(worker, self._spawn(worker)) for worker in self.workers]
            for worker, read_end in waiting:
                self._ready(worker, read_end)
            self._supervise()
        finally:
            self._stop_all()
            for worker in self.workers:
                worker.sock.close()
            shutil.rmtree(self.metrics_dir, ignore_errors=True)
        log.info("all workers stopped")
        return 0

    # -- signals ------------------------------------------------------------------

    def _signalled(self, sig: int, _frame: object) -> None:
        log.info(
            "%s: %s",
            signal.Signals(sig).name,
            "rolling restart" if sig == signal.SIGHUP else "stopping",
        )
        if sig == signal.SIGHUP:
            self._rolling = True
        else:
            self._stopping = True
        self._wake.set()

    def _supervise(self) -> None:
        while not self._stopping:
            self._wake.wait(POLL_S)
            self._wake.clear()
            if self._stopping:
                return
            if self._rolling:
                self._rolling = False
                self._rolling_restart()
            for worker in self.workers:
                self._restart_if_dead(worker)

    def _restart_if_dead(self, worker: Worker) -> None:
        proc = worker.proc
        if proc is None or proc.poll() is None or self._stopping:
            return
        ran = time.monotonic() - worker.started
        s = self.settings
        if ran < s.worker_restart_max_s:
            worker.backoff_s = min(
                max(worker.backoff_s * 2, s.worker_restart_min_s), s.worker_restart_max_s
            )
        else:
            worker.backoff_s = 0.0
        log.error(
            "worker %d (pid %d) exited with %s after %.1f s; restarting it%s",
            worker.index,
            proc.pid,
            proc.returncode,
            ran,
            f" in {worker.backoff_s:.1f} s" if worker.backoff_s else "",
        )
        worker.proc = None
        if worker.backoff_s and self._wait_unless_stopping(worker.backoff_s):
            return
        self._start(worker)

    def _rolling_restart(self) -> None:
        for worker in self.workers:
            if self._stopping:
                return
            self._stop(worker)
            if self._stopping:
                return
            self._start(worker)
        log.info("rolling restart of the %d workers done", self.count)

    def _wait_unless_stopping(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when SIGTERM/SIGINT came meanwhile."""
        deadline = time.monotonic() + seconds
        while not self._stopping and time.monotonic() < deadline:
            self._wake.wait(min(POLL_S, deadline - time.monotonic()))
        return self._stopping

    # -- one worker -----------------------------------------------------------------

    def _start(self, worker: Worker) -> None:
        """Start ``worker`` and wait (within the start timeout) until it serves."""
        self._ready(worker, self._spawn(worker))

    def _spawn(self, worker: Worker) -> int:
        """Start ``worker``; the pipe it will say "ready" on."""
        read_end, write_end = os.pipe()
        fds = (worker.sock.fileno(), write_end)
        jobs = self.settings.background_jobs and worker.index == 0
        s = self.settings
        env = {
            **os.environ,
            # What the command line set, for the worker's command line names none.
            "QUANZI_HOST": s.host,
            "QUANZI_PORT": str(s.port),
            "QUANZI_DATA_DIR": str(s.data_dir),
            "QUANZI_DATABASE_URL": s.database_url,
            "QUANZI_REDIS_URL": s.redis_url,
            "QUANZI_WORKERS": "1",
            "QUANZI_WORKER_INDEX": str(worker.index),
            "QUANZI_LISTEN_FD": str(worker.sock.fileno()),
            "QUANZI_READY_FD": str(write_end),
            "QUANZI_NODE_ID": f"{self.node_id}-{worker.index}",
            "QUANZI_BACKGROUND_JOBS": "1" if jobs else "0",
            "QUANZI_METRICS_DIR": self.metrics_dir,
        }
        try:
            worker.proc = subprocess.Popen(
                [sys.executable, "-m", "server", "--log-level", _log_level()],
                env=env,
                pass_fds=fds,
                # Its own process group: a Ctrl-C in the terminal reaches the
                # supervisor alone, which stops the workers in order.
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        finally:
            os.close(write_end)
        worker.started = time.monotonic()
        return read_end

    def _ready(self, worker: Worker, read_end: int) -> None:
        assert worker.proc is not None
        jobs = self.settings.background_jobs and worker.index == 0
        ready = self._wait_ready(read_end, worker.proc)
        log.info(
            "worker %d (pid %d)%s%s",
            worker.index,
            worker.proc.pid,
            " serving" if ready else " not ready yet",
            ", running the background jobs" if jobs else "",
        )

    def _wait_ready(self, read_end: int, proc: subprocess.Popen[bytes]) -> bool:
        """Until the worker writes to its ready pipe, exits, SIGTERM comes, or the
        start timeout passes (a slow start is logged, not fatal)."""
        deadline = time.monotonic() + self.settings.worker_start_timeout_s
        try:
            os.set_blocking(read_end, False)
            while time.monotonic() < deadline and proc.poll() is None and not self._stopping:
                with contextlib.suppress(BlockingIOError):
                    if os.read(read_end, 1):
                        return True
                time.sleep(0.05)
            return False
        finally:
            os.close(read_end)

    def _stop(self, worker: Worker) -> None:
        proc, worker.proc = worker.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        _reap(proc, self._grace_s())
        log.info("worker %d (pid %d) stopped with %s", worker.index, proc.pid, proc.returncode)

    def _stop_all(self) -> None:
        running = [(w, w.proc) for w in self.workers if w.proc is not None]
        for worker, proc in running:
            worker.proc = None
            if proc.poll() is None:
                log.info("stopping worker %d (pid %d)", worker.index, proc.pid)
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self._grace_s()
        for _, proc in running:
            _reap(proc, max(0.0, deadline - time.monotonic()))

    def _grace_s(self) -> float:
        # A worker's shutdown steps are each bounded by the grace (node.py): the
        # jobs and webhooks twice it, the flush, the says and the drain once.
        return self.settings.shutdown_grace_s * 7 + 5


def bind_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on one address (the first picks a port for 0)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    socks: list[socket.socket] = []
    for _ in range(count):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        port = sock.getsockname()[1]
        sock.listen(2048)
        sock.set_inheritable(True)
        socks.append(sock)
    return socks


def _reap(proc: subprocess.Popen[bytes], timeout: float) -> None:
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        log.error("worker pid %d did not stop within %.0f s; killing it", proc.pid, timeout)
        proc.kill()
        proc.wait()


def _log_level() -> str:
    return logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower()


def _die_with_parent() -> None:  # in the worker, before exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _machine_node_id() -> str:
    """The workers' node ids without QUANZI_NODE_ID: unique per supervisor."""
    return f"{socket.gethostname()}-{os.getpid()}"


def say_ready(settings: Settings) -> None:
    """In a worker that has started serving: tell the supervisor."""
    if settings.ready_fd < 0:
        return
    with contextlib.suppress(OSError):
        os.write(settings.ready_fd, b"1")
        os.close(settings.ready_fd)
