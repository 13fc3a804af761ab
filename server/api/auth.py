"""Who is calling: the bearer token of ``Authorization``; and, for a write, whether
the caller may write again yet (``write_rate_per_s``, per user)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from server.api.errors import ApiError
from server.api.throttle import throttle

_CHALLENGE = {"WWW-Authenticate": "Bearer"}
# Reads are limited per IP only (server/request_limit.py); these per user too.
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def node_of(request: Request) -> Any:
    """The server node (store, settings and the hooks that keep sockets in step)."""
    return request.app.state.node


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError("unauthenticated", "a bearer token is required", _CHALLENGE)
    return token


async def authenticate(request: Request) -> tuple[dict[str, Any], str]:
    """``(user, token)`` of the caller; 401 ``unauthenticated`` otherwise, and 429
    ``rate_limited`` for a write past the caller's write limit."""
    token = bearer_token(request)
    node = node_of(request)
    user = await node.store.accounts.authenticate(token)
    if request.method in WRITES:
        await throttle(node.limits.writes, user["id"], "too many changes: slow down")
    return user, token
