"""Paid terms (docs/payments.md): owners and admins set, renew or take away a
member's end date. The change is a ``member.updated`` event (the member and the
managers see it at once, on every node) and an entry of the audit log.

``PUT /circles/{id}/members/{user_id}/term`` takes ``{"ends_at": ms}`` (a new end)
or ``{"months": N}`` (a renewal from the later of the current end and now);
``DELETE`` takes the end away.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.inputs import get_int, json_body
from server.api.responses import ok, route

# The bounds of store/term_dates.py: ten years.
MONTHS_MAX = 120
MS_MAX = 2**53 - 1


async def set_term(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    ends_at = get_int(body, "ends_at", minimum=0, maximum=MS_MAX)
    months = get_int(body, "months", minimum=1, maximum=MONTHS_MAX)
    circle_id, target = request.path_params["id"], request.path_params["user_id"]
    terms = node_of(request).store.terms
    return ok(await terms.set_end(circle_id, user["id"], target, ends_at=ends_at, months=months))


async def clear_term(request: Request) -> Response:
    user, _ = await authenticate(request)
    circle_id, target = request.path_params["id"], request.path_params["user_id"]
    return ok(await node_of(request).store.terms.clear_end(circle_id, user["id"], target))


routes = [route("/circles/{id}/members/{user_id}/term", put=set_term, delete=clear_term)]
