"""The mergeable histogram: counts, percentiles within its precision, merges, serialisation."""

from __future__ import annotations

import json
import random

import pytest

from loadtests.histogram import Histogram, bucket_bounds, bucket_of

PRECISION = 1 / 64  # a bucket spans at most this share of its values


def exact_percentile(values: list[int], p: float) -> int:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def test_every_value_falls_in_its_bucket_and_buckets_are_contiguous() -> None:
    previous_top = -1
    for index in range(bucket_of(10**9) + 1):
        low, high = bucket_bounds(index)
        assert low == previous_top + 1, index
        assert bucket_of(low) == index and bucket_of(high) == index
        assert (high - low + 1) / low <= PRECISION if low >= 128 else high == low
        previous_top = high


def test_counts_sum_and_extremes() -> None:
    h = Histogram()
    for v in (5, 5, 130, 1_000_000):
        h.record(v)
    h.record(7, times=3)
    assert h.count == 7
    assert h.total == 5 + 5 + 130 + 1_000_000 + 21
    assert (h.min, h.max) == (5, 1_000_000)
    assert h.percentile(0.1) == 5 and h.percentile(100) == 1_000_000


@pytest.mark.parametrize("p", [50, 90, 99, 99.9])
def test_percentiles_match_the_exact_ones_within_precision(p: float) -> None:
    rng = random.Random(7)
    values = [int(rng.lognormvariate(8, 1.5)) for _ in range(20_000)]
    h = Histogram()
    for v in values:
        h.record(v)
    exact = exact_percentile(values, p)
    got = h.percentile(p)
    assert got is not None
    assert exact <= got <= exact * (1 + PRECISION) + 1


def test_small_values_are_exact() -> None:
    h = Histogram()
    for v in range(1, 101):
        h.record(v)
    assert h.percentile(50) == 50 and h.percentile(99) == 99 and h.percentile(100) == 100


def test_merge_equals_recording_everything_in_one() -> None:
    rng = random.Random(1)
    parts = [[rng.randrange(0, 5_000_000) for _ in range(3000)] for _ in range(4)]
    whole, pieces = Histogram(), []
    for part in parts:
        piece = Histogram()
        for v in part:
            piece.record(v)
            whole.record(v)
        pieces.append(piece)
    merged = Histogram.merged(pieces)
    assert merged.counts == whole.counts
    assert (merged.count, merged.total, merged.min, merged.max) == (
        whole.count,
        whole.total,
        whole.min,
        whole.max,
    )
    for p in (50, 99, 99.9):
        assert merged.percentile(p) == whole.percentile(p)


def test_serialises_through_json_across_processes() -> None:
    h = Histogram()
    for v in (1, 200, 200, 90_000):
        h.record(v)
    back = Histogram.from_dict(json.loads(json.dumps(h.to_dict())))
    assert back.counts == h.counts and back.count == 4 and back.max == 90_000
    assert back.percentile(50) == h.percentile(50)


def test_empty_histogram_has_no_percentiles() -> None:
    h = Histogram()
    assert h.percentile(99) is None and h.summary()["p99"] is None and not h
    assert Histogram().merge(h).count == 0
