from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import FAST
from tests.e2e.harness import ServerProcess

StartServer = Callable[..., ServerProcess]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """Start a server with these settings (QUANZI_* names); stopped after the test."""
    started: list[ServerProcess] = []

    def start(open_files: int | None = None, **env: str) -> ServerProcess:
        proc = ServerProcess(tmp_path / f"node{len(started)}", open_files=open_files, **FAST, **env)
        started.append(proc.start())
        return proc

    yield start
    for proc in started:
        if proc.proc is not None:
            proc.stop()


class Raw:
    """A raw TCP connection from a chosen loopback address: what an attacker holds."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int, source: str = "127.0.0.1") -> Raw:
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, local_addr=(source, 0), limit=1 << 20
        )
        return cls(reader, writer)

    async def send(self, data: bytes) -> bool:
        """False when the server has closed the connection already."""
        try:
            self.writer.write(data)
            await self.writer.drain()
        except (ConnectionError, OSError):
            return False
        return True

    async def answer(self, timeout: float) -> bytes | None:
        """What the server sends until it closes (b"" for a bare close), or None
        if it is still open after ``timeout`` seconds."""
        try:
            async with asyncio.timeout(timeout):
                return await self.reader.read()
        except TimeoutError:
            return None
        except (ConnectionError, OSError):
            return b""

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.transport.abort()


def status(answer: bytes | None) -> int | None:
    """The HTTP status of an answer; None for a bare close or no answer."""
    if not answer or not answer.startswith(b"HTTP/1.1 "):
        return None
    return int(answer[9:12])
