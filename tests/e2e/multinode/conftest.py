"""Several server processes sharing Redis and a fresh PostgreSQL database.

Every node is a real `python -m server` on a free port. The shared Redis is
split between tests by a key and channel prefix; tests that stop Redis start
their own (`RedisServer`). Missing services skip these tests, or fail them
under QUANZI_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from loadtests.redis_cluster import LocalRedisCluster
from tests.e2e.conftest import FAST
from tests.e2e.harness import Api, ServerProcess
from tests.services import RedisServer, fresh_postgres_database, redis_cluster, redis_url

# Small enough for the tests to see a dead node's members go, big enough that
# a loaded CI machine never misses a beat.
PRESENCE_TTL_S = "4"


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def shared_redis() -> str:
    return redis_url()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def own_redis_cluster(tmp_path: Path) -> Iterator[LocalRedisCluster]:
    cluster = redis_cluster(tmp_path / "redis-cluster")
    yield cluster
    cluster.stop()


StartNodes = Callable[..., list[ServerProcess]]


@pytest.fixture
def start_nodes(tmp_path: Path, database_url: str) -> Iterator[StartNodes]:
    """``start_nodes(2, redis=url)`` starts nodes sharing Redis and the database."""
    started: list[ServerProcess] = []
    prefix = f"qt{secrets.token_hex(4)}:"

    def start(count: int, redis: str, **env: str) -> list[ServerProcess]:
        nodes = []
        for _ in range(count):
            node = ServerProcess(
                tmp_path / f"node{len(started)}",
                QUANZI_DATABASE_URL=database_url,
                QUANZI_REDIS_URL=redis,
                QUANZI_REDIS_PREFIX=prefix,
                QUANZI_PRESENCE_TTL_S=PRESENCE_TTL_S,
                **{**FAST, **env},
            )
            started.append(node)
            nodes.append(node.start())
        return nodes

    yield start
    for node in started:
        if node.proc is not None:
            node.stop()


@pytest.fixture
async def two_nodes(start_nodes: StartNodes, shared_redis: str) -> list[ServerProcess]:
    return start_nodes(2, shared_redis)


@pytest.fixture
async def api(two_nodes: list[ServerProcess]) -> AsyncIterator[Api]:
    client = Api(two_nodes[0].http)
    yield client
    await client.close()
