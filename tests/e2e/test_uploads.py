"""Uploads against a real server process: a body past its limit is refused while it
streams (chunked, no Content-Length to judge by) and nothing of it is kept; a
300 MB file streams through with the server's memory sampled (bounded growth)
and comes back byte for byte."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from loadtests.proc import ProcessSampler
from tests.e2e.harness import ServerProcess
from tests.timing import sleep_blocking

pytestmark = pytest.mark.e2e
MB = 1024 * 1024


@pytest.fixture
def node(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        tmp_path / "node",
        QUANZI_UPLOAD_IMAGE_BYTES=str(1 * MB),
        QUANZI_UPLOAD_FILE_BYTES=str(400 * MB),
    ).start()
    yield proc
    if proc.proc is not None:
        proc.stop()


def setup(node: ServerProcess) -> tuple[str, str]:
    body = {"handle": "ann", "password": "correct horse", "name": "Ann"}
    token = httpx.post(f"{node.http}/api/v1/auth/signup", json=body).json()["token"]
    circle = httpx.post(
        f"{node.http}/api/v1/circles",
        json={"name": "Dance", "kind": "community", "visibility": "public"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["id"]
    return token, circle


def test_a_body_past_its_limit_is_refused_while_it_streams(node: ServerProcess) -> None:
    token, circle = setup(node)
    head = (
        f"POST /api/v1/circles/{circle}/uploads?name=big.jpg HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    piece = b"\xff\xd8\xff\xe0" + os.urandom(64 * 1024 - 4)
    with socket.create_connection(("127.0.0.1", node.port), timeout=30) as sock:
        sock.sendall(head)
        # 1.25 MB against a 1 MB limit for images, then the client waits without
        # ending the body: the answer can only come from the limit, mid-stream.
        for _ in range(20):
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"413", answer[:500]
    error = json.loads(rest.partition(b"\r\n\r\n")[2])["error"]
    assert error["code"] == "too_big" and "file_too_big" in error["message"]
    # Nothing of it is kept: no spool file, no blob, no attachment.
    blobs = node.data_dir / "blobs"
    assert [p for p in blobs.rglob("*") if p.is_file()] == []


def test_a_big_file_streams_through_in_bounded_memory(node: ServerProcess) -> None:
    token, circle = setup(node)
    auth = {"Authorization": f"Bearer {token}"}
    warm = b"%PDF-1.7\n" + os.urandom(2 * MB)
    assert (
        httpx.post(
            f"{node.http}/api/v1/circles/{circle}/uploads", content=warm, headers=auth
        ).status_code
        == 201
    )
    assert node.proc is not None
    sampler = ProcessSampler(node.proc.pid)
    before = sampler.sample()[1]
    peak = [before]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], sampler.sample()[1])
            sleep_blocking(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    block = b"%PDF-1.7\n" + os.urandom(MB - 9)
    digest = hashlib.sha256()

    def body() -> Iterator[bytes]:
        for _ in range(300):
            digest.update(block)
            yield block

    try:
        answer = httpx.post(
            f"{node.http}/api/v1/circles/{circle}/uploads?name=video-homework.pdf",
            content=body(),
            headers={**auth, "Content-Length": str(300 * MB)},
            timeout=300,
        )
    finally:
        done.set()
        watcher.join()
    assert answer.status_code == 201, answer.text
    assert answer.json()["sha256"] == digest.hexdigest()
    # The whole file would be 300 MB; a stream costs a few.
    assert peak[0] - before < 32 * MB, (before, peak[0])
    back = hashlib.sha256()
    with httpx.stream("GET", f"{node.http}{answer.json()['url']}", headers=auth) as download:
        for chunk in download.iter_bytes():
            back.update(chunk)
    assert back.hexdigest() == digest.hexdigest()
