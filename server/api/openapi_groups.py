"""The OpenAPI paths of chat groups: a circle's groups, their members, their
chat history, vetoes, deleting and editing messages (README.md, "Chat groups")."""

from __future__ import annotations

from server.api.groups import MEMBERS_DEFAULT
from server.api.operations import (
    CIRCLE,
    V1,
    list_of,
    operation,
    page_params,
    path_param,
    query_param,
)
from server.api.schemas import BOOL, INT, STR, Schema, nullable, obj, ref
from server.settings import Settings
from store import GROUP_MEMBERS_MAX

GROUP = path_param("id", description="group id (a circle's id: its general group)")
MEMBER = path_param("user_id")
SEQ = path_param("seq", {**INT, "minimum": 1})
_NEXT = nullable({**STR, "description": "cursor of the next page"})
_GROUP = obj(["group"], group=ref("Group"))
_STANDING = obj(["member"], member=ref("GroupStanding"))


_MESSAGE = obj(["message"], message=ref("Message"))
_REASON = query_param("reason", {**STR, "maxLength": 500}, "for the audit log (admins)")
# A message of a group (or, under /circles/{id}, of a circle's general group).
MESSAGE_OPS = {
    "delete": operation(
        "Take a message back: its author within the server's recall_window_s recalls "
        "(`deleted` \"author\"); the circle's owners/admins (a group's admins in it) "
        'delete any (`deleted` "admin", audited with `reason`). Answers the tombstone; '
        "403 reason recall_window_passed or not_your_message",
        "groups",
        _MESSAGE,
        body="delete_message",
        optional_body=True,
        errors="403 404",
        params=(GROUP, SEQ, _REASON),
    ),
    "patch": operation(
        "Its author edits a message's text within the server's edit_window_s "
        "(`edited` set); 403 reason edit_window_passed or not_your_message",
        "groups",
        _MESSAGE,
        body="edit_message",
        errors="403 404",
        params=(GROUP, SEQ),
    ),
}


def _group_op(
    summary: str,
    answer: Schema | None,
    status: str = "200",
    body: str | None = None,
    errors: str = "",
    params: tuple[Schema, ...] = (),
    optional_body: bool = False,
) -> Schema:
    """An operation on one group, where 403 and 404 are always possible."""
    return operation(
        summary,
        "groups",
        answer,
        status,
        body,
        f"403 404 {errors}".strip(),
        (GROUP, *params),
        optional_body=optional_body,
    )


GROUP_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/circles/{{id}}/groups": {
        "get": operation(
            "The circle's groups in order, with the caller's standing in each and "
            "unread counts for those joined (members of the circle)",
            "groups",
            list_of("groups", "MyGroup"),
            errors="403 404",
            params=(
                CIRCLE,
                query_param("archived", BOOL, "include archived groups (default false)"),
            ),
        ),
        "post": operation(
            "Create a group (owner/admin); the creator is its first member and admin",
            "groups",
            _GROUP,
            "201",
            "create_group",
            errors="403 404 409",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/groups/{{id}}": {
        "get": _group_op("A group (members of its circle)", _GROUP),
        "patch": _group_op(
            "Change a group: name, topic, read-only and cap by its admins; access, "
            "position and archive by the circle's owners/admins only (403); general "
            "stays open, uncapped and live (409)",
            _GROUP,
            body="patch_group",
            errors="409",
        ),
    },
    f"{V1}/groups/{{id}}/join": {
        "post": _group_op(
            "Join an open group, or ask to join one that takes requests (`approved` "
            "false: pending); invite-only: 403; full or archived: 409",
            _STANDING,
            errors="409",
        ),
    },
    f"{V1}/groups/{{id}}/leave": {
        "post": _group_op(
            "Leave a group or withdraw a request (general cannot be left: 409)",
            None,
            "204",
            errors="409",
        ),
    },
    f"{V1}/groups/{{id}}/members": {
        "get": _group_op(
            "A page of the group's members in joining order (its members; pending "
            "requests only to its admins); general's are the circle's: 409",
            list_of("members", "GroupMember", next=_NEXT),
            errors="409",
            params=page_params(GROUP_MEMBERS_MAX, MEMBERS_DEFAULT, "members per page"),
        ),
    },
    f"{V1}/groups/{{id}}/members/{{user_id}}": {
        "put": _group_op(
            "Add a member of the circle, approve their request, or set their role "
            "(the group's admins, the circle's owners/admins); full or archived: 409",
            _STANDING,
            body="put_group_member",
            optional_body=True,
            errors="409",
            params=(MEMBER,),
        ),
        "delete": _group_op(
            "Remove a member or decline a request (the group's admins; oneself: leave)",
            None,
            "204",
            errors="409",
            params=(MEMBER,),
        ),
    },
    f"{V1}/groups/{{id}}/messages": {
        "get": _group_op(
            "The group's chat history, newest last (its members, and the circle's owners/admins)",
            list_of("messages", "Message", more=BOOL),
            params=(
                query_param("before", {**INT, "minimum": 1}, "only messages with a smaller seq"),
                query_param(
                    "limit",
                    {
                        **INT,
                        "minimum": 1,
                        "maximum": Settings.history_max,
                        "default": Settings.history_default,
                    },
                    "page size",
                ),
            ),
        ),
    },
    f"{V1}/groups/{{id}}/reads": {
        "get": _group_op(
            "Every member's read marker (`reads`: user id → the seq read up to) and "
            'the member count, for "read by N" (those who may read the group); '
            "groups of more than the server's read_receipts_max_members: 409",
            obj(
                ["reads", "members"],
                reads={"type": "object", "additionalProperties": {**INT, "minimum": 0}},
                members={**INT, "minimum": 0},
            ),
            errors="409",
        ),
    },
    f"{V1}/groups/{{id}}/messages/{{seq}}": MESSAGE_OPS,
    f"{V1}/groups/{{id}}/messages/{{seq}}/veto": {
        "put": _group_op(
            "Members' votes will not promote this message (the circle's owners/admins)",
            None,
            "204",
            params=(SEQ,),
        ),
        "delete": _group_op(
            "Members' votes may promote it again (the circle's owners/admins)",
            None,
            "204",
            params=(SEQ,),
        ),
    },
}
