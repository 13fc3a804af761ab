"""Following a public circle without joining it: follow, unfollow, a circle's
followers (owners, admins), the caller's followed circles. See store/follows.py;
what a follower receives live is server/members.py's (`FEED_EVENTS`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.auth import authenticate, node_of
from server.api.inputs import page, query_str
from server.api.responses import ok, route

# A search box's words.
QUERY_MAX = 64
# A page of followers or of followed circles: a screenful; never more (a
# creator's circle may have 170,000 followers).
PAGE_DEFAULT, PAGE_MAX = 50, 200


async def follow(request: Request) -> Response:
    user, _ = await authenticate(request)
    follows = node_of(request).store.follows
    return ok(await follows.follow(request.path_params["id"], user["id"]))


async def unfollow(request: Request) -> Response:
    user, _ = await authenticate(request)
    follows = node_of(request).store.follows
    return ok(await follows.unfollow(request.path_params["id"], user["id"]))


async def followers(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, PAGE_DEFAULT, PAGE_MAX)
    query = query_str(request, "q", max_len=QUERY_MAX) or None
    found, next_cursor = await node_of(request).store.follows.followers(
        request.path_params["id"], user["id"], cursor=cursor, limit=limit, query=query
    )
    return ok({"followers": found, "next": next_cursor})


async def following(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, PAGE_DEFAULT, PAGE_MAX)
    found, next_cursor = await node_of(request).store.follows.following(
        user["id"], cursor=cursor, limit=limit
    )
    return ok({"circles": found, "next": next_cursor})


routes = [
    route("/circles/{id}/follow", post=follow, delete=unfollow),
    Route("/circles/{id}/followers", followers, methods=["GET"]),
    Route("/me/following", following, methods=["GET"]),
]
