"""Bot accounts over HTTP (store/bots.py): a user's bots — create (the token is in
the answer this once), list, scope to circles, rotate or revoke the token — and a
circle's owners and admins adding a bot. Ending a bot's token closes its sockets
(``Node.token_revoked``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.inputs import json_body
from server.api.responses import created, no_content, ok, route


async def my_bots(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok({"bots": await node_of(request).store.bots.mine(user["id"])})


async def create_bot(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    bot, token = await node_of(request).store.bots.create(user["id"], body.get("name"))
    return created({**bot, "token": token})


async def set_scope(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    bot = await node_of(request).store.bots.set_scope(
        user["id"], request.path_params["bot_id"], body.get("circles")
    )
    return ok(bot)


async def rotate_token(request: Request) -> Response:
    user, _ = await authenticate(request)
    node = node_of(request)
    token, ended = await node.store.bots.rotate(user["id"], request.path_params["bot_id"])
    await node.token_revoked(*ended)
    return ok({"token": token})


async def revoke_token(request: Request) -> Response:
    user, _ = await authenticate(request)
    node = node_of(request)
    await node.token_revoked(
        *await node.store.bots.revoke(user["id"], request.path_params["bot_id"])
    )
    return no_content()


async def add_bot(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    member = await node_of(request).store.bots.add(
        request.path_params["id"], user["id"], body.get("bot")
    )
    return ok(member)


routes = [
    route("/me/bots", get=my_bots, post=create_bot),
    route("/me/bots/{bot_id}/circles", put=set_scope),
    route("/me/bots/{bot_id}/token", post=rotate_token, delete=revoke_token),
    route("/circles/{id}/bots", post=add_bot),
]

__all__ = ["routes"]
