"""`--workers N`: how many the settings allow (server/workers.py), the one-line
refusal on the command line, and /metrics of a set (server/worker_metrics.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from server import metrics, worker_metrics
from server.settings import Settings
from server.workers import WorkersRefused, cores, worker_count

ROOT = Path(__file__).resolve().parents[2]
PG = "postgresql+asyncpg://quanzi@127.0.0.1/quanzi"
REDIS = "redis://127.0.0.1:6379/0"


def test_the_default_is_the_cores_with_redis_and_postgresql_and_one_otherwise() -> None:
    assert worker_count(Settings(redis_url=REDIS, database_url=PG)) == cores()
    assert worker_count(Settings()) == 1
    assert worker_count(Settings(database_url=PG)) == 1
    assert worker_count(Settings(redis_url=REDIS)) == 1  # SQLite: one worker
    assert worker_count(Settings(workers=3, redis_url=REDIS, database_url=PG)) == 3
    assert worker_count(Settings(workers=1)) == 1


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        (Settings(workers=2, database_url=PG), "needs QUANZI_REDIS_URL"),
        (Settings(workers=2, redis_url=REDIS), "on SQLite"),
        (
            Settings(workers=2, redis_url=REDIS, database_url="sqlite+aiosqlite:///x.db"),
            "on SQLite",
        ),
        (Settings(workers=-1), "give 1 or more"),
    ],
)
def test_what_cannot_run_is_refused_saying_why(settings: Settings, says: str) -> None:
    with pytest.raises(WorkersRefused, match=says):
        worker_count(settings)


def test_two_workers_without_redis_is_one_line_on_the_command_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "server", "--workers", "2", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "python -m server: --workers 2 needs QUANZI_REDIS_URL: workers share circles through "
        "Redis (the in-process broker cannot); run one worker, or set a Redis URL"
    ]
    assert not (tmp_path / "quanzi.db").exists()  # refused before anything was opened


def test_any_worker_serves_every_workers_series_labelled(tmp_path: Path) -> None:
    metrics.deliveries.inc(3)
    other = Settings(worker_index=1, metrics_dir=str(tmp_path))
    worker_metrics.write_snapshot(other)
    metrics.deliveries.inc(2)
    text = worker_metrics.exposition(Settings(worker_index=0, metrics_dir=str(tmp_path)))
    families = {f.name: f for f in text_string_to_metric_families(text.decode())}
    by_worker = {s.labels["worker"]: s.value for s in families["quanzi_deliveries"].samples}
    assert by_worker["0"] == by_worker["1"] + 2
    cpu = families["process_cpu_seconds"].samples
    assert sorted(s.labels["worker"] for s in cpu) == ["0", "1"]
    # One TYPE line per family: valid for Prometheus however many workers.
    types = [line for line in text.decode().splitlines() if line.startswith("# TYPE ")]
    assert len(types) == len(set(types))


def test_the_load_harness_sums_the_workers_cpu_and_memory() -> None:
    from loadtests.serverstats import parse_metrics

    one = "process_cpu_seconds_total 1.5\nprocess_resident_memory_bytes 1e+06\n"
    assert parse_metrics(one) == (1.5, 1_000_000)
    two = (
        'process_cpu_seconds_total{worker="0"} 1.5\n'
        'process_cpu_seconds_total{worker="1"} 2.0\n'
        'process_resident_memory_bytes{worker="0"} 1e+06\n'
        'process_resident_memory_bytes{worker="1"} 2e+06\n'
    )
    assert parse_metrics(two) == (3.5, 3_000_000)
