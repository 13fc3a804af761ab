"""The storm scenario against a real `python -m server`: members log in over HTTP, read the
circle, join its chat while the teacher talks and stars; every step is timed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from loadtests import cli
from loadtests.runner import RunConfig, run
from loadtests.servers import LocalServer, start_baseline, start_quanzi

pytestmark = pytest.mark.e2e

STEPS = ("login", "circle", "posts", "must_reads", "messages", "join", "first_msg")


@pytest.fixture(scope="module")
def quanzi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = start_quanzi(data_dir=tmp_path_factory.mktemp("quanzi"))
    yield server
    server.stop()


def storm(url: str, out: Path, members: int = 12, **kw: object) -> RunConfig:
    cfg = RunConfig(
        scenario="storm",
        urls=[url],
        opts={"members": members, "within": 1.5, "teacher_period": 0.2, "star_every": 0.5},
        ramp=(members + 1) / 1.5,
        duration=1.5,
        settle=0.2,
        drain=3.0,
        workers=2,
        quiet=True,
        out=out,
    )
    for k, v in kw.items():
        setattr(cfg, k, v)
    return cfg


def test_every_member_logs_in_reads_joins_and_hears_the_teacher(
    quanzi: LocalServer, tmp_path: Path
) -> None:
    members = 12
    result = run(storm(quanzi.ws, tmp_path, members, server_pids=[quanzi.pid]))
    s = result["summary"]
    assert s["connected"] == members + 1 and s["connect_failures"] == 0, result["errors_by_code"]
    for step in STEPS[:-2]:  # the teacher does not log in nor read: the members do
        assert s[f"{step}_n"] == members, step
        assert 0 < s[f"{step}_p50_ms"] <= s[f"{step}_p99_ms"], step
    assert s["join_n"] == members + 1
    assert s["first_msg_n"] == members  # every member heard the teacher after joining
    assert s["acks"] > 0 and s["lost"] == 0 and s["errors"] == 0
    assert s["deliveries"] >= members  # the teacher's messages reached the members
    assert result["scenario_counters"].get("stars", 0) >= 1
    assert result["scenario_counters"].get("highlights_received", 0) >= members
    assert s["ramp_server_cpu_pct"] is not None and s["ramp_s"] > 0
    assert set(result["steps"]) == set(STEPS)


def test_cli_runs_storm_with_its_own_ramp_and_checks_steps(
    quanzi: LocalServer, tmp_path: Path
) -> None:
    seed = tmp_path / "seed.json"
    common = [
        "run",
        "storm",
        "--url",
        quanzi.ws,
        "--members",
        "4",
        "--within",
        "1",
        "--teacher-period",
        "0.2",
        "--duration",
        "1",
        "--settle",
        "0.2",
        "--drain",
        "2",
        "--workers",
        "1",
        "--quiet",
        "--seed",
        str(seed),
        "--out",
        str(tmp_path),
    ]
    assert cli.main([*common, "--fail-if", "login_p99_ms>60000"]) == cli.EXIT_OK
    assert seed.exists()  # the second run reuses the members: no signups
    assert cli.main([*common, "--fail-if", "messages_p99_ms>0"]) == cli.EXIT_SLO
    args = cli.build_parser().parse_args(["run", "storm", "--url", quanzi.ws, "--within", "40"])
    assert cli.config_from(args).ramp == pytest.approx(2001 / 40)


def test_storm_against_the_baseline_is_refused_with_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = start_baseline()
    try:
        code = cli.main(["run", "storm", "--url", baseline.ws, "--members", "2", "--quiet"])
    finally:
        baseline.stop()
    assert code == cli.EXIT_FAILED
    assert "needs a Quanzi server" in capsys.readouterr().err
