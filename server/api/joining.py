"""Joining: join requests (ask, see one's own, list, approve, reject) and access
codes as their circle's owners and admins see them (list, redemptions, revoke).
See store/join_requests.py and store/access_codes.py."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.auth import authenticate, node_of
from server.api.inputs import get_str, json_body, name_query, page, query_str
from server.api.responses import created, ok, route

ANSWER_MAX = 4000
# A page of pending requests, of codes, of a code's redemptions.
PAGE_DEFAULT, PAGE_MAX = 50, 200


async def ask(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request, optional=True)
    answer = get_str(body, "answer", max_len=ANSWER_MAX) or ""
    requests = node_of(request).store.join_requests
    return created(await requests.request(request.path_params["id"], user["id"], answer))


async def pending(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, PAGE_DEFAULT, PAGE_MAX)
    found, next_cursor, count = await node_of(request).store.join_requests.pending(
        request.path_params["id"], user["id"], cursor=cursor, limit=limit, query=name_query(request)
    )
    return ok({"requests": found, "next": next_cursor, "pending": count})


async def mine(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(
        await node_of(request).store.join_requests.mine(request.path_params["id"], user["id"])
    )


async def approve(request: Request) -> Response:
    user, _ = await authenticate(request)
    circle_id, user_id = request.path_params["id"], request.path_params["user_id"]
    return ok(await node_of(request).store.join_requests.approve(circle_id, user["id"], user_id))


async def reject(request: Request) -> Response:
    user, _ = await authenticate(request)
    reason = get_str(await json_body(request, optional=True), "reason", max_len=ANSWER_MAX)
    circle_id, user_id = request.path_params["id"], request.path_params["user_id"]
    requests = node_of(request).store.join_requests
    return ok(await requests.reject(circle_id, user["id"], user_id, reason))


async def list_codes(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, PAGE_DEFAULT, PAGE_MAX)
    label = query_str(request, "label", max_len=80)  # one cohort's codes
    found, next_cursor = await node_of(request).store.codes.page(
        request.path_params["id"], user["id"], cursor=cursor, limit=limit, label=label
    )
    return ok({"codes": found, "next": next_cursor})


async def redemptions(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, PAGE_DEFAULT, PAGE_MAX)
    found, next_cursor = await node_of(request).store.codes.redemptions(
        request.path_params["id"], user["id"], request.path_params["code"], cursor, limit
    )
    return ok({"redemptions": found, "next": next_cursor})


async def revoke_code(request: Request) -> Response:
    user, _ = await authenticate(request)
    circle_id, code = request.path_params["id"], request.path_params["code"]
    return ok(await node_of(request).store.codes.revoke(circle_id, user["id"], code))


routes = [
    route("/circles/{id}/join-requests", get=pending, post=ask),
    Route("/circles/{id}/join-requests/mine", mine, methods=["GET"]),
    Route("/circles/{id}/join-requests/{user_id}/approve", approve, methods=["POST"]),
    Route("/circles/{id}/join-requests/{user_id}/reject", reject, methods=["POST"]),
    Route("/circles/{id}/codes/{code}", revoke_code, methods=["DELETE"]),
    Route("/circles/{id}/codes/{code}/redemptions", redemptions, methods=["GET"]),
]
