"""The course plan and live lessons over HTTP (README.md, "Course plan and live
lessons"; the rules in store/lessons.py).

Teachers (owners and admins) create, edit, reorder and delete lessons, set a
stream and start and end a live lesson; members read the plan and a lesson's
page (with the highlights of its live chat) and mark a lesson seen. Every
change is an event of the circle (`lesson.*`), pushed live. An embeddable
player is accepted only from the origins the page may frame
(``Settings.frame_sources``, server/security_headers.py).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.inputs import json_body
from server.api.responses import created, no_content, ok, route


def _embeddable(request: Request) -> Any:
    return request.app.state.frames.allows


async def create_lesson(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    lessons = node_of(request).store.lessons
    made = await lessons.create(request.path_params["id"], user["id"], body, _embeddable(request))
    return created(made)


async def plan(request: Request) -> Response:
    user, _ = await authenticate(request)
    found, nxt = await node_of(request).store.lessons.plan(request.path_params["id"], user["id"])
    return ok({"lessons": found, "next": nxt})


async def reorder(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    order = await node_of(request).store.lessons.reorder(
        request.path_params["id"], user["id"], body.get("order")
    )
    return ok({"order": order})


async def get_lesson(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(await node_of(request).store.lessons.get(request.path_params["id"], user["id"]))


async def edit_lesson(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    lessons = node_of(request).store.lessons
    return ok(
        await lessons.update(request.path_params["id"], user["id"], body, _embeddable(request))
    )


async def delete_lesson(request: Request) -> Response:
    user, _ = await authenticate(request)
    await node_of(request).store.lessons.delete(request.path_params["id"], user["id"])
    return no_content()


async def seen(request: Request) -> Response:
    user, _ = await authenticate(request)
    await node_of(request).store.lessons.mark_seen(request.path_params["id"], user["id"])
    return no_content()


async def start(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(await node_of(request).store.lessons.start(request.path_params["id"], user["id"]))


async def end(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(await node_of(request).store.lessons.end(request.path_params["id"], user["id"]))


async def live_now(request: Request) -> Response:
    """GET /me/live-lessons: the live lessons of the caller's circles (the banner
    on any page, after a reconnect too)."""
    user, _ = await authenticate(request)
    return ok({"lessons": await node_of(request).store.lessons.live_for(user["id"])})


routes = [
    route("/circles/{id}/lessons", get=plan, post=create_lesson),
    route("/circles/{id}/lessons/order", put=reorder),
    route("/lessons/{id}", get=get_lesson, patch=edit_lesson, delete=delete_lesson),
    route("/lessons/{id}/seen", post=seen),
    route("/lessons/{id}/start", post=start),
    route("/lessons/{id}/end", post=end),
    route("/me/live-lessons", get=live_now),
]

__all__ = ["routes"]
