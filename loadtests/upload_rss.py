"""How much memory one big upload costs the server: its RSS while a file streams in.

    python -m loadtests.upload_rss [--mb 1024]

Starts a server of its own on loopback (fresh data dir, limits raised so the file
fits), signs a user up with a circle, uploads a small file first (so the route's
code and libraries are loaded), then streams one file of ``--mb`` MiB as the raw
body of POST /circles/{id}/uploads while a thread samples the server's resident
memory every 20 ms. Reports the RSS before, the peak during and the growth, the
upload's MB/s and the server's CPU seconds per GB, and checks that the stored
file's SHA-256 is the one sent. The server is stopped and its data dir removed
at the end. Not a test: figures for loadtests/RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from typing import Any

from .proc import PeakRss, ProcessSampler
from .servers import start_quanzi
from .upload_client import MB, api_call, file_chunks, pattern, upload

BLOCK = MB


def _upload(
    port: int, token: str, circle: str, size: int, digest: object
) -> tuple[int, dict[str, Any]]:
    body = file_chunks(size, BLOCK, pattern(BLOCK), digest)
    return upload(port, token, circle, body, size, name="big.pdf")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024, help="size of the upload, MiB")
    args = parser.parse_args(argv)
    size = args.mb * MB
    room = str(4 * size + 100 * MB)
    env = {
        "QUANZI_UPLOAD_FILE_BYTES": room,
        "QUANZI_CIRCLE_QUOTA_BYTES": room,
        "QUANZI_USER_QUOTA_BYTES": room,
    }
    server = start_quanzi(env=env)
    try:
        port = server.port
        auth = api_call(
            port,
            "POST",
            "/api/v1/auth/signup",
            {"handle": "uploader", "password": "correct horse", "name": "Uploader"},
        )
        token = auth["token"]
        circle = api_call(
            port,
            "POST",
            "/api/v1/circles",
            {"name": "Media", "kind": "community", "visibility": "public"},
            token,
        )["id"]
        _upload(port, token, circle, 4 * MB, hashlib.sha256())  # warm the route up
        time.sleep(0.5)
        cpu_before = ProcessSampler(server.pid).sample()[0]
        digest = hashlib.sha256()
        started = time.monotonic()
        with PeakRss(server.pid) as rss:
            status, answer = _upload(port, token, circle, size, digest)
        seconds = time.monotonic() - started
        cpu_after = ProcessSampler(server.pid).sample()[0]
        if status != 201 or answer.get("sha256") != digest.hexdigest():
            print(f"upload failed: {status} {answer}")
            return 1
        print(
            f"uploaded {args.mb} MiB in {seconds:.1f} s ({args.mb / seconds:.0f} MiB/s), sha256 ok"
        )
        print(
            f"server RSS: {rss.before / MB:.1f} MiB before, {rss.peak / MB:.1f} MiB peak "
            f"(+{rss.growth / MB:.1f} MiB), {rss.after / MB:.1f} MiB after"
        )
        print(f"server CPU: {(cpu_after - cpu_before) / (size / 1024**3):.2f} s per GiB")
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
