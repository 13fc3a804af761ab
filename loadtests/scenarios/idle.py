"""idle: N connections that say hello and then hold still: connect rate, memory per connection."""

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

    def connections(self) -> int:
        return int(self.opts["connections"])

    def layout(self) -> Layout:
        return Layout(users=self.users(), circles=[])

    def plan(self, seed: Seed, urls: list[str]) -> list[ConnSpec]:
        u = self.users()
        return [conn_spec(i, seed, urls, i % u, "idle") for i in range(self.connections())]
