"""Catching up on a circle's changes: `GET /circles/{id}/events?after=<rev>`.

A client keeps the last `rev` it applied (from the `event` pushes, or the
circle's `last_rev`) and after a reconnect asks for what followed, in one call
per circle (`more`: ask again with `after=next`; `reset`: the log no longer
reaches back that far, reload the circle).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.auth import authenticate, node_of
from server.api.inputs import query_int
from server.api.responses import ok

# A page of events: enough for a short absence in one round trip.
EVENTS_DEFAULT, EVENTS_MAX = 200, 500
# Revs are counters in 53 bits (JavaScript's exact integers).
REV_MAX = 2**53 - 1


async def events(request: Request) -> Response:
    user, _ = await authenticate(request)
    after = query_int(request, "after", minimum=0, maximum=REV_MAX) or 0
    limit = query_int(request, "limit", minimum=1, maximum=EVENTS_MAX) or EVENTS_DEFAULT
    node = node_of(request)
    return ok(await node.events.catch_up(request.path_params["id"], user["id"], after, limit))


routes = [Route("/circles/{id}/events", events, methods=["GET"])]
