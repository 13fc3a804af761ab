"""`python -m loadtests uploads`: N members of one circle uploading a file each, all at once.

Starts a server of its own on loopback (fresh data dir, upload limits and quotas
raised to fit; with ``--backend s3`` also moto's S3 server, which Quanzi then
keeps its blobs in), signs N members up into one circle, uploads one small file
(so the route's code is loaded), then has every member stream a file of
``--size`` as the raw body of ``POST /circles/{id}/uploads`` at the same moment,
one thread each, ``--chunk`` bytes per write, from a generator. Every member's
file is its own random bytes, so the server's deduplication (same bytes in the
same circle → the attachment already there) saves nothing; ``--identical``
sends everyone the same file to measure that instead.

Reports the aggregate MB/s (bytes over the time from the first start to the
last answer), the server's CPU seconds per MB uploaded, its resident memory
before, at its peak (sampled every 20 ms) and the growth, then verifies every
upload: the answer's sha256 and size are the ones sent, and the blob the server
hands back (GET its url, as its uploader) hashes to what the client sent. MB is
2^20 bytes. The servers are stopped and their data removed at the end; the
traffic never leaves 127.0.0.1.

Exit status: 0 verified (and every ``--fail-if`` held), 1 a blob did not verify
or a ``--fail-if`` was breached, 2 bad usage, 3 the run itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import re
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .proc import PeakRss, ProcessSampler, own_cpu_seconds
from .reported import EXIT_USAGE, checks_of, measured, run_and_report, table_of
from .runner import RESULTS_DIR
from .scenarios.base import Layout
from .seed import create
from .servers import LocalServer, moto_env, start_moto, start_quanzi
from .upload_client import MB, Upload, download_sha256, file_chunks, pattern, upload

_UNITS = {"": 1, "B": 1, "KB": 1024, "MB": MB, "GB": 1024 * MB}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?B?)\s*", re.IGNORECASE)
WARM_UP_BYTES = MB


def parse_size(text: str) -> int:
    """'50MB' → bytes (KB, MB, GB are powers of 1024; a bare number is bytes)."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 512KB, 50MB, 1GB)")
    unit = match[2].upper()
    unit = unit if unit.endswith("B") or not unit else unit + "B"
    size = int(float(match[1]) * _UNITS[unit])
    if size <= 0:
        raise argparse.ArgumentTypeError(f"a size must be more than 0 bytes: {text!r}")
    return size


def add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--members", type=int, default=8, help="uploaders at once (default 8)")
    p.add_argument(
        "--size",
        type=parse_size,
        default=50 * MB,
        help="each member's file, e.g. 512KB, 50MB, 1GB (default 50MB)",
    )
    p.add_argument(
        "--chunk",
        type=parse_size,
        default=256 * 1024,
        help="bytes per write of the client (default 256KB)",
    )
    p.add_argument(
        "--backend",
        choices=("local", "s3"),
        default="local",
        help="where the server keeps blobs: its data dir, or moto's S3 server (default local)",
    )
    p.add_argument(
        "--identical",
        action="store_true",
        help="every member uploads the same bytes (measures deduplication)",
    )
    p.add_argument(
        "--timeout", type=float, default=900.0, help="give up on the uploads after S seconds"
    )
    from .cli import output_options

    output_options(p, "mb_per_s<100' or 'server_rss_growth_mb>64")


@dataclass
class UploadsConfig:
    members: int = 8
    size: int = 50 * MB
    chunk: int = 256 * 1024
    backend: str = "local"
    identical: bool = False
    timeout: float = 900.0
    out: Path | None = RESULTS_DIR
    label: str = ""
    quiet: bool = False
    fail_if: list[str] = field(default_factory=list)
    server_cpus: list[int] = field(default_factory=list)  # pin Quanzi (and moto) to these


def server_env(cfg: UploadsConfig) -> dict[str, str]:
    """Room for every file: the per-file limit and both quotas raised past the run's bytes."""
    room = cfg.members * cfg.size + 2 * cfg.size + 100 * MB
    return {
        "QUANZI_UPLOAD_FILE_BYTES": str(cfg.size + MB),
        "QUANZI_CIRCLE_QUOTA_BYTES": str(room),
        "QUANZI_USER_QUOTA_BYTES": str(room),
    }


def verify(sent: Upload, fetched: tuple[int, str, int] | None) -> list[str]:
    """What is wrong with one upload: its answer, and the blob downloaded back
    (status, SHA-256, length) against the SHA-256 and size the client sent."""
    who = f"member {sent.member}"
    if sent.error or sent.status not in (200, 201):
        return [f"{who}: upload failed: {sent.error or sent.status} {str(sent.answer)[:200]}"]
    problems = []
    if sent.answer.get("sha256") != sent.sent_sha256:
        problems.append(
            f"{who}: answered sha256 {sent.answer.get('sha256')}, sent {sent.sent_sha256}"
        )
    if sent.answer.get("size") != sent.size:
        problems.append(f"{who}: answered size {sent.answer.get('size')}, sent {sent.size}")
    if fetched is None:
        return [*problems, f"{who}: the blob was not downloaded"]
    status, digest, length = fetched
    if status != 200:
        problems.append(f"{who}: downloading the blob answered {status}")
    elif digest != sent.sent_sha256 or length != sent.size:
        problems.append(
            f"{who}: the stored blob ({length} bytes, sha256 {digest}) is not what was sent "
            f"({sent.size} bytes, sha256 {sent.sent_sha256})"
        )
    return problems


class UploadsRun:
    def __init__(self, cfg: UploadsConfig) -> None:
        self.cfg = cfg
        self.server: LocalServer | None = None
        self.moto: LocalServer | None = None
        self.tokens: list[str] = []
        self.circle = ""

    def say(self, line: str) -> None:
        if not self.cfg.quiet:
            print(line, file=sys.stderr, flush=True)

    def start(self) -> None:
        self.say(f"starting Quanzi{' and moto S3' if self.cfg.backend == 's3' else ''} …")
        env = server_env(self.cfg)
        if self.cfg.backend == "s3":
            self.moto = start_moto()
            self.moto.pin(self.cfg.server_cpus)
            env.update(moto_env(self.moto))
        self.server = start_quanzi(env=env, cpus=self.cfg.server_cpus or None)
        self.say(f"signing {self.cfg.members} members up into one circle …")
        layout = Layout(users=self.cfg.members, circles=[list(range(self.cfg.members))])
        seed = asyncio.run(create(self.server.http, layout, quiet=True))
        self.tokens = [u["token"] for u in seed.users]
        self.circle = seed.circles[0]["id"]

    def stop(self) -> None:
        for srv in (self.server, self.moto):
            if srv is not None:
                srv.stop()

    def _one(self, up: Upload, data: bytes, gate: threading.Barrier, starts: list[float]) -> None:
        assert self.server is not None
        digest = hashlib.sha256()
        body = file_chunks(up.size, self.cfg.chunk, data, digest)
        gate.wait()
        t0 = time.perf_counter()
        starts[up.member] = t0
        try:
            up.status, up.answer = upload(
                self.server.port,
                self.tokens[up.member],
                self.circle,
                body,
                up.size,
                name=f"load-{up.member}.pdf",
                timeout=self.cfg.timeout,
            )
        except Exception as exc:  # one failed upload is a finding of the run, not its end
            up.error = f"{type(exc).__name__}: {exc}"
        up.sent_sha256 = digest.hexdigest()
        up.seconds = time.perf_counter() - t0

    def upload_all(self) -> tuple[list[Upload], float]:
        """Every member's upload at once; (the uploads, seconds from first start to last answer)."""
        n, cfg = self.cfg.members, self.cfg
        shared = pattern(cfg.chunk) if cfg.identical else b""
        ups = [Upload(i, cfg.size) for i in range(n)]
        starts = [0.0] * n
        gate = threading.Barrier(n)
        threads = [
            threading.Thread(
                target=self._one, args=(u, shared or pattern(cfg.chunk), gate, starts), daemon=True
            )
            for u in ups
        ]
        for t in threads:
            t.start()
        deadline = time.monotonic() + cfg.timeout
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        for u, t in zip(ups, threads, strict=True):
            if t.is_alive():
                u.error = u.error or f"not answered within {cfg.timeout:g} s"
        ends = [s + u.seconds for s, u in zip(starts, ups, strict=True) if u.seconds]
        wall = (max(ends) - min(starts)) if ends else cfg.timeout
        return ups, wall

    def fetch(self, up: Upload) -> tuple[int, str, int] | None:
        assert self.server is not None
        url = up.answer.get("url")
        if not url or up.error:
            return None
        try:
            return download_sha256(self.server.port, self.tokens[up.member], str(url))
        except OSError:
            return None

    def measure(self) -> dict[str, Any]:
        assert self.server is not None
        cfg = self.cfg
        warm = Upload(0, WARM_UP_BYTES)
        self._one(warm, pattern(cfg.chunk), threading.Barrier(1), [0.0])
        if warm.status != 201:
            raise RuntimeError(
                f"the warm-up upload failed: {warm.error or warm.status} {warm.answer}"
            )
        server = ProcessSampler(self.server.pid)
        moto = ProcessSampler(self.moto.pid) if self.moto else None
        cpu0, own0 = server.sample()[0], own_cpu_seconds()
        moto0 = moto.sample()[0] if moto else 0.0
        self.say(f"{cfg.members} uploads of {cfg.size / MB:g} MB at once …")
        with PeakRss(self.server.pid) as rss:
            ups, wall = self.upload_all()
        cpu = server.sample()[0] - cpu0
        own = own_cpu_seconds() - own0
        moto_cpu = (moto.sample()[0] - moto0) if moto else None
        self.say("downloading every blob back to verify it …")
        checks = [verify(u, self.fetch(u)) for u in ups]
        return summarise(cfg, ups, wall, cpu, own, moto_cpu, rss, checks)


def summarise(
    cfg: UploadsConfig,
    ups: list[Upload],
    wall: float,
    cpu: float,
    own: float,
    moto_cpu: float | None,
    rss: PeakRss,
    checks: list[list[str]],
) -> dict[str, Any]:
    """The figures of a run; `checks` holds each upload's problems (`verify`)."""
    done = [u for u in ups if u.status in (200, 201) and not u.error]
    mb = sum(u.size for u in done) / MB
    times = sorted(u.seconds for u in done) or [0.0]
    summary: dict[str, Any] = {
        "backend": cfg.backend,
        "members": cfg.members,
        "size_mb": round(cfg.size / MB, 3),
        "chunk_kb": round(cfg.chunk / 1024, 1),
        "identical": cfg.identical,
        "uploaded": len(done),
        "failed_uploads": len(ups) - len(done),
        "stored": sum(1 for u in done if u.status == 201),
        "deduplicated": sum(1 for u in done if u.status == 200),
        "attachments": len({u.answer.get("id") for u in done}),
        "uploaded_mb": round(mb, 2),
        "wall_s": round(wall, 3),
        "mb_per_s": round(mb / wall, 1) if wall > 0 else None,
        "upload_s_min": round(times[0], 3),
        "upload_s_max": round(times[-1], 3),
        "server_cpu_s": round(cpu, 2),
        "server_cpu_pct": round(100 * cpu / wall, 1) if wall > 0 else None,
        "server_cpu_s_per_mb": round(cpu / mb, 5) if mb else None,
        "server_rss_before_mb": round(rss.before / MB, 1),
        "server_rss_peak_mb": round(rss.peak / MB, 1),
        "server_rss_after_mb": round(rss.after / MB, 1),
        "server_rss_growth_mb": round(rss.growth / MB, 1),
        "generator_cpu_s": round(own, 2),
        "verified": sum(1 for c in checks if not c),
        "verify_failures": sum(1 for c in checks if c),
    }
    if moto_cpu is not None:
        summary["s3_server_cpu_s"] = round(moto_cpu, 2)
    return {
        "summary": summary,
        "problems": [p for c in checks for p in c],
        "uploads": [
            {k: v for k, v in asdict(u).items() if k != "answer"} | {"id": u.answer.get("id")}
            for u in ups
        ],
    }


ROWS = [
    ("uploaded", "uploads answered", ""),
    ("stored", "answered 201 (new)", ""),
    ("deduplicated", "answered 200 (already there)", ""),
    ("attachments", "distinct attachments", ""),
    ("failed_uploads", "failed uploads", ""),
    ("uploaded_mb", "uploaded", "MB"),
    ("wall_s", "first start → last answer", "s"),
    ("mb_per_s", "throughput", "MB/s"),
    ("upload_s_min", "one upload, fastest", "s"),
    ("upload_s_max", "one upload, slowest", "s"),
    ("server_cpu_s", "server CPU", "s"),
    ("server_cpu_pct", "server CPU", "% of a core"),
    ("server_cpu_s_per_mb", "server CPU per MB", "s"),
    ("server_rss_before_mb", "server RSS before", "MB"),
    ("server_rss_peak_mb", "server RSS peak", "MB"),
    ("server_rss_growth_mb", "server RSS growth", "MB"),
    ("s3_server_cpu_s", "moto S3 server CPU", "s"),
    ("generator_cpu_s", "generator CPU", "s"),
    ("verified", "verified blobs", ""),
    ("verify_failures", "blobs NOT verified", ""),
]


def table(result: dict[str, Any]) -> str:
    s = result["summary"]
    head = (
        f"uploads · {s['members']} members × {s['size_mb']:g} MB · {s['backend']}"
        f"{' · identical files' if s['identical'] else ''} · writes of {s['chunk_kb']:g} KB"
    )
    return table_of(head, ROWS, result)


def run(cfg: UploadsConfig) -> dict[str, Any]:
    """Start the servers, upload, verify, stop them; the result (summary, problems, uploads)."""
    return measured(UploadsRun(cfg))


def main(args: argparse.Namespace) -> int:
    checks = checks_of(args.fail_if)
    if checks is None:
        return EXIT_USAGE
    if args.members < 1 or args.chunk < 64:
        print("--members must be at least 1 and --chunk at least 64 bytes", file=sys.stderr)
        return EXIT_USAGE
    cfg = UploadsConfig(
        **{k: getattr(args, k) for k in UploadsConfig.__dataclass_fields__ if hasattr(args, k)}
    )
    return run_and_report(cfg, checks, run, table, "uploads")
