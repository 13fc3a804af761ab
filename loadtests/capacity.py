"""How many machines a community needs: pure arithmetic from per-core figures and a demand.

No I/O here: `figures.py` finds the figures (measured runs, or the committed
figures file), `planner.py` is the command. Every figure the plan uses is
either measured (with the run it came from) or assumed (its default below),
and the plan says which.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One per-core figure: what it is, its unit, and the value assumed when none was measured."""

    name: str
    what: str
    unit: str
    assumed: float


# The figures a plan uses. A new measured figure gets a row here (and, when a run
# produces it, an extractor in figures.py); until measured, its assumed value is used.
FIGURES: tuple[Figure, ...] = (
    Figure("delivery_cpu_us", "server CPU per fan-out delivery", "µs", 25.0),
    Figure("say_cpu_us", "server CPU per acknowledged say (stored, sequenced)", "µs", 100.0),
    Figure("conn_memory_kb", "server memory per idle connection after hello", "KB", 35.0),
    Figure("connect_cpu_us", "server CPU per connect + hello", "µs", 2000.0),
    Figure(
        "login_cpu_us",
        "server CPU per member arriving in a storm (login, reads, join)",
        "µs",
        150_000.0,
    ),
    Figure("process_base_mb", "memory of one server process before connections", "MB", 150.0),
    Figure("pg_writes_per_s", "acknowledged says/s one PostgreSQL primary takes", "/s", 6661.0),
    Figure(
        "redis_ops_per_shard",
        "pub/sub and presence operations/s one Redis shard takes",
        "/s",
        100_000.0,
    ),
    Figure(
        "conns_per_process", "connections one process holds (the open-file limit)", "", 20_000.0
    ),
)
BY_NAME = {f.name: f for f in FIGURES}


@dataclass(frozen=True)
class Assumptions:
    """Choices of the operator, not measurements."""

    headroom: float = 0.5  # plan cores, Redis and PostgreSQL to be at most this busy
    cores_per_node: int = 16
    memory_per_node_gb: float = 64.0
    audience: int = 200  # online members of the circle a message is said in
    highlight_audience: int = 0  # 0: the same as audience
    presence_per_member_s: float = 1 / 30  # presence refreshes per online member a second


@dataclass(frozen=True)
class Demand:
    members: int
    online: float  # the share of members connected at the busiest hour
    say_rate: float | None = None  # messages/s over the community (None: say_per_member)
    highlight_rate: float | None = None  # highlights/s over the community (None: 1 per 100 says)
    say_per_member_min: float = 0.2  # messages per online member a minute, when no say_rate

    @property
    def online_members(self) -> int:
        return round(self.members * self.online)

    def says_per_s(self) -> float:
        if self.say_rate is not None:
            return self.say_rate
        return self.online_members * self.say_per_member_min / 60

    def highlights_per_s(self) -> float:
        return self.highlight_rate if self.highlight_rate is not None else self.says_per_s() / 100


@dataclass(frozen=True)
class Measured:
    """A figure's value and where it came from (None: assumed)."""

    value: float
    source: str | None = None  # "file: run" for a measured one


@dataclass
class Plan:
    demand: Demand
    assumptions: Assumptions
    used: dict[str, Measured]
    rows: dict[str, float] = field(default_factory=dict)

    def __getitem__(self, key: str) -> float:
        return self.rows[key]


def resolve(measured: dict[str, Measured]) -> dict[str, Measured]:
    """Every figure of FIGURES: the measured one, else its assumed value (source None)."""
    return {f.name: measured.get(f.name) or Measured(f.assumed) for f in FIGURES}


def plan(demand: Demand, measured: dict[str, Measured], a: Assumptions | None = None) -> Plan:
    a = a or Assumptions()
    used = resolve(measured)
    v = {k: m.value for k, m in used.items()}
    online = demand.online_members
    says, highlights = demand.says_per_s(), demand.highlights_per_s()
    hl_audience = a.highlight_audience or a.audience
    deliveries = says * min(a.audience, online) + highlights * min(hl_audience, online)
    busy_cores = (deliveries * v["delivery_cpu_us"] + (says + highlights) * v["say_cpu_us"]) / 1e6
    cores = max(1, math.ceil(busy_cores / a.headroom))
    cores = max(cores, math.ceil(online / v["conns_per_process"]))  # one process a core
    memory_gb = (
        online * v["conn_memory_kb"] / 1e6 + cores * v["process_base_mb"] / 1e3
    ) / a.headroom
    nodes = max(math.ceil(cores / a.cores_per_node), math.ceil(memory_gb / a.memory_per_node_gb), 1)
    # Each publish reaches every node subscribed to its circle (at most all of them).
    redis_ops = (says + highlights) * (
        1 + min(nodes, a.audience)
    ) + online * a.presence_per_member_s
    writes = says + highlights
    rows = {
        "online": float(online),
        "says_per_s": says,
        "highlights_per_s": highlights,
        "deliveries_per_s": deliveries,
        "busy_cores": busy_cores,
        "cores": float(cores),
        "nodes": float(nodes),
        "memory_gb": memory_gb,
        "redis_ops_per_s": redis_ops,
        "redis_shards": float(
            max(1, math.ceil(redis_ops / (v["redis_ops_per_shard"] * a.headroom)))
        ),
        "pg_writes_per_s": writes,
        "pg_primaries": float(max(1, math.ceil(writes / (v["pg_writes_per_s"] * a.headroom)))),
        # After a restart of everything, every member reconnects: CPU seconds over all cores.
        "reconnect_all_s": online * v["connect_cpu_us"] / 1e6 / cores,
        "arrive_all_s": online * v["login_cpu_us"] / 1e6 / cores,
    }
    return Plan(demand, a, used, rows)


def _n(x: float) -> str:
    if x >= 100 or x == int(x):
        return f"{x:,.0f}"
    return f"{x:,.1f}" if x >= 10 else f"{x:,.2f}"


def render(p: Plan) -> str:
    """The plan, then its sources."""
    d, a, r = p.demand, p.assumptions, p.rows
    lines = [
        f"Plan for {d.members:,} members, {d.online:.0%} online ({_n(r['online'])}): "
        f"{_n(r['says_per_s'])} says/s, {_n(r['highlights_per_s'])} highlights/s, "
        f"{_n(r['deliveries_per_s'])} deliveries/s",
        f"  nodes                {_n(r['nodes']):>10}   ({a.cores_per_node} cores, "
        f"{a.memory_per_node_gb:g} GB each)",
        f"  cores (processes)    {_n(r['cores']):>10}   ({_n(r['busy_cores'])} busy at "
        f"{a.headroom:.0%} headroom)",
        f"  memory               {_n(r['memory_gb']):>10} GB",
        f"  Redis shards         {_n(r['redis_shards']):>10}   ({_n(r['redis_ops_per_s'])} ops/s)",
        f"  PostgreSQL writes/s  {_n(r['pg_writes_per_s']):>10}   "
        f"({_n(r['pg_primaries'])} primary{'' if r['pg_primaries'] == 1 else ' (partition circles)'})",
        f"  everyone reconnects  {_n(r['reconnect_all_s']):>10} s of all cores after a full restart",
        f"  everyone logs in     {_n(r['arrive_all_s']):>10} s of all cores (a storm of all members)",
        sources(p),
    ]
    return "\n".join(lines)


def sources(p: Plan) -> str:
    """The figures a plan used (measured: from which run; else assumed), and its assumptions."""
    d, a = p.demand, p.assumptions
    lines = ["figures:"]
    for f in FIGURES:
        m = p.used[f.name]
        src = f"measured: {m.source}" if m.source else "ASSUMED (no measurement yet)"
        lines.append(f"  {f.name:<20} {_n(m.value):>10} {f.unit:<3} {f.what}; {src}")
    lines.append(
        f"assumptions: headroom {a.headroom:.0%}; audience {a.audience} online members per "
        f"message, {a.highlight_audience or a.audience} per highlight; presence "
        f"{a.presence_per_member_s:.3g} ops per online member a second; "
        + (
            "says/s as given"
            if d.say_rate is not None
            else f"{d.say_per_member_min:g} messages per online member a minute"
        )
        + (
            "; highlights/s as given"
            if d.highlight_rate is not None
            else "; 1 highlight per 100 says"
        )
    )
    return "\n".join(lines)


def table(plans: list[Plan]) -> str:
    """A markdown sizing table, one row per plan (the README's)."""
    lines = [
        "| members online | says/s | deliveries/s | nodes | cores | memory (GB) | Redis shards "
        "| PostgreSQL writes/s | reconnect all (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in plans:
        r = p.rows
        lines.append(
            "| "
            + " | ".join(
                _n(r[k])
                for k in (
                    "online",
                    "says_per_s",
                    "deliveries_per_s",
                    "nodes",
                    "cores",
                    "memory_gb",
                    "redis_shards",
                    "pg_writes_per_s",
                    "reconnect_all_s",
                )
            )
            + " |"
        )
    return "\n".join(lines)


def as_dict(p: Plan) -> dict[str, Any]:
    return {
        "rows": p.rows,
        "figures": {k: {"value": m.value, "source": m.source} for k, m in p.used.items()},
    }
