"""idle: N connections that say hello and then hold still: connect rate, memory per connection.

With ``--join K``: each connection, after hello, joins the chat of one of K
circles (connection i: circle i mod K, its user a member of it), as members do
after a node restart: the server CPU per connect then covers hello and join.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .base import ConnSpec, Layout, Scenario, conn_spec

if TYPE_CHECKING:
    from ..seed import Seed


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
            "--join",
            type=int,
            default=0,
            metavar="K",
            help="each connection joins the chat of one of K circles after hello "
            "(0: none; default %(default)s)",
        )

    def connections(self) -> int:
        return int(self.opts["connections"])

    def _circles(self) -> int:
        return max(0, min(int(self.opts.get("join") or 0), self.connections()))

    def layout(self) -> Layout:
        n, k, u = self.connections(), self._circles(), self.users()
        # Circle c: the users of connections c, c+K, c+2K…
        circles = [list(dict.fromkeys(i % u for i in range(c, n, k))) for c in range(k)]
        return Layout(users=u, circles=circles)

    def plan(self, seed: Seed, urls: list[str]) -> list[ConnSpec]:
        u, k = self.users(), self._circles()
        return [
            conn_spec(i, seed, urls, i % u, "idle", join=[i % k] if k else None)
            for i in range(self.connections())
        ]
