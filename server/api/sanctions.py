"""Mutes and bans (README.md, "Who may do what"): owners and admins keep a
circle clean. Each act is a change members see live (``member.updated``,
``member.removed``) and an entry of the audit log; no handler pushes anything.

``PUT /circles/{id}/members/{user_id}/mute`` takes ``{"minutes": N}`` or
``{"until": ms}`` (neither: until lifted) and an optional ``reason``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.inputs import (
    bad,
    get_int,
    get_str,
    json_body,
    name_query,
    page,
)
from server.api.responses import no_content, ok, route
from store import now_ms

REASON_MAX = 500
# A timed mute: at most a year, in minutes (longer: until lifted).
MUTE_MINUTES_MAX = 366 * 24 * 60
BANS_DEFAULT, BANS_MAX = 50, 200
MS_MAX = 2**53 - 1


def _ids(request: Request) -> tuple[str, str]:
    return request.path_params["id"], request.path_params["user_id"]


async def mute(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request, optional=True)
    minutes = get_int(body, "minutes", minimum=1, maximum=MUTE_MINUTES_MAX)
    until = get_int(body, "until", minimum=0, maximum=MS_MAX)
    if minutes is not None and until is not None:
        raise bad("give minutes or until, not both")
    if minutes is not None:
        until = now_ms() + minutes * 60_000
    reason = get_str(body, "reason", max_len=REASON_MAX)
    circle_id, target = _ids(request)
    sanctions = node_of(request).store.sanctions
    return ok(await sanctions.mute(circle_id, user["id"], target, until=until, reason=reason))


async def unmute(request: Request) -> Response:
    user, _ = await authenticate(request)
    circle_id, target = _ids(request)
    return ok(await node_of(request).store.sanctions.unmute(circle_id, user["id"], target))


async def ban(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request, optional=True)
    reason = get_str(body, "reason", max_len=REASON_MAX)
    circle_id, target = _ids(request)
    return ok(await node_of(request).store.sanctions.ban(circle_id, user["id"], target, reason))


async def unban(request: Request) -> Response:
    user, _ = await authenticate(request)
    circle_id, target = _ids(request)
    await node_of(request).store.sanctions.unban(circle_id, user["id"], target)
    return no_content()


async def bans(request: Request) -> Response:
    user, _ = await authenticate(request)
    query = name_query(request)
    cursor, limit = page(request, BANS_DEFAULT, BANS_MAX)
    found, next_cursor = await node_of(request).store.sanctions.bans(
        request.path_params["id"], user["id"], query=query, cursor=cursor, limit=limit
    )
    return ok({"bans": found, "next": next_cursor})


routes = [
    route("/circles/{id}/members/{user_id}/mute", put=mute, delete=unmute),
    route("/circles/{id}/bans", get=bans),
    route("/circles/{id}/bans/{user_id}", put=ban, delete=unban),
]
