"""The moderation audit log over HTTP: owners page through it, newest first, or
export all of it as CSV (README.md, "Reports and the audit log").

The export streams a page of the store at a time (``AUDIT_PAGE_MAX`` entries),
so memory stays bounded however long the log is: one row per act, newest
first, written as every export is (server/api/spreadsheets.py).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.inputs import name_query, page
from server.api.responses import ok, route
from server.api.spreadsheets import cell, csv_response, utc_time
from store import AUDIT_PAGE_MAX, Record

LIST_DEFAULT = 50
COLUMNS = (
    "time",
    "actor_id",
    "actor",
    "action",
    "target_kind",
    "target_id",
    "reason",
    "data",
    "target_name",
)


async def audit_page(request: Request) -> Response:
    """GET /circles/{id}/audit?q=&cursor=&limit=: owners only."""
    user, _ = await authenticate(request)
    cursor, limit = page(request, LIST_DEFAULT, AUDIT_PAGE_MAX)
    entries, next_cursor = await node_of(request).store.audit.page(
        request.path_params["id"], user["id"], cursor, limit or LIST_DEFAULT, name_query(request)
    )
    return ok({"entries": entries, "next": next_cursor})


async def audit_csv(request: Request) -> Response:
    """GET /circles/{id}/audit.csv: all of it, streamed (owners only)."""
    user, _ = await authenticate(request)
    circle_id = request.path_params["id"]
    audit = node_of(request).store.audit
    # The first page before the answer starts: a refusal is still a 403 or 404.
    first = await audit.page(circle_id, user["id"], None, AUDIT_PAGE_MAX)

    async def pages() -> AsyncIterator[list[tuple[str, ...]]]:
        entries, cursor = first
        while True:
            yield [_row(entry) for entry in entries]
            if cursor is None:
                return
            entries, cursor = await audit.page(circle_id, user["id"], cursor, AUDIT_PAGE_MAX)

    return csv_response(f"audit-{circle_id}.csv", COLUMNS, pages())


def _row(entry: Record) -> tuple[str, ...]:
    data = entry["data"]
    return (
        utc_time(entry["created"]),
        entry["actor"]["id"],
        cell(entry["actor"]["name"] or ""),
        entry["action"],
        entry["target"]["kind"],
        entry["target"]["id"] or "",
        cell(entry["reason"] or ""),
        "" if data is None else json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        cell(entry["target"].get("name") or ""),
    )


routes = [
    route("/circles/{id}/audit", get=audit_page),
    route("/circles/{id}/audit.csv", get=audit_csv),
]

__all__ = ["routes"]
