"""A mergeable log-linear histogram of integer values (HDR-style), in microseconds by convention.

Values below 128 get a bucket each; above, every power of two is split into 64
equal buckets, so a value is known to within 1/64 (about 1.6 %) at any size.
Counts live in a sparse dict keyed by bucket index: merging two histograms
adds counts, and `to_dict`/`from_dict` carry one across processes as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Values below 2**_EXACT_BITS are exact; above, 2**(_EXACT_BITS - 1) buckets per power of two.
_EXACT_BITS = 7
_HALF = 1 << (_EXACT_BITS - 1)


def bucket_of(value: int) -> int:
    """The bucket index holding `value` (>= 0)."""
    if value < (1 << _EXACT_BITS):
        return value
    shift = value.bit_length() - _EXACT_BITS
    return _HALF * shift + (value >> shift)


def bucket_bounds(index: int) -> tuple[int, int]:
    """The lowest and highest value that fall into bucket `index`."""
    if index < (1 << _EXACT_BITS):
        return index, index
    shift = index // _HALF - 1
    mantissa = index - _HALF * shift
    return mantissa << shift, ((mantissa + 1) << shift) - 1


class Histogram:
    __slots__ = ("counts", "count", "total", "min", "max")

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.count = 0
        self.total = 0
        self.min: int | None = None
        self.max: int | None = None

    def record(self, value: int | float, times: int = 1) -> None:
        v = int(value)
        if v < 0:
            v = 0  # clocks of two processes can disagree by a hair
        i = (
            v
            if v < 128
            else _HALF * (v.bit_length() - _EXACT_BITS) + (v >> (v.bit_length() - _EXACT_BITS))
        )
        counts = self.counts
        counts[i] = counts.get(i, 0) + times
        self.count += times
        self.total += v * times
        if self.max is None or v > self.max:
            self.max = v
        if self.min is None or v < self.min:
            self.min = v

    def merge(self, other: Histogram) -> Histogram:
        """Add `other`'s counts into this one; returns self."""
        for i, c in other.counts.items():
            self.counts[i] = self.counts.get(i, 0) + c
        self.count += other.count
        self.total += other.total
        if other.max is not None and (self.max is None or other.max > self.max):
            self.max = other.max
        if other.min is not None and (self.min is None or other.min < self.min):
            self.min = other.min
        return self

    @classmethod
    def merged(cls, parts: Iterable[Histogram]) -> Histogram:
        out = cls()
        for p in parts:
            out.merge(p)
        return out

    def percentile(self, p: float) -> int | None:
        """The value at percentile `p` (0-100): the top of the bucket that holds it, capped at max."""
        if self.count == 0:
            return None
        if p >= 100:
            return self.max
        rank = max(1, -(-self.count * p // 100))  # ceil: the rank-th smallest value
        seen = 0
        for i in sorted(self.counts):
            seen += self.counts[i]
            if seen >= rank:
                top = bucket_bounds(i)[1]
                assert self.max is not None and self.min is not None
                return max(min(top, self.max), self.min)
        return self.max

    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def summary(self, scale: float = 1e-3) -> dict[str, float | int | None]:
        """count, mean and percentiles, values multiplied by `scale` (µs → ms by default)."""

        def s(v: float | None) -> float | None:
            return None if v is None else round(v * scale, 3)

        return {
            "count": self.count,
            "mean": s(self.mean()),
            "p50": s(self.percentile(50)),
            "p90": s(self.percentile(90)),
            "p99": s(self.percentile(99)),
            "p999": s(self.percentile(99.9)),
            "max": s(self.max),
        }

    def to_dict(self) -> dict[str, Any]:
        # JSON object keys must be strings: carry the buckets as two parallel lists.
        keys = sorted(self.counts)
        return {
            "b": keys,
            "c": [self.counts[k] for k in keys],
            "n": self.count,
            "sum": self.total,
            "min": self.min,
            "max": self.max,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Histogram:
        h = cls()
        h.counts = dict(zip(d["b"], d["c"], strict=True))
        h.count, h.total, h.min, h.max = d["n"], d["sum"], d["min"], d["max"]
        return h

    def __bool__(self) -> bool:
        return self.count > 0

    def __repr__(self) -> str:
        return f"Histogram(count={self.count}, p50={self.percentile(50)}, max={self.max})"
