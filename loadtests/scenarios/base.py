"""What a scenario is: a layout to set up, a plan of connections, and what each does.

The coordinator asks a scenario for its `layout` (users, and circles with their
members) to create over HTTP, then for its `plan`: one `ConnSpec` per
connection. Each worker builds the same scenario from the same options and
calls `drive` for each of its connections during the sending phase.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ..client import Client
    from ..seed import Seed
    from ..stats import Stats


@dataclass
class Layout:
    users: int
    circles: list[list[int]] = field(default_factory=list)  # members (user indexes), owner first
    kind: str = "community"
    # Chat groups of the first circle besides general: each a list of its members'
    # indexes in that circle's member list (the owner creates them and is in all).
    groups: list[list[int]] = field(default_factory=list)

    def key(self) -> str:
        """Identifies the layout, so a seed file is only reused for the same one."""
        sizes = ",".join(str(len(c)) for c in self.circles[:4])
        key = f"users={self.users};circles={len(self.circles)};first={sizes};kind={self.kind}"
        if self.groups:
            key += f";groups={len(self.groups)}x{len(self.groups[0])}"
        return key


ConnSpec = dict[str, Any]  # i, url, http, user, token, join, circle, group, role


@dataclass
class Context:
    """What `drive` may use in a worker."""

    worker: int
    opts: dict[str, Any]
    stats: Stats
    stop: asyncio.Event
    clients: dict[int, Client]
    rng: random.Random
    text: str
    specs: dict[int, ConnSpec] = field(default_factory=dict)
    scratch: dict[str, Any] = field(default_factory=dict)  # a scenario's own state in this worker

    def stopped(self) -> bool:
        return self.stop.is_set()

    def keep(self, task: asyncio.Future[Any]) -> None:
        """Hold a task a scenario started (in `scratch["tasks"]`) until it ends."""
        tasks: set[asyncio.Future[Any]] = self.scratch.setdefault("tasks", set())
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def sleep(self, seconds: float) -> bool:
        """Sleep unless stopped first; False when the sending phase is over."""
        if seconds <= 0:
            return not self.stop.is_set()
        try:
            await asyncio.wait_for(self.stop.wait(), seconds)
        except TimeoutError:
            return True
        return False

    async def paced(self, rate: float, send: Any) -> None:
        """Call send() `rate` times a second on an absolute schedule (open loop: a slow
        reply never delays the next send) until the phase ends."""
        if rate <= 0:
            return
        interval = 1.0 / rate
        loop = asyncio.get_running_loop()
        start = loop.time() + self.rng.random() * interval
        k = 0
        while not self.stop.is_set():
            due = start + k * interval
            late = loop.time() - due
            if late > 1.0:
                self.stats.notes.add(
                    "a sender fell more than 1 s behind its schedule "
                    "(generator saturated or the server pushes back)"
                )
                k += int(late / interval)  # skip what cannot be sent on time any more
                continue
            if not await self.sleep(due - loop.time()):
                return
            send()
            k += 1


class Scenario:
    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    # Which figures the report leads with: "deliveries", "acks" or "connects".
    focus: ClassVar[str] = "deliveries"
    # Timed steps the report shows p50/p99 of (`login_p99_ms`…), recorded by `Stats.record_step`.
    steps: ClassVar[tuple[str, ...]] = ()
    # Server seconds opening one connection may take at worst, one after another (a login's
    # password hash): the ramp's time budget grows by this much per connection.
    open_cost_s: ClassVar[float] = 0.0

    def __init__(self, opts: dict[str, Any]) -> None:
        self.opts = opts

    @staticmethod
    def add_options(p: argparse.ArgumentParser) -> None:
        """Scenario-specific options."""

    def connections(self) -> int:
        raise NotImplementedError

    def users(self) -> int:
        return max(1, min(self.connections(), int(self.opts.get("users") or 100)))

    def layout(self) -> Layout:
        raise NotImplementedError

    def plan(self, seed: Seed, urls: list[str]) -> list[ConnSpec]:
        raise NotImplementedError

    def ramp_rate(self) -> float | None:
        """Connections per second when `--ramp` is not given (None: the harness's default)."""
        return None

    def offered_rate(self) -> float | None:
        """Deliveries per second the senders aim at, when the scenario defines it."""
        return None

    async def arrive(self, ctx: Context, spec: ConnSpec) -> None:
        """Before connection `spec` opens, in the ramp (default: nothing); may set its token."""

    def joined(self, ctx: Context, client: Client, spec: ConnSpec) -> None:
        """After connection `spec` said hello and joined its circles, in the ramp."""

    async def drive(self, ctx: Context, client: Client, spec: ConnSpec) -> None:
        """What one connection does during the sending phase (default: nothing)."""

    def figures(self, counters: dict[str, int], connected: int) -> dict[str, Any]:
        """The scenario's own summary figures, from its counters summed over the workers;
        an int under a name ending in `_lost` is added to `lost` too."""
        return {}

    def on_push(self, ctx: Context, client: Client, frame: dict[str, Any]) -> None:
        """A push other than msg (highlight, presence, bye…)."""

    async def close(self, ctx: Context) -> None:
        """Release what `drive` opened in this worker."""


def conn_spec(
    i: int,
    seed: Seed,
    urls: list[str],
    user: int,
    role: str = "member",
    join: list[int] | None = None,
    group: int | None = None,
) -> ConnSpec:
    """Connection i: its node (round-robin over the URLs), user, circles to join,
    and the chat group of the first circle it chats in (None: general)."""
    from ..seed import http_base

    url = urls[i % len(urls)]
    circles = [seed.circles[c]["id"] for c in (join or [])]
    group_id = None if group is None else seed.circles[(join or [0])[0]]["groups"][group]
    return {
        "i": i,
        "url": url,
        "http": http_base(url),
        "user": user,
        "token": seed.users[user]["token"],
        "join": circles,
        "circle": circles[0] if circles else None,
        "group": group_id,
        "role": role,
    }


def text_of(size: int) -> str:
    base = "load test · 负载测试 · "
    return (base * (size // len(base) + 1))[:size] if size > 0 else "x"


def now_ms() -> int:
    return time.time_ns() // 1_000_000
