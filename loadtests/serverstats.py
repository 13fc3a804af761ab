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
    """CPU seconds and resident bytes, summed over the series: a node of
    `--workers N` labels each worker's (`worker="0"`, …) and serves them all."""
    cpu = series_sum(text, "process_cpu_seconds_total")
    rss = series_sum(text, "process_resident_memory_bytes")
    if cpu is None or rss is None:
        return None
    return cpu, int(rss)


def series_sum(text: str, name: str) -> float | None:
    """The sum of the series called ``name`` (un-labelled, or one per label set)."""
    values = [
        float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith((name + " ", name + "{"))
    ]
    return sum(values) if values else None


def metric_value(base: str, name: str) -> float | None:
    """One series of a node's /metrics (e.g. quanzi_deliveries_total), summed over
    its labels (the workers of `--workers N`)."""
    try:
        with urllib.request.urlopen(metrics_request(base), timeout=2) as r:
            text = r.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return None
    return series_sum(text, name)
