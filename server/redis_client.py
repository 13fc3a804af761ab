"""One Redis or a Redis Cluster, from ``QUANZI_REDIS_URL``.

``redis://host:port/0`` (or ``rediss://``) is one Redis. ``redis+cluster://host:port,
host:port`` (or ``rediss+cluster://``) is a Redis Cluster: the hosts are seeds
(any live one will do; the client learns the rest from ``CLUSTER SLOTS``).

In a cluster every key and channel of a circle carries the circle's channel as
its hash tag (`tag`), so a circle's pub/sub (``SSUBSCRIBE``/``SPUBLISH``) and
its presence live on one shard; a user's rate-limit bucket is tagged with the
user. Every script touches one key: a script over several keys would cross slots.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, TypeAlias
from urllib.parse import unquote, urlsplit

from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.exceptions import RedisClusterException, RedisError

AnyRedis: TypeAlias = Redis | RedisCluster

# What Redis being away (or a cluster between masters) raises: a cluster
# client's "no reachable node" and "slot not covered" are no RedisError.
REDIS_ERRORS = (RedisError, RedisClusterException, OSError)

CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}


class RedisUrlError(ValueError):
    """A Redis URL this server cannot use."""


def is_cluster(url: str) -> bool:
    return urlsplit(url).scheme in CLUSTER_SCHEMES


def tag(name: str) -> str:
    """``name`` as a hash tag: every key holding it maps to one cluster slot."""
    return f"{{{name}}}"


def seeds(url: str) -> list[tuple[str, int]]:
    """The seed nodes of a cluster URL."""
    parts = urlsplit(url)
    out: list[tuple[str, int]] = []
    for host in parts.netloc.rpartition("@")[2].split(","):
        name, _, port = host.strip().rpartition(":")
        if not name or not port.isdigit():
            raise RedisUrlError(f"a Redis Cluster URL lists host:port seeds, not {host!r}")
        out.append((name.strip("[]"), int(port)))
    return out


def credentials(url: str) -> dict[str, Any]:
    """The user, password and TLS a URL asks for, as client options."""
    parts = urlsplit(url)
    user, _, password = parts.netloc.rpartition("@")[0].partition(":")
    out: dict[str, Any] = {}
    if user:
        out["username"] = unquote(user)
    if password:
        out["password"] = unquote(password)
    if CLUSTER_SCHEMES.get(parts.scheme) == "rediss":
        out["ssl"] = True
    return out


def connect(url: str, **options: Any) -> AnyRedis:
    """A client for ``url`` with ``options`` (timeouts, retry) for its connections."""
    if not is_cluster(url):
        return Redis.from_url(url, **options)
    return RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in seeds(url)],
        # A dead master's slots move to its replica: ask the cluster again at
        # once rather than after several failed commands.
        reinitialize_steps=1,
        **credentials(url),
        **options,
    )


async def reread_topology(client: AnyRedis) -> None:
    """After a failed command: a cluster client asks the cluster who serves what
    (a master may have failed over to its replica). redis-py does so by itself
    after a failed single command, but not after a failed pipeline."""
    if isinstance(client, RedisCluster):
        with contextlib.suppress(*REDIS_ERRORS):
            await client.nodes_manager.initialize()


def raise_if_cancelled(exc: BaseException | None = None) -> None:
    """redis-py can swallow a cancel that lands mid-command, or turn it into a
    connection error: a loop that went on would outlive its close(). The
    task's own count of cancel requests says what happened."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError() from exc
