"""The HTTP API, v1 (HTTP-API.md): ``routes`` to mount, ``exception_handlers`` to install."""

from __future__ import annotations

from starlette.routing import Mount

from server.api import (
    accounts,
    audit,
    circles,
    events,
    groups,
    joining,
    materials,
    media_keys,
    openapi,
    polls,
    posts,
    reactions,
    reports,
    sanctions,
    search,
    tus,
    uploads,
)
from server.api.errors import ApiError, exception_handlers

PREFIX = "/api/v1"

routes = [
    Mount(
        PREFIX,
        routes=[
            *accounts.routes,
            *circles.routes,
            *joining.routes,
            *posts.routes,
            *groups.routes,
            *reactions.routes,
            *sanctions.routes,
            *polls.routes,
            *uploads.routes,
            *media_keys.routes,
            *materials.routes,
            *reports.routes,
            *search.routes,
            *audit.routes,
            *tus.routes,
            *events.routes,
            *openapi.routes,
        ],
    )
]

__all__ = ["PREFIX", "ApiError", "exception_handlers", "routes"]
