"""durable: many senders, each sending its next message as soon as the last one is acknowledged.

An `ok` comes only after the message is committed, so acknowledged says per
second is the store's sustained write rate, and ack latency its commit latency
under that load. The senders do not join the chat streams: only writes are measured.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from ..client import RequestFailed
from .base import ConnSpec, Context, Layout, Scenario, conn_spec

if TYPE_CHECKING:
    from ..client import Client
    from ..seed import Seed


class Durable(Scenario):
    name = "durable"
    summary = "S closed-loop senders: acknowledged (committed) says per second and ack latency"
    focus = "acks"

    @staticmethod
    def add_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--senders", type=int, default=200, help="sending connections (default %(default)s)"
        )
        p.add_argument(
            "--circles",
            type=int,
            default=10,
            help="circles the senders are spread over (default %(default)s)",
        )
        p.add_argument(
            "--inflight",
            type=int,
            default=1,
            help="says each sender keeps in flight (default %(default)s)",
        )

    def connections(self) -> int:
        return int(self.opts["senders"])

    def _circles(self) -> int:
        return max(1, min(int(self.opts["circles"]), self.connections()))

    def users(self) -> int:
        return max(super().users(), self._circles())

    def layout(self) -> Layout:
        c, u = self._circles(), self.users()
        circles = [
            list(dict.fromkeys(i % u for i in range(k, self.connections(), c))) for k in range(c)
        ]
        return Layout(users=u, circles=circles)

    def plan(self, seed: Seed, urls: list[str]) -> list[ConnSpec]:
        c, u = self._circles(), self.users()
        specs = []
        for i in range(self.connections()):
            spec = conn_spec(i, seed, urls, i % u, "sender", [i % c])
            spec["stream"] = False  # say without joining the chat stream
            specs.append(spec)
        return specs

    async def drive(self, ctx: Context, client: Client, spec: ConnSpec) -> None:
        circle = spec["circle"]

        async def loop() -> None:
            while not ctx.stopped() and client.is_open:
                try:
                    reply = await client.say_and_wait(circle, ctx.text)
                except (TimeoutError, ConnectionError):
                    return
                if reply.get("t") == "error":
                    if reply.get("code") == "rate_limited":
                        ctx.stats.notes.add(
                            "the server rate-limited says: raise "
                            "QUANZI_SAY_RATE_PER_S / QUANZI_SAY_BURST for load tests"
                        )
                        if not await ctx.sleep(0.1):
                            return
                    else:
                        raise RequestFailed(reply)

        await asyncio.gather(*(loop() for _ in range(max(1, int(self.opts["inflight"])))))
