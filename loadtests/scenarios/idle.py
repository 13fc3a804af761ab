"""idle: N connections that say hello and then hold still: connect rate, memory per connection.

With `--highlights K` every user is a member of one circle, and during the
sending phase its owner (connection 0) says a message and stars it K times,
`--highlight-every` seconds apart: an owner's star promotes at once, and the
`highlight` push goes to every connected member whether or not it joined the
chat. Each push is a delivery; its latency runs from the moment the owner sent
the say (the time travels in the message's text, which the promoted post
carries) to its arrival, so it holds the say's commit and the star's round trip
too (`highlight_star_after_ms`, the owner's own wait, says how much). Every
connection must get every highlight exactly once: what is missing is counted
in `highlights_lost` and in `lost`.

With ``--join K``: each connection, after hello, joins the chat of one of K
circles (connection i: circle i mod K, its user a member of it), as members do
after a node restart: the server CPU per connect then covers hello and join.
The two are separate layouts: a run takes one of them.
"""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, Any

from ..client import RequestFailed
from .base import ConnSpec, Context, Layout, Scenario, conn_spec

if TYPE_CHECKING:
    from ..client import Client
    from ..seed import Seed

MARK = "highlight@"  # the message text: MARK + the say's send time in ns


class Idle(Scenario):
    name = "idle"
    summary = "N idle connections after hello: connect rate, server CPU per connect, memory per connection"
    focus = "connects"

    @staticmethod
    def add_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--connections",
            type=int,
            default=10000,
            help="connections to open and hold (default %(default)s)",
        )
        p.add_argument(
            "--highlights",
            type=int,
            default=0,
            help="highlights the owner of one circle of every user pushes to all of them "
            "during the sending phase (default %(default)s)",
        )
        p.add_argument(
            "--highlight-every",
            type=float,
            default=5.0,
            help="seconds before each highlight (default %(default)s; --duration must "
            "hold them all)",
        )
        p.add_argument(
            "--join",
            type=int,
            default=0,
            metavar="K",
            help="each connection joins the chat of one of K circles after hello "
            "(0: none; default %(default)s; not with --highlights)",
        )

    def connections(self) -> int:
        return int(self.opts["connections"])

    def highlights(self) -> int:
        return int(self.opts.get("highlights") or 0)

    def _circles(self) -> int:
        """K of `--join` (0: no joins)."""
        return max(0, min(int(self.opts.get("join") or 0), self.connections()))

    def layout(self) -> Layout:
        n, k, u = self.connections(), self._circles(), self.users()
        if self.highlights():
            if k:
                raise SystemExit("idle: --highlights and --join are separate layouts; use one")
            return Layout(users=u, circles=[list(range(u))])
        # Circle c: the users of connections c, c+K, c+2K…
        circles = [list(dict.fromkeys(i % u for i in range(c, n, k))) for c in range(k)]
        return Layout(users=u, circles=circles)

    def plan(self, seed: Seed, urls: list[str]) -> list[ConnSpec]:
        u, k = self.users(), self._circles()
        if not self.highlights():
            return [
                conn_spec(i, seed, urls, i % u, "idle", join=[i % k] if k else None)
                for i in range(self.connections())
            ]
        specs = [conn_spec(i, seed, urls, i % u, "idle") for i in range(self.connections())]
        for spec in specs:  # members get highlights without joining the chat
            spec["circle"] = seed.circles[0]["id"]
        specs[0]["role"] = "owner"
        return specs

    async def drive(self, ctx: Context, client: Client, spec: ConnSpec) -> None:
        if spec["role"] != "owner":
            return
        circle = spec["circle"]
        for _ in range(self.highlights()):
            if not await ctx.sleep(float(self.opts["highlight_every"])):
                return
            sent = time.time_ns()
            try:
                ok = await client.say_and_wait(circle, f"{MARK}{sent}")
                if ok.get("t") != "ok":
                    ctx.stats.count_error(f"highlight_say:{ok.get('code')}")
                    continue
                await client.request({"t": "star", "circle": circle, "seq": ok["seq"]})
            except RequestFailed as exc:
                ctx.stats.count_error(f"highlight_star:{exc.code}")
                continue
            except (TimeoutError, ConnectionError) as exc:
                ctx.stats.count_error(f"highlight:{type(exc).__name__}")
                continue
            ctx.stats.bump("highlights_made")
            ctx.stats.bump("highlight_star_after_us", (time.time_ns() - sent) // 1000)

    def on_push(self, ctx: Context, client: Client, frame: dict[str, Any]) -> None:
        if frame.get("t") != "highlight" or frame.get("action") != "promoted":
            return
        post = frame.get("post") or {}
        text = str(post.get("text") or "")
        if not text.startswith(MARK):
            return
        seen: dict[int, set[str]] = ctx.scratch.setdefault("seen", {})
        mine = seen.setdefault(client.index, set())
        if post.get("id") in mine:
            ctx.stats.bump("highlight_duplicated")
            return
        mine.add(str(post.get("id")))
        ctx.stats.bump("highlight_deliveries")
        ctx.stats.deliveries += 1
        try:
            sent = int(text[len(MARK) :])
        except ValueError:
            return
        ctx.stats.latency_us.record(max(0, (time.time_ns() - sent) // 1000))

    def figures(self, counters: dict[str, int], connected: int) -> dict[str, Any]:
        if not self.highlights():
            return {}
        made = counters.get("highlights_made", 0)
        got = counters.get("highlight_deliveries", 0)
        star_after = counters.get("highlight_star_after_us", 0)
        return {
            "highlights": made,
            "highlight_deliveries": got,
            "highlights_lost": max(0, made * connected - got),
            "highlight_duplicated": counters.get("highlight_duplicated", 0),
            "highlight_star_after_ms": round(star_after / made / 1000, 2) if made else None,
        }
