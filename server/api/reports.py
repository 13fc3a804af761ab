"""Reports and the moderation queue (README.md, "Reports and the audit log").

A member reports a target of a circle; owners and admins page through the
queue and resolve reports; a member lists their own reports with the outcome.
The store logs `report.filed` and `report.resolved`, which reach the managers
(and a resolution its reporter) as events.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.inputs import bad, get_str, json_body, name_query, page, query_str
from server.api.responses import created, ok, route
from server.api.throttle import throttle
from store import (
    REPORT_NOTE_MAX,
    REPORT_OUTCOMES,
    REPORT_REASONS,
    REPORT_TARGET_KINDS,
    REPORT_TEXT_MAX,
    REPORTS_PAGE_MAX,
)

LIST_DEFAULT = 50
STATUSES = ("open", "resolved")


async def file_report(request: Request) -> Response:
    """POST /circles/{id}/reports {target:{kind,id}, reason, text?}: 201 a new
    report, 200 the one this member had filed already."""
    user, _ = await authenticate(request)
    body = await json_body(request)
    target = body.get("target")
    if not isinstance(target, dict):
        raise bad("target must be an object {kind, id}")
    kind = get_str(target, "kind", required=True, choices=REPORT_TARGET_KINDS)
    target_id = get_str(target, "id", required=True, max_len=80)
    reason = get_str(body, "reason", required=True, choices=REPORT_REASONS)
    text = get_str(body, "text", max_len=REPORT_TEXT_MAX)
    node = node_of(request)
    await throttle(
        node.limits.reports, user["id"], "too many reports: try later", "too_many_reports"
    )
    report, new = await node.store.reports.file(
        request.path_params["id"], user["id"], kind, target_id, reason, text
    )
    return created({"report": report}) if new else ok({"report": report})


async def queue(request: Request) -> Response:
    """GET /circles/{id}/reports?status=&q=&cursor=&limit=: owners and admins."""
    user, _ = await authenticate(request)
    status = query_str(request, "status") or "open"
    if status not in STATUSES:
        raise bad(f"status must be one of {', '.join(STATUSES)}")
    cursor, limit = page(request, LIST_DEFAULT, REPORTS_PAGE_MAX)
    items, next_cursor, count = await node_of(request).store.reports.queue(
        request.path_params["id"], user["id"], status, cursor, limit, name_query(request)
    )
    return ok({"reports": items, "next": next_cursor, "open": count})


async def resolve(request: Request) -> Response:
    """POST /circles/{id}/reports/{report}/resolve {outcome, note?}."""
    user, _ = await authenticate(request)
    body = await json_body(request)
    outcome = get_str(body, "outcome", required=True, choices=REPORT_OUTCOMES)
    note = get_str(body, "note", max_len=REPORT_NOTE_MAX)
    report, count = await node_of(request).store.reports.resolve(
        request.path_params["id"], request.path_params["report"], user["id"], outcome, note
    )
    return ok({"report": report, "resolved": count})


async def my_reports(request: Request) -> Response:
    """GET /me/reports?cursor=&limit=: the caller's reports, newest first."""
    user, _ = await authenticate(request)
    cursor, limit = page(request, LIST_DEFAULT, REPORTS_PAGE_MAX)
    items, next_cursor = await node_of(request).store.reports.mine(user["id"], cursor, limit)
    return ok({"reports": items, "next": next_cursor})


routes = [
    route("/circles/{id}/reports", get=queue, post=file_report),
    route("/circles/{id}/reports/{report}/resolve", post=resolve),
    route("/me/reports", get=my_reports),
]

__all__ = ["routes"]
