"""Circles: the directory, settings, membership, access codes, chat history,
vetoes, deleting and editing messages.

No handler here pushes anything: every change is logged by the store and
reaches members as an `event` (server/events.py).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api import cohorts, groups, joining, sections
from server.api.auth import authenticate, node_of
from server.api.inputs import bad, get_bool, get_int, get_str, json_body, page, query_str
from server.api.responses import created, no_content, ok, route
from server.api.throttle import throttle
from server.client_address import client_ip

KINDS = ("internal", "business", "community", "teaching")
VISIBILITIES = ("public", "private")
# One page of the directory; the store's default, and a bound on what a client may ask.
DIRECTORY_DEFAULT, DIRECTORY_MAX = 50, 100
# Access codes are handed out in batches (a class, a team), not by the thousand.
CODES_MAX = 100
# A paid code's term: at most ten years (store/term_dates.py).
PERIOD_MONTHS_MAX = 120
MS_MAX = 2**53 - 1
# One page of members: a screenful, and a bound on one read of a big circle.
MEMBERS_DEFAULT, MEMBERS_MAX = 200, 500
# A search box's words.
QUERY_MAX = 64
TEXT_MAX = 4000


async def create_circle(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    name = get_str(body, "name", required=True, max_len=200)
    kind = get_str(body, "kind", required=True, choices=KINDS)
    visibility = get_str(body, "visibility", required=True, choices=VISIBILITIES)
    description = get_str(body, "description", max_len=TEXT_MAX) or ""
    node = node_of(request)
    # After the checks: a refused body costs no circle.
    await throttle(node.limits.circles, user["id"], "too many new circles: try later")
    circles = node.store.circles
    return created(await circles.create(user["id"], name, kind, visibility, description))


async def directory(request: Request) -> Response:
    user, _ = await authenticate(request)
    q = query_str(request, "q")
    kind = query_str(request, "kind")
    if kind is not None and kind not in KINDS:
        raise bad(f"kind must be one of {', '.join(KINDS)}")
    cursor, limit = page(request, DIRECTORY_DEFAULT, DIRECTORY_MAX)
    found, next_cursor = await node_of(request).store.circles.directory(
        q=q, kind=kind, cursor=cursor, limit=limit, viewer_id=user["id"]
    )
    return ok({"circles": found, "next": next_cursor})


async def invite_preview(request: Request) -> Response:
    """Unauthenticated: what an invite link invites to (see Circles.invite_preview).
    Limited per IP like a login, in a bucket of its own."""
    code = query_str(request, "code", max_len=200)
    node = node_of(request)
    await throttle(
        node.limits.logins,
        f"invite:{client_ip(request.scope)}",
        "too many invite look-ups from this address",
        "too_many_requests",
    )
    circle_id = request.path_params["id"]
    return ok(await node.store.circles.invite_preview(circle_id, code))


async def delete_circle(request: Request) -> Response:
    """An owner deletes the circle, typing its name to confirm: ``{"confirm": name}``."""
    user, _ = await authenticate(request)
    body = await json_body(request)
    confirm = get_str(body, "confirm", required=True, max_len=200)
    await node_of(request).store.deleted_circles.delete(
        request.path_params["id"], user["id"], confirm
    )
    return no_content()


async def get_circle(request: Request) -> Response:
    user, _ = await authenticate(request)
    circle_id = request.path_params["id"]
    return ok(await node_of(request).store.circles.get(circle_id, viewer_id=user["id"]))


async def patch_circle(request: Request) -> Response:
    user, _ = await authenticate(request)
    changes = _circle_changes(await json_body(request))
    circle_id = request.path_params["id"]
    circle = await node_of(request).store.circles.update(circle_id, user["id"], changes)
    return ok(circle)


def _circle_changes(body: dict[str, Any]) -> dict[str, Any]:
    """The settings present in the body, type-checked; the store checks their ranges."""
    readers = {
        "name": lambda: get_str(body, "name", True, max_len=200),
        "description": lambda: get_str(body, "description", True, max_len=TEXT_MAX),
        "promote_threshold": lambda: get_int(body, "promote_threshold", True, minimum=0),
        "retention_messages": lambda: get_int(body, "retention_messages", True, minimum=1),
        "retention_days": lambda: get_int(body, "retention_days", True, minimum=1),
        "history_for_new_members": lambda: get_bool(body, "history_for_new_members", True),
        "join_approval": lambda: get_bool(body, "join_approval", True),
        "join_question": lambda: get_str(body, "join_question", True, max_len=TEXT_MAX),
        "time_zone": lambda: get_str(body, "time_zone", True, max_len=64),
        "day_closes_after": lambda: get_int(body, "day_closes_after", True, minimum=0),
        "quiet_from": lambda: get_str(body, "quiet_from", True, max_len=5),
        "quiet_to": lambda: get_str(body, "quiet_to", True, max_len=5),
        "sections": lambda: sections.get_sections(body),
    }
    return {key: read() for key, read in readers.items() if key in body}


async def join(request: Request) -> Response:
    user, _ = await authenticate(request)
    code = get_str(await json_body(request, optional=True), "code", max_len=200)
    circle_id = request.path_params["id"]
    return ok(await node_of(request).store.memberships.join(circle_id, user["id"], code))


async def leave(request: Request) -> Response:
    user, _ = await authenticate(request)
    await node_of(request).store.memberships.leave(request.path_params["id"], user["id"])
    return no_content()


async def members(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, MEMBERS_DEFAULT, MEMBERS_MAX)
    query = query_str(request, "q", max_len=QUERY_MAX) or None
    found, next_cursor = await node_of(request).store.memberships.members(
        request.path_params["id"], user["id"], cursor=cursor, limit=limit, query=query
    )
    return ok({"members": found, "next": next_cursor})


async def patch_member(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    role = get_str(body, "role", max_len=32)
    nickname = get_str(body, "nickname", max_len=200)
    circle_id, member_id = request.path_params["id"], request.path_params["user_id"]
    member = await node_of(request).store.memberships.update_member(
        circle_id, user["id"], member_id, role=role, nickname=nickname
    )
    return ok(member)


async def remove_member(request: Request) -> Response:
    user, _ = await authenticate(request)
    circle_id, member_id = request.path_params["id"], request.path_params["user_id"]
    await node_of(request).store.memberships.remove_member(circle_id, user["id"], member_id)
    return no_content()


async def create_codes(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    count = get_int(body, "count", required=True, minimum=1, maximum=CODES_MAX)
    max_uses = get_int(body, "max_uses", minimum=1)
    expires_in_s = get_int(body, "expires_in_s", minimum=1)
    # A paid code's term (docs/payments.md): months from redeeming, or one end date.
    period_months = get_int(body, "period_months", minimum=1, maximum=PERIOD_MONTHS_MAX)
    deadline = get_int(body, "deadline", minimum=0, maximum=MS_MAX)
    # A cohort (server/api/cohorts.py): its label, a term in days, its chat group.
    label, period_days, group_id = cohorts.cohort_fields(body)
    codes = await node_of(request).store.circles.create_codes(
        request.path_params["id"],
        user["id"],
        count,
        max_uses=max_uses,
        expires_in_s=expires_in_s,
        period_months=period_months,
        deadline=deadline,
        label=label,
        period_days=period_days,
        group_id=group_id,
    )
    return created({"codes": codes})


routes = [
    route("/circles", get=directory, post=create_circle),
    route("/circles/{id}", get=get_circle, patch=patch_circle, delete=delete_circle),
    Route("/circles/{id}/invite", invite_preview, methods=["GET"]),
    Route("/circles/{id}/join", join, methods=["POST"]),
    Route("/circles/{id}/leave", leave, methods=["POST"]),
    Route("/circles/{id}/members", members, methods=["GET"]),
    route("/circles/{id}/members/{user_id}", patch=patch_member, delete=remove_member),
    route("/circles/{id}/codes", get=joining.list_codes, post=create_codes),
    # A circle's chat is its general group's, whose id is the circle's: one road.
    Route("/circles/{id}/messages", groups.messages, methods=["GET"]),
    route(
        "/circles/{id}/messages/{seq}",
        delete=groups.delete_message,
        patch=groups.edit_message,
    ),
    route("/circles/{id}/messages/{seq}/veto", put=groups.veto, delete=groups.unveto),
]
