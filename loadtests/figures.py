"""Where the planner's per-core figures come from: the newest measured runs, or the figures file.

Results under loadtests/results/ are not committed. So the planner reads the
newest result files there that hold each figure (a `run` report, or a `bench`
summary's runs) and, for any figure none of them holds, the committed
loadtests/figures.json, which `python -m loadtests plan --record` writes from
the same results. A figure found nowhere is planned with its assumed value
(capacity.FIGURES) and shown as an assumption.

The figures file keeps every figure by name with its source, so others can add
figures (workers, PostgreSQL, a cluster) without changing its shape:

    {"figures": {"delivery_cpu_us": {"value": 10.4, "unit": "µs",
                 "source": "20261201-134000-fanout.json: fanout, 2,000 connections, 2026-12-01 13:40"}}}
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .capacity import BY_NAME, Measured

FIGURES_FILE = Path(__file__).resolve().parent / "figures.json"

# figure -> (scenarios whose summary holds it, summary key, scale)
EXTRACTORS: dict[str, tuple[tuple[str, ...], str, float]] = {
    "delivery_cpu_us": (("fanout",), "server_cpu_per_delivery_us", 1.0),
    "say_cpu_us": (("durable",), "server_cpu_per_ack_us", 1.0),
    "conn_memory_kb": (("idle",), "server_mem_per_conn_kb", 1.0),
    "connect_cpu_us": (("idle",), "server_cpu_per_connect_us", 1.0),
    "login_cpu_us": (("storm",), "server_cpu_per_connect_us", 1.0),
}


def summaries(path: Path) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(scenario, summary, when) of each Quanzi run in one result file (a run or a bench)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    if not isinstance(data, dict):
        return
    summary = data.get("summary")
    if isinstance(summary, dict) and "scenario" in summary:
        yield str(summary["scenario"]), summary, str(data.get("finished", ""))
        return
    runs = data.get("runs")
    if isinstance(runs, dict):
        when = str((data.get("environment") or {}).get("date", ""))
        for key, both in runs.items():
            quanzi = both.get("quanzi") if isinstance(both, dict) else None
            if isinstance(quanzi, dict):
                yield str(quanzi.get("scenario", key)), quanzi, when


def from_results(folder: Path) -> dict[str, Measured]:
    """Each figure from the newest result file in `folder` that holds it."""
    found: dict[str, Measured] = {}
    files = sorted(
        (
            p
            for p in folder.glob("*.json")
            if not p.name.startswith("seed-") and "-seed-" not in p.name
        ),
        key=lambda p: (p.stat().st_mtime, p.name),
        reverse=True,
    )
    for path in files:
        for scenario, summary, when in summaries(path):
            for name, (scenarios, key, scale) in EXTRACTORS.items():
                value = summary.get(key)
                if name in found or scenario not in scenarios or not isinstance(value, int | float):
                    continue
                # Per-operation CPU and memory stay valid when the generator saturated
                # (it slows the rate, not what each operation costs the server): said, not skipped.
                size = summary.get("connections")
                what = f"{size:,} connections" if isinstance(size, int) else ""
                sat = "generator saturated" if summary.get("generator_saturated") else ""
                found[name] = Measured(
                    float(value) * scale,
                    f"{path.name}: " + ", ".join(p for p in (scenario, what, when, sat) if p),
                )
    return found


def from_file(path: Path) -> dict[str, Measured]:
    """The figures recorded in a figures file (unknown names kept: a newer planner uses them)."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    out = {}
    for name, entry in (data.get("figures") or {}).items():
        if isinstance(entry, dict) and isinstance(entry.get("value"), int | float):
            out[name] = Measured(float(entry["value"]), str(entry.get("source") or path.name))
    return out


def gather(results: Path, figures_file: Path = FIGURES_FILE) -> dict[str, Measured]:
    """The newest results first, then the figures file for what they do not hold."""
    return {**from_file(figures_file), **from_results(results)}


def record(results: Path, figures_file: Path = FIGURES_FILE) -> dict[str, Measured]:
    """Write the figures file from the newest results, keeping figures they do not hold."""
    merged = gather(results, figures_file)
    old = json.loads(figures_file.read_text()) if figures_file.exists() else {}
    entries = dict(old.get("figures") or {})
    for name, m in merged.items():
        f = BY_NAME.get(name)
        entries[name] = {
            "value": m.value,
            "unit": f.unit if f else (entries.get(name) or {}).get("unit", ""),
            "what": f.what if f else (entries.get(name) or {}).get("what", ""),
            "source": m.source,
        }
    figures_file.write_text(
        json.dumps(
            {
                "about": "Per-core figures measured on the project's machine, written by "
                "`python -m loadtests plan --record` from loadtests/results/; read by "
                "`python -m loadtests plan` for what no newer result holds. Add a figure "
                "under its name; one missing is planned with its assumed value.",
                "figures": dict(sorted(entries.items())),
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n"
    )
    return merged
