"""The Redis Cluster failover figure, for RESULTS.md: a master killed while
members chat (acknowledged messages lost; seconds until the replica took over
and until every client had everything acknowledged by then).

The scenario is the end-to-end test's (`tests/e2e/multinode/test_redis_cluster.py`:
a local cluster of three masters and three replicas, two nodes on a fresh
PostgreSQL database, four senders and four followers over both nodes, the
circle's master killed with SIGKILL); this runs it ``--runs`` times and prints
the line each run reports, with the machine's load. It needs the test
dependencies and PostgreSQL, as the test does.

    python -m loadtests.cluster_failover --runs 3
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEST = "tests/e2e/multinode/test_redis_cluster.py"
MARK = "REDIS CLUSTER MASTER KILLED:"


def run_once(time_scale: str) -> str:
    env = {**os.environ, "QUANZI_TEST_TIME_SCALE": time_scale, "QUANZI_REQUIRE_SERVICES": "1"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            TEST,
            "-k",
            "killed",
            "-s",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in out.stdout.splitlines():
        if line.startswith(MARK):
            return line[len(MARK) :].strip()
    return f"FAILED (exit {out.returncode}): {out.stdout[-1500:]}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtests.cluster_failover")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--time-scale", default="1", help="QUANZI_TEST_TIME_SCALE for a loaded machine"
    )
    args = parser.parse_args(argv)
    for i in range(args.runs):
        load = Path("/proc/loadavg").read_text().split()[:3]
        print(f"run {i + 1} (load {' '.join(load)}): {run_once(args.time_scale)}", flush=True)


if __name__ == "__main__":
    main()
