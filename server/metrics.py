"""Prometheus metrics: what an operator watches during a launch."""

from __future__ import annotations

import functools
import hmac
import ipaddress
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response

from server.api.errors import ApiError

connections = Gauge("quanzi_connections", "Open WebSocket connections")
joined_circles = Gauge("quanzi_joined_streams", "Chat streams joined over all connections")
frames_in = Counter("quanzi_frames_in_total", "Frames received from clients", ["type"])
frames_out = Counter("quanzi_frames_out_total", "Frames sent to clients", ["type"])
deliveries = Counter("quanzi_deliveries_total", "Chat messages handed to member connections")
send_queue_depth = Gauge("quanzi_send_queue_frames", "Frames waiting in all send queues")
slow_disconnects = Counter(
    "quanzi_slow_reader_disconnects_total", "Connections closed with 4009 (too slow)"
)
commit_batch = Histogram(
    "quanzi_commit_batch_size",
    "Messages per group commit",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
)
commit_seconds = Histogram(
    "quanzi_commit_seconds",
    "Latency of one group commit",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0),
)

# Several nodes: what Redis pub/sub lost or reordered and the store made good.
gap_filled = Counter(
    "quanzi_gap_filled_total", "Chat messages read from the store to fill a gap in a live stream"
)
broker_reconnects = Counter("quanzi_broker_reconnects_total", "Reconnects to Redis")
# Joins (server/join_cache.py): what a join found on the node, and what it read.
join_cache_hits = Counter("quanzi_join_cache_hits_total", "Join look-ups answered by the node")
join_cache_misses = Counter("quanzi_join_cache_misses_total", "Join look-ups that read the store")

# The open internet (server/admission.py, server/http_protocol.py).
refusals = Counter(
    "quanzi_connections_refused_total",
    "Connections and sockets refused or cut by a cap or deadline",
    ["reason"],
)


@functools.cache
def frame_in(t: str) -> Any:
    """The counter of one frame type (labels() validates on every call; this once)."""
    return frames_in.labels(t)


def refused(reason: str) -> None:
    refusals.labels(reason).inc()


@functools.cache
def frame_out(t: str) -> Any:
    return frames_out.labels(t)


async def metrics_endpoint(request: Request) -> Response:
    """The exposition, to the holder of QUANZI_METRICS_TOKEN or, without one, to loopback."""
    token = request.app.state.settings.metrics_token
    if token:
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            raise ApiError(
                "unauthenticated",
                "/metrics needs the bearer token of QUANZI_METRICS_TOKEN",
                headers={"WWW-Authenticate": "Bearer"},
            )
    elif not _is_loopback(request.client.host if request.client else ""):
        raise ApiError("forbidden", "/metrics answers loopback only: set QUANZI_METRICS_TOKEN")
    settings = request.app.state.settings
    if settings.metrics_dir:  # one of `--workers N`: every worker's series
        from .worker_metrics import exposition

        return Response(exposition(settings), media_type=CONTENT_TYPE_LATEST)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # not an address (a test client's name, a Unix socket)
        return False
