"""`python -m loadtests run SCENARIO …`, `baseline`, `bench`, `seed`, `uploads`, `checkins`, `stars`, `plan`: the operator's interface.

Exit status: 0 when the run passed every `--fail-if`, 1 when one was breached,
2 for bad usage, 3 when the run itself failed (server unreachable, setup refused).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import slo
from .runner import RESULTS_DIR, RunConfig
from .scenarios import SCENARIOS

EXIT_OK, EXIT_SLO, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def _common(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("target and setup")
    g.add_argument(
        "--url",
        action="append",
        required=True,
        metavar="WS_URL",
        help="ws://host:port/ws of a node; repeat to spread clients over nodes",
    )
    g.add_argument(
        "--users",
        type=int,
        default=100,
        help="distinct users the connections share round-robin; each costs the server "
        "a signup (default %(default)s)",
    )
    g.add_argument(
        "--seed",
        type=Path,
        metavar="FILE",
        help="reuse users and circles from FILE, or create them and save them there",
    )
    g.add_argument(
        "--no-setup",
        action="store_true",
        default=None,
        help="no HTTP setup: synthetic tokens and circle ids (automatic for the baseline)",
    )
    g.add_argument(
        "--bulk-db",
        metavar="DATABASE_URL",
        help="the server's own database (its QUANZI_DATABASE_URL, e.g. "
        "postgresql+asyncpg://…): users, their tokens and memberships are inserted there "
        "in bulk, one password hash for all, instead of one signup and one join each",
    )
    g = p.add_argument_group("load generation")
    g.add_argument(
        "--codec",
        choices=("msgpack", "json"),
        default="msgpack",
        help="wire format (default %(default)s)",
    )
    g.add_argument(
        "--workers", type=int, default=0, help="generator processes (default: one per usable CPU)"
    )
    g.add_argument(
        "--source-addresses",
        dest="sources",
        type=_sources,
        metavar="N|A,B,…",
        help="connect from N loopback addresses (127.0.0.2 …) or from these addresses, "
        "round-robin (default: as many as the ephemeral ports need, none below ~25,000)",
    )
    g.add_argument(
        "--cpus",
        type=lambda s: [int(c) for c in s.split(",")],
        metavar="LIST",
        help="pin the generator's workers to these CPUs, e.g. 1 or 2,3",
    )
    g.add_argument(
        "--ramp",
        type=float,
        default=None,
        help="new connections per second, over all workers; 0 = as fast as possible "
        "(default: the scenario's, else 1000)",
    )
    g.add_argument(
        "--open-concurrency",
        type=int,
        default=100,
        help="connections being opened at once, over all workers (default %(default)s)",
    )
    g.add_argument(
        "--duration",
        type=float,
        default=30.0,
        help="seconds of the sending phase (default %(default)s)",
    )
    g.add_argument(
        "--settle",
        type=float,
        default=2.0,
        help="seconds between the ramp and the sending phase (default %(default)s)",
    )
    g.add_argument(
        "--drain",
        type=float,
        default=10.0,
        help="at most this many seconds to wait for deliveries after the senders "
        "stop (default %(default)s)",
    )
    g.add_argument(
        "--text-size",
        type=int,
        default=64,
        help="characters per chat message (default %(default)s)",
    )
    g.add_argument(
        "--client",
        choices=("lean", "websockets"),
        default="lean",
        help="WebSocket client: the harness's lean one, or websockets.asyncio.client "
        "(default %(default)s)",
    )
    g.add_argument(
        "--reconnect",
        action="store_true",
        help="reconnect and rejoin with since after a 1012/4009/1006 close, as the "
        "contract asks of clients (default: count the disconnect and stop)",
    )
    g.add_argument(
        "--no-uvloop",
        dest="uvloop",
        action="store_false",
        help="plain asyncio event loop in the workers",
    )
    g = p.add_argument_group("measuring and reporting")
    g.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        metavar="PID",
        help="read server CPU and memory from this local process instead of /metrics "
        "(repeat for several nodes)",
    )
    g.add_argument(
        "--lag-threshold-ms",
        type=float,
        default=50.0,
        help="generator event-loop lag that counts as saturation (default %(default)s)",
    )
    output_options(g, "p99_ms>200' or 'lost>0")


def _sources(value: str) -> list[str] | int:
    from .spread import parse_sources

    try:
        return parse_sources(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def output_options(g: Any, example: str) -> None:
    """--fail-if, --out, --label, --quiet: what every command that reports takes."""
    g.add_argument(
        "--fail-if",
        action="append",
        default=[],
        metavar="EXPR",
        help=f"exit 1 when EXPR holds, e.g. '{example}' (repeatable)",
    )
    g.add_argument(
        "--out",
        type=Path,
        default=RESULTS_DIR,
        help="where the reports go (default loadtests/results/)",
    )
    g.add_argument("--label", default="", help="a word added to the report's name and title")
    g.add_argument("--quiet", action="store_true", help="no progress line")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m loadtests",
        description="Load tests for Quanzi: drive real servers over real sockets.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one scenario against one or more nodes")
    scen = run.add_subparsers(dest="scenario", required=True, metavar="SCENARIO")
    seed = sub.add_parser(
        "seed", help="only create a scenario's users and circles into --seed FILE"
    )
    seed_scen = seed.add_subparsers(dest="scenario", required=True, metavar="SCENARIO")
    for name, cls in SCENARIOS.items():
        for parent in (scen, seed_scen):
            p = parent.add_parser(name, help=cls.summary, description=cls.summary)
            g = p.add_argument_group(f"{name} sizes")
            cls.add_options(g)  # type: ignore[arg-type]
            _common(p)

    base = sub.add_parser("baseline", help="serve the minimal relay (the Python floor)")
    base.add_argument("--host", default="127.0.0.1")
    base.add_argument("--port", type=int, default=8765)

    from .bench import add_options as bench_options

    bench = sub.add_parser("bench", help="Quanzi against the floor, same run, ratios (make bench)")
    bench_options(bench)

    from .uploads import add_options as uploads_options

    uploads = sub.add_parser(
        "uploads",
        help="N members uploading a file each at once to a server of its own: MB/s, "
        "server CPU per MB and RSS, every blob verified",
    )
    uploads_options(uploads)

    from .checkins import add_options as checkins_options

    checkins = sub.add_parser(
        "checkins",
        help="N members of one challenge checking in within the same second, on a server "
        "of its own: acknowledged check-ins/s, p50/p99 latency, boards checked afterwards",
    )
    checkins_options(checkins)

    from .planner import add_options as plan_options

    plan = sub.add_parser(
        "plan",
        help="nodes, cores, memory, Redis shards and PostgreSQL writes a community needs, "
        "from the figures measured here",
    )
    plan_options(plan)

    from .stars import add_options as stars_options

    stars = sub.add_parser(
        "stars",
        help="N members starring one chat message within the same second, on a server of "
        "its own: acknowledged stars/s, p50/p99 latency, count and promotion checked",
    )
    stars_options(stars)
    return parser


def config_from(args: argparse.Namespace) -> RunConfig:
    cls = SCENARIOS[args.scenario]
    probe = argparse.ArgumentParser(add_help=False)
    cls.add_options(probe)
    own = {a.dest for a in probe._actions}
    opts = {k: getattr(args, k) for k in own}
    ramp = args.ramp
    if ramp is None:
        ramp = cls(dict(opts, users=args.users)).ramp_rate() or 1000.0
    return RunConfig(
        scenario=args.scenario,
        urls=args.url,
        opts=opts,
        codec=args.codec,
        workers=args.workers,
        ramp=ramp,
        duration=args.duration,
        settle=args.settle,
        drain=args.drain,
        users=args.users,
        seed=args.seed,
        no_setup=args.no_setup,
        client=args.client,
        server_pids=args.server_pid,
        fail_if=args.fail_if,
        out=args.out,
        label=args.label,
        lag_threshold_ms=args.lag_threshold_ms,
        cpus=args.cpus,
        reconnect=args.reconnect,
        text_size=args.text_size,
        open_concurrency=args.open_concurrency,
        quiet=args.quiet,
        uvloop=args.uvloop,
        sources=args.sources,
        bulk_db=args.bulk_db,
    )


def cmd_run(args: argparse.Namespace) -> int:
    from .report import table, write
    from .runner import run
    from .spread import LayoutError

    try:
        checks = [slo.parse(e) for e in args.fail_if]
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    cfg = config_from(args)
    try:
        result = run(cfg)
    except LayoutError as exc:
        print(f"this layout cannot work: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # the operator gets one line, not a traceback
        print(f"run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(table(result))
    if cfg.out is not None:
        jpath, hpath = write(result, cfg.out)
        print(f"  report: {hpath}\n  json:   {jpath}")
    failed = slo.breaches(checks, result["summary"])
    for line in failed:
        print(f"SLO BREACH {line}", file=sys.stderr)
    if checks and not failed:
        print(f"SLO ok: {', '.join(str(c) for c in checks)}")
    return EXIT_SLO if failed else EXIT_OK


def cmd_seed(args: argparse.Namespace) -> int:
    from . import seed as seeding
    from .runner import Coordinator

    if args.seed is None:
        print("seed needs --seed FILE", file=sys.stderr)
        return EXIT_USAGE
    coord = Coordinator(config_from(args))
    layout = coord.scenario.layout()
    s = seeding.obtain(
        layout, coord.https[0], args.seed, bool(args.no_setup), args.quiet, bulk_db=args.bulk_db
    )
    print(f"{args.seed}: {len(s.users)} users, {len(s.circles)} circles ({s.setup_s} s)")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        return cmd_run(args)
    if args.command == "seed":
        return cmd_seed(args)
    if args.command == "baseline":
        from .baseline import main as serve

        serve(args.host, args.port)
        return EXIT_OK
    if args.command == "bench":
        from .bench import main as bench

        return bench(args)
    if args.command == "uploads":
        from .uploads import main as uploads

        return uploads(args)
    if args.command == "plan":
        from .planner import main as plan

        return plan(args)
    if args.command == "checkins":
        from .checkins import main as checkins

        return checkins(args)
    if args.command == "stars":
        from .stars import main as stars

        return stars(args)
    return EXIT_USAGE
