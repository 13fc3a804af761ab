"""rooms: N connections in circles of M, each member sending one message every P seconds.

With ``--groups G``: one circle whose chat is G groups of N/G connections,
each connection chatting in its group: the same fan-out per message as
circles of N/G, through one circle's groups. As everywhere here, connections
share users round-robin (a user in several groups, one connection in each), so
the circle has ``--users`` members (at least N/G), not N.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .base import ConnSpec, Context, Layout, Scenario, conn_spec

if TYPE_CHECKING:
    from ..client import Client
    from ..seed import Seed


class Rooms(Scenario):
    name = "rooms"
    summary = "N connections in circles of M; every member says something every P seconds"

    @staticmethod
    def add_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--connections", type=int, default=2000, help="connections in all (default %(default)s)"
        )
        p.add_argument(
            "--circle-size", type=int, default=10, help="members per circle (default %(default)s)"
        )
        p.add_argument(
            "--groups",
            type=int,
            default=0,
            help="one circle of all connections in this many chat groups, each member "
            "chatting in its own (0: circles of --circle-size; default %(default)s)",
        )
        p.add_argument(
            "--period",
            type=float,
            default=5.0,
            help="seconds between two messages of one member (default %(default)s)",
        )

    def connections(self) -> int:
        return int(self.opts["connections"])

    def _groups(self) -> int:
        return max(0, int(self.opts.get("groups") or 0))

    def _size(self) -> int:
        """Members per chat: per circle, or per group with --groups."""
        if self._groups():
            return max(1, -(-self.connections() // self._groups()))
        return max(1, int(self.opts["circle_size"]))

    def users(self) -> int:
        # Members of one circle (or group) are distinct users, so never fewer users
        # than a circle (or group) holds.
        return max(super().users(), min(self._size(), self.connections()))

    def layout(self) -> Layout:
        n, m, u = self.connections(), self._size(), self.users()
        if self._groups():
            # Group g holds the users of connections g*m … g*m+m-1 (distinct: u >= m).
            groups = [
                list(dict.fromkeys(i % u for i in range(start, min(n, start + m))))
                for start in range(0, n, m)
            ]
            return Layout(users=u, circles=[list(range(u))], groups=groups)
        circles = []
        for start in range(0, n, m):
            members = list(dict.fromkeys(i % u for i in range(start, min(n, start + m))))
            circles.append(members)
        return Layout(users=u, circles=circles)

    def plan(self, seed: Seed, urls: list[str]) -> list[ConnSpec]:
        m, u = self._size(), self.users()
        if self._groups():
            return [
                conn_spec(i, seed, urls, i % u, "sender", [0], group=i // m)
                for i in range(self.connections())
            ]
        return [
            conn_spec(i, seed, urls, i % u, "sender", [i // m]) for i in range(self.connections())
        ]

    def offered_rate(self) -> float:
        n, m = self.connections(), self._size()
        full, rest = divmod(n, m)
        # each message reaches every member of its circle
        return (full * m * m + rest * rest) / float(self.opts["period"])

    async def drive(self, ctx: Context, client: Client, spec: ConnSpec) -> None:
        circle, group = spec["circle"], spec.get("group")

        def send() -> None:
            if client.is_open:
                client.say(circle, ctx.text, group)

        await ctx.paced(1.0 / float(self.opts["period"]), send)
