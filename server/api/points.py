"""Points over HTTP (README.md, "Points"; the rules in store/points.py and
store/point_awards.py): the published rule table (owners and admins change it),
boards per period, a member's ledger, and the whole ledger as CSV for owners and
admins."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.inputs import json_body, page, query_str
from server.api.responses import ok, route
from server.api.spreadsheets import cell, csv_response, first_page_now, utc_time
from store import Store

BOARD_DEFAULT, BOARD_MAX = 50, 100
LEDGER_DEFAULT, LEDGER_MAX = 50, 500
EXPORT_PAGE = 1000
CSV_COLUMNS = ("time", "user_id", "name", "action", "points", "source_kind", "source_id")


async def rules(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(await node_of(request).store.points.rules(request.path_params["id"], user["id"]))


async def set_rules(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    found = await node_of(request).store.points.set_rules(
        request.path_params["id"], user["id"], body.get("rules"), body.get("exclude_managers")
    )
    return ok(found)


async def board(request: Request) -> Response:
    user, _ = await authenticate(request)
    period = query_str(request, "period", max_len=10) or "all"
    cursor, limit = page(request, BOARD_DEFAULT, BOARD_MAX)
    entries, nxt, me = await node_of(request).store.points.board(
        request.path_params["id"], user["id"], period, cursor, limit or BOARD_DEFAULT
    )
    return ok({"period": period, "entries": entries, "next": nxt, "me": me})


async def ledger(request: Request) -> Response:
    user, _ = await authenticate(request)
    who = request.path_params["user_id"]
    cursor, limit = page(request, LEDGER_DEFAULT, LEDGER_MAX)
    entries, nxt, total = await node_of(request).store.points.ledger(
        request.path_params["id"],
        user["id"],
        user["id"] if who == "me" else who,
        cursor,
        limit or LEDGER_DEFAULT,
    )
    return ok({"entries": entries, "next": nxt, "total": total})


async def ledger_pages(
    store: Store, circle_id: str, actor_id: str
) -> AsyncIterator[list[tuple[object, ...]]]:
    """The rows of ``points.csv``, oldest first, a page at a time (owners and admins)."""
    cursor: str | None = None
    while True:
        entries, cursor = await store.points.entries(circle_id, actor_id, cursor, EXPORT_PAGE)
        yield [
            (
                utc_time(e["created"]),
                e["user"],
                cell(e["name"]),
                e["action"],
                e["points"],
                e["source"]["kind"],
                e["source"]["id"],
            )
            for e in entries
        ]
        if cursor is None:
            return


async def ledger_csv(request: Request) -> Response:
    """Every entry of the circle, oldest first, streamed (owners and admins)."""
    user, _ = await authenticate(request)
    circle_id = request.path_params["id"]
    store = node_of(request).store
    pages = await first_page_now(ledger_pages(store, circle_id, user["id"]))
    return csv_response(f"points-{circle_id}.csv", CSV_COLUMNS, pages)


routes = [
    route("/circles/{id}/points/rules", get=rules, put=set_rules),
    route("/circles/{id}/points/board", get=board),
    route("/circles/{id}/points/ledger/{user_id}", get=ledger),
    route("/circles/{id}/points.csv", get=ledger_csv),
]

__all__ = ["CSV_COLUMNS", "ledger_pages", "routes"]
