"""A circle's materials: its attachments, newest first, by kind (README.md, "Media");
or grouped by the course plan's lessons."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.inputs import bad, page, query_str
from server.api.responses import ok, route
from server.api.uploads import view
from store import ATTACHMENT_KINDS, ATTACHMENTS_LIST_DEFAULT, ATTACHMENTS_LIST_MAX


async def materials(request: Request) -> Response:
    """GET /circles/{id}/attachments?kind=&cursor=&limit=: a page, for members."""
    user, _ = await authenticate(request)
    kind = query_str(request, "kind")
    if kind is not None and kind not in ATTACHMENT_KINDS:
        raise bad(f"kind must be one of {', '.join(ATTACHMENT_KINDS)}")
    cursor, limit = page(request, ATTACHMENTS_LIST_DEFAULT, ATTACHMENTS_LIST_MAX)
    found, next_cursor = await node_of(request).store.attachments.materials(
        request.path_params["id"], user["id"], kind=kind, cursor=cursor, limit=limit
    )
    listed = [{**view(a), "uploader_name": a["uploader_name"]} for a in found]
    return ok({"attachments": listed, "next": next_cursor})


async def by_lesson(request: Request) -> Response:
    """GET /circles/{id}/attachments/by-lesson: the course plan's lessons that
    carry attachments, in the plan's order, each with them (store/lessons.py)."""
    user, _ = await authenticate(request)
    found = await node_of(request).store.lessons.by_lesson(request.path_params["id"], user["id"])
    return ok({"lessons": found})


routes = [
    route("/circles/{id}/attachments", get=materials),
    route("/circles/{id}/attachments/by-lesson", get=by_lesson),
]

__all__ = ["routes"]
