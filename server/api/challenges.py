"""Check-in challenges over HTTP (README.md, "Check-in challenges"; the rules in
store/challenges.py and store/checkins.py).

Owners and admins create challenges; members join and check in once per
scheduled day; everyone who may read the circle reads the challenges, the
boards, a day's check-ins and a participant's calendar; owners and admins read
today's "not yet checked in" list and invalidate check-ins. Every change is an
event of the circle (`challenge.*`, `checkin.*`), pushed live.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.inputs import get_attachments, get_str, json_body, page, query_str
from server.api.responses import created, ok, route
from store import CHECKIN_TEXT_MAX

PAGE_DEFAULT, PAGE_MAX = 20, 100
REASON_MAX = 512


async def create_challenge(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    challenges = node_of(request).store.challenges
    return created(await challenges.create(request.path_params["id"], user["id"], body))


async def list_challenges(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, PAGE_DEFAULT, PAGE_MAX)
    found, nxt = await node_of(request).store.challenges.page(
        request.path_params["id"], user["id"], cursor, limit
    )
    return ok({"challenges": found, "next": nxt})


async def get_challenge(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(await node_of(request).store.challenges.get(request.path_params["id"], user["id"]))


async def join_challenge(request: Request) -> Response:
    user, _ = await authenticate(request)
    standing = await node_of(request).store.challenges.join(request.path_params["id"], user["id"])
    return ok({"standing": standing})


async def check_in(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request, optional=True)
    text = get_str(body, "text", max_len=CHECKIN_TEXT_MAX) or ""
    checkin, standing = await node_of(request).store.checkins.check_in(
        request.path_params["id"], user["id"], text, get_attachments(body)
    )
    return created({"checkin": checkin, "standing": standing})


async def day(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, 50, PAGE_MAX)
    found, nxt = await node_of(request).store.checkins.day(
        request.path_params["id"], user["id"], query_str(request, "date", max_len=10), cursor, limit
    )
    return ok({"checkins": found, "next": nxt})


async def board(request: Request) -> Response:
    user, _ = await authenticate(request)
    by = query_str(request, "by", max_len=10) or "streak"
    cursor, limit = page(request, 50, PAGE_MAX)
    entries, nxt, me = await node_of(request).store.challenges.board(
        request.path_params["id"], user["id"], by, cursor, limit
    )
    return ok({"entries": entries, "next": nxt, "me": me})


async def completed(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, PAGE_MAX, PAGE_MAX)
    entries, nxt = await node_of(request).store.challenges.completed(
        request.path_params["id"], user["id"], cursor, limit
    )
    return ok({"entries": entries, "next": nxt})


async def missing(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, PAGE_MAX, PAGE_MAX)
    entries, nxt, count = await node_of(request).store.challenges.missing(
        request.path_params["id"], user["id"], cursor, limit
    )
    return ok({"entries": entries, "next": nxt, "count": count})


async def calendar(request: Request) -> Response:
    user, _ = await authenticate(request)
    who = request.path_params["user_id"]
    found = await node_of(request).store.checkins.calendar(
        request.path_params["id"], user["id"], user["id"] if who == "me" else who
    )
    return ok(found)


async def edit_checkin(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    text = get_str(body, "text", max_len=CHECKIN_TEXT_MAX) or ""
    checkin = await node_of(request).store.checkins.edit(
        request.path_params["id"], user["id"], text, get_attachments(body)
    )
    return ok({"checkin": checkin})


async def invalidate(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    reason = get_str(body, "reason", required=True, max_len=REASON_MAX)
    checkin, standing = await node_of(request).store.checkins.invalidate(
        request.path_params["id"], user["id"], reason
    )
    return ok({"checkin": checkin, "standing": standing})


async def feature(request: Request) -> Response:
    """精选: the check-in becomes a highlight of the circle (owners and admins), once."""
    user, _ = await authenticate(request)
    checkin, post, fresh = await node_of(request).store.checkin_features.feature(
        request.path_params["id"], user["id"]
    )
    return ok({"checkin": checkin, "post": post, "promoted": fresh})


routes = [
    route("/circles/{id}/challenges", get=list_challenges, post=create_challenge),
    route("/challenges/{id}", get=get_challenge),
    route("/challenges/{id}/join", post=join_challenge),
    route("/challenges/{id}/checkins", get=day, post=check_in),
    route("/challenges/{id}/board", get=board),
    route("/challenges/{id}/completed", get=completed),
    route("/challenges/{id}/missing", get=missing),
    route("/challenges/{id}/calendar/{user_id}", get=calendar),
    route("/checkins/{id}", patch=edit_checkin),
    route("/checkins/{id}/invalidate", post=invalidate),
    route("/checkins/{id}/feature", post=feature),
]

__all__ = ["routes"]
