"""The bench's table: the saturation rows read the ladder the way the README says."""

from __future__ import annotations

from typing import Any

from loadtests.bench_figures import figures


def _run(offered: float, delivered: float, cpu_pct: float, p99_ms: float = 20.0) -> dict[str, Any]:
    return {
        "summary": {
            "offered_per_s": offered,
            "deliveries_per_s": delivered,
            "lost": 0,
            "disconnects": 0,
            "p99_ms": p99_ms,
            "drain_s": 0.0,
            "server_cpu_pct": cpu_pct,
        }
    }


def _row(rows: list[dict[str, Any]], figure: str) -> dict[str, Any]:
    return next(r for r in rows if r["figure"] == figure)


def test_saturation_rows_take_the_highest_step_each_server_kept_up_with() -> None:
    runs = {
        "saturation@10": {
            "baseline": _run(20_000, 19_990, 16.0),
            "quanzi": _run(20_000, 19_980, 20.0),
        },
        "saturation@20": {
            "baseline": _run(40_000, 39_990, 30.0),
            "quanzi": _run(40_000, 39_980, 40.0),
        },
        # Fell behind: neither step counts.
        "saturation@40": {
            "baseline": _run(80_000, 60_000, 90.0),
            "quanzi": _run(80_000, 79_000, 80.0, p99_ms=5_000.0),
        },
    }
    rows = figures(runs)
    sustained = _row(rows, "highest sustained deliveries/s")
    assert (sustained["floor"], sustained["quanzi"]) == (39_990, 39_980)
    assert sustained["met"] is True
    projected = _row(rows, "deliveries/s per server core, projected from its CPU")
    assert projected["floor"] == round(39_990 / 0.30)
    assert projected["quanzi"] == round(39_980 / 0.40)
    assert projected["ratio"] == round((39_980 / 0.40) / (39_990 / 0.30), 2)
