"""The OpenAPI paths and schemas of following a public circle (README.md,
"Following a circle")."""

from __future__ import annotations

from server.api.follows import PAGE_DEFAULT, PAGE_MAX, QUERY_MAX
from server.api.operations import CIRCLE, V1, list_of, operation, page_params, query_param
from server.api.schemas import BOOL, INT, MS, STR, Schema, nullable, obj, ref

_PAGE = page_params(PAGE_MAX, PAGE_DEFAULT, "per page")

FOLLOW_SCHEMAS: dict[str, Schema] = {
    "FollowState": obj(
        ["following", "followers"],
        following={**BOOL, "description": "whether the caller follows the circle now"},
        followers={**INT, "description": "the circle's follower count (members apart)"},
    ),
    "Follower": obj(
        ["user", "name", "handle", "since"],
        user={**STR, "description": "user id"},
        name=STR,
        handle=STR,
        since={**MS, "description": "when they followed"},
    ),
    "FollowedCircle": {
        "allOf": [
            ref("Circle"),
            obj(
                ["following", "followed"],
                following={**BOOL, "description": "always true here"},
                followed={**MS, "description": "when the caller followed it"},
            ),
        ]
    },
}


def _op(summary: str, answer: Schema | None, **kw: object) -> Schema:
    return operation(summary, "circles", answer, **kw)  # type: ignore[arg-type]


FOLLOW_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/circles/{{id}}/follow": {
        "post": _op(
            "Follow a public circle without joining it (idempotent): its posts and "
            "highlights reach the caller live (`event`, `highlight`), never its chat; "
            "followers are not members. 403 for a private circle (as for any non-member) "
            "and for a banned user (reason `banned`); 409 `already_member` for a member",
            ref("FollowState"),
            errors="403 404 409",
            params=(CIRCLE,),
        ),
        "delete": _op(
            "Stop following (idempotent)",
            ref("FollowState"),
            errors="404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/followers": {
        "get": _op(
            "The circle's followers, newest first (owners and admins)",
            list_of("followers", "Follower", next=nullable(STR)),
            errors="403 404",
            params=(
                CIRCLE,
                query_param("q", {**STR, "maxLength": QUERY_MAX}, "name or login name contains"),
                *_PAGE,
            ),
        ),
    },
    f"{V1}/me/following": {
        "get": _op(
            "The circles the caller follows, newest follow first",
            list_of("circles", "FollowedCircle", next=nullable(STR)),
            params=_PAGE,
        ),
    },
}
