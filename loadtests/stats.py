"""What one worker counts, and the per-second snapshot it sends to the coordinator.

Histograms and counters are per interval: the worker ships each second's and
starts afresh, and the coordinator adds them up (that is what makes the
histogram's merge matter). Ledgers and acknowledged seqs stay in the worker
until the end, when they go over once for the loss check.
"""

from __future__ import annotations

from typing import Any

from .histogram import Histogram
from .seqcheck import Ranges, StreamLedger, add_to_ranges


class Stats:
    def __init__(self) -> None:
        self.ledgers: list[StreamLedger] = []
        self.acked: dict[str, Ranges] = {}
        self.duplicate_acks = 0
        self.unacked = 0
        self.connections = 0  # open now
        self.connect_failures = 0
        self.notes: set[str] = set()
        self.extra: dict[str, int] = {}  # scenario counters (stars, promotions, reconnects…)
        self._fresh()

    def _fresh(self) -> None:
        self.latency_us = Histogram()
        self.ack_us = Histogram()
        self.connect_us = Histogram()
        self.upgrade_us = Histogram()
        self.deliveries = 0
        self.says_sent = 0
        self.acks = 0
        self.connects = 0
        self.errors: dict[str, int] = {}
        self.closes: dict[str, int] = {}
        self.pushes: dict[str, int] = {}
        # A scenario's own timed steps (login, an HTTP read, join…): name -> histogram.
        self.steps: dict[str, Histogram] = {}

    # -- recording
    def record_ack(self, circle: str, seq: int, ack_us: int) -> None:
        self.acks += 1
        self.ack_us.record(ack_us)
        ranges = self.acked.get(circle)
        if ranges is None:
            ranges = self.acked[circle] = []
        if not add_to_ranges(ranges, seq):
            self.duplicate_acks += 1  # two different says acknowledged with one seq

    def record_step(self, name: str, us: int) -> None:
        h = self.steps.get(name)
        if h is None:
            h = self.steps[name] = Histogram()
        h.record(us)

    def count_error(self, code: str) -> None:
        self.errors[code] = self.errors.get(code, 0) + 1

    def count_close(self, code: int) -> None:
        self.closes[str(code)] = self.closes.get(str(code), 0) + 1

    def count_push(self, t: str) -> None:
        self.pushes[t] = self.pushes.get(t, 0) + 1

    def bump(self, name: str, n: int = 1) -> None:
        self.extra[name] = self.extra.get(name, 0) + n

    # -- shipping
    def take_interval(self) -> dict[str, Any]:
        snap = {
            "latency": self.latency_us.to_dict(),
            "ack": self.ack_us.to_dict(),
            "connect": self.connect_us.to_dict(),
            "upgrade": self.upgrade_us.to_dict(),
            "deliveries": self.deliveries,
            "says_sent": self.says_sent,
            "acks": self.acks,
            "connects": self.connects,
            "errors": self.errors,
            "closes": self.closes,
            "pushes": self.pushes,
            "steps": {k: h.to_dict() for k, h in self.steps.items()},
            "connections": self.connections,
        }
        self._fresh()
        return snap

    def final(self) -> dict[str, Any]:
        return {
            "ledgers": [lg.to_dict() for lg in self.ledgers],
            "acked": self.acked,
            "duplicate_acks": self.duplicate_acks,
            "unacked": self.unacked,
            "connect_failures": self.connect_failures,
            "notes": sorted(self.notes),
            "extra": self.extra,
        }
