"""Polls: asked in a chat group (its message says "📊 question"), or attached by
its author to a post; read, voted, closed, their voters listed.

No handler here pushes anything: the store logs each change (``poll.*``) and
the node's event route delivers it; the poll's chat message goes out as every
chat message does.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.auth import authenticate, node_of
from server.api.errors import ApiError
from server.api.inputs import bad, get_bool, get_int, get_str, json_body, query_int
from server.api.responses import created, ok, route
from store import POLL_OPTION_MAX, POLL_OPTIONS_MAX, POLL_QUESTION_MAX, POLLS_LIST_MAX

# Ids are 12 characters (a general group's is its circle's); longer is not one.
ID_MAX = 64
NONCE_MAX = 64
LIST_DEFAULT = 50
# Option indices run 0..19; a longer list cannot be a choice.
CHOICE_MAX = POLL_OPTIONS_MAX


def _id(request: Request, what: str) -> str:
    value = str(request.path_params["id"])
    if len(value) > ID_MAX:
        raise ApiError("not_found", f"no such {what}")
    return value


def _poll_settings(body: dict[str, Any]) -> dict[str, Any]:
    """The poll in the body, type-checked; the store checks the rest."""
    question = get_str(body, "question", True, max_len=POLL_QUESTION_MAX)
    options = body.get("options")
    if not isinstance(options, list):
        raise bad("options must be a list of strings")
    if not 2 <= len(options) <= POLL_OPTIONS_MAX:
        raise bad(f"options must be 2 to {POLL_OPTIONS_MAX} strings")
    for option in options:
        if not isinstance(option, str) or len(option) > POLL_OPTION_MAX:
            raise bad(f"each option must be a string of at most {POLL_OPTION_MAX} characters")
    settings: dict[str, Any] = {"question": question, "options": options}
    for flag in ("multiple", "anonymous"):
        if flag in body:
            settings[flag] = get_bool(body, flag)
    if "closes_at" in body:
        settings["closes_at"] = get_int(body, "closes_at", minimum=1)
    return settings


async def create_in_group(request: Request) -> Response:
    """POST /groups/{id}/polls: ask a poll in the group (as a chat message)."""
    user, _ = await authenticate(request)
    body = await json_body(request)
    settings = _poll_settings(body)
    nonce = get_str(body, "nonce", max_len=NONCE_MAX) or "poll-" + secrets.token_urlsafe(12)
    polls = node_of(request).store.polls
    poll = await polls.create_in_group(_id(request, "group"), user["id"], nonce, **settings)
    return created({"poll": poll, "seq": poll["seq"]})


async def create_on_post(request: Request) -> Response:
    """POST /posts/{id}/poll: attach a poll to one's own post."""
    user, _ = await authenticate(request)
    settings = _poll_settings(await json_body(request))
    polls = node_of(request).store.polls
    return created(
        {"poll": await polls.create_on_post(_id(request, "post"), user["id"], **settings)}
    )


async def of_post(request: Request) -> Response:
    """GET /posts/{id}/poll: the post's poll, or null."""
    user, _ = await authenticate(request)
    polls = node_of(request).store.polls
    return ok({"poll": await polls.of_post(_id(request, "post"), user["id"])})


async def of_group(request: Request) -> Response:
    """GET /groups/{id}/polls: the group's polls, newest first."""
    user, _ = await authenticate(request)
    limit = query_int(request, "limit", LIST_DEFAULT, minimum=1, maximum=POLLS_LIST_MAX)
    polls = node_of(request).store.polls
    return ok({"polls": await polls.of_group(_id(request, "group"), user["id"], limit)})


async def get_poll(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok({"poll": await node_of(request).store.polls.get(_id(request, "poll"), user["id"])})


async def vote(request: Request) -> Response:
    """PUT /polls/{id}/votes {options}: the caller's choice, replacing the last."""
    user, _ = await authenticate(request)
    body = await json_body(request)
    options = body.get("options")
    if not isinstance(options, list) or len(options) > CHOICE_MAX:
        raise bad(f"options must be a list of at most {CHOICE_MAX} option indices")
    for index in options:
        if isinstance(index, bool) or not isinstance(index, int):
            raise bad("options must be option indices (integers)")
    polls = node_of(request).store.polls
    return ok({"poll": await polls.vote(_id(request, "poll"), user["id"], options)})


async def close(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok({"poll": await node_of(request).store.polls.close(_id(request, "poll"), user["id"])})


async def voters(request: Request) -> Response:
    user, _ = await authenticate(request)
    polls = node_of(request).store.polls
    return ok({"voters": await polls.voters(_id(request, "poll"), user["id"])})


routes = [
    route("/groups/{id}/polls", get=of_group, post=create_in_group),
    route("/posts/{id}/poll", get=of_post, post=create_on_post),
    Route("/polls/{id}", get_poll, methods=["GET"]),
    Route("/polls/{id}/votes", vote, methods=["PUT"]),
    Route("/polls/{id}/close", close, methods=["POST"]),
    Route("/polls/{id}/voters", voters, methods=["GET"]),
]
