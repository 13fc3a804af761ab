"""Web Push subscriptions (server/webpush.py sends): the server's public key,
and the caller's devices — subscribe this browser, unsubscribe it, list them,
forget one. See store/push_subscriptions.py."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.auth import authenticate, node_of
from server.api.errors import ApiError
from server.api.inputs import bad, get_str, json_body
from server.api.responses import created, no_content, ok, route
from store import PUSH_ENDPOINT_MAX as ENDPOINT_MAX
from store import PUSH_LABEL_MAX as LABEL_MAX

# Base64url of a 65-byte key is 87 characters; room for padding and slack.
KEY_MAX = 128


async def key(request: Request) -> Response:
    """The applicationServerKey browsers subscribe with."""
    return ok({"key": node_of(request).vapid.public_key})


def _endpoint(request: Request, body: dict[str, object]) -> str:
    url = get_str(body, "endpoint", required=True, max_len=ENDPOINT_MAX)
    assert url is not None
    parts = urlsplit(url)
    loopback = (
        node_of(request).settings.push_allow_loopback_http
        and parts.scheme == "http"
        and parts.hostname == "127.0.0.1"
    )
    if parts.scheme != "https" and not loopback:
        raise ApiError(
            "bad_request", "endpoint must be an https URL", reason="push_endpoint_invalid"
        )
    return url


async def subscribe(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    url = _endpoint(request, body)
    keys = body.get("keys")
    if not isinstance(keys, dict):
        raise bad("keys must be an object with p256dh and auth")
    node = node_of(request)
    device = await node.store.push_subscriptions.subscribe(
        user["id"],
        url,
        get_str(keys, "p256dh", required=True, max_len=KEY_MAX),
        get_str(keys, "auth", required=True, max_len=KEY_MAX),
        get_str(body, "label", max_len=LABEL_MAX) or "",
        devices_max=node.settings.push_devices_max,
    )
    return created(device)


async def unsubscribe(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    url = get_str(body, "endpoint", required=True, max_len=ENDPOINT_MAX)
    await node_of(request).store.push_subscriptions.unsubscribe(user["id"], url)
    return no_content()


async def devices(request: Request) -> Response:
    user, _ = await authenticate(request)
    found = await node_of(request).store.push_subscriptions.devices(user["id"])
    return ok({"devices": found})


async def forget(request: Request) -> Response:
    user, _ = await authenticate(request)
    subscriptions = node_of(request).store.push_subscriptions
    await subscriptions.remove(user["id"], request.path_params["id"])
    return no_content()


routes = [
    Route("/push/key", key, methods=["GET"]),
    route("/me/push-subscriptions", get=devices, post=subscribe, delete=unsubscribe),
    Route("/me/push-subscriptions/{id}", forget, methods=["DELETE"]),
]
