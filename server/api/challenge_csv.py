"""A challenge's exports as CSV (README.md, "Check-in challenges"; COMMUNITY-OPS.md
rule 10), for the circle's owners and admins, written as the audit log's CSV
is: through server/api/spreadsheets.py (UTF-8 with a byte order mark, people's
words that a spreadsheet would take for a formula behind an apostrophe).

``export.csv``: one row per member per day they have something on — a check-in
on time, a make-up, a leave day, pending, rejected or invalidated (and by
whom) — in (member, day) order, streamed a page at a time. ``completed.csv``:
who completed it, in the order they did (the deposit-refund list).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.responses import route
from server.api.spreadsheets import cell, csv_response, first_page_now, utc_time
from store import Record, Store

DAY_COLUMNS = (
    "user_id",
    "name",
    "date",
    "kind",
    "state",
    "on_time",
    "makeup",
    "leave",
    "granted_by",
    "invalidated_by",
    "invalidated_by_name",
    "reviewed_by",
    "reason",
    "time",
)
COMPLETED_COLUMNS = ("rank", "user_id", "name", "total", "best", "completed_at")


def _day_row(day: Record) -> tuple[str, ...]:
    return (
        day["user"],
        cell(day["name"] or ""),
        day["date"],
        day["kind"],
        day["state"],
        "1" if day["on_time"] else "0",
        "1" if day["makeup"] else "0",
        "1" if day["kind"] == "leave" else "0",
        day["granted_by"] or "",
        day["invalidated_by"] or "",
        cell(day["invalidated_by_name"] or ""),
        day["reviewed_by"] or "",
        cell(day["reason"] or ""),
        utc_time(day["created"]),
    )


async def day_pages(
    store: Store, challenge_id: str, actor_id: str
) -> AsyncIterator[list[Sequence[object]]]:
    """The rows of ``export.csv``, a page at a time (owners and admins)."""
    after: str | None = None
    while True:
        _, days, after = await store.checkin_export.days(challenge_id, actor_id, after)
        yield [_day_row(day) for day in days]
        if after is None:
            return


async def completed_pages(
    store: Store, challenge_id: str, actor_id: str
) -> AsyncIterator[list[Sequence[object]]]:
    """The rows of ``completed.csv``, a page at a time (owners and admins)."""
    await store.checkin_export.days(challenge_id, actor_id, limit=1)  # managers only
    cursor: str | None = None
    rank = 0
    while True:
        entries, cursor = await store.challenges.completed(challenge_id, actor_id, cursor, 1000)
        lines: list[Sequence[object]] = []
        for entry in entries:
            rank += 1
            lines.append(
                (
                    str(rank),
                    entry["user"],
                    cell(entry["name"] or ""),
                    str(entry["total"]),
                    str(entry["best"]),
                    utc_time(entry["completed_at"]),
                )
            )
        yield lines
        if cursor is None:
            return


async def export_csv(request: Request) -> Response:
    """GET /challenges/{id}/export.csv (owners and admins)."""
    user, _ = await authenticate(request)
    challenge_id = request.path_params["id"]
    pages = await first_page_now(day_pages(node_of(request).store, challenge_id, user["id"]))
    return csv_response(f"checkins-{challenge_id}.csv", DAY_COLUMNS, pages)


async def completed_csv(request: Request) -> Response:
    """GET /challenges/{id}/completed.csv (owners and admins)."""
    user, _ = await authenticate(request)
    challenge_id = request.path_params["id"]
    store = node_of(request).store
    pages = await first_page_now(completed_pages(store, challenge_id, user["id"]))
    return csv_response(f"completed-{challenge_id}.csv", COMPLETED_COLUMNS, pages)


routes = [
    route("/challenges/{id}/export.csv", get=export_csv),
    route("/challenges/{id}/completed.csv", get=completed_csv),
]

__all__ = ["COMPLETED_COLUMNS", "DAY_COLUMNS", "completed_pages", "day_pages", "routes"]
