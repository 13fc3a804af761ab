"""The caller's notification inbox over HTTP (store/notifications.py): the list
(newest first, ``before`` an id; ``after`` an id for the catch-up after a
reconnect, oldest first), the unread count, marks read (some, up to an id, all),
and the notification settings (levels per circle and per kind, quiet hours in
the caller's zone, the language of the away channels). New ones arrive live as
``notification`` frames on ``/ws`` (server/inbox.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.auth import authenticate, node_of
from server.api.inputs import bad, json_body, query_int
from server.api.responses import ok, route
from store import NOTIFICATIONS_PAGE_MAX

PAGE_DEFAULT = 50


async def inbox(request: Request) -> Response:
    user, _ = await authenticate(request)
    store = node_of(request).store
    before = query_int(request, "before", minimum=0)
    after = query_int(request, "after", minimum=0)
    if before is not None and after is not None:
        raise bad("give before or after, not both")
    limit = query_int(request, "limit", PAGE_DEFAULT, minimum=1, maximum=NOTIFICATIONS_PAGE_MAX)
    found, more = await store.notifications.list(user["id"], before, after, limit)
    unread = await store.notifications.unread_count(user["id"])
    return ok({"notifications": found, "more": more, "unread": unread})


async def unread(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok({"unread": await node_of(request).store.notifications.unread_count(user["id"])})


async def mark_read(request: Request) -> Response:
    """``{"ids": [..]}``, ``{"up_to": id}`` or ``{}`` (all)."""
    user, _ = await authenticate(request)
    body = await json_body(request, optional=True)
    unknown = set(body) - {"ids", "up_to"}
    if unknown:
        raise bad(f"unknown field {sorted(unknown)[0]}")
    if "up_to" in body and (isinstance(body["up_to"], bool) or not isinstance(body["up_to"], int)):
        raise bad("up_to must be an integer")
    node = node_of(request)
    count = await node.inbox.mark_read(user["id"], body.get("ids"), body.get("up_to"))
    return ok({"unread": count})


async def mark_one_read(request: Request) -> Response:
    user, _ = await authenticate(request)
    raw = request.path_params["id"]
    if not raw.isdigit() or len(raw) > 18:
        raise bad("a notification id is a number")
    count = await node_of(request).inbox.mark_read(user["id"], [int(raw)])
    return ok({"unread": count})


async def settings(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(await node_of(request).store.notification_settings.settings_of(user["id"]))


async def change_settings(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    changed = await node_of(request).store.notification_settings.update_settings(user["id"], body)
    return ok(changed)


routes = [
    Route("/me/notifications", inbox, methods=["GET"]),
    Route("/me/notifications/unread", unread, methods=["GET"]),
    Route("/me/notifications/read", mark_read, methods=["POST"]),
    Route("/me/notifications/{id}/read", mark_one_read, methods=["POST"]),
    route("/me/notifications/settings", get=settings, patch=change_settings),
]
