"""One member's side of an upload over the HTTP API: JSON calls, a streamed file, its download.

Blocking ``http.client`` on purpose: one thread per uploader streams its body
from a generator (never the whole file in memory) and hashes it on the way, so
what was sent is known without keeping it. Used by ``python -m loadtests
uploads`` and by the one-upload RSS probe (``loadtests/upload_rss.py``).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

MB = 1024 * 1024
# The file must be of a type the server takes: it sniffs the first bytes (a PDF is a "file").
PDF_HEAD = b"%PDF-1.7\n"


def api_call(port: int, method: str, path: str, body: Any = None, token: str = "") -> Any:
    """A JSON request to 127.0.0.1:`port`; the decoded answer, RuntimeError on HTTP ≥ 300."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        answer = conn.getresponse()
        data = answer.read()
    finally:
        conn.close()
    if answer.status >= 300:
        raise RuntimeError(f"{method} {path}: {answer.status} {data[:300]!r}")
    return json.loads(data)


def pattern(chunk: int) -> bytes:
    """Random bytes a file is made of (one per uploader, so no two files are alike)."""
    return PDF_HEAD + os.urandom(max(chunk, 64) - len(PDF_HEAD))


def file_chunks(size: int, chunk: int, bytes_of: bytes, digest: Any) -> Iterator[bytes]:
    """`size` bytes in pieces of at most `chunk`, hashed into `digest` as they go.

    Piece 0 is the start of `bytes_of` (its PDF head); every later piece is the
    same random bytes behind its own 8-byte index, so no two pieces are alike
    either — cheap on the client's CPU (no random generator per megabyte) and
    nothing a blob store could deduplicate."""
    sent, index = 0, 0
    while sent < size:
        n = min(chunk, size - sent)
        piece = bytes_of[:n] if index == 0 else (index.to_bytes(8, "big") + bytes_of[8:n])[:n]
        digest.update(piece)
        sent += n
        index += 1
        yield piece


@dataclass
class Upload:
    """What one upload sent and what the server answered."""

    member: int
    size: int
    sent_sha256: str = ""
    status: int = 0
    answer: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    error: str = ""


def upload(
    port: int,
    token: str,
    circle: str,
    body: Iterator[bytes],
    size: int,
    name: str = "file.pdf",
    timeout: float = 600.0,
) -> tuple[int, dict[str, Any]]:
    """POST /circles/{circle}/uploads with `body` streamed as the raw request body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            "POST",
            f"/api/v1/circles/{circle}/uploads?name={quote(name)}",
            body=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/octet-stream",
                "Content-Length": str(size),
            },
            encode_chunked=False,
        )
        answer = conn.getresponse()
        data = answer.read()
    finally:
        conn.close()
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = {"raw": data[:300].decode("utf-8", "replace")}
    return answer.status, parsed if isinstance(parsed, dict) else {"raw": parsed}


def download_sha256(
    port: int, token: str, url: str, timeout: float = 600.0
) -> tuple[int, str, int]:
    """GET `url` (an attachment's) as `token`: (status, SHA-256 of the body, its length)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    digest, length = hashlib.sha256(), 0
    try:
        conn.request("GET", url, headers={"Authorization": f"Bearer {token}"})
        answer = conn.getresponse()
        while piece := answer.read(MB):
            digest.update(piece)
            length += len(piece)
    finally:
        conn.close()
    return answer.status, digest.hexdigest(), length
