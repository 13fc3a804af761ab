"""Events over HTTP — gatherings, in the paths, since `/circles/{id}/events` is
the catch-up (README.md, "Events"; the rules in store/gatherings.py).

Owners and admins announce, change and cancel events; members answer going,
maybe or not going; everyone who may read the circle reads its events and who
answered what; owners and admins download the answers as CSV. Every change is
an event of the circle (`gathering.*`, `rsvp.changed`), pushed live.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.inputs import get_str, json_body, page, query_str
from server.api.responses import created, ok, route
from server.api.spreadsheets import cell, csv_response, utc_time
from store import RSVP_ANSWERS, Record

PAGE_DEFAULT, PAGE_MAX = 20, 100
RSVPS_DEFAULT, RSVPS_MAX = 50, 500
CSV_COLUMNS = ("user_id", "name", "answer", "waiting", "answered_at")


async def create_gathering(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    gatherings = node_of(request).store.gatherings
    return created(await gatherings.create(request.path_params["id"], user["id"], body))


async def list_gatherings(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, PAGE_DEFAULT, PAGE_MAX)
    when = query_str(request, "when", max_len=10) or "upcoming"
    found, nxt = await node_of(request).store.gatherings.page(
        request.path_params["id"], user["id"], when, cursor, limit
    )
    return ok({"gatherings": found, "next": nxt})


async def get_gathering(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(await node_of(request).store.gatherings.get(request.path_params["id"], user["id"]))


async def update_gathering(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    gatherings = node_of(request).store.gatherings
    return ok(await gatherings.update(request.path_params["id"], user["id"], body))


async def cancel_gathering(request: Request) -> Response:
    user, _ = await authenticate(request)
    gatherings = node_of(request).store.gatherings
    return ok(await gatherings.cancel(request.path_params["id"], user["id"]))


async def answer(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    said = get_str(body, "answer", required=True, choices=RSVP_ANSWERS)
    found, mine = await node_of(request).store.gatherings.answer(
        request.path_params["id"], user["id"], said
    )
    return ok({"gathering": found, "rsvp": mine})


async def rsvps(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, RSVPS_DEFAULT, RSVPS_MAX)
    which = query_str(request, "answer", max_len=16)
    found, nxt = await node_of(request).store.gatherings.rsvps(
        request.path_params["id"], user["id"], which, cursor, limit
    )
    return ok({"rsvps": found, "next": nxt})


def rsvp_rows(answers: list[Record]) -> list[tuple[object, ...]]:
    """The rows of ``rsvps.csv`` of an event's answers as ``Gatherings.export`` reads them."""
    return [
        (
            a["user"],
            cell(a["name"]),
            a["answer"],
            "yes" if a["waiting"] else "no",
            utc_time(a["at"]),
        )
        for a in answers
    ]


async def rsvps_csv(request: Request) -> Response:
    """Every answer, in the order given (owners and admins)."""
    user, _ = await authenticate(request)
    gathering_id = request.path_params["id"]
    _, answers = await node_of(request).store.gatherings.export(gathering_id, user["id"])

    async def pages() -> AsyncIterator[list[tuple[object, ...]]]:
        yield rsvp_rows(answers)

    return csv_response(f"event-{gathering_id}.csv", CSV_COLUMNS, pages())


routes = [
    route("/circles/{id}/gatherings", get=list_gatherings, post=create_gathering),
    route("/gatherings/{id}", get=get_gathering, patch=update_gathering),
    route("/gatherings/{id}/cancel", post=cancel_gathering),
    route("/gatherings/{id}/rsvp", put=answer),
    route("/gatherings/{id}/rsvps", get=rsvps),
    route("/gatherings/{id}/rsvps.csv", get=rsvps_csv),
]

__all__ = ["CSV_COLUMNS", "routes", "rsvp_rows"]
