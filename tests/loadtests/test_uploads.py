"""`python -m loadtests uploads`, tiny: 2 members × 1 MB against a server (and moto) of its own.

The verifier is also run against a blob corrupted on the server's disk, and on
made-up answers, so a mismatch is shown to be reported, not just a match passed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from loadtests import cli
from loadtests.bench_figures import figures
from loadtests.upload_client import MB, Upload
from loadtests.uploads import UploadsConfig, UploadsRun, parse_size, run, verify

pytestmark = pytest.mark.e2e

FIGURES = (
    "mb_per_s",
    "wall_s",
    "server_cpu_s",
    "server_cpu_s_per_mb",
    "server_rss_before_mb",
    "server_rss_peak_mb",
    "server_rss_growth_mb",
    "generator_cpu_s",
)


def test_a_tiny_run_from_the_command_line_verifies_every_blob(tmp_path: Path) -> None:
    code = cli.main(
        ["uploads", "--members", "2", "--size", "1MB", "--chunk", "64KB", "--out", str(tmp_path)]
    )
    assert code == cli.EXIT_OK
    (written,) = tmp_path.glob("*-uploads.json")
    result = json.loads(written.read_text())
    s = result["summary"]
    assert result["problems"] == []
    assert (s["members"], s["size_mb"], s["chunk_kb"], s["backend"]) == (2, 1, 64, "local")
    assert s["uploaded"] == s["verified"] == s["stored"] == s["attachments"] == 2
    assert s["failed_uploads"] == s["verify_failures"] == s["deduplicated"] == 0
    assert s["uploaded_mb"] == 2
    for key in FIGURES:
        assert isinstance(s[key], int | float), key
    assert s["mb_per_s"] > 0 and s["server_cpu_s_per_mb"] >= 0
    assert s["server_rss_peak_mb"] >= s["server_rss_before_mb"] > 0
    ids = {u["id"] for u in result["uploads"]}
    assert len(ids) == 2 and None not in ids
    # make bench's rows read the same summary
    rows = {r["figure"]: r for r in figures({"uploads": {"quanzi": result}})}
    assert rows["MB/s"]["quanzi"] == s["mb_per_s"]
    assert rows["server CPU per MB (s)"]["quanzi"] == s["server_cpu_s_per_mb"]
    assert rows["server RSS growth (MB)"]["quanzi"] == s["server_rss_growth_mb"]
    assert rows["blobs not verified"]["met"] is True


def test_a_tiny_run_on_s3_verifies_every_blob_and_counts_the_s3_servers_cpu() -> None:
    result = run(UploadsConfig(members=2, size=MB, backend="s3", out=None, quiet=True))
    s = result["summary"]
    assert result["problems"] == []
    assert s["backend"] == "s3" and s["verified"] == 2 and s["verify_failures"] == 0
    assert s["s3_server_cpu_s"] >= 0


def test_identical_files_make_one_attachment() -> None:
    result = run(UploadsConfig(members=2, size=MB, identical=True, out=None, quiet=True))
    s = result["summary"]
    assert result["problems"] == [] and s["verified"] == 2
    assert s["attachments"] == 1


def test_a_blob_corrupted_on_the_servers_disk_is_reported() -> None:
    runner = UploadsRun(UploadsConfig(members=2, size=MB, out=None, quiet=True))
    try:
        runner.start()
        ups, _ = runner.upload_all()
        assert all(verify(u, runner.fetch(u)) == [] for u in ups)
        assert runner.server is not None
        victim = ups[1]
        (blob,) = (runner.server.workdir / "data" / "blobs").rglob(victim.sent_sha256)
        data = bytearray(blob.read_bytes())
        data[MB // 2] ^= 0xFF
        blob.write_bytes(bytes(data))
        assert verify(ups[0], runner.fetch(ups[0])) == []
        (problem,) = verify(victim, runner.fetch(victim))
    finally:
        runner.stop()
    assert problem.startswith("member 1: the stored blob") and "not what was sent" in problem


def _sent(**answer: object) -> Upload:
    good = {"id": "a1", "sha256": "ab" * 32, "size": 10, "url": "/api/v1/attachments/a1"}
    return Upload(0, 10, sent_sha256="ab" * 32, status=201, answer={**good, **answer})


def test_verify_names_each_kind_of_mismatch() -> None:
    assert verify(_sent(), (200, "ab" * 32, 10)) == []
    (wrong_digest,) = verify(_sent(), (200, "cd" * 32, 10))
    assert "is not what was sent" in wrong_digest
    (short,) = verify(_sent(), (200, "ab" * 32, 9))
    assert "9 bytes" in short
    (answered,) = verify(_sent(sha256="cd" * 32), (200, "ab" * 32, 10))
    assert "answered sha256" in answered
    (gone,) = verify(_sent(), (404, "", 0))
    assert "answered 404" in gone
    assert "not downloaded" in verify(_sent(), None)[0]
    refused = Upload(0, 10, status=413, answer={"error": {"code": "too_big"}})
    assert "upload failed: 413" in verify(refused, None)[0]


def test_sizes_take_units() -> None:
    assert parse_size("50MB") == 50 * MB
    assert parse_size("512kb") == 512 * 1024
    assert parse_size("1GB") == 1024 * MB
    assert parse_size("1.5M") == MB + MB // 2
    assert parse_size("100") == 100
    for bad in ("", "MB", "-1MB", "0", "5TB"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_size(bad)
