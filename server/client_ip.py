"""The address a request or a WebSocket came from: what per-IP limits count.

One function, so that trusting a reverse proxy's header (the trusted-proxy
setting being added beside the connection limits) is one change here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# No peer address (a unix socket, some test transports): all such callers share one key.
UNKNOWN = "unknown"


def client_ip(scope: Mapping[str, Any]) -> str:
    """The client's IP of an ASGI HTTP or WebSocket scope."""
    client = scope.get("client")
    if not client:
        return UNKNOWN
    return str(client[0])
