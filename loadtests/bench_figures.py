"""The figures of a bench run: each goal of the load-test issue as a row
(floor, Quanzi, ratio, goal, met), and the markdown table RESULTS.md takes."""

from __future__ import annotations

from typing import Any


def _either(runs: dict[str, dict[str, Any]], key: str) -> dict[str, Any]:
    """The summary of Quanzi's run of `key`, or the floor's when Quanzi has none."""
    both = runs[key]
    return dict((both.get("quanzi") or both["baseline"])["summary"])


def _get(runs: dict[str, dict[str, Any]], key: str, kind: str, figure: str) -> float | None:
    r = runs.get(key, {}).get(kind)
    return None if r is None else r["summary"].get(figure)


# Deliveries still arriving this long after the senders stopped mean a backlog built up.
BACKLOG_S = 2.5
# A chat message later than this, at p99, is not a rate the server sustains.
SUSTAINED_P99_MS = 500.0


def kept_up(result: dict[str, Any]) -> bool:
    """Delivered ≥ 95 % of the offered rate, lost nothing, p99 within SUSTAINED_P99_MS and
    no backlog at the end (the drain, which ends after a quiet second, took < BACKLOG_S)."""
    s = result["summary"]
    return (
        bool(s["offered_per_s"])
        and s["deliveries_per_s"] >= 0.95 * s["offered_per_s"]
        and s["lost"] == 0
        and s["disconnects"] == 0
        and s["p99_ms"] is not None
        and s["p99_ms"] <= SUSTAINED_P99_MS
        and s["drain_s"] < BACKLOG_S
    )


def _sustained(runs: dict[str, dict[str, Any]], kind: str) -> float | None:
    """The highest delivery rate a server kept up with on the saturation ladder."""
    best = None
    for key, both in runs.items():
        r = both.get(kind)
        if key.startswith("saturation@") and r is not None and kept_up(r):
            best = max(best or 0.0, r["summary"]["deliveries_per_s"])
    return best


def _projected(runs: dict[str, dict[str, Any]], kind: str) -> float | None:
    """Deliveries/s one server core would sustain: the highest kept-up step's
    rate over the share of a core the server used for it. When the generator
    saturates before the servers, this is the comparison left to make."""
    best: tuple[float, float] | None = None
    for key, both in runs.items():
        r = both.get(kind)
        if not key.startswith("saturation@") or r is None or not kept_up(r):
            continue
        rate, cpu_pct = r["summary"]["deliveries_per_s"], r["summary"].get("server_cpu_pct")
        if cpu_pct and (best is None or rate > best[0]):
            best = (rate, cpu_pct)
    return None if best is None else round(best[0] / (best[1] / 100))


def figures(runs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per figure of the issue's table: floor, Quanzi, ratio, goal, met."""
    rows: list[dict[str, Any]] = []

    def ratio_row(
        scenario: str,
        figure: str,
        key: str,
        metric: str,
        goal: str,
        limit: float | None,
        higher_is_better: bool = False,
    ) -> None:
        floor, quanzi = _get(runs, key, "baseline", metric), _get(runs, key, "quanzi", metric)
        if floor is None and quanzi is None:
            return
        ratio = None if not floor or quanzi is None else round(quanzi / floor, 2)
        met = None
        if ratio is not None and limit is not None:
            met = ratio >= limit if higher_is_better else ratio <= limit
        rows.append(
            {
                "scenario": scenario,
                "figure": figure,
                "floor": floor,
                "quanzi": quanzi,
                "ratio": ratio,
                "goal": goal,
                "met": met,
            }
        )

    def abs_row(
        scenario: str, figure: str, key: str, metric: str, goal: str, ok: Any = None
    ) -> None:
        quanzi = _get(runs, key, "quanzi", metric)
        if quanzi is None and key not in runs:
            return
        rows.append(
            {
                "scenario": scenario,
                "figure": figure,
                "floor": _get(runs, key, "baseline", metric),
                "quanzi": quanzi,
                "ratio": None,
                "goal": goal,
                "met": None if ok is None or quanzi is None else bool(ok(quanzi)),
            }
        )

    fan = "fanout"
    if fan in runs:
        m = _either(runs, fan)
        label = f"fanout {m['connections']:,} members × {m['offered_per_s'] / max(m['connections'], 1):g} msgs/s"
        ratio_row(
            label,
            "server CPU per delivery (µs)",
            fan,
            "server_cpu_per_delivery_us",
            "≤ 1.2× floor",
            1.2,
        )
        ratio_row(label, "p99 delivery latency (ms)", fan, "p99_ms", "≤ 1.2× floor", 1.2)
        abs_row(label, "lost", fan, "lost", "0", lambda v: v == 0)
        abs_row(label, "duplicated", fan, "duplicated", "0", lambda v: v == 0)
        ratio_row(label, "deliveries/s", fan, "deliveries_per_s", "reported", None)
    if any(k.startswith("saturation@") for k in runs):
        floor, quanzi = _sustained(runs, "baseline"), _sustained(runs, "quanzi")
        ratio = None if not floor or quanzi is None else round(quanzi / floor, 2)
        rows.append(
            {
                "scenario": "fanout saturation",
                "figure": "highest sustained deliveries/s",
                "floor": floor,
                "quanzi": quanzi,
                "ratio": ratio,
                "goal": "≥ 0.8× floor",
                "met": None if ratio is None else ratio >= 0.8,
            }
        )
        floor, quanzi = _projected(runs, "baseline"), _projected(runs, "quanzi")
        rows.append(
            {
                "scenario": "fanout saturation",
                "figure": "deliveries/s per server core, projected from its CPU",
                "floor": floor,
                "quanzi": quanzi,
                "ratio": None if not floor or quanzi is None else round(quanzi / floor, 2),
                "goal": "reported",
                "met": None,
            }
        )
    if "idle" in runs:
        m = _either(runs, "idle")
        label = f"idle, {m['connections']:,} connections after hello"
        ratio_row(
            label,
            "server memory per connection (KB)",
            "idle",
            "server_mem_per_conn_kb",
            "≤ 1.5× floor",
            1.5,
        )
        ratio_row(
            label,
            "server CPU per connect + hello (µs)",
            "idle",
            "server_cpu_per_connect_us",
            "≤ 2× floor",
            2.0,
        )
        ratio_row(label, "connect rate (/s)", "idle", "connect_rate_per_s", "reported", None)
    if "durable" in runs:
        m = runs["durable"]["quanzi"]["summary"]
        label = f"durable, SQLite (WAL), {m['connections']} senders"
        abs_row(
            label,
            "acknowledged says/s",
            "durable",
            "acks_per_s",
            "≥ 10,000/s",
            lambda v: v >= 10_000,
        )
        abs_row(label, "ack p99 (ms)", "durable", "ack_p99_ms", "≤ 50 ms", lambda v: v <= 50)
    if "rooms" in runs:
        m = _either(runs, "rooms")
        label = f"rooms, {m['connections']:,} connections in circles of 10"
        ratio_row(label, "p99 latency (ms)", "rooms", "p99_ms", "≤ 2× floor", 2.0)
        ratio_row(
            label,
            "server CPU per delivery (µs)",
            "rooms",
            "server_cpu_per_delivery_us",
            "reported",
            None,
        )
        abs_row(label, "lost", "rooms", "lost", "0", lambda v: v == 0)
    if "uploads" in runs:
        m = runs["uploads"]["quanzi"]["summary"]
        label = f"uploads, {m['members']} members × {m['size_mb']:g} MB at once (local disk)"
        abs_row(label, "MB/s", "uploads", "mb_per_s", "reported")
        abs_row(label, "server CPU per MB (s)", "uploads", "server_cpu_s_per_mb", "reported")
        abs_row(label, "server RSS growth (MB)", "uploads", "server_rss_growth_mb", "reported")
        abs_row(label, "blobs not verified", "uploads", "verify_failures", "0", lambda v: v == 0)
    return rows


def _f(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def markdown(summary: dict[str, Any]) -> str:
    env = summary["environment"]
    lines = [
        f"Measured {env['date']} on {env['host']} ({env['cpus']} CPUs, Python {env['python']}); "
        f"servers on CPU {env['server_cpus'] or 'any'}, generator on CPU {env['generator_cpus'] or 'any'}; "
        f"codec {env['codec']}{'; QUICK RUN (small sizes)' if env['quick'] else ''}.",
        f"Command: `{env['command']}`",
        "",
        "| scenario | figure | floor | Quanzi | ratio | goal | met |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for r in summary["figures"]:
        met = {True: "yes", False: "**no**", None: "–"}[r["met"]]
        lines.append(
            f"| {r['scenario']} | {r['figure']} | {_f(r['floor'])} | {_f(r['quanzi'])} | "
            f"{_f(r['ratio'])} | {r['goal']} | {met} |"
        )
    if summary["notes"]:
        lines.append("")
        lines += [f"- {n}" for n in summary["notes"]]
    return "\n".join(lines)
