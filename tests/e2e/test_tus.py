"""Resumable (tus) uploads against a real server process: a connection dropped in
the middle of a PATCH keeps what arrived and the upload goes on from HEAD's
offset; the server restarts between two PATCHes and the upload resumes."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.harness import ServerProcess
from tests.timing import seconds, sleep_blocking

pytestmark = pytest.mark.e2e
MB = 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture
def node(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "node", QUANZI_UPLOAD_FILE_BYTES=str(64 * MB)).start()
    yield proc
    if proc.proc is not None:
        proc.stop()


def setup(node: ServerProcess) -> tuple[dict[str, str], str]:
    body = {"handle": "ann", "password": "correct horse", "name": "Ann"}
    token = httpx.post(f"{node.http}/api/v1/auth/signup", json=body).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    circle = httpx.post(
        f"{node.http}/api/v1/circles",
        json={"name": "Dance", "kind": "community", "visibility": "public"},
        headers=auth,
    ).json()["id"]
    return auth, circle


def create(node: ServerProcess, auth: dict[str, str], circle: str, length: int) -> str:
    made = httpx.post(
        f"{node.http}/api/v1/circles/{circle}/uploads/tus",
        headers={**auth, **TUS, "Upload-Length": str(length)},
    )
    assert made.status_code == 201, made.text
    return node.http + made.headers["Location"]


def offset(url: str, auth: dict[str, str]) -> int:
    head = httpx.head(url, headers={**auth, **TUS})
    assert head.status_code == 200
    return int(head.headers["Upload-Offset"])


def patch(url: str, auth: dict[str, str], start: int, data: bytes) -> httpx.Response:
    return httpx.patch(
        url,
        content=data,
        headers={
            **auth,
            **TUS,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": str(start),
        },
        timeout=seconds(60),
    )


def finish(url: str, auth: dict[str, str], data: bytes) -> httpx.Response:
    """PATCH the rest from HEAD's offset; while the server is still closing the
    dropped request (423) or its last write moved the offset (409), ask again."""
    deadline = time.monotonic() + seconds(30)
    while True:
        start = offset(url, auth)
        answer = patch(url, auth, start, data[start:])
        if answer.status_code not in (409, 423) or time.monotonic() > deadline:
            return answer
        sleep_blocking(0.05)


def check(node: ServerProcess, auth: dict[str, str], answer: httpx.Response, data: bytes) -> None:
    assert answer.status_code == 204, answer.text
    attachment = answer.headers["Quanzi-Attachment"]
    got = httpx.get(f"{node.http}/api/v1/attachments/{attachment}", headers=auth, timeout=60)
    assert got.status_code == 200
    assert hashlib.sha256(got.content).hexdigest() == hashlib.sha256(data).hexdigest()


def test_a_dropped_patch_keeps_what_arrived_and_resumes(node: ServerProcess) -> None:
    auth, circle = setup(node)
    data = b"%PDF-1.7\n" + os.urandom(6 * MB - 9)
    url = create(node, auth, circle, len(data))
    path = url.removeprefix(node.http)
    head = (
        f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {auth['Authorization']}\r\nTus-Resumable: 1.0.0\r\n"
        "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode()
    sent = 3 * MB + 12345
    with socket.create_connection(("127.0.0.1", node.port), timeout=30) as sock:
        sock.sendall(head)
        sock.sendall(data[:sent])
    # The connection is gone halfway: the server keeps what it received, no more.
    kept = offset(url, auth)
    assert 0 <= kept <= sent
    check(node, auth, finish(url, auth, data), data)


def test_an_upload_survives_a_restart_between_two_patches(node: ServerProcess) -> None:
    auth, circle = setup(node)
    data = b"%PDF-1.7\n" + os.urandom(5 * MB)
    url = create(node, auth, circle, len(data))
    first = patch(url, auth, 0, data[: 2 * MB])
    assert first.status_code == 204 and first.headers["Upload-Offset"] == str(2 * MB)
    node.stop()
    node.start()
    assert offset(url, auth) == 2 * MB
    second = patch(url, auth, 2 * MB, data[2 * MB : 4 * MB])
    assert second.status_code == 204
    node.stop()
    node.start()
    start = offset(url, auth)
    assert start == 4 * MB
    check(node, auth, patch(url, auth, start, data[start:]), data)
