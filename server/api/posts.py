"""Posts, the durable side of a circle: feed, writing, comments, likes, pins,
must-reads with receipts, and un-promoting highlights.

No handler here pushes anything: the store logs each change, and the node's
event route (server/events.py) turns it into the `event` push every member
gets (and the v1 `highlight` push where there was one).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.auth import authenticate, node_of
from server.api.errors import ApiError
from server.api.inputs import (
    CURSOR_MAX,
    bad,
    get_attachments,
    get_int,
    get_str,
    json_body,
    page,
    query_int,
    query_str,
)
from server.api.reactions import with_reactions
from server.api.responses import created, no_content, ok, route
from server.api.search import search_query
from store import SEARCH_PAGE_MAX

log = logging.getLogger(__name__)

POST_KINDS = ("post", "notice")
# The store's bound on a post's text (a chat line is 4,000; a post is a page).
POST_TEXT_MAX = 20_000
COMMENT_TEXT_MAX = 4000
# One page of the feed; pinned posts (at most 10) come on top of the first one.
FEED_DEFAULT, FEED_MAX = 20, 100
# ms since the epoch fit in 53 bits (JavaScript's exact integers) for 285,000 years.
MS_MAX = 2**53 - 1
# At most 10 posts are pinned; a longer order is bad input, not work.
PIN_ORDER_MAX = 100
# Post ids are 12 characters; anything much longer is not one.
ID_MAX = 64
# Pages of comments and receipts: a phone screen or two, and a bound on one read.
COMMENTS_DEFAULT, COMMENTS_MAX = 100, 500
RECEIPTS_DEFAULT, RECEIPTS_MAX = 200, 500


def _post_id(request: Request, what: str = "post") -> str:
    post_id = request.path_params["id"]
    if len(post_id) > ID_MAX:
        raise ApiError("not_found", f"no such {what}")
    return str(post_id)


# -- the feed and catching up ---------------------------------------------------


async def list_posts(request: Request) -> Response:
    user, _ = await authenticate(request)
    store = node_of(request).store
    posts = store.posts
    circle_id = request.path_params["id"]
    since = query_int(request, "since", minimum=0, maximum=MS_MAX)
    cursor = query_str(request, "cursor", max_len=CURSOR_MAX)
    q = search_query(request)
    if since is not None:
        if cursor is not None:
            raise bad("since and cursor do not go together")
        if q is not None:
            raise bad("since and q do not go together")
        changed = await posts.changed_since(circle_id, user["id"], since)
        return ok({"posts": await with_reactions(store, changed, user["id"])})
    if q is not None:
        # Filtered through search (store/search.py): matching posts, best first, no pins on top.
        limit = query_int(request, "limit", FEED_DEFAULT, minimum=1, maximum=FEED_MAX)
        found, next_cursor = await store.search.posts(
            circle_id,
            user["id"],
            q,
            cursor=cursor,
            limit=min(limit or FEED_DEFAULT, SEARCH_PAGE_MAX),
        )
        return ok({"posts": await with_reactions(store, found, user["id"]), "next": next_cursor})
    limit = query_int(request, "limit", FEED_DEFAULT, minimum=1, maximum=FEED_MAX)
    found, next_cursor = await posts.feed(circle_id, user["id"], cursor=cursor, limit=limit)
    return ok({"posts": await with_reactions(store, found, user["id"]), "next": next_cursor})


async def my_must_reads(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok({"posts": await node_of(request).store.must_reads.pending_must_reads(user["id"])})


# -- writing -------------------------------------------------------------------


async def create_post(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    kind = get_str(body, "kind", required=True, choices=POST_KINDS)
    attachments = get_attachments(body)
    text = get_str(body, "text", required=not attachments, max_len=POST_TEXT_MAX) or ""
    posts = node_of(request).store.posts
    post = await posts.create(request.path_params["id"], user["id"], kind, text, attachments)
    return created(post)


async def get_post(request: Request) -> Response:
    user, _ = await authenticate(request)
    store = node_of(request).store
    post = await store.posts.get(_post_id(request), user["id"])
    return ok((await with_reactions(store, [post], user["id"]))[0])


async def edit_post(request: Request) -> Response:
    user, _ = await authenticate(request)
    text = get_str(await json_body(request), "text", required=True, max_len=POST_TEXT_MAX)
    post = await node_of(request).store.posts.edit(_post_id(request), user["id"], text)
    _log_author_rewrite(post, user["id"])
    return ok(post)


def _log_author_rewrite(post: dict[str, Any], editor_id: str) -> None:
    """A highlight was starred and a must-read acknowledged as they read then: their
    author changing the words afterwards is worth a line in the log for moderators
    (members see "edited"). `edited` equals `updated` when this edit changed the text."""
    if post["author"]["id"] != editor_id or post["edited"] != post["updated"]:
        return
    if post["kind"] == "highlight" or post["must_read"]:
        what = "must-read" if post["must_read"] else "highlight"
        log.info(
            "author edited a %s: circle=%s post=%s editor=%s",
            what,
            post["circle"],
            post["id"],
            editor_id,
        )


async def delete_post(request: Request) -> Response:
    """Delete a post; for a highlight that un-promotes it (the chat message stays)."""
    user, _ = await authenticate(request)
    posts = node_of(request).store.posts
    post = await posts.get(_post_id(request), user["id"])
    if post["kind"] == "highlight":
        await posts.unpromote(post["id"], user["id"])
    else:
        await posts.delete(post["id"], user["id"])
    return no_content()


# -- comments and likes -----------------------------------------------------------


async def list_comments(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, COMMENTS_DEFAULT, COMMENTS_MAX)
    found, next_cursor = await node_of(request).store.comments.comments(
        _post_id(request), user["id"], cursor=cursor, limit=limit
    )
    return ok({"comments": found, "next": next_cursor})


async def add_comment(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    attachments = get_attachments(body)
    text = get_str(body, "text", required=not attachments, max_len=COMMENT_TEXT_MAX) or ""
    reply_to = get_str(body, "reply_to", max_len=ID_MAX)
    comment = await node_of(request).store.comments.add_comment(
        _post_id(request), user["id"], text, reply_to=reply_to, attachments=attachments
    )
    return created(comment)


async def edit_comment(request: Request) -> Response:
    user, _ = await authenticate(request)
    text = get_str(await json_body(request), "text", required=True, max_len=COMMENT_TEXT_MAX)
    comments = node_of(request).store.comments
    return ok(await comments.edit_comment(_post_id(request, "comment"), user["id"], text))


async def delete_comment(request: Request) -> Response:
    user, _ = await authenticate(request)
    await node_of(request).store.comments.delete_comment(_post_id(request, "comment"), user["id"])
    return no_content()


async def like(request: Request) -> Response:
    return await _set_like(request, True)


async def unlike(request: Request) -> Response:
    return await _set_like(request, False)


async def _set_like(request: Request, liked: bool) -> Response:
    user, _ = await authenticate(request)
    return ok(await node_of(request).store.comments.like(_post_id(request), user["id"], liked))


# -- pins -------------------------------------------------------------------------


async def pin(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request, optional=True)
    until = get_int(body, "until", minimum=0, maximum=MS_MAX)
    pins = node_of(request).store.pins
    return ok(await pins.pin(_post_id(request), user["id"], until=until))


async def unpin(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(await node_of(request).store.pins.unpin(_post_id(request), user["id"]))


async def reorder_pins(request: Request) -> Response:
    user, _ = await authenticate(request)
    order = _id_list(await json_body(request), "order")
    pins = node_of(request).store.pins
    return ok({"posts": await pins.reorder_pins(request.path_params["id"], user["id"], order)})


def _id_list(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise bad(f"{name} must be a list of post ids")
    if len(value) > PIN_ORDER_MAX:
        raise bad(f"{name} must have at most {PIN_ORDER_MAX} ids")
    return value


# -- must-read ---------------------------------------------------------------------


async def flag_must_read(request: Request) -> Response:
    return await _set_must_read(request, True)


async def clear_must_read(request: Request) -> Response:
    return await _set_must_read(request, False)


async def _set_must_read(request: Request, flag: bool) -> Response:
    user, _ = await authenticate(request)
    must_reads = node_of(request).store.must_reads
    return ok(await must_reads.set_must_read(_post_id(request), user["id"], flag))


async def ack(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(await node_of(request).store.must_reads.ack(_post_id(request), user["id"]))


async def receipts(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, RECEIPTS_DEFAULT, RECEIPTS_MAX)
    must_reads = node_of(request).store.must_reads
    return ok(await must_reads.receipts(_post_id(request), user["id"], cursor=cursor, limit=limit))


routes = [
    route("/circles/{id}/posts", get=list_posts, post=create_post),
    Route("/circles/{id}/pins", reorder_pins, methods=["PUT"]),
    route("/posts/{id}", get=get_post, patch=edit_post, delete=delete_post),
    route("/posts/{id}/comments", get=list_comments, post=add_comment),
    route("/comments/{id}", patch=edit_comment, delete=delete_comment),
    route("/posts/{id}/like", put=like, delete=unlike),
    route("/posts/{id}/pin", put=pin, delete=unpin),
    route("/posts/{id}/must-read", put=flag_must_read, delete=clear_must_read),
    Route("/posts/{id}/ack", ack, methods=["PUT"]),
    Route("/posts/{id}/receipts", receipts, methods=["GET"]),
    Route("/me/must-read", my_must_reads, methods=["GET"]),
]
