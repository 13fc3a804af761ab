"""Outgoing webhooks over HTTP (docs/webhooks.md): a circle's owners and admins
create them (the secret is in the answer this once), change, re-enable, rotate
the secret, delete, and read the delivery log. What is sent, and how, is
store/webhook_outbox.py and server/webhook_sender.py."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.errors import ApiError
from server.api.inputs import json_body
from server.api.responses import created, no_content, ok, route
from server.webhook_urls import RefusedTarget, check_target


async def checked_url(request: Request, url: object) -> object:
    """The URL when its host is one a webhook may reach (the store checks its shape)."""
    allow = node_of(request).settings.webhook_allow_loopback
    if isinstance(url, str):
        try:
            await check_target(url, allow)
        except RefusedTarget as refused:
            raise ApiError("bad_request", str(refused), reason="webhook_url") from None
    return url


async def list_hooks(request: Request) -> Response:
    user, _ = await authenticate(request)
    hooks = await node_of(request).store.webhooks.of_circle(request.path_params["id"], user["id"])
    return ok({"webhooks": hooks})


async def create_hook(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    node = node_of(request)
    hook, secret = await node.store.webhooks.create(
        request.path_params["id"],
        user["id"],
        await checked_url(request, body.get("url")),
        body.get("events"),
        allow_http=node.settings.webhook_allow_loopback,
    )
    return created({**hook, "secret": secret})


async def update_hook(request: Request) -> Response:
    user, _ = await authenticate(request)
    body: dict[str, Any] = await json_body(request)
    node = node_of(request)
    if "url" in body:
        body["url"] = await checked_url(request, body["url"])
    hook = await node.store.webhooks.update(
        request.path_params["id"],
        user["id"],
        request.path_params["hook_id"],
        body,
        allow_http=node.settings.webhook_allow_loopback,
    )
    return ok(hook)


async def delete_hook(request: Request) -> Response:
    user, _ = await authenticate(request)
    await node_of(request).store.webhooks.delete(
        request.path_params["id"], user["id"], request.path_params["hook_id"]
    )
    return no_content()


async def rotate_secret(request: Request) -> Response:
    user, _ = await authenticate(request)
    secret = await node_of(request).store.webhooks.rotate(
        request.path_params["id"], user["id"], request.path_params["hook_id"]
    )
    return ok({"secret": secret})


async def deliveries(request: Request) -> Response:
    user, _ = await authenticate(request)
    log = await node_of(request).store.webhooks.deliveries(
        request.path_params["id"], user["id"], request.path_params["hook_id"]
    )
    return ok({"deliveries": log})


routes = [
    route("/circles/{id}/webhooks", get=list_hooks, post=create_hook),
    route("/circles/{id}/webhooks/{hook_id}", patch=update_hook, delete=delete_hook),
    route("/circles/{id}/webhooks/{hook_id}/secret", post=rotate_secret),
    route("/circles/{id}/webhooks/{hook_id}/deliveries", get=deliveries),
]

__all__ = ["routes"]
