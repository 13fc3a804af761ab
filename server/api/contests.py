"""Contests over HTTP (README.md, "Contests"; the rules in store/contests.py).

Owners and admins open contests and announce their winners; members enter and
vote; everyone who may read the circle reads the contests and their entries,
ranked as the contest's rules allow. Every change is an event of the circle
(`contest.*`), pushed live. Every request counts against the caller's rate
limit, votes included.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.inputs import get_attachments, json_body, page
from server.api.responses import created, ok, route
from server.api.spreadsheets import cell, csv_response, utc_time
from store import Record

PAGE_DEFAULT, PAGE_MAX = 20, 100
CSV_COLUMNS = ("rank", "entry_id", "user_id", "name", "votes", "entered_at", "text", "attachments")


async def create_contest(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    return created(
        await node_of(request).store.contests.create(request.path_params["id"], user["id"], body)
    )


async def list_contests(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, PAGE_DEFAULT, PAGE_MAX)
    found, nxt = await node_of(request).store.contests.page(
        request.path_params["id"], user["id"], cursor, limit or PAGE_DEFAULT
    )
    return ok({"contests": found, "next": nxt})


async def get_contest(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(await node_of(request).store.contests.get(request.path_params["id"], user["id"]))


async def enter(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request, optional=True)
    entry = await node_of(request).store.contests.enter(
        request.path_params["id"], user["id"], body.get("text", ""), get_attachments(body)
    )
    return created(entry)


async def vote(request: Request) -> Response:
    user, _ = await authenticate(request)
    on = request.method == "PUT"
    return ok(await node_of(request).store.contests.vote(request.path_params["id"], user["id"], on))


async def announce(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request, optional=True)
    done = await node_of(request).store.contests.announce(
        request.path_params["id"], user["id"], body.get("text", ""), body.get("places", 3)
    )
    return ok(done)


def result_rows(found: Record) -> list[tuple[object, ...]]:
    """The rows of ``results.csv`` of a contest as ``Contests.results`` reads it."""
    return [
        (
            "" if e["rank"] is None else e["rank"],
            e["id"],
            e["user"],
            cell(e["name"]),
            e["votes"],
            utc_time(e["created"]),
            cell(e["text"]),
            len(e["attachments"]),
        )
        for e in found["entries_list"]
    ]


async def results_csv(request: Request) -> Response:
    """Every entry with its votes and rank (owners and admins; the ranking as it
    stands, final once voting closed)."""
    user, _ = await authenticate(request)
    contests = node_of(request).store.contests
    found = await contests.results(request.path_params["id"], user["id"])

    async def pages() -> AsyncIterator[list[tuple[object, ...]]]:
        yield result_rows(found)

    return csv_response(f"contest-{found['id']}.csv", CSV_COLUMNS, pages())


routes = [
    route("/circles/{id}/contests", get=list_contests, post=create_contest),
    route("/contests/{id}", get=get_contest),
    route("/contests/{id}/entries", post=enter),
    route("/contest-entries/{id}/vote", put=vote, delete=vote),
    route("/contests/{id}/announce", post=announce),
    route("/contests/{id}/results.csv", get=results_csv),
]

__all__ = ["CSV_COLUMNS", "result_rows", "routes"]
