"""fanout: one circle of N members, S of them sending R messages a second each."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .base import ConnSpec, Context, Layout, Scenario, conn_spec

if TYPE_CHECKING:
    from ..client import Client
    from ..seed import Seed


class Fanout(Scenario):
    name = "fanout"
    summary = "one circle of N members; S senders at R msgs/s each; every member gets every message"

    @staticmethod
    def add_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--members",
            type=int,
            default=1000,
            help="connections joined to the circle (default %(default)s)",
        )
        p.add_argument(
            "--senders", type=int, default=1, help="how many of them send (default %(default)s)"
        )
        p.add_argument(
            "--rate",
            type=float,
            default=20.0,
            help="messages per second per sender (default %(default)s)",
        )

    def connections(self) -> int:
        return int(self.opts["members"])

    def users(self) -> int:
        # Senders need users of their own: the server's rate limit is per user.
        return max(super().users(), min(int(self.opts["senders"]), self.connections()))

    def layout(self) -> Layout:
        u = self.users()
        return Layout(users=u, circles=[list(range(u))])

    def plan(self, seed: Seed, urls: list[str]) -> list[ConnSpec]:
        u, senders = self.users(), int(self.opts["senders"])
        return [
            conn_spec(i, seed, urls, i % u, "sender" if i < senders else "member", [0])
            for i in range(self.connections())
        ]

    def offered_rate(self) -> float:
        senders = min(int(self.opts["senders"]), self.connections())
        return senders * float(self.opts["rate"]) * self.connections()

    async def drive(self, ctx: Context, client: Client, spec: ConnSpec) -> None:
        if spec["role"] != "sender":
            return
        circle = spec["circle"]

        def send() -> None:
            if client.is_open:
                client.say(circle, ctx.text)

        await ctx.paced(float(self.opts["rate"]), send)
