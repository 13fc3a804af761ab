"""Chat groups of a circle: list, create, edit, archive; join, leave, requests
and group admins; a group's chat history, vetoes, and deleting, recalling and
editing its messages.

A circle's general group has the circle's own id. No handler here pushes
anything: the store logs each change (``group.*``) and the node's event route
delivers it.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.auth import authenticate, node_of
from server.api.errors import ApiError
from server.api.inputs import (
    get_bool,
    get_int,
    get_str,
    json_body,
    page,
    path_int,
    query_bool,
    query_int,
    query_str,
)
from server.api.responses import created, no_content, ok, route
from store import (
    GROUP_ACCESS,
    GROUP_MEMBERS_MAX,
    GROUP_NAME_MAX,
    GROUP_ROLES,
    GROUP_SLOW_MODE_MAX_S,
    GROUP_TOPIC_MAX,
)

# Group ids are 12 characters (a general group's is its circle's); longer is not one.
ID_MAX = 64
# A cap below 2 is a chat with oneself; the store's ceiling bounds the rest.
# 0 means "no cap" (a request field never takes null, so uncapping needs a value).
MAX_MEMBERS_MAX = 1_000_000
POSITION_MAX = 1_000_000
MEMBERS_DEFAULT = 200
# A moderator's reason for a delete, as the audit log keeps it.
REASON_MAX = 500


def _group_id(request: Request) -> str:
    group_id = request.path_params["id"]
    if len(group_id) > ID_MAX:
        raise ApiError("not_found", "no such group")
    return str(group_id)


def _settings(body: dict[str, Any]) -> dict[str, Any]:
    """The group settings present in the body, type-checked; the store checks the rest."""
    readers = {
        "name": lambda: get_str(body, "name", True, max_len=GROUP_NAME_MAX),
        "topic": lambda: get_str(body, "topic", True, max_len=GROUP_TOPIC_MAX),
        "access": lambda: get_str(body, "access", True, choices=GROUP_ACCESS),
        "max_members": lambda: _max_members(body),
        "read_only": lambda: get_bool(body, "read_only", True),
        "position": lambda: get_int(body, "position", True, minimum=0, maximum=POSITION_MAX),
        "archived": lambda: get_bool(body, "archived", True),
        "slow_mode_s": lambda: get_int(
            body, "slow_mode_s", True, minimum=0, maximum=GROUP_SLOW_MODE_MAX_S
        ),
    }
    return {key: read() for key, read in readers.items() if key in body}


def _max_members(body: dict[str, Any]) -> int | None:
    cap = get_int(body, "max_members", True, minimum=0, maximum=MAX_MEMBERS_MAX)
    return cap or None


# -- groups ------------------------------------------------------------------------


async def list_groups(request: Request) -> Response:
    user, _ = await authenticate(request)
    archived = query_bool(request, "archived")
    groups = node_of(request).store.groups
    found = await groups.of_circle(request.path_params["id"], user["id"], archived=archived)
    return ok({"groups": found})


async def create_group(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    get_str(body, "name", required=True)
    # Place and archive are PATCH's: a new group comes last and live.
    settings = {k: v for k, v in _settings(body).items() if k not in ("position", "archived")}
    groups = node_of(request).store.groups
    group = await groups.create(request.path_params["id"], user["id"], **settings)
    return created({"group": group})


async def get_group(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok({"group": await node_of(request).store.groups.get(_group_id(request), user["id"])})


async def patch_group(request: Request) -> Response:
    user, _ = await authenticate(request)
    settings = _settings(await json_body(request))
    groups = node_of(request).store.groups
    return ok({"group": await groups.update(_group_id(request), user["id"], **settings)})


# -- members -----------------------------------------------------------------------


async def join(request: Request) -> Response:
    user, _ = await authenticate(request)
    standing = await node_of(request).store.groups.join(_group_id(request), user["id"])
    return ok({"member": standing})


async def leave(request: Request) -> Response:
    user, _ = await authenticate(request)
    await node_of(request).store.groups.leave(_group_id(request), user["id"])
    return no_content()


async def members(request: Request) -> Response:
    user, _ = await authenticate(request)
    cursor, limit = page(request, MEMBERS_DEFAULT, GROUP_MEMBERS_MAX)
    found, next_cursor = await node_of(request).store.groups.members(
        _group_id(request), user["id"], cursor=cursor, limit=limit
    )
    return ok({"members": found, "next": next_cursor})


async def put_member(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request, optional=True)
    role = get_str(body, "role", choices=GROUP_ROLES) or "member"
    standing = await node_of(request).store.groups.add(
        _group_id(request), user["id"], request.path_params["user_id"], role
    )
    return ok({"member": standing})


async def remove_member(request: Request) -> Response:
    user, _ = await authenticate(request)
    groups = node_of(request).store.groups
    await groups.remove(_group_id(request), user["id"], request.path_params["user_id"])
    return no_content()


# -- chat --------------------------------------------------------------------------


async def messages(request: Request) -> Response:
    """The group's chat history, as far back as the caller may read it."""
    user, _ = await authenticate(request)
    node = node_of(request)
    settings = node.settings
    before = query_int(request, "before", minimum=1)
    limit = query_int(
        request, "limit", settings.history_default, minimum=1, maximum=settings.history_max
    )
    access = await node.store.groups.access(_group_id(request), user["id"])
    found, more = await node.store.chat.history(
        access.group, before=before, limit=limit, min_seq=access.floor
    )
    return ok({"messages": found, "more": more})


async def reads(request: Request) -> Response:
    """Every member's read marker, for "read by N" (groups up to the size for it)."""
    user, _ = await authenticate(request)
    node = node_of(request)
    markers, count = await node.store.reads.of_group(
        _group_id(request), user["id"], node.settings.read_receipts_max_members
    )
    return ok({"reads": markers, "members": count})


async def veto(request: Request) -> Response:
    return await _set_veto(request, True)


async def unveto(request: Request) -> Response:
    return await _set_veto(request, False)


async def _set_veto(request: Request, vetoed: bool) -> Response:
    user, _ = await authenticate(request)
    seq = path_int(request, "seq", minimum=1)
    store = node_of(request).store
    group = await store.groups.get(_group_id(request), user["id"])
    await store.chat.set_veto(group["circle"], seq, user["id"], vetoed, group["id"])
    return no_content()


async def delete_message(request: Request) -> Response:
    """Recall (its author, within ``recall_window_s``) or delete (owners and admins)
    a message; answers its tombstone. ``reason`` (query or body) goes to the audit log."""
    user, _ = await authenticate(request)
    seq = path_int(request, "seq", minimum=1)
    node = node_of(request)
    body = await json_body(request, optional=True)
    reason = query_str(request, "reason", max_len=REASON_MAX)
    if reason is None:
        reason = get_str(body, "reason", max_len=REASON_MAX)
    group = await node.store.groups.get(_group_id(request), user["id"])
    window_ms = round(node.settings.recall_window_s * 1000)
    tomb = await node.store.message_edits.delete(
        group["circle"], seq, user["id"], group["id"], reason, recall_window_ms=window_ms
    )
    return ok({"message": tomb})


async def edit_message(request: Request) -> Response:
    """Its author changes a message's ``text`` within ``edit_window_s``; answers it."""
    user, _ = await authenticate(request)
    seq = path_int(request, "seq", minimum=1)
    node = node_of(request)
    body = await json_body(request)
    text = get_str(body, "text", True, max_len=node.settings.text_chars)
    assert text is not None
    group = await node.store.groups.get(_group_id(request), user["id"])
    window_ms = round(node.settings.edit_window_s * 1000)
    message = await node.store.message_edits.edit(
        group["circle"], seq, user["id"], text, group["id"], edit_window_ms=window_ms
    )
    return ok({"message": message})


routes = [
    route("/circles/{id}/groups", get=list_groups, post=create_group),
    route("/groups/{id}", get=get_group, patch=patch_group),
    Route("/groups/{id}/join", join, methods=["POST"]),
    Route("/groups/{id}/leave", leave, methods=["POST"]),
    Route("/groups/{id}/members", members, methods=["GET"]),
    route("/groups/{id}/members/{user_id}", put=put_member, delete=remove_member),
    Route("/groups/{id}/messages", messages, methods=["GET"]),
    Route("/groups/{id}/reads", reads, methods=["GET"]),
    route("/groups/{id}/messages/{seq}", delete=delete_message, patch=edit_message),
    route("/groups/{id}/messages/{seq}/veto", put=veto, delete=unveto),
]
