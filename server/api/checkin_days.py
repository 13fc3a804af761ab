"""Make-up, leave, the review queue and reminders of check-in challenges over
HTTP (README.md, "Check-in challenges"; the rules in store/makeups.py,
store/checkin_review.py and store/checkin_reminders.py).

A participant makes up a past day or takes a leave day; an owner or admin
grants a make-up with a reason, reads the pending check-ins and approves or
rejects each; a participant turns a challenge's reminders on or off. Each
change that counts is a circle event (`checkin.added`, `checkin.reviewed`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.challenges import PAGE_MAX, REASON_MAX
from server.api.inputs import get_attachments, get_bool, get_str, json_body, page
from server.api.responses import created, ok, route
from store import CHECKIN_TEXT_MAX


async def make_up(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    checkin, standing = await node_of(request).store.makeups.make_up(
        request.path_params["id"],
        user["id"],
        get_str(body, "date", required=True, max_len=10),
        get_str(body, "text", max_len=CHECKIN_TEXT_MAX) or "",
        get_attachments(body),
    )
    return created({"checkin": checkin, "standing": standing})


async def grant(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    checkin, standing = await node_of(request).store.makeups.grant(
        request.path_params["id"],
        user["id"],
        get_str(body, "user", required=True, max_len=32),
        get_str(body, "date", required=True, max_len=10),
        get_str(body, "reason", required=True, max_len=REASON_MAX),
    )
    return created({"checkin": checkin, "standing": standing})


async def leave(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request, optional=True)
    checkin, standing = await node_of(request).store.makeups.leave(
        request.path_params["id"], user["id"], get_str(body, "date", max_len=10)
    )
    return created({"checkin": checkin, "standing": standing})


async def pending(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, 50, PAGE_MAX)
    found, nxt = await node_of(request).store.checkin_review.pending(
        request.path_params["id"], user["id"], cursor, limit
    )
    return ok({"checkins": found, "next": nxt})


async def approve(request: Request) -> Response:
    user, _ = await authenticate(request)
    checkin, standing = await node_of(request).store.checkin_review.decide(
        request.path_params["id"], user["id"], True
    )
    return ok({"checkin": checkin, "standing": standing})


async def reject(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request, optional=True)
    checkin, standing = await node_of(request).store.checkin_review.decide(
        request.path_params["id"], user["id"], False, get_str(body, "reason", max_len=REASON_MAX)
    )
    return ok({"checkin": checkin, "standing": standing})


async def reminders(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    standing = await node_of(request).store.checkin_reminders.set_reminders(
        request.path_params["id"], user["id"], get_bool(body, "on", required=True)
    )
    return ok({"standing": standing})


routes = [
    route("/challenges/{id}/makeups", post=make_up),
    route("/challenges/{id}/grants", post=grant),
    route("/challenges/{id}/leave", post=leave),
    route("/challenges/{id}/pending", get=pending),
    route("/challenges/{id}/reminders", put=reminders),
    route("/checkins/{id}/approve", post=approve),
    route("/checkins/{id}/reject", post=reject),
]

__all__ = ["routes"]
