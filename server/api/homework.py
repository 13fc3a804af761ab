"""Homework over HTTP (README.md, "Homework"; the rules in store/homework.py).

Teachers (owners and admins) set, change, close and delete assignments, read
the review queue and the roster (who handed in, who has not, who is late),
remind the ones who have not, review (score or grade, a comment with
attachments), return for redo, mark excellent (a highlight of the circle) and
download the grades as CSV. Students submit, edit and withdraw until their work
is reviewed. Classmates read, comment on and like each other's work as far as
the assignment's peer visibility allows (one check: store/homework.py
``may_see``). Every change is an event of the circle (`assignment.*`,
`submission.*`) that reaches only its audience; reminders are personal
`reminder` events (store/reminders.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.inputs import (
    bad,
    get_bool,
    get_str,
    json_body,
    page,
    query_bool,
    query_str,
)
from server.api.responses import created, ok, route
from server.api.spreadsheets import cell, csv_response, utc_time

PAGE_DEFAULT, PAGE_MAX = 20, 100
TEXT_MAX = 20_000
COMMENT_MAX = 2000
GRADE_MAX = 20
CSV_COLUMNS = (
    "student_id",
    "student",
    "state",
    "late",
    "submitted",
    "score",
    "grade",
    "excellent",
)


def _ids(body: dict[str, Any], name: str = "attachments") -> list[str] | None:
    value = body.get(name)
    if value is not None and not isinstance(value, list):
        raise bad(f"{name} must be a list of attachment ids")
    return value


async def create_assignment(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    homework = node_of(request).store.homework
    return created(await homework.create(request.path_params["id"], user["id"], body))


async def list_assignments(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, PAGE_DEFAULT, PAGE_MAX)
    found, nxt = await node_of(request).store.homework.page(
        request.path_params["id"], user["id"], cursor, limit
    )
    return ok({"assignments": found, "next": nxt})


async def get_assignment(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(await node_of(request).store.homework.get(request.path_params["id"], user["id"]))


async def patch_assignment(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    homework = node_of(request).store.homework
    return ok(await homework.update(request.path_params["id"], user["id"], body))


async def delete_assignment(request: Request) -> Response:
    user, _ = await authenticate(request)
    await node_of(request).store.homework.delete(request.path_params["id"], user["id"])
    return ok({"deleted": True})


async def submit(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request, optional=True)
    text = get_str(body, "text", max_len=TEXT_MAX) or ""
    found = await node_of(request).store.homework.submit(
        request.path_params["id"], user["id"], text, _ids(body)
    )
    return created({"submission": found})


async def list_submissions(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, 50, PAGE_MAX)
    found, nxt = await node_of(request).store.homework.submissions(
        request.path_params["id"],
        user["id"],
        query_str(request, "state", max_len=16),
        query_bool(request, "excellent"),
        cursor,
        limit,
    )
    return ok({"submissions": found, "next": nxt})


async def mine(request: Request) -> Response:
    user, _ = await authenticate(request)
    found = await node_of(request).store.homework.mine(request.path_params["id"], user["id"])
    return ok({"submission": found})


async def roster(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(await node_of(request).store.homework.roster(request.path_params["id"], user["id"]))


async def remind(request: Request) -> Response:
    user, _ = await authenticate(request)
    users = await node_of(request).store.homework.remind(request.path_params["id"], user["id"])
    return ok({"reminded": users})


async def grades_csv(request: Request) -> Response:
    """GET /assignments/{id}/grades.csv: one row per student (teachers)."""
    user, _ = await authenticate(request)
    assignment, rows = await node_of(request).store.homework.grades(
        request.path_params["id"], user["id"]
    )

    async def pages() -> AsyncIterator[list[tuple[str, ...]]]:
        yield [_grade_row(row) for row in rows]

    return csv_response(f"grades-{assignment['id']}.csv", CSV_COLUMNS, pages())


def _grade_row(row: dict[str, Any]) -> tuple[str, ...]:
    score = row["score"]
    return (
        row["user"],
        cell(row["name"] or ""),
        row["state"],
        "yes" if row["late"] else "",
        utc_time(row["submitted"]),
        "" if score is None else f"{score:g}",
        cell(row["grade"] or ""),
        "yes" if row["excellent"] else "",
    )


async def get_submission(request: Request) -> Response:
    user, _ = await authenticate(request)
    found = await node_of(request).store.homework.read(request.path_params["id"], user["id"])
    return ok({"submission": found})


async def edit_submission(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    text = get_str(body, "text", max_len=TEXT_MAX) or ""
    found = await node_of(request).store.homework.edit(
        request.path_params["id"], user["id"], text, _ids(body)
    )
    return ok({"submission": found})


async def withdraw(request: Request) -> Response:
    user, _ = await authenticate(request)
    found = await node_of(request).store.homework.withdraw(request.path_params["id"], user["id"])
    return ok({"submission": found})


async def review(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    found = await node_of(request).store.homework.review(
        request.path_params["id"],
        user["id"],
        body.get("score"),
        get_str(body, "grade", max_len=GRADE_MAX),
        get_str(body, "comment", max_len=COMMENT_MAX) or "",
        _ids(body),
        redo=bool(get_bool(body, "redo")),
    )
    return ok({"submission": found})


async def excellent(request: Request) -> Response:
    user, _ = await authenticate(request)
    found, post, fresh = await node_of(request).store.homework.excellent(
        request.path_params["id"], user["id"]
    )
    return ok({"submission": found, "post": post, "promoted": fresh})


async def comments(request: Request) -> Response:
    user, _ = await authenticate(request)
    found = await node_of(request).store.homework.comments(request.path_params["id"], user["id"])
    return ok({"comments": found})


async def add_comment(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    text = get_str(body, "text", required=True, max_len=COMMENT_MAX)
    found = await node_of(request).store.homework.comment(
        request.path_params["id"], user["id"], text
    )
    return created({"comment": found})


async def like(request: Request) -> Response:
    user, _ = await authenticate(request)
    found = await node_of(request).store.homework.like(
        request.path_params["id"], user["id"], request.method == "PUT"
    )
    return ok(found)


routes = [
    route("/circles/{id}/assignments", get=list_assignments, post=create_assignment),
    route(
        "/assignments/{id}", get=get_assignment, patch=patch_assignment, delete=delete_assignment
    ),
    route("/assignments/{id}/submissions", get=list_submissions, post=submit),
    route("/assignments/{id}/mine", get=mine),
    route("/assignments/{id}/roster", get=roster),
    route("/assignments/{id}/remind", post=remind),
    route("/assignments/{id}/grades.csv", get=grades_csv),
    route("/submissions/{id}", get=get_submission, patch=edit_submission, delete=withdraw),
    route("/submissions/{id}/review", post=review),
    route("/submissions/{id}/excellent", post=excellent),
    route("/submissions/{id}/comments", get=comments, post=add_comment),
    route("/submissions/{id}/like", put=like, delete=like),
]

__all__ = ["routes"]
