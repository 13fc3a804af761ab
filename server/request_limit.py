"""Every HTTP request of an IP counts against one bucket (``http_rate_per_s``,
``http_burst``): a flood of cheap requests is refused before it reaches a route.

/healthz and /metrics are not counted: the orchestrator and the scraper must
see the node whatever a flood does. WebSockets are not counted here: their
upgrades and frames have limits of their own.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from server.api.errors import error_response
from server.api.throttle import retry_after
from server.client_address import client_ip
from server.ratelimit import wait_before

EXEMPT = frozenset({"/healthz", "/metrics"})


class RequestLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        node = getattr(scope["app"].state, "node", None)
        wait = 0.0 if node is None else await wait_before(node.limits.requests, client_ip(scope))
        if not wait:
            await self.app(scope, receive, send)
            return
        response = error_response(
            "rate_limited",
            "too many requests from this address: slow down",
            headers={"Retry-After": retry_after(wait)},
        )
        await response(scope, receive, send)
