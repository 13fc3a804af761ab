"""The end of a run: the table on the terminal, the JSON file and the HTML report."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from .htmlreport import render_html

ROWS: list[tuple[str, str, str]] = [  # (summary key, label, unit)
    ("connected", "connections", ""),
    ("connect_failures", "connect failures", ""),
    ("connect_rate_per_s", "connect rate", "/s"),
    ("connect_p50_ms", "connect+hello p50", "ms"),
    ("connect_p99_ms", "connect+hello p99", "ms"),
    ("offered_per_s", "offered deliveries", "/s"),
    ("deliveries", "deliveries", ""),
    ("deliveries_per_s", "deliveries", "/s"),
    ("p50_ms", "latency p50", "ms"),
    ("p90_ms", "latency p90", "ms"),
    ("p99_ms", "latency p99", "ms"),
    ("p999_ms", "latency p99.9", "ms"),
    ("max_ms", "latency max", "ms"),
    ("says_sent", "says sent", ""),
    ("acks_per_s", "acknowledged says", "/s"),
    ("ack_p50_ms", "ack p50", "ms"),
    ("ack_p99_ms", "ack p99", "ms"),
    ("unacked", "says never acknowledged", ""),
    ("lost", "lost", ""),
    ("duplicated", "duplicated", ""),
    ("reordered", "out of order", ""),
    ("errors", "errors", ""),
    ("disconnects", "disconnects", ""),
    ("server_cpu_pct", "server CPU (send phase)", "%"),
    ("server_cpu_per_delivery_us", "server CPU per delivery", "µs"),
    ("server_cpu_per_ack_us", "server CPU per ack", "µs"),
    ("server_cpu_per_connect_us", "server CPU per connect+hello(+joins)", "µs"),
    ("server_rss_mb", "server memory", "MB"),
    ("server_mem_per_conn_kb", "server memory per connection", "KB"),
    ("ramp_s", "ramp (connections opening)", "s"),
    ("ramp_p99_ms", "latency p99 during the ramp", "ms"),
    ("ramp_ack_p99_ms", "ack p99 during the ramp", "ms"),
    ("ramp_server_cpu_pct", "server CPU (ramp)", "%"),
    ("highlights", "highlights pushed", ""),
    ("highlight_deliveries", "highlight deliveries", ""),
    ("highlights_lost", "highlight deliveries missing", ""),
    ("highlight_star_after_ms", "owner's say + star round trip", "ms"),
    ("generator_saturated", "generator saturated", ""),
    ("generator_workers", "generator processes", ""),
    ("source_addresses", "source addresses", ""),
]
RAMP_KEYS = {"ramp_s", "ramp_p99_ms", "ramp_ack_p99_ms", "ramp_server_cpu_pct"}


def fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "YES" if v else "no"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.3g}" if abs(v) < 10 else f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


DELIVERY_KEYS = {
    "offered_per_s",
    "deliveries",
    "deliveries_per_s",
    "p50_ms",
    "p90_ms",
    "p99_ms",
    "p999_ms",
    "max_ms",
    "lost",
    "duplicated",
    "reordered",
    "server_cpu_per_delivery_us",
}
ACK_KEYS = {"says_sent", "acks_per_s", "ack_p50_ms", "ack_p99_ms", "unacked"}


def shown(key: str, s: dict[str, Any]) -> bool:
    """Leave out what a scenario does not exercise (an idle run has no latency to show)."""
    if key in DELIVERY_KEYS and not s.get("deliveries") and not s.get("offered_per_s"):
        return False
    if key in ACK_KEYS and not s.get("says_sent"):
        return False
    if key == "server_cpu_per_ack_us":
        return s.get("focus") == "acks"
    if key in RAMP_KEYS:  # what happens while members arrive matters in a storm
        return s.get("focus") in ("steps", "connects")
    return True


def table(result: dict[str, Any]) -> str:
    s = result["summary"]
    lines = [f"== {s['scenario']}  {result['config'].get('label') or ''}".rstrip()]
    for key, label, unit in ROWS:
        v = s.get(key)
        if v is None or not shown(key, s):
            continue
        lines.append(f"  {label:<32} {fmt(v):>14} {unit}")
    for step in result.get("steps", {}):
        p50, p99 = s.get(f"{step}_p50_ms"), s.get(f"{step}_p99_ms")
        lines.append(f"  {step + ' p50 / p99':<32} {fmt(p50):>6} / {fmt(p99):<6} ms")
    if result["errors_by_code"]:
        lines.append(
            "  errors by code: "
            + ", ".join(f"{k} ×{v}" for k, v in sorted(result["errors_by_code"].items()))
        )
    if result["closes_by_code"]:
        lines.append(
            "  disconnects by close code: "
            + ", ".join(f"{k} ×{v}" for k, v in sorted(result["closes_by_code"].items()))
        )
    if result["scenario_counters"]:
        lines.append(
            "  scenario: "
            + ", ".join(f"{k} {v}" for k, v in sorted(result["scenario_counters"].items()))
        )
    for ex in result["loss"]["examples"]:
        lines.append(f"  loss: {ex}")
    for note in result["notes"]:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def write(result: dict[str, Any], out: Path, stem: str | None = None) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    s = result["summary"]
    label = result["config"].get("label") or ""
    stem = stem or "-".join(p for p in (time.strftime("%Y%m%d-%H%M%S"), s["scenario"], label) if p)
    jpath, hpath = out / f"{stem}.json", out / f"{stem}.html"
    jpath.write_text(json.dumps(result, indent=1, default=str))
    hpath.write_text(render_html(result))
    return jpath, hpath
