"""From worker ticks and finals to the run's result: per-second rows, totals, the summary figures.

The summary's keys are the metric names `--fail-if` and the bench use
(`p99_ms`, `lost`, `server_cpu_per_delivery_us`, …); README.md lists them.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from typing import TYPE_CHECKING, Any

from .histogram import Histogram
from .seqcheck import StreamLedger, check, union

if TYPE_CHECKING:
    from .runner import Coordinator
    from .seed import Seed

COUNTERS = ("deliveries", "says_sent", "acks", "connects")
DICTS = ("errors", "closes", "pushes")


class Rows:
    """One row per second of the run, merged over workers as their ticks arrive."""

    def __init__(self) -> None:
        self.t0 = 0.0
        self.open: dict[int, dict[str, Any]] = {}
        self.done: list[dict[str, Any]] = []
        self.counters: dict[str, int] = dict.fromkeys(COUNTERS, 0)
        self.dicts: dict[str, dict[str, int]] = {d: {} for d in DICTS}
        self.worker_cpu: dict[int, list[tuple[str, float, float]]] = {}  # w -> (phase, cpu, lag)
        self.peak_open = 0
        self._last_server: tuple[float, float] | None = None

    def add(self, tick: dict[str, Any], w: int, final: bool) -> dict[str, Any] | None:
        snap = tick["snap"]
        for c in COUNTERS:
            self.counters[c] += snap[c]
        for d in DICTS:
            for k, v in snap[d].items():
                self.dicts[d][k] = self.dicts[d].get(k, 0) + v
        if final:
            return None
        self.worker_cpu.setdefault(w, []).append((tick["phase"], tick["cpu"], tick["lag_max_ms"]))
        row = self.open.get(tick["k"])
        if row is None:
            row = self.open[tick["k"]] = {
                "k": tick["k"],
                "phase": tick["phase"],
                "workers": set(),
                "latency": Histogram(),
                "ack": Histogram(),
                "open": 0,
                "errors": 0,
                **dict.fromkeys(COUNTERS, 0),
                "gen_cpu_max": 0.0,
                "gen_lag_max_ms": 0.0,
            }
        row["workers"].add(w)
        row["latency"].merge(Histogram.from_dict(snap["latency"]))
        row["ack"].merge(Histogram.from_dict(snap["ack"]))
        for c in COUNTERS:
            row[c] += snap[c]
        row["open"] += tick["open"]
        row["errors"] += sum(snap["errors"].values())
        row["gen_cpu_max"] = max(row["gen_cpu_max"], tick["cpu"])
        row["gen_lag_max_ms"] = max(row["gen_lag_max_ms"], tick["lag_max_ms"])
        if w == 0:
            row["phase"] = tick["phase"]
        return row

    def complete(self, row: dict[str, Any]) -> None:
        self.open.pop(row["k"], None)
        self.peak_open = max(self.peak_open, row["open"])
        server = row.pop("server", None)
        now = time.time()
        if server is not None:
            row["server_rss_mb"] = round(server.rss_bytes / 2**20, 1)
            if self._last_server is not None:
                t, cpu = self._last_server
                row["server_cpu_pct"] = round((server.cpu_s - cpu) / max(now - t, 1e-3) * 100, 1)
            self._last_server = (now, server.cpu_s)
        self.done.append(row)

    def series(self) -> list[dict[str, Any]]:
        out = []
        for row in sorted(self.done, key=lambda r: r["k"]):
            lat, ack = row["latency"], row["ack"]
            out.append(
                {
                    "t": row["k"],
                    "phase": row["phase"],
                    "open": row["open"],
                    "deliveries": row["deliveries"],
                    "acks": row["acks"],
                    "says": row["says_sent"],
                    "errors": row["errors"],
                    "p50_ms": _ms(lat.percentile(50)),
                    "p90_ms": _ms(lat.percentile(90)),
                    "p99_ms": _ms(lat.percentile(99)),
                    "max_ms": _ms(lat.max),
                    "ack_p99_ms": _ms(ack.percentile(99)),
                    "gen_cpu_max": round(row["gen_cpu_max"], 3),
                    "gen_lag_max_ms": round(row["gen_lag_max_ms"], 1),
                    "server_cpu_pct": row.get("server_cpu_pct"),
                    "server_rss_mb": row.get("server_rss_mb"),
                }
            )
        return out


def _ms(us: float | None) -> float | None:
    return None if us is None else round(us / 1000, 3)


def _per(a: float | None, b: float | None, scale: float = 1.0) -> float | None:
    if a is None or not b:
        return None
    return round(a / b * scale, 3)


def saturation(rows: Rows, lag_threshold_ms: float) -> dict[str, Any]:
    """Was the generator the bottleneck? Its workers' CPU and event-loop lag while it mattered."""
    verdict: dict[str, Any] = {"saturated": False, "reasons": [], "workers": {}}
    for w, samples in sorted(rows.worker_cpu.items()):
        busy = [s for s in samples if s[0] in ("ramp", "send")][1:] or samples
        cpu = statistics.fmean(s[1] for s in busy) if busy else 0.0
        lags = sorted(s[2] for s in busy)
        lag90 = lags[int(0.9 * (len(lags) - 1))] if lags else 0.0
        verdict["workers"][w] = {
            "cpu_mean": round(cpu, 3),
            "lag_p90_ms": round(lag90, 1),
            "lag_max_ms": round(max(lags, default=0.0), 1),
        }
        if cpu >= 0.9:
            verdict["saturated"] = True
            verdict["reasons"].append(f"worker {w} used {cpu:.0%} of a core")
        if lag90 > lag_threshold_ms:
            verdict["saturated"] = True
            verdict["reasons"].append(
                f"worker {w} event-loop lag p90 {lag90:.0f} ms > {lag_threshold_ms:.0f} ms"
            )
    return verdict


def build_result(coord: Coordinator, seed: Seed) -> dict[str, Any]:
    cfg, rows, totals = coord.cfg, coord.rows, coord.totals
    s, t = coord.samples, coord.times
    ledgers = [StreamLedger.from_dict(d) for f in coord.finals for d in f["ledgers"]]
    circles = {c for f in coord.finals for c in f["acked"]}
    acked = {c: union(f["acked"].get(c, []) for f in coord.finals) for c in circles}
    loss = check(ledgers, acked)
    notes = list(coord.notes) + sorted({n for f in coord.finals for n in f["notes"]})
    extra: dict[str, int] = {}
    for f in coord.finals:
        for k, v in f["extra"].items():
            extra[k] = extra.get(k, 0) + v

    n = rows.counters
    send_s = max(t.get("sent", 0) - t.get("go", 0), 1e-3)
    window_s = max(t.get("end", 0) - t.get("go", 0), 1e-3)
    ramp_s = max(t.get("ramp_s", 0.0), 1e-3)
    connected = n["connects"]

    def cpu(a: str, b: str) -> float | None:
        sa, sb = s.get(a), s.get(b)
        return None if sa is None or sb is None else sb.cpu_s - sa.cpu_s

    def rss(name: str) -> int | None:
        sample = s.get(name)
        return None if sample is None else sample.rss_bytes

    cpu_send, cpu_ramp = cpu("go", "end"), cpu("before", "ready")
    rss_before, rss_settled = rss("before"), rss("settled")
    lat, ack, conn = totals["latency"], totals["ack"], totals["connect"]
    sat = saturation(rows, cfg.lag_threshold_ms)
    if sat["saturated"]:
        notes.append(
            "GENERATOR SATURATED: "
            + "; ".join(sat["reasons"])
            + " — figures measure the generator too; add cores or workers, or shrink the load"
        )
    closes = rows.dicts["closes"]
    summary: dict[str, Any] = {
        "scenario": cfg.scenario,
        "focus": coord.scenario.focus,
        "connections": coord.scenario.connections(),
        "connected": connected,
        "connect_failures": sum(f["connect_failures"] for f in coord.finals),
        "connect_rate_per_s": round(connected / ramp_s, 1),
        "connect_p50_ms": _ms(conn.percentile(50)),
        "connect_p99_ms": _ms(conn.percentile(99)),
        "deliveries": n["deliveries"],
        "offered_per_s": coord.scenario.offered_rate(),
        "deliveries_per_s": round(n["deliveries"] / send_s, 1),
        "p50_ms": _ms(lat.percentile(50)),
        "p90_ms": _ms(lat.percentile(90)),
        "p99_ms": _ms(lat.percentile(99)),
        "p999_ms": _ms(lat.percentile(99.9)),
        "max_ms": _ms(lat.max),
        "says_sent": n["says_sent"],
        "acks": n["acks"],
        "acks_per_s": round(n["acks"] / send_s, 1),
        "ack_p50_ms": _ms(ack.percentile(50)),
        "ack_p99_ms": _ms(ack.percentile(99)),
        "ack_max_ms": _ms(ack.max),
        "unacked": sum(f["unacked"] for f in coord.finals),
        "lost": loss.lost,
        "duplicated": loss.duplicated,
        "reordered": loss.reordered,
        "duplicate_acks": sum(f["duplicate_acks"] for f in coord.finals),
        "errors": sum(rows.dicts["errors"].values()),
        "disconnects": sum(closes.values()),
        "server_cpu_s": None if cpu_send is None else round(cpu_send, 3),
        "server_cpu_pct": _per(cpu_send, window_s, 100),
        "server_cpu_per_delivery_us": _per(cpu_send, n["deliveries"], 1e6),
        "server_cpu_per_ack_us": _per(cpu_send, n["acks"], 1e6),
        "server_cpu_per_connect_us": _per(cpu_ramp, connected, 1e6),
        "server_rss_mb": None if rss_settled is None else round(rss_settled / 2**20, 1),
        "server_mem_per_conn_kb": (
            None
            if rss_before is None or rss_settled is None or not connected
            else round((rss_settled - rss_before) / connected / 1024, 2)
        ),
        "generator_saturated": sat["saturated"],
        "generator_cpu_max": max((w["cpu_mean"] for w in sat["workers"].values()), default=0.0),
        "send_s": round(send_s, 2),
        # How long deliveries kept arriving after the senders stopped: a backlog's size in time.
        "drain_s": round(max(t.get("end", 0) - t.get("sent", 0), 0.0), 2),
        **ramp_figures(rows, cpu("before", "ready"), ramp_s),
        **step_figures(coord),
        "generator_workers": len(coord.procs),
        "source_addresses": len(coord.sources) or 1,
    }
    own = coord.scenario.figures(extra, connected)
    summary.update(own)
    summary["lost"] += sum(v for k, v in own.items() if k.endswith("_lost") and isinstance(v, int))
    return {
        "summary": summary,
        "config": {
            **{k: (str(v) if k in ("seed", "out") else v) for k, v in vars(cfg).items()},
            "workers_started": len(coord.procs),
        },
        "environment": environment(coord),
        "times": {k: round(v, 3) for k, v in t.items()},
        "errors_by_code": rows.dicts["errors"],
        "closes_by_code": closes,
        "pushes": rows.dicts["pushes"],
        "scenario_counters": extra,
        "loss": loss.to_dict(),
        "generator": sat,
        "server": {
            "source": coord.probe.source,
            "samples": {k: (None if v is None else vars(v)) for k, v in s.items()},
        },
        "histograms": {k: h.to_dict() for k, h in totals.items()},
        "steps": {k: coord.steps[k].to_dict() for k in step_names(coord) if k in coord.steps},
        "series": rows.series(),
        "setup": {
            "synthetic": seed.synthetic,
            "users": len(seed.users),
            "circles": len(seed.circles),
            "setup_s": round(t.get("setup_s", 0.0), 2),
        },
        "notes": notes,
        "finished": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }


def ramp_figures(rows: Rows, cpu_ramp: float | None, ramp_s: float) -> dict[str, Any]:
    """What happened while the connections were being opened: the chat's delivery and ack
    p99 in those seconds (is the server still responsive while members arrive?) and its CPU."""
    lat, ack = Histogram(), Histogram()
    for row in rows.done:
        if row["phase"] == "ramp":
            lat.merge(row["latency"])
            ack.merge(row["ack"])
    return {
        "ramp_s": round(ramp_s, 2),
        "ramp_p99_ms": _ms(lat.percentile(99)),
        "ramp_ack_p99_ms": _ms(ack.percentile(99)),
        "ramp_server_cpu_pct": _per(cpu_ramp, ramp_s, 100),
    }


def step_names(coord: Coordinator) -> list[str]:
    """The scenario's steps in its order, then any other a worker recorded."""
    named = list(coord.scenario.steps)
    return named + sorted(set(coord.steps) - set(named))


def step_figures(coord: Coordinator) -> dict[str, Any]:
    """p50/p99 and count of every timed step: those the scenario names (None when it never
    happened, so a `--fail-if` on it breaches) and any other a worker recorded."""
    out: dict[str, Any] = {}
    for name in step_names(coord):
        h = coord.steps.get(name, Histogram())
        out[f"{name}_p50_ms"] = _ms(h.percentile(50))
        out[f"{name}_p99_ms"] = _ms(h.percentile(99))
        out[f"{name}_n"] = h.count
    return out


def environment(coord: Coordinator) -> dict[str, Any]:
    import websockets

    try:
        import uvloop

        uv: str | None = uvloop.__version__
    except ImportError:
        uv = None
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "host": platform.node(),
        "websockets": websockets.__version__,
        "uvloop": uv,
        "kernel": platform.release(),
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()
