"""The HTTP API, v1 (HTTP-API.md): ``routes`` to mount, ``exception_handlers`` to install."""

from __future__ import annotations

from starlette.routing import Mount

from server.api import (
    accounts,
    audit,
    bots,
    challenge_csv,
    challenges,
    checkin_days,
    circle_export,
    circles,
    cohorts,
    contests,
    events,
    follows,
    gatherings,
    groups,
    homework,
    incoming_hooks,
    joining,
    leaving,
    lessons,
    mail,
    materials,
    media_keys,
    notifications,
    openapi,
    payments,
    points,
    polls,
    posts,
    push,
    reactions,
    reports,
    sanctions,
    search,
    terms,
    tus,
    uploads,
    webhooks,
)
from server.api.errors import ApiError, exception_handlers

PREFIX = "/api/v1"

routes = [
    Mount(
        PREFIX,
        routes=[
            *accounts.routes,
            *leaving.routes,
            *cohorts.routes,
            *circles.routes,
            *joining.routes,
            *follows.routes,
            *posts.routes,
            *groups.routes,
            *reactions.routes,
            *sanctions.routes,
            *terms.routes,
            *payments.routes,
            *polls.routes,
            *uploads.routes,
            *media_keys.routes,
            *materials.routes,
            *reports.routes,
            *challenges.routes,
            *checkin_days.routes,
            *challenge_csv.routes,
            *gatherings.routes,
            *points.routes,
            *webhooks.routes,
            *incoming_hooks.routes,
            *bots.routes,
            *contests.routes,
            *homework.routes,
            *lessons.routes,
            *search.routes,
            *push.routes,
            *mail.routes,
            *notifications.routes,
            *audit.routes,
            *circle_export.routes,
            *tus.routes,
            *events.routes,
            *openapi.routes,
        ],
    )
]

__all__ = ["PREFIX", "ApiError", "exception_handlers", "routes"]
