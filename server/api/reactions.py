"""Emoji reactions on chat messages (of any group) and on posts: react, withdraw,
the counts of a range of a group's messages, and who reacted with what.

The emoji is the last path segment, URL-encoded (``%F0%9F%91%8D`` for 👍).
No handler here pushes anything: the store logs each reaction given or
withdrawn (``reaction.changed``) and the node's event route delivers it.
A post's counts travel with the post (``reactions`` in the feed and in
``GET /posts/{id}``: ``with_reactions``).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.errors import ApiError
from server.api.inputs import bad, path_int, query_int
from server.api.responses import ok, route
from store import EMOJI_MAX, REACTIONS_RANGE_MAX, Store

# Group and post ids are 12 characters (a general group's is its circle's).
ID_MAX = 64
# Seqs are BIGINTs; the range parameters stay within JavaScript's exact integers.
SEQ_MAX = 2**53 - 1


def _id(request: Request, what: str) -> str:
    value = str(request.path_params["id"])
    if len(value) > ID_MAX:
        raise ApiError("not_found", f"no such {what}")
    return value


def _emoji(request: Request) -> str:
    value = str(request.path_params["emoji"])
    # The store says what an emoji is; this only keeps a long segment from reaching it.
    if len(value) > EMOJI_MAX:
        raise bad(f"emoji must be one emoji of 1 to {EMOJI_MAX} characters")
    return value


# -- messages ------------------------------------------------------------------------


async def react_to_message(request: Request) -> Response:
    return await _set_on_message(request, True)


async def unreact_to_message(request: Request) -> Response:
    return await _set_on_message(request, False)


async def _set_on_message(request: Request, on: bool) -> Response:
    user, _ = await authenticate(request)
    seq = path_int(request, "seq", minimum=1)
    emoji = _emoji(request)
    reactions = node_of(request).store.reactions
    count = await reactions.set_on_message(_id(request, "group"), seq, user["id"], emoji, on)
    return ok({"emoji": emoji, "count": count, "mine": on})


async def message_reactions(request: Request) -> Response:
    """Who reacted with what to one message."""
    user, _ = await authenticate(request)
    seq = path_int(request, "seq", minimum=1)
    reactions = node_of(request).store.reactions
    found = await reactions.who_on_message(_id(request, "group"), seq, user["id"])
    return ok({"reactions": found})


async def group_reactions(request: Request) -> Response:
    """The counts on a range of a group's messages, and which are the caller's."""
    user, _ = await authenticate(request)
    from_seq = query_int(request, "from_seq", minimum=1, maximum=SEQ_MAX)
    to_seq = query_int(request, "to_seq", minimum=1, maximum=SEQ_MAX)
    if from_seq is None or to_seq is None:
        raise bad("from_seq and to_seq are required")
    if to_seq < from_seq or to_seq - from_seq >= REACTIONS_RANGE_MAX:
        raise bad(f"from_seq..to_seq must span 1 to {REACTIONS_RANGE_MAX} seqs")
    reactions = node_of(request).store.reactions
    found = await reactions.of_messages(_id(request, "group"), user["id"], from_seq, to_seq)
    return ok({"messages": [{"seq": seq, "reactions": found[seq]} for seq in sorted(found)]})


# -- posts ---------------------------------------------------------------------------


async def react_to_post(request: Request) -> Response:
    return await _set_on_post(request, True)


async def unreact_to_post(request: Request) -> Response:
    return await _set_on_post(request, False)


async def _set_on_post(request: Request, on: bool) -> Response:
    user, _ = await authenticate(request)
    emoji = _emoji(request)
    reactions = node_of(request).store.reactions
    count = await reactions.set_on_post(_id(request, "post"), user["id"], emoji, on)
    return ok({"emoji": emoji, "count": count, "mine": on})


async def post_reactions(request: Request) -> Response:
    """Who reacted with what to one post."""
    user, _ = await authenticate(request)
    reactions = node_of(request).store.reactions
    return ok({"reactions": await reactions.who_on_post(_id(request, "post"), user["id"])})


async def with_reactions(store: Store, posts: list[Any], viewer_id: str) -> list[Any]:
    """The posts, each with its ``reactions`` as this viewer sees them (a tombstone
    passes unchanged)."""
    live = [post for post in posts if not post.get("deleted")]
    found = await store.reactions.of_posts([post["id"] for post in live], viewer_id)
    for post in live:
        post["reactions"] = found.get(post["id"], [])
    return posts


routes = [
    route("/groups/{id}/reactions", get=group_reactions),
    route("/groups/{id}/messages/{seq}/reactions", get=message_reactions),
    route(
        "/groups/{id}/messages/{seq}/reactions/{emoji}",
        put=react_to_message,
        delete=unreact_to_message,
    ),
    route("/posts/{id}/reactions", get=post_reactions),
    route("/posts/{id}/reactions/{emoji}", put=react_to_post, delete=unreact_to_post),
]
