"""Search in a circle (README.md, "Search"): its chat, posts, comments and
attachment names, ranked, with the matches marked as character offsets. The
store decides what the caller may find (store/search.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.inputs import bad, page, query_str
from server.api.responses import ok, route
from store import SEARCH_KINDS, SEARCH_PAGE_MAX, SEARCH_QUERY_MAX

SEARCH_DEFAULT = 20


def search_query(request: Request) -> str | None:
    """The ``q`` of a search (None when absent or empty)."""
    q = query_str(request, "q", max_len=SEARCH_QUERY_MAX)
    if q is not None and not q.strip():
        raise bad("q must not be blank")
    return q


async def search(request: Request) -> Response:
    """GET /circles/{id}/search?q=&kind=&cursor=&limit=: a page of results."""
    user, _ = await authenticate(request)
    q = search_query(request)
    if q is None:
        raise bad("q is required")
    kind = query_str(request, "kind")
    if kind is not None and kind not in SEARCH_KINDS:
        raise bad(f"kind must be one of {', '.join(SEARCH_KINDS)}")
    cursor, limit = page(request, SEARCH_DEFAULT, SEARCH_PAGE_MAX)
    found, next_cursor = await node_of(request).store.search.circle(
        request.path_params["id"], user["id"], q, kind=kind, cursor=cursor, limit=limit
    )
    return ok({"results": found, "next": next_cursor})


routes = [route("/circles/{id}/search", get=search)]

__all__ = ["routes", "search_query"]
