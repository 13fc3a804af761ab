"""storm: the start of a live lesson — N members log in and open the same circle within a minute.

Each member, at its moment of the ramp (N over `--within` seconds), logs in over
HTTP (one password hash on the server), makes the HTTP reads a client makes on
opening a circle — the circle, its posts (the feed, pinned highlights first),
the must-reads, the last 50 messages — then connects, says hello, joins the
circle's chat and waits for its first message. Meanwhile the teacher (the
circle's owner, connected first) says something every `--teacher-period`
seconds and stars one of them every `--star-every`, which promotes it to a
highlight pushed to everyone. Each step is timed (`login_p99_ms`,
`circle_p99_ms`, `posts_p99_ms`, `must_reads_p99_ms`, `messages_p99_ms`,
`join_p99_ms`, `first_msg_p99_ms`); the chat's delivery p99 during the ramp
(`ramp_p99_ms`) says whether the server stayed responsive while it hashed.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import TYPE_CHECKING, Any

from .base import ConnSpec, Context, Layout, Scenario, conn_spec

if TYPE_CHECKING:
    from ..client import Client
    from ..seed import Seed

HISTORY = 50  # the last messages a client reads on opening a circle
LOGIN_TRIES = 30  # a 429 (the server's hashing queue is full) is retried after Retry-After

# The HTTP reads of opening a circle, in the client's order: (step, path after /api/v1).
READS: tuple[tuple[str, str], ...] = (
    ("circle", "/circles/{circle}"),
    ("posts", "/circles/{circle}/posts"),
    ("must_reads", "/me/must-read"),
    ("messages", f"/circles/{{circle}}/messages?limit={HISTORY}"),
)


class Storm(Scenario):
    name = "storm"
    summary = (
        "N members log in and open one circle within a minute, then join its chat "
        "while the teacher talks and stars: p50/p99 per step"
    )
    focus = "steps"
    steps = ("login", *(name for name, _ in READS), "join", "first_msg")
    open_cost_s = 0.25  # an argon2 verify on a loaded core

    @staticmethod
    def add_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--members",
            type=int,
            default=2000,
            help="members arriving besides the teacher (default %(default)s)",
        )
        p.add_argument(
            "--within",
            type=float,
            default=60.0,
            help="seconds over which they arrive, when --ramp is not given (default %(default)s)",
        )
        p.add_argument(
            "--teacher-period",
            type=float,
            default=0.5,
            help="seconds between two messages of the teacher (default %(default)s)",
        )
        p.add_argument(
            "--star-every",
            type=float,
            default=10.0,
            help="seconds between two stars of the teacher, each a highlight (default %(default)s)",
        )

    def connections(self) -> int:
        return int(self.opts["members"]) + 1

    def users(self) -> int:
        # Everyone logs in as themself: a user per member, and the teacher.
        return self.connections()

    def ramp_rate(self) -> float:
        return self.connections() / max(float(self.opts["within"]), 1e-3)

    def layout(self) -> Layout:
        return Layout(users=self.users(), circles=[list(range(self.users()))], kind="teaching")

    def plan(self, seed: Seed, urls: list[str]) -> list[ConnSpec]:
        from ..seed import SetupError

        if seed.synthetic:
            raise SetupError("storm logs members in over HTTP: it needs a Quanzi server")
        specs = [conn_spec(0, seed, urls, 0, "teacher", [0])]
        for i in range(1, self.connections()):
            spec = conn_spec(i, seed, urls, i, "member", [0])
            spec["handle"] = seed.users[i]["handle"]
            specs.append(spec)
        return specs

    # -- arriving: login and the reads of opening the circle
    async def arrive(self, ctx: Context, spec: ConnSpec) -> None:
        from ..seed import PASSWORD

        if spec["role"] != "member":
            return
        http = _http(ctx)
        base = f"{spec['http']}/api/v1"
        t0 = time.perf_counter_ns()
        for _ in range(LOGIN_TRIES):
            r = await http.post(
                f"{base}/auth/login", json={"handle": spec["handle"], "password": PASSWORD}
            )
            if r.status_code != 429:
                break
            ctx.stats.bump("login_busy")  # the hashing queue was full: as a client, wait
            await asyncio.sleep(float(r.headers.get("retry-after") or 1))
        if r.status_code != 200:
            raise ConnectionError(f"login: HTTP {r.status_code}")
        ctx.stats.record_step("login", (time.perf_counter_ns() - t0) // 1000)
        spec["token"] = r.json()["token"]
        auth = {"Authorization": f"Bearer {spec['token']}"}
        for step, path in READS:
            t0 = time.perf_counter_ns()
            r = await http.get(base + path.format(circle=spec["circle"]), headers=auth)
            if r.status_code != 200:
                raise ConnectionError(f"{step}: HTTP {r.status_code}")
            ctx.stats.record_step(step, (time.perf_counter_ns() - t0) // 1000)

    def joined(self, ctx: Context, client: Client, spec: ConnSpec) -> None:
        if spec["role"] == "teacher":
            ctx.keep(asyncio.ensure_future(self._teach(ctx, client, spec["circle"])))
            return
        at = time.time_ns()

        def first(now: int) -> None:
            ctx.stats.record_step("first_msg", (now - at) // 1000)

        client.on_next_msg = first

    # -- the teacher, from its join to the end of the sending phase
    async def _teach(self, ctx: Context, client: Client, circle: str) -> None:
        def say() -> None:
            if client.is_open:
                client.say(circle, ctx.text)

        await asyncio.gather(
            ctx.paced(1.0 / float(self.opts["teacher_period"]), say),
            self._stars(ctx, client, circle),
        )

    async def _stars(self, ctx: Context, client: Client, circle: str) -> None:
        from ..client import RequestFailed

        while await ctx.sleep(float(self.opts["star_every"])):
            ledger = client.ledgers.get(circle)
            if ledger is None or ledger.last == 0 or not client.is_open:
                continue
            try:
                await client.request({"t": "star", "circle": circle, "seq": ledger.last}, 30)
            except RequestFailed as exc:
                ctx.stats.count_error(f"star:{exc.code}")
                continue
            except (TimeoutError, ConnectionError):
                continue
            ctx.stats.bump("stars")

    def on_push(self, ctx: Context, client: Client, frame: dict[str, Any]) -> None:
        if frame.get("t") == "highlight":
            ctx.stats.bump("highlights_received")

    async def close(self, ctx: Context) -> None:
        for task in list(ctx.scratch.get("tasks", ())):
            task.cancel()
        http = ctx.scratch.pop("http", None)
        if http is not None:
            await http.aclose()


def _http(ctx: Context) -> Any:
    import httpx

    client = ctx.scratch.get("http")
    if client is None:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        client = ctx.scratch["http"] = httpx.AsyncClient(timeout=120, limits=limits)
    return client
