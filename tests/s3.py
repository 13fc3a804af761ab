"""A real S3-compatible server for the tests: moto's standalone server on a free port."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from tests.e2e.harness import free_port


@contextlib.contextmanager
def moto_s3() -> Iterator[str]:
    """Run moto's S3 on 127.0.0.1 while the block runs; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
