"""Incoming webhooks over HTTP (docs/webhooks.md): a circle's owners and admins
create, list, rotate and revoke them; anyone holding a hook's URL posts through
it — ``POST /api/v1/hooks/{token}`` with ``{"text"}`` (chat) or
``{"title"?, "text"}`` (feed) — as the hook's bot, on the one road of every
member's message or post (live to members, caught up, searchable). No session:
the URL is the secret. Rate limited per hook (``incoming_hook_rate_per_min``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.errors import ApiError
from server.api.inputs import get_str, json_body
from server.api.responses import created, no_content, ok, route
from server.api.throttle import throttle
from store import new_id, now_ms

TITLE_MAX = 200
NONCE_MAX = 64


def hook_url(request: Request, token: str) -> str:
    return str(request.url_for("post_through_hook", token=token))


async def list_hooks(request: Request) -> Response:
    user, _ = await authenticate(request)
    hooks = await node_of(request).store.incoming_hooks.of_circle(
        request.path_params["id"], user["id"]
    )
    return ok({"hooks": hooks})


async def create_hook(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    hook, token = await node_of(request).store.incoming_hooks.create(
        request.path_params["id"], user["id"], body.get("name"), body.get("target", "chat")
    )
    return created({**hook, "url": hook_url(request, token)})


async def rotate_hook(request: Request) -> Response:
    user, _ = await authenticate(request)
    token = await node_of(request).store.incoming_hooks.rotate(
        request.path_params["id"], user["id"], request.path_params["hook_id"]
    )
    return ok({"url": hook_url(request, token)})


async def revoke_hook(request: Request) -> Response:
    user, _ = await authenticate(request)
    await node_of(request).store.incoming_hooks.revoke(
        request.path_params["id"], user["id"], request.path_params["hook_id"]
    )
    return no_content()


async def post_through_hook(request: Request) -> Response:
    node = node_of(request)
    hook = await node.store.incoming_hooks.by_token(request.path_params["token"])
    await throttle(node.limits.hooks, hook["id"], "too many posts through this hook: slow down")
    body = await json_body(request)
    text = get_str(body, "text", required=True) or ""
    title = get_str(body, "title", max_len=TITLE_MAX)
    nonce = get_str(body, "nonce", max_len=NONCE_MAX) or new_id()
    circle_id, bot_id = hook["circle"], hook["bot"]
    member = await node.store.memberships.membership(circle_id, bot_id)
    if member is None:
        raise ApiError("not_found", "no such hook")
    if member.muted(now_ms()):
        # Muted by the circle's managers (the feed's road checks this itself).
        raise ApiError(
            "forbidden",
            "this hook is muted in its circle",
            reason="muted",
            params={"until": member.muted_until},
        )
    if hook["target"] == "feed":
        full = f"{title}\n\n{text}" if title else text
        post = await node.store.posts.create(circle_id, bot_id, "post", full)
        return created({"post": post["id"]})
    if len(text) > node.settings.text_chars:
        raise ApiError(
            "too_big",
            f"a chat message is at most {node.settings.text_chars} characters",
            reason="text_too_long",
            params={"max": node.settings.text_chars},
        )
    message, _ = await node.store.chat.say(circle_id, bot_id, hook["name"], text, nonce, bot=True)
    return created({"seq": message["seq"], "ts": message["ts"]})


routes = [
    route("/circles/{id}/incoming-hooks", get=list_hooks, post=create_hook),
    route("/circles/{id}/incoming-hooks/{hook_id}", delete=revoke_hook),
    route("/circles/{id}/incoming-hooks/{hook_id}/token", post=rotate_hook),
    route("/hooks/{token}", post=post_through_hook),
]

__all__ = ["routes"]
