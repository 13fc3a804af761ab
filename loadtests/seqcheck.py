"""Loss and duplicate detection by seq, per circle.

Each receiver keeps a `StreamLedger` per circle it joined: the seq it joined at
and the seqs it received, as ranges (a stream that loses nothing is one range,
whatever its length). A seq seen twice is a duplicate; one that arrives after a
higher one is out of order. At the end the coordinator builds, per circle, the
set of seqs known to exist (every acknowledged say and every seq anyone
received) and counts, for each receiver, the known seqs after its join point
that it never got: those are lost.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Ranges = list[list[int]]  # sorted, disjoint, non-adjacent [first, last] pairs


def add_to_ranges(ranges: Ranges, seq: int) -> bool:
    """Insert seq; False if it was already there."""
    if ranges and ranges[-1][1] + 1 == seq:  # the common case: the next one
        ranges[-1][1] = seq
        return True
    if not ranges or seq > ranges[-1][1] + 1:
        ranges.append([seq, seq])
        return True
    i = bisect.bisect_right(ranges, [seq, float("inf")]) - 1  # last range starting <= seq
    if i >= 0 and ranges[i][0] <= seq <= ranges[i][1]:
        return False
    joins_left = i >= 0 and ranges[i][1] + 1 == seq
    joins_right = i + 1 < len(ranges) and ranges[i + 1][0] - 1 == seq
    if joins_left and joins_right:
        ranges[i][1] = ranges[i + 1][1]
        del ranges[i + 1]
    elif joins_left:
        ranges[i][1] = seq
    elif joins_right:
        ranges[i + 1][0] = seq
    else:
        ranges.insert(i + 1, [seq, seq])
    return True


def union(parts: Iterable[Ranges]) -> Ranges:
    flat = sorted((r[0], r[1]) for part in parts for r in part)
    out: Ranges = []
    for a, b in flat:
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def count_in(ranges: Ranges, low: int, high: float) -> int:
    """How many seqs s of `ranges` have low < s <= high."""
    n = 0
    for a, b in ranges:
        first, last = max(a, low + 1), min(b, high)
        if last >= first:
            n += int(last) - first + 1
    return n


@dataclass
class StreamLedger:
    """What one connection received of one circle."""

    circle: str
    join_seq: int | None = None  # joined.last_seq: everything after it must arrive
    ranges: Ranges = field(default_factory=list)
    last: int = 0
    received: int = 0
    duplicates: int = 0
    reordered: int = 0
    open_at_end: bool = True  # False: stopped early (disconnect without resume)

    def add(self, seq: int) -> None:
        self.received += 1
        if seq > self.last:
            self.last = seq
            if self.ranges and self.ranges[-1][1] + 1 == seq:
                self.ranges[-1][1] = seq
            else:
                add_to_ranges(self.ranges, seq)
            return
        if add_to_ranges(self.ranges, seq):
            self.reordered += 1
        else:
            self.duplicates += 1

    def resume_point(self) -> int | None:
        """The `since` for a rejoin: the last seq seen, or the join point if none came yet."""
        if self.join_seq is None:
            return None
        return max(self.last, self.join_seq)

    def to_dict(self) -> dict[str, Any]:
        return {
            "circle": self.circle,
            "join": self.join_seq,
            "ranges": self.ranges,
            "last": self.last,
            "received": self.received,
            "dup": self.duplicates,
            "reord": self.reordered,
            "open": self.open_at_end,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StreamLedger:
        return cls(
            circle=d["circle"],
            join_seq=d["join"],
            ranges=d["ranges"],
            last=d["last"],
            received=d["received"],
            duplicates=d["dup"],
            reordered=d["reord"],
            open_at_end=d["open"],
        )


@dataclass
class LossReport:
    streams: int = 0
    expected: int = 0
    lost: int = 0
    duplicated: int = 0
    reordered: int = 0
    streams_with_loss: int = 0
    examples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "streams": self.streams,
            "expected": self.expected,
            "lost": self.lost,
            "duplicated": self.duplicated,
            "reordered": self.reordered,
            "streams_with_loss": self.streams_with_loss,
            "examples": self.examples,
        }


def check(ledgers: Iterable[StreamLedger], acked: dict[str, Ranges]) -> LossReport:
    """Count lost, duplicated and out-of-order deliveries over every receiver.

    `acked` maps a circle to the seqs its says were acknowledged with. A stream
    still open at the end must hold every known seq after its join point; one
    that ended early, every known seq between its join point and the last seq it got.
    """
    ledgers = [lg for lg in ledgers if lg.join_seq is not None]
    by_circle: dict[str, list[StreamLedger]] = {}
    for lg in ledgers:
        by_circle.setdefault(lg.circle, []).append(lg)
    report = LossReport()
    for circle, streams in by_circle.items():
        known = union([acked.get(circle, []), *(lg.ranges for lg in streams)])
        for lg in streams:
            assert lg.join_seq is not None
            high: float = float("inf") if lg.open_at_end else lg.last
            expected = count_in(known, lg.join_seq, high)
            got = count_in(lg.ranges, lg.join_seq, high)
            missing = expected - got
            report.streams += 1
            report.expected += expected
            report.lost += missing
            report.duplicated += lg.duplicates
            report.reordered += lg.reordered
            if missing:
                report.streams_with_loss += 1
                if len(report.examples) < 5:
                    report.examples.append(
                        f"circle {circle}: joined at {lg.join_seq}, missing {missing} of {expected}"
                        f" (got {lg.ranges[:3]}{'…' if len(lg.ranges) > 3 else ''})"
                    )
    return report
