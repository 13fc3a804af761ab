"""Server CPU seconds and resident memory: from a local PID, or from each node's /metrics.

A local PID (`--server-pid`) is read from /proc and costs the server nothing;
otherwise the harness scrapes the `process_cpu_seconds_total` and
`process_resident_memory_bytes` gauges that prometheus_client exports (the
baseline relay exports the same two). Several nodes are summed.

A node answers /metrics to loopback by default; a remote node with
QUANZI_METRICS_TOKEN set is scraped with the same variable in the harness's
environment.
"""

from __future__ import annotations

import os
import urllib.request
from dataclasses import dataclass

from .proc import ProcessSampler, family


@dataclass
class ServerSample:
    cpu_s: float
    rss_bytes: int
    nodes: int  # how many nodes answered


class ServerProbe:
    def __init__(self, http_bases: list[str], pids: list[int] | None = None) -> None:
        self.pids = list(pids or [])
        self.bases = [] if self.pids else list(http_bases)
        self.source = "pid" if self.pids else "metrics"
        self.failed: set[str] = set()

    def sample(self) -> ServerSample | None:
        cpu, rss, nodes = 0.0, 0, 0
        # Each PID with its children: a node of `--workers N` is its workers too.
        for member in dict.fromkeys(p for pid in self.pids for p in family(pid)):
            try:
                c, r = ProcessSampler(member).sample()
            except ProcessLookupError:
                continue
            cpu, rss, nodes = cpu + c, rss + r, nodes + 1
        for base in self.bases:
            got = scrape(base)
            if got is None:
                self.failed.add(base)
                continue
            cpu, rss, nodes = cpu + got[0], rss + got[1], nodes + 1
        return ServerSample(cpu, rss, nodes) if nodes else None


def metrics_request(base: str) -> urllib.request.Request:
    token = os.environ.get("QUANZI_METRICS_TOKEN", "")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return urllib.request.Request(f"{base}/metrics", headers=headers)


def scrape(base: str, timeout: float = 2.0) -> tuple[float, int] | None:
    """(cpu seconds, rss bytes) from `{base}/metrics`, or None when either is missing."""
    try:
        with urllib.request.urlopen(metrics_request(base), timeout=timeout) as r:
            text = r.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return None
    return parse_metrics(text)


def parse_metrics(text: str) -> tuple[float, int] | None:
    cpu: float | None = None
    rss: int | None = None
    for line in text.splitlines():
        if line.startswith("process_cpu_seconds_total"):
            cpu = float(line.split()[-1])
        elif line.startswith("process_resident_memory_bytes"):
            rss = int(float(line.split()[-1]))
    if cpu is None or rss is None:
        return None
    return cpu, rss


def metric_value(base: str, name: str) -> float | None:
    """One un-labelled series of a node's /metrics (e.g. quanzi_deliveries_total)."""
    try:
        with urllib.request.urlopen(metrics_request(base), timeout=2) as r:
            text = r.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return None
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{}"):
            return float(line.split()[-1])
    return None
