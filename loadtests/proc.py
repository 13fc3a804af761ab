"""CPU and memory of a local process, read from /proc (Linux), and our own fd limit.

No psutil: two files under /proc say all the harness needs, and a server's
`/metrics` process gauges cover the remote case.
"""

from __future__ import annotations

import os
import resource
import threading
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class ProcessSampler:
    """CPU seconds (user + system, all threads) and resident bytes of one PID."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def sample(self) -> tuple[float, int]:
        """(cpu_seconds, rss_bytes); raises ProcessLookupError when the process is gone."""
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
            statm = Path(f"/proc/{self.pid}/statm").read_text()
        except FileNotFoundError:
            raise ProcessLookupError(self.pid) from None
        # The command name may hold spaces and parentheses: split after the last ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        utime, stime = int(fields[11]), int(fields[12])
        rss_pages = int(statm.split()[1])
        return (utime + stime) / _TICKS, rss_pages * _PAGE

    def available(self) -> bool:
        return Path(f"/proc/{self.pid}/stat").exists()


class PeakRss:
    """The highest resident memory of a PID while the block runs, sampled by a thread.

    with PeakRss(pid) as peak:
        ...
    peak.before, peak.peak, peak.after  # bytes
    """

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.sampler = ProcessSampler(pid)
        self.interval = interval
        self.before = self.peak = self.after = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> PeakRss:
        self.before = self.peak = self.sampler.sample()[1]
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        self.after = self._read(self.before)
        self.peak = max(self.peak, self.after)

    @property
    def growth(self) -> int:
        return self.peak - self.before

    def _read(self, otherwise: int) -> int:
        try:
            return self.sampler.sample()[1]
        except ProcessLookupError:
            return otherwise

    def _watch(self) -> None:
        while not self._done.wait(self.interval):
            self.peak = max(self.peak, self._read(0))


def family(pid: int) -> list[int]:
    """The process and its descendants (a supervisor's workers: `python -m server
    --workers N`), parents first; [pid] when /proc says nothing more."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop(0)
        if p in out:
            continue
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                todo += [int(c) for c in task.read_text().split()]
            except (OSError, ValueError):
                continue
    return out


def own_cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def raise_nofile_limit() -> int:
    """Lift the soft open-files limit to the hard one (10,000 sockets need it); the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def pin_process(pid: int, cpus: set[int]) -> bool:
    """Move every thread of a running process onto `cpus` (what `taskset -a -p` does)."""
    if not hasattr(os, "sched_setaffinity"):
        return False
    tasks = Path(f"/proc/{pid}/task")
    tids = [int(t.name) for t in tasks.iterdir()] if tasks.exists() else [pid]
    for tid in tids:
        try:
            os.sched_setaffinity(tid, cpus)
        except (ProcessLookupError, PermissionError, OSError):
            continue
    return True
