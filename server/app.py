"""The Starlette application: routes, lifespan and the node behind them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from . import api, away, web_client, worker_metrics
from .api.errors import error_response, exception_handlers
from .asgi_websocket import ws_endpoint
from .metrics import metrics_endpoint
from .node import Node
from .origins import OriginPolicy
from .request_limit import RequestLimit
from .security_headers import FramePolicy, SecurityHeaders
from .settings import Settings

log = logging.getLogger(__name__)

WEB_CLIENT = Path(__file__).resolve().parent.parent / "web-client"


async def healthz(request: Request) -> Response:
    node: Node = request.app.state.node
    settings: Settings = request.app.state.settings
    database = await node.store.ping()
    broker = node.broker.healthy()
    ok = database and broker
    body = {
        "status": "ok" if ok else "degraded",
        "database": database,
        "broker": broker,
        # kind (in-process / redis / redis-cluster), connected, node id, channels, reconnects
        "broker_state": node.broker.info(),
        # Which worker of `--workers N` answered (null: a single process), and
        # whether it runs the cluster-wide background jobs.
        "worker": None if settings.worker_index < 0 else settings.worker_index,
        "background_jobs": settings.background_jobs,
    }
    # 200 while the database answers: without Redis a node still stores and
    # acknowledges chat and serves its own members, so it stays in rotation.
    return JSONResponse(body, status_code=200 if database else 503)


async def ws_without_upgrade(request: Request) -> Response:
    """/ws over plain HTTP: say what it is (RFC 9110's 426) rather than a bare 404."""
    return error_response(
        "bad_request",
        "/ws is a WebSocket endpoint: send Upgrade: websocket",
        status=426,
        headers={"Upgrade": "websocket", "Connection": "Upgrade"},
    )


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        node = await Node.start(settings)
        app.state.node = node
        # The channels that reach members who are away (none unless configured).
        node.housekeeping.away.channels.extend(away.channels_from(settings, node.store))
        # One of `--workers N`: leave this worker's metrics for the others to serve.
        snapshots = (
            asyncio.create_task(worker_metrics.snapshot_loop(settings))
            if settings.metrics_dir
            else None
        )
        try:
            yield
        finally:
            if snapshots is not None:
                snapshots.cancel()
            await node.shutdown()
            await node.close()

    routes = [
        WebSocketRoute("/ws", ws_endpoint),
        Route("/ws", ws_without_upgrade),
        Route("/healthz", healthz),
        Route("/metrics", metrics_endpoint),
        *api.routes,
        *web_client.WebClient(WEB_CLIENT, bundled=settings.web_bundle).routes(),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers=exception_handlers,
        # Outermost first: a refusal of the request limit carries the headers too.
        middleware=[
            Middleware(SecurityHeaders, frame_sources=settings.frame_sources),
            Middleware(RequestLimit),
        ],
    )
    app.state.settings = settings
    # Read at every /ws upgrade, on both paths (websocket.py, asgi_websocket.py).
    app.state.origins = OriginPolicy(settings.allowed_origins)
    # Which live-lesson players may be framed (server/api/lessons.py).
    app.state.frames = FramePolicy(settings.frame_sources)
    return app
