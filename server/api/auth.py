"""Who is calling: the bearer token of ``Authorization``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from server.api.errors import ApiError

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


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
    """``(user, token)`` of the caller; 401 ``unauthenticated`` otherwise."""
    token = bearer_token(request)
    user = await node_of(request).store.accounts.authenticate(token)
    return user, token
