"""The moderation audit log over HTTP: owners page through it, newest first, or
export all of it as CSV (README.md, "Reports and the audit log").

The export streams a page of the store at a time (``AUDIT_PAGE_MAX`` entries),
so memory stays bounded however long the log is. It is UTF-8 with a byte order
mark (Excel and WPS then read Chinese right), one row per act, newest first.
People's words that a spreadsheet would take for a formula (``=``, ``+``,
``-``, ``@``) start with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from server.api.auth import authenticate, node_of
from server.api.inputs import name_query, query_int, query_str
from server.api.responses import ok, route
from store import AUDIT_PAGE_MAX, Record

CURSOR_MAX = 500
LIST_DEFAULT = 50
BOM = "\ufeff"
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
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


async def audit_page(request: Request) -> Response:
    """GET /circles/{id}/audit?q=&cursor=&limit=: owners only."""
    user, _ = await authenticate(request)
    cursor = query_str(request, "cursor", max_len=CURSOR_MAX)
    limit = query_int(request, "limit", LIST_DEFAULT, minimum=1, maximum=AUDIT_PAGE_MAX)
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

    async def rows() -> AsyncIterator[str]:
        entries, cursor = first
        yield BOM + _lines([COLUMNS])
        while True:
            yield _lines(_row(entry) for entry in entries)
            if cursor is None:
                return
            entries, cursor = await audit.page(circle_id, user["id"], cursor, AUDIT_PAGE_MAX)

    name = f"audit-{circle_id}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)


def _row(entry: Record) -> tuple[str, ...]:
    at = datetime.fromtimestamp(entry["created"] / 1000, tz=UTC)
    data = entry["data"]
    return (
        at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        entry["actor"]["id"],
        _cell(entry["actor"]["name"] or ""),
        entry["action"],
        entry["target"]["kind"],
        entry["target"]["id"] or "",
        _cell(entry["reason"] or ""),
        "" if data is None else json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        _cell(entry["target"].get("name") or ""),
    )


def _lines(rows: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def _cell(value: str) -> str:
    """People's words that a spreadsheet would take for a formula start with an
    apostrophe (ids are ours and may start with ``-``: they stay as they are)."""
    return "'" + value if value.startswith(_FORMULA) else value


routes = [
    route("/circles/{id}/audit", get=audit_page),
    route("/circles/{id}/audit.csv", get=audit_csv),
]

__all__ = ["routes"]
