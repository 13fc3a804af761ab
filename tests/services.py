"""Redis and PostgreSQL for the tests that are about them.

Where a service is missing such a test is skipped with the reason, unless
``QUANZI_REQUIRE_SERVICES=1`` (CI: `.ci/run` sets it), where it fails.

- PostgreSQL: ``QUANZI_TEST_POSTGRES_URL`` (default
  ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``) names a server and a
  database to connect to; each test gets a fresh database created there.
- Redis: ``QUANZI_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) is
  shared; each test uses its own key and channel prefix. Tests that stop Redis
  start their own ``redis-server`` on a free port (`RedisServer`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import make_url

from loadtests.redis_cluster import LocalRedisCluster
from tests import timing

POSTGRES_URL = os.environ.get(
    "QUANZI_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("QUANZI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def required() -> bool:
    return os.environ.get("QUANZI_REQUIRE_SERVICES", "") not in ("", "0")


def unavailable(reason: str) -> None:
    """Skip the test (fail it when services are required)."""
    if required():
        pytest.fail(f"{reason} (QUANZI_REQUIRE_SERVICES is set)", pytrace=False)
    pytest.skip(reason)


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


def redis_url() -> str:
    url = urlsplit(REDIS_URL)
    if not _port_open(url.hostname or "127.0.0.1", url.port or 6379):
        unavailable(f"Redis is not running at {REDIS_URL}")
    return REDIS_URL


@contextlib.asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database; its SQLAlchemy URL. Dropped afterwards."""
    try:
        import asyncpg  # type: ignore[import-untyped]
    except ImportError:
        unavailable("asyncpg is not installed (pip install -e '.[postgres]')")
    server = make_url(POSTGRES_URL)
    dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        admin = await asyncpg.connect(dsn, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc!r}")
    name = f"quanzi_test_{secrets.token_hex(6)}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A redis-server of the test's own, on a free port, that the test may stop."""

    def __init__(self, workdir: Path, port: int | None = None, password: str = "") -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server is not installed (apt-get install redis-server)")
        self.binary = str(binary)
        self.workdir = workdir
        self.port = port or free_port()
        self.password = password
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.workdir / f"redis-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                *(["--requirepass", self.password] if self.password else []),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while not _port_open("127.0.0.1", self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on {self.port} did not start")
            timing.sleep_blocking(0.02)
        return self

    def stop(self) -> None:
        """Stop this instance (only the process this object started)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


def redis_cluster(workdir: Path) -> LocalRedisCluster:
    """A Redis Cluster of the test's own (three masters, three replicas)."""
    try:
        return LocalRedisCluster(workdir).start()
    except FileNotFoundError as exc:
        unavailable(str(exc))
        raise


async def wait_for(predicate: object, timeout: float, interval: float = 0.05) -> None:
    """Poll an (async or plain) predicate until it is true."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()  # type: ignore[operator]
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await timing.sleep(interval)
