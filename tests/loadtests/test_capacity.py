"""The capacity planner: deterministic plans from a given figures file, figures read from the
newest results first, the figures file written by --record, bad input refused."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from loadtests import capacity, cli, figures
from loadtests.capacity import Assumptions, Demand, Measured

FIGS = {
    "delivery_cpu_us": {"value": 10.0, "source": "fanout run"},
    "say_cpu_us": {"value": 100.0, "source": "durable run"},
    "conn_memory_kb": {"value": 20.0, "source": "idle run"},
    "future_figure": {"value": 7.0, "source": "a figure this planner does not know yet"},
}


def write_figures(path: Path, figs: dict[str, dict[str, object]] = FIGS) -> Path:
    path.write_text(json.dumps({"figures": figs}))
    return path


def write_run(folder: Path, name: str, scenario: str, mtime: float, **summary: object) -> Path:
    path = folder / name
    path.write_text(
        json.dumps(
            {
                "summary": {"scenario": scenario, "connections": 2000, **summary},
                "finished": "2026-12-01 13:00",
            }
        )
    )
    os.utime(path, (mtime, mtime))
    return path


def test_a_plan_is_the_arithmetic_of_its_figures(tmp_path: Path) -> None:
    measured = figures.from_file(write_figures(tmp_path / "f.json"))
    p = capacity.plan(Demand(100_000, 0.5, say_rate=100.0, highlight_rate=1.0), measured)
    r = p.rows
    assert r["online"] == 50_000
    assert r["deliveries_per_s"] == 101 * 200  # says and highlights, each to an audience of 200
    assert r["busy_cores"] == pytest.approx((20_200 * 10 + 101 * 100) / 1e6)
    assert r["cores"] == 3  # 50,000 connections need 3 processes of 20,000 (assumed limit)
    assert r["memory_gb"] == pytest.approx((50_000 * 20 / 1e6 + 3 * 150 / 1e3) / 0.5)
    assert r["nodes"] == 1 and r["redis_shards"] == 1 and r["pg_primaries"] == 1
    assert r["pg_writes_per_s"] == 101
    assert capacity.plan(p.demand, measured).rows == r  # deterministic
    assert p.used["delivery_cpu_us"] == Measured(10.0, "fanout run")
    assert p.used["pg_writes_per_s"].source is None  # not measured: assumed


def test_more_members_need_more_of_everything(tmp_path: Path) -> None:
    measured = figures.from_file(write_figures(tmp_path / "f.json"))
    small, big = (capacity.plan(Demand(n, 1.0), measured) for n in (10_000, 1_000_000))
    for key in ("deliveries_per_s", "cores", "memory_gb", "pg_writes_per_s", "redis_ops_per_s"):
        assert big[key] > small[key], key
    tight = capacity.plan(Demand(1_000_000, 1.0), measured, Assumptions(cores_per_node=4))
    assert tight["nodes"] > big["nodes"]


def test_the_rendered_plan_names_each_figure_measured_or_assumed(tmp_path: Path) -> None:
    measured = figures.from_file(write_figures(tmp_path / "f.json"))
    text = capacity.render(capacity.plan(Demand(170_000, 0.3, say_rate=50.0), measured))
    assert "51,000" in text
    assert "delivery_cpu_us" in text and "measured: fanout run" in text
    assert "pg_writes_per_s" in text and "ASSUMED" in text
    assert "headroom 50%" in text and "says/s as given" in text
    table = capacity.table([capacity.plan(Demand(n, 1.0), measured) for n in (10, 20)])
    assert table.count("\n") == 3 and table.startswith("| members online")


def test_the_newest_result_holding_a_figure_wins_over_the_file(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    write_run(results, "a-fanout.json", "fanout", 1000, server_cpu_per_delivery_us=30.0)
    write_run(results, "b-fanout.json", "fanout", 2000, server_cpu_per_delivery_us=12.0)
    write_run(results, "c-idle.json", "idle", 3000, server_mem_per_conn_kb=9.0)
    write_run(results, "d-rooms.json", "rooms", 4000, server_cpu_per_delivery_us=99.0)
    write_run(results, "e-idle.json", "idle", 5000, generator_saturated=True)  # no figure
    (results / "seed-x-fanout.json").write_text(json.dumps({"users": []}))
    (results / "broken.json").write_text("{")
    got = figures.gather(results, write_figures(tmp_path / "f.json"))
    assert got["delivery_cpu_us"].value == 12.0
    assert "b-fanout.json" in str(got["delivery_cpu_us"].source)
    assert got["conn_memory_kb"].value == 9.0
    saturated = {"server_cpu_per_delivery_us": 14.0, "generator_saturated": True}
    write_run(results, "f-fanout.json", "fanout", 6000, **saturated)
    got = figures.gather(results, tmp_path / "f.json")
    assert got["delivery_cpu_us"].value == 14.0  # CPU per delivery holds when the generator lags
    assert "generator saturated" in str(got["delivery_cpu_us"].source)
    assert got["say_cpu_us"] == Measured(100.0, "durable run")  # no result has it: the file
    assert got["future_figure"].value == 7.0


def test_a_bench_summary_counts_as_results(tmp_path: Path) -> None:
    bench = {
        "environment": {"date": "2026-12-01 13:00 UTC"},
        "runs": {
            "fanout": {
                "quanzi": {"scenario": "fanout", "server_cpu_per_delivery_us": 8.5},
                "baseline": {"scenario": "fanout", "server_cpu_per_delivery_us": 1.0},
            }
        },
    }
    (tmp_path / "x-bench.json").write_text(json.dumps(bench))
    got = figures.from_results(tmp_path)
    assert got["delivery_cpu_us"].value == 8.5  # Quanzi's, not the floor's


def test_record_writes_the_figures_file_and_keeps_what_results_lack(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    write_run(results, "r-durable.json", "durable", 1000, server_cpu_per_ack_us=55.0)
    path = write_figures(tmp_path / "figures.json")
    assert cli.main(["plan", "--record", "--results", str(results), "--figures", str(path)]) == 0
    saved = json.loads(path.read_text())["figures"]
    assert saved["say_cpu_us"]["value"] == 55.0
    assert "r-durable.json" in saved["say_cpu_us"]["source"]
    assert saved["say_cpu_us"]["unit"] == "µs"
    assert saved["delivery_cpu_us"]["value"] == 10.0  # kept from before
    assert saved["future_figure"]["value"] == 7.0


def test_the_command_plans_and_refuses_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_figures(tmp_path / "f.json")
    common = ["--results", str(tmp_path / "none"), "--figures", str(path)]
    assert cli.main(["plan", "--members", "170000", "--online", "0.3", *common]) == 0
    out = capsys.readouterr().out
    assert "nodes" in out and "Redis shards" in out and "measured: fanout run" in out
    assert cli.main(["plan", "--table", "10000/100000/1000000", *common]) == 0
    assert capsys.readouterr().out.count("\n| ") == 3  # a row per size
    assert cli.main(["plan", *common]) == 2
    assert "needs --members" in capsys.readouterr().err
    assert cli.main(["plan", "--table", "10k", *common]) == 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["plan", "--members", "10", "--online", "1.5", *common])
    assert exc.value.code == 2
    assert "out of range" in capsys.readouterr().err
