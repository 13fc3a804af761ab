"""`python -m loadtests plan …`: how many nodes, cores, memory, Redis shards and PostgreSQL
writes a community needs, from the figures this machine measured (figures.py) and the
arithmetic of capacity.py; `--record` writes the figures file from the newest results."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from . import capacity, figures


def _number(kind: type, low: float, high: float | None = None) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            v = kind(text.replace(",", "").replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if v < low or (high is not None and v > high):
            span = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
            raise argparse.ArgumentTypeError(f"{text} is out of range: {span}")
        return v

    return parse


def add_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("the community")
    g.add_argument("--members", type=_number(int, 1), help="members of the community")
    g.add_argument(
        "--online",
        type=_number(float, 1e-6, 1.0),
        default=0.3,
        help="share of them connected at the busiest hour (default %(default)s)",
    )
    g.add_argument(
        "--say-rate",
        type=_number(float, 0),
        help="messages per second over the community (default: --say-per-member)",
    )
    g.add_argument(
        "--say-per-member",
        type=_number(float, 0),
        default=0.2,
        help="messages per online member a minute, when no --say-rate (default %(default)s)",
    )
    g.add_argument(
        "--highlight-rate",
        type=_number(float, 0),
        help="highlights per second over the community (default: one per 100 messages)",
    )
    g.add_argument(
        "--audience",
        type=_number(int, 1),
        default=200,
        help="online members of the circle a message is said in (default %(default)s)",
    )
    g.add_argument(
        "--highlight-audience",
        type=_number(int, 1),
        help="online members a highlight reaches (default: --audience)",
    )
    g = p.add_argument_group("the machines")
    g.add_argument(
        "--headroom",
        type=_number(float, 0.05, 1.0),
        default=0.5,
        help="the busiest share of a core, shard or database to plan for (default %(default)s)",
    )
    g.add_argument("--cores-per-node", type=_number(int, 1), default=16)
    g.add_argument("--memory-per-node", type=_number(float, 0.5), default=64.0, metavar="GB")
    g = p.add_argument_group("figures")
    g.add_argument(
        "--results",
        type=Path,
        default=Path(__file__).resolve().parent / "results",
        help="where measured runs are read from, newest first (default loadtests/results/)",
    )
    g.add_argument(
        "--figures",
        type=Path,
        default=figures.FIGURES_FILE,
        help="the committed figures, for what no result holds (default loadtests/figures.json)",
    )
    g.add_argument(
        "--record",
        action="store_true",
        help="write --figures from the newest results (keeping figures they do not hold)",
    )
    g.add_argument(
        "--table",
        metavar="ONLINE/ONLINE/…",
        help="a markdown sizing table, one row per number of members online, e.g. 10000/100000/1000000",
    )
    g.add_argument("--json", action="store_true", help="the plan as JSON")


def main(args: argparse.Namespace) -> int:
    try:
        measured = (
            figures.record(args.results, args.figures)
            if args.record
            else figures.gather(args.results, args.figures)
        )
    except (OSError, ValueError) as exc:
        print(f"cannot read the figures: {exc}", file=sys.stderr)
        return 2
    if args.record:
        print(f"{args.figures}: {len(measured)} measured figures recorded")
        for name, m in sorted(measured.items()):
            print(f"  {name} = {m.value:g} ({m.source})")
        if args.members is None and args.table is None:
            return 0
    a = capacity.Assumptions(
        headroom=args.headroom,
        cores_per_node=args.cores_per_node,
        memory_per_node_gb=args.memory_per_node,
        audience=args.audience,
        highlight_audience=args.highlight_audience or 0,
    )

    def demand(members: int, online: float) -> capacity.Demand:
        return capacity.Demand(
            members,
            online,
            say_rate=args.say_rate,
            highlight_rate=args.highlight_rate,
            say_per_member_min=args.say_per_member,
        )

    if args.table:
        try:
            sizes = [int(_number(int, 1)(t)) for t in args.table.split("/") if t]
        except argparse.ArgumentTypeError as exc:
            print(f"--table: {exc}", file=sys.stderr)
            return 2
        plans = [capacity.plan(demand(n, 1.0), measured, a) for n in sizes]
        print(capacity.table(plans))
        print()
        print(capacity.sources(plans[-1]))
        return 0
    if args.members is None:
        print("plan needs --members N (or --table, or --record)", file=sys.stderr)
        return 2
    p = capacity.plan(demand(args.members, args.online), measured, a)
    print(json.dumps(capacity.as_dict(p), indent=1) if args.json else capacity.render(p))
    return 0
