"""Tiny real runs: the harness against the baseline relay and against `python -m server`.

Each server is started on a free port and stopped by PID; results go to tmp dirs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from loadtests import cli
from loadtests.runner import RunConfig, run
from loadtests.servers import LocalServer, start_baseline, start_quanzi

pytestmark = pytest.mark.e2e

TINY = {"settle": 0.2, "drain": 3.0, "workers": 1, "quiet": True, "ramp": 0.0}


@pytest.fixture(scope="module")
def baseline() -> Iterator[LocalServer]:
    server = start_baseline()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def quanzi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = start_quanzi(data_dir=tmp_path_factory.mktemp("quanzi"))
    yield server
    server.stop()


def tiny_fanout(url: str, out: Path, **kw: object) -> RunConfig:
    cfg = RunConfig(
        scenario="fanout",
        urls=[url],
        opts={"members": 5, "senders": 1, "rate": 10},
        duration=2.0,
        users=5,
        out=out,
        **TINY,
    )  # type: ignore[arg-type]
    for k, v in kw.items():
        setattr(cfg, k, v)
    return cfg


@pytest.mark.parametrize(("client", "codec"), [("lean", "msgpack"), ("websockets", "json")])
def test_tiny_fanout_against_the_baseline(
    baseline: LocalServer, tmp_path: Path, client: str, codec: str
) -> None:
    result = run(
        tiny_fanout(baseline.ws, tmp_path, client=client, codec=codec, server_pids=[baseline.pid])
    )
    s = result["summary"]
    assert s["connected"] == 5 and s["connect_failures"] == 0
    assert s["acks"] >= 10  # 10/s for 2 s, give or take the schedule's edges and a slow CI
    assert s["deliveries"] == 5 * s["acks"]  # every member (the sender too) got every message
    assert s["lost"] == 0 and s["duplicated"] == 0 and s["reordered"] == 0
    assert s["p99_ms"] is not None and s["p99_ms"] > 0
    assert s["server_cpu_s"] is not None
    assert result["setup"]["synthetic"]  # the baseline was recognised: no HTTP setup
    assert result["series"] and any(r["deliveries"] for r in result["series"])


def test_cli_writes_reports_and_exits_by_slo(baseline: LocalServer, tmp_path: Path) -> None:
    common = [
        "run",
        "fanout",
        "--url",
        baseline.ws,
        "--members",
        "3",
        "--rate",
        "10",
        "--duration",
        "1",
        "--settle",
        "0.2",
        "--drain",
        "2",
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(tmp_path),
    ]
    assert cli.main([*common, "--fail-if", "lost>0", "--fail-if", "deliveries<1"]) == cli.EXIT_OK
    assert cli.main([*common, "--fail-if", "deliveries<1000000000"]) == cli.EXIT_SLO
    assert cli.main([*common, "--fail-if", "p99_ms=>1"]) == cli.EXIT_USAGE
    reports = sorted(tmp_path.glob("*-fanout.json"))
    assert len(reports) == 2
    saved = json.loads(reports[0].read_text())
    assert saved["summary"]["lost"] == 0 and "latency" in saved["histograms"]
    html = reports[0].with_suffix(".html").read_text()
    assert "<svg" in html and "Delivery latency percentiles" in html


def test_idle_connections_report_connect_figures(baseline: LocalServer, tmp_path: Path) -> None:
    cfg = RunConfig(
        scenario="idle",
        urls=[baseline.ws],
        opts={"connections": 50},
        duration=0.5,
        users=50,
        out=tmp_path,
        server_pids=[baseline.pid],
        **TINY,
    )  # type: ignore[arg-type]
    s = run(cfg)["summary"]
    assert s["connected"] == 50 and s["connect_failures"] == 0
    assert s["connect_rate_per_s"] > 0 and s["connect_p99_ms"] is not None
    assert s["server_mem_per_conn_kb"] is not None and s["deliveries"] == 0


def test_an_unreachable_server_fails_the_run_not_the_harness(tmp_path: Path) -> None:
    from loadtests.servers import free_port

    url = f"ws://127.0.0.1:{free_port()}/ws"
    cfg = tiny_fanout(url, tmp_path, no_setup=True, duration=0.5)
    s = run(cfg)["summary"]
    assert s["connected"] == 0 and s["connect_failures"] == 5


def test_tiny_fanout_against_quanzi(quanzi: LocalServer, tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    result = run(tiny_fanout(quanzi.ws, tmp_path, server_pids=[quanzi.pid], seed=seed, users=3))
    s = result["summary"]
    assert not result["setup"]["synthetic"] and seed.exists()
    assert s["connected"] == 5 and s["errors"] == 0, result["errors_by_code"]
    assert s["acks"] >= 10 and s["deliveries"] == 5 * s["acks"]
    assert s["lost"] == 0 and s["duplicated"] == 0 and s["duplicate_acks"] == 0


def test_durable_against_quanzi_counts_acknowledged_says(
    quanzi: LocalServer, tmp_path: Path
) -> None:
    cfg = RunConfig(
        scenario="durable",
        urls=[quanzi.ws],
        opts={"senders": 4, "circles": 2, "inflight": 2},
        duration=1.5,
        users=2,
        out=tmp_path,
        server_pids=[quanzi.pid],
        **TINY,
    )  # type: ignore[arg-type]
    s = run(cfg)["summary"]
    assert s["acks"] > 10 and s["ack_p99_ms"] is not None and s["duplicate_acks"] == 0
    assert s["unacked"] == 0 and s["errors"] == 0


def test_rooms_in_groups_of_one_circle_against_quanzi(quanzi: LocalServer, tmp_path: Path) -> None:
    """One circle in 3 chat groups of 4 connections (6 users shared round-robin, so
    users are in two groups each): each message reaches its group's 4 connections
    and nobody else, with nothing lost or doubled per group."""
    cfg = RunConfig(
        scenario="rooms",
        urls=[quanzi.ws],
        opts={"connections": 12, "groups": 3, "circle_size": 10, "period": 0.5},
        duration=2.0,
        users=6,
        out=tmp_path,
        server_pids=[quanzi.pid],
        **TINY,
    )  # type: ignore[arg-type]
    result = run(cfg)
    s = result["summary"]
    assert s["connected"] == 12 and s["errors"] == 0, result["errors_by_code"]
    assert s["acks"] >= 12 and s["deliveries"] == 4 * s["acks"]
    assert s["lost"] == 0 and s["duplicated"] == 0 and s["reordered"] == 0
    assert result["loss"]["streams"] == 12  # one group stream per connection
