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
import http.client
import json
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from .proc import ProcessSampler
from .servers import start_quanzi

MB = 1024 * 1024
BLOCK = MB


def _call(port: int, method: str, path: str, body: Any = None, token: str = "") -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    answer = conn.getresponse()
    data = answer.read()
    conn.close()
    if answer.status >= 300:
        raise RuntimeError(f"{method} {path}: {answer.status} {data[:300]!r}")
    return json.loads(data)


def _upload(port: int, token: str, circle: str, size: int, digest: Any) -> tuple[int, Any]:
    block = b"%PDF-1.7\n" + os.urandom(BLOCK - 9)

    def body() -> Iterator[bytes]:
        sent = 0
        while sent < size:
            piece = block[: min(BLOCK, size - sent)]
            digest.update(piece)
            sent += len(piece)
            yield piece

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request(
        "POST",
        f"/api/v1/circles/{circle}/uploads?name=big.pdf",
        body=body(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/octet-stream",
            "Content-Length": str(size),
        },
        encode_chunked=False,
    )
    answer = conn.getresponse()
    data = json.loads(answer.read())
    conn.close()
    return answer.status, data


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
        auth = _call(
            port,
            "POST",
            "/api/v1/auth/signup",
            {"handle": "uploader", "password": "correct horse", "name": "Uploader"},
        )
        token = auth["token"]
        circle = _call(
            port,
            "POST",
            "/api/v1/circles",
            {"name": "Media", "kind": "community", "visibility": "public"},
            token,
        )["id"]
        _upload(port, token, circle, 4 * MB, hashlib.sha256())  # warm the route up
        time.sleep(0.5)
        sampler = ProcessSampler(server.pid)
        cpu_before, rss_before = sampler.sample()
        peak = [rss_before]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], sampler.sample()[1])
                time.sleep(0.02)

        watcher = threading.Thread(target=sample, daemon=True)
        watcher.start()
        digest = hashlib.sha256()
        started = time.monotonic()
        status, answer = _upload(port, token, circle, size, digest)
        seconds = time.monotonic() - started
        done.set()
        watcher.join()
        cpu_after, rss_after = sampler.sample()
        if status != 201 or answer.get("sha256") != digest.hexdigest():
            print(f"upload failed: {status} {answer}")
            return 1
        growth = peak[0] - rss_before
        print(
            f"uploaded {args.mb} MiB in {seconds:.1f} s ({args.mb / seconds:.0f} MiB/s), sha256 ok"
        )
        print(
            f"server RSS: {rss_before / MB:.1f} MiB before, {peak[0] / MB:.1f} MiB peak "
            f"(+{growth / MB:.1f} MiB), {rss_after / MB:.1f} MiB after"
        )
        print(f"server CPU: {(cpu_after - cpu_before) / (size / 1024**3):.2f} s per GiB")
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
