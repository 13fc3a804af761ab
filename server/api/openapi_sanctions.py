"""The OpenAPI paths and schemas of mutes and bans (README.md, "Who may do what")."""

from __future__ import annotations

from server.api.operations import (
    CIRCLE,
    NAME_QUERY,
    V1,
    list_of,
    operation,
    path_param,
    query_param,
)
from server.api.sanctions import BANS_DEFAULT, BANS_MAX, MUTE_MINUTES_MAX, REASON_MAX
from server.api.schemas import INT, MS, STR, Schema, nullable, obj, ref

USER = path_param("user_id", description="user id")
_REASON = {**STR, "maxLength": REASON_MAX, "description": "why (kept in the audit log)"}

SANCTION_SCHEMAS: dict[str, Schema] = {
    "Ban": obj(
        ["user", "by", "reason", "created"],
        user=obj(["id", "name", "handle"], id=STR, name=STR, handle=STR),
        by={**STR, "description": "user id of the owner or admin who banned"},
        reason=nullable(STR),
        created=MS,
    ),
}

SANCTION_BODIES: dict[str, Schema] = {
    "mute": obj(
        [],
        minutes={**INT, "minimum": 1, "maximum": MUTE_MINUTES_MAX, "description": "for how long"},
        until={**MS, "description": "or until when (ms); neither: until lifted"},
        reason=_REASON,
    ),
    "ban": obj([], reason=_REASON),
}

SANCTION_PATHS: dict[str, Schema] = {
    f"{V1}/circles/{{id}}/members/{{user_id}}/mute": {
        "put": operation(
            "Mute a member (owners and admins; an admin never an owner or admin, an owner "
            "never): they read but may not say, post, comment or vote (403, reason `muted`, "
            "params.until) until it ends or is lifted; the member with `muted_until`",
            "moderation",
            ref("Member"),
            body="mute",
            optional_body=True,
            errors="403 404 409",
            params=(CIRCLE, USER),
        ),
        "delete": operation(
            "Lift a mute", "moderation", ref("Member"), errors="403 404 409", params=(CIRCLE, USER)
        ),
    },
    f"{V1}/circles/{{id}}/bans": {
        "get": operation(
            "The circle's bans, newest first (owners and admins)",
            "moderation",
            list_of("bans", "Ban", next=nullable(STR)),
            errors="403 404",
            params=(
                CIRCLE,
                NAME_QUERY,
                query_param("cursor", STR, "the previous page's `next`"),
                query_param(
                    "limit",
                    {**INT, "minimum": 1, "maximum": BANS_MAX, "default": BANS_DEFAULT},
                    "bans per page",
                ),
            ),
        ),
    },
    f"{V1}/circles/{{id}}/bans/{{user_id}}": {
        "put": operation(
            "Ban a user: a member is removed (`member.removed`), and nobody banned gets back "
            "in by public join, code, invite link or join request (403, reason `banned`) "
            "until it is lifted; banning again changes nothing",
            "moderation",
            ref("Ban"),
            body="ban",
            optional_body=True,
            errors="403 404 409",
            params=(CIRCLE, USER),
        ),
        "delete": operation(
            "Lift a ban", "moderation", None, "204", errors="403 404", params=(CIRCLE, USER)
        ),
    },
}
