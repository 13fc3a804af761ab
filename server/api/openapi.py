"""The OpenAPI 3.1 document of the HTTP API, written by hand to match HTTP-API.md.

A test walks the app's routing table and checks that every served route is
here and that nothing here is unserved.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.circles import (
    DIRECTORY_DEFAULT,
    DIRECTORY_MAX,
    MEMBERS_DEFAULT,
    MEMBERS_MAX,
    QUERY_MAX,
)
from server.api.events import EVENTS_DEFAULT, EVENTS_MAX, REV_MAX
from server.api.openapi_challenges import CHALLENGE_BODIES, CHALLENGE_PATHS, CHALLENGE_SCHEMAS
from server.api.openapi_checkin_days import CHECKIN_DAY_BODIES, CHECKIN_DAY_PATHS
from server.api.openapi_circle_export import CIRCLE_EXPORT_PATHS
from server.api.openapi_cohorts import COHORT_BODIES, COHORT_LABEL, COHORT_PATHS
from server.api.openapi_contests import CONTEST_BODIES, CONTEST_PATHS, CONTEST_SCHEMAS
from server.api.openapi_follows import FOLLOW_PATHS, FOLLOW_SCHEMAS
from server.api.openapi_gatherings import GATHERING_BODIES, GATHERING_PATHS, GATHERING_SCHEMAS
from server.api.openapi_groups import GROUP_PATHS, MESSAGE_OPS
from server.api.openapi_homework import HOMEWORK_BODIES, HOMEWORK_PATHS, HOMEWORK_SCHEMAS
from server.api.openapi_hooks import HOOK_BODIES, HOOK_PATHS, HOOK_SCHEMAS
from server.api.openapi_joining import JOINING_BODIES, JOINING_PATHS, JOINING_SCHEMAS
from server.api.openapi_leaving import LEAVING_BODIES, LEAVING_PATHS
from server.api.openapi_lessons import LESSON_BODIES, LESSON_PATHS, LESSON_SCHEMAS
from server.api.openapi_mail import MAIL_BODIES, MAIL_PATHS, MAIL_SCHEMAS
from server.api.openapi_notifications import (
    NOTIFICATION_BODIES,
    NOTIFICATION_PATHS,
    NOTIFICATION_SCHEMAS,
)
from server.api.openapi_payments import PAYMENT_BODIES, PAYMENT_PATHS, PAYMENT_SCHEMAS
from server.api.openapi_points import POINT_BODIES, POINT_PATHS, POINT_SCHEMAS
from server.api.openapi_polls import POLL_BODIES, POLL_PATHS, POLL_SCHEMAS
from server.api.openapi_posts import POST_PATHS
from server.api.openapi_push import PUSH_BODIES, PUSH_PATHS, PUSH_SCHEMAS
from server.api.openapi_reactions import REACTION_PATHS, REACTION_SCHEMAS
from server.api.openapi_reports import REPORT_BODIES, REPORT_PATHS, REPORT_SCHEMAS
from server.api.openapi_sanctions import SANCTION_BODIES, SANCTION_PATHS, SANCTION_SCHEMAS
from server.api.openapi_search import SEARCH_PATHS, SEARCH_SCHEMAS
from server.api.openapi_uploads import UPLOAD_PATHS, UPLOAD_SCHEMAS
from server.api.operations import (
    CIRCLE,
    V1,
    json_content,
    list_of,
    operation,
    page_params,
    path_param,
    query_param,
)
from server.api.responses import ok
from server.api.schemas import (
    BODIES,
    BOOL,
    HEALTH,
    INT,
    KIND,
    SCHEMAS,
    STR,
    Schema,
    nullable,
    ref,
)
from server.settings import Settings

# The contract's bounds, as the default settings carry them.
_HISTORY_MAX, _HISTORY_DEFAULT = Settings.history_max, Settings.history_default

_ERROR_TEXT = {
    "400": "bad_request: invalid JSON, wrong field types, missing fields, bad parameters",
    "401": "unauthenticated: no, bad or revoked bearer token",
    "403": "forbidden",
    "404": "not_found",
    "409": "conflict",
    "413": "too_big: the body is over 64 KiB",
    "415": "bad_request: a body not sent as Content-Type: application/json",
    "405": "not_found: this path does not serve this method (see the Allow header)",
    "429": "rate_limited: too many requests from this address, too many writes (signups, "
    "logins, circles) by this caller or address, too many failed logins for this account "
    "from this address, or the server is busy hashing passwords; `Retry-After` says when "
    "to try again",
}
# Sent with every 429.
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}


MEMBER = path_param("user_id")
SEQ = path_param("seq", {**INT, "minimum": 1})

PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/auth/signup": {
        "post": operation(
            "Create an account", "accounts", ref("Auth"), "201", "signup", "409", public=True
        )
    },
    f"{V1}/auth/login": {
        "post": operation(
            "Log in", "accounts", ref("Auth"), body="login", errors="401", public=True
        )
    },
    f"{V1}/auth/logout": {
        "post": operation(
            "Revoke this token everywhere, open WebSockets included", "accounts", None, "204"
        )
    },
    f"{V1}/me": {
        "get": operation("The caller", "accounts", ref("User")),
        "patch": operation("Rename the caller", "accounts", ref("User"), body="patch_me"),
    },
    f"{V1}/me/circles": {
        "get": operation("The caller's circles", "accounts", list_of("circles", "MyCircle")),
    },
    f"{V1}/auth/logout-everywhere": {
        "post": operation(
            "End every session of the caller (this one too), open WebSockets included",
            "accounts",
            None,
            "204",
        )
    },
    f"{V1}/me/sessions": {
        "get": operation(
            "The caller's live sessions, most recently used first",
            "accounts",
            list_of("sessions", "Session"),
        ),
        "delete": operation(
            "End every session of the caller (as POST /auth/logout-everywhere)",
            "accounts",
            None,
            "204",
        ),
    },
    f"{V1}/me/sessions/{{id}}": {
        "delete": operation(
            "End one of the caller's sessions, open WebSockets included",
            "accounts",
            None,
            "204",
            errors="404",
            params=(path_param("id", description="session id"),),
        )
    },
    f"{V1}/me/password": {
        "post": operation(
            "Change the password; every other session of the caller ends"
            " (403 for a wrong old password)",
            "accounts",
            None,
            "204",
            body="change_password",
            errors="403",
        )
    },
    f"{V1}/circles": {
        "post": operation(
            "Create a circle; the caller owns it", "circles", ref("Circle"), "201", "create_circle"
        ),
        "get": operation(
            "The public directory",
            "circles",
            list_of("circles", "Circle", next=nullable(STR)),
            params=(
                query_param("q", STR, "search in names and descriptions"),
                query_param(
                    "kind",
                    {**KIND, "enum": [*KIND["enum"], ""]},
                    "only circles of this kind (empty: any)",
                ),
                query_param("cursor", STR, "the `next` of the previous page"),
                query_param(
                    "limit",
                    {**INT, "minimum": 1, "maximum": DIRECTORY_MAX, "default": DIRECTORY_DEFAULT},
                    "page size",
                ),
            ),
        ),
    },
    f"{V1}/circles/{{id}}": {
        "get": operation(
            "A circle (a private one only to members)",
            "circles",
            ref("Circle"),
            errors="403 404",
            params=(CIRCLE,),
        ),
        "patch": operation(
            "Change a circle (owner/admin)",
            "circles",
            ref("Circle"),
            body="patch_circle",
            errors="403 404",
            params=(CIRCLE,),
        ),
        "delete": operation(
            "Delete the circle (an owner, typing its name to confirm; 400 reason "
            "`confirm_name` when it does not match): everyone is out at once (`circle.deleted`, "
            "then `left` with reason `circle_deleted`), it answers 404 from then on, and its "
            "content and media are deleted in the background",
            "circles",
            None,
            "204",
            body="delete_circle",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/invite": {
        "get": operation(
            "What an invite link invites to, without logging in: a public circle always, "
            "a private one with an access code that would admit now, or while it takes "
            "join requests (404 otherwise, as for an unknown circle; a revoked code is "
            "an unknown one); limited per address",
            "circles",
            ref("InvitePreview"),
            errors="404",
            params=(CIRCLE, query_param("code", STR, "the invite's access code")),
            public=True,
        ),
    },
    f"{V1}/circles/{{id}}/join": {
        "post": operation(
            "Join; a private circle needs a valid access code (one that takes requests "
            "refuses without one: 403 `approval_required`)",
            "circles",
            ref("Member"),
            body="join",
            optional_body=True,
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/leave": {
        "post": operation(
            "Leave (the last owner cannot)",
            "circles",
            None,
            "204",
            errors="404 409",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/members": {
        "get": operation(
            "A page of members with their display names, in joining order",
            "circles",
            list_of("members", "Member", next=nullable(STR)),
            errors="403 404",
            params=(
                CIRCLE,
                *page_params(MEMBERS_MAX, MEMBERS_DEFAULT, "members per page"),
                query_param(
                    "q", {**STR, "maxLength": QUERY_MAX}, "nickname, name or login name contains"
                ),
            ),
        ),
    },
    f"{V1}/circles/{{id}}/events": {
        "get": operation(
            "Catch up: the circle's changes after a rev, oldest first, as the `event` "
            "pushes carry them (acknowledgements only to the post's author and "
            "owners/admins)",
            "circles",
            ref("Events"),
            errors="403 404",
            params=(
                CIRCLE,
                query_param(
                    "after",
                    {**INT, "minimum": 0, "maximum": REV_MAX, "default": 0},
                    "the last rev the client applied (the circle's `last_rev` when it loaded)",
                ),
                query_param(
                    "limit",
                    {**INT, "minimum": 1, "maximum": EVENTS_MAX, "default": EVENTS_DEFAULT},
                    "events per page",
                ),
            ),
        ),
    },
    f"{V1}/circles/{{id}}/members/{{user_id}}": {
        "patch": operation(
            "Role (owner/admin) or nickname (one's own; an owner anyone's, an admin a member's)",
            "circles",
            ref("Member"),
            body="patch_member",
            errors="403 404 409",
            params=(CIRCLE, MEMBER),
        ),
        "delete": operation(
            "Remove a member (owner/admin)",
            "circles",
            None,
            "204",
            errors="403 404 409",
            params=(CIRCLE, MEMBER),
        ),
    },
    f"{V1}/circles/{{id}}/codes": {
        "get": operation(
            "The circle's access codes, newest first, revoked ones marked (owner/admin)",
            "circles",
            list_of("codes", "ListedCode", next=nullable(STR)),
            errors="403 404",
            params=(CIRCLE, *page_params(200, 50, "codes per page"), COHORT_LABEL),
        ),
        "post": operation(
            "Create access codes (owner/admin)",
            "circles",
            list_of("codes", "Code"),
            "201",
            "create_codes",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/messages": {
        "get": operation(
            "Chat history, newest last (members only)",
            "circles",
            list_of("messages", "Message", more=BOOL),
            errors="403 404",
            params=(
                CIRCLE,
                query_param("before", {**INT, "minimum": 1}, "only messages with a smaller seq"),
                query_param(
                    "limit",
                    {**INT, "minimum": 1, "maximum": _HISTORY_MAX, "default": _HISTORY_DEFAULT},
                    "page size",
                ),
            ),
        ),
    },
    f"{V1}/circles/{{id}}/messages/{{seq}}": MESSAGE_OPS,
    f"{V1}/circles/{{id}}/messages/{{seq}}/veto": {
        "put": operation(
            "Members' votes will not promote this message (owner/admin)",
            "circles",
            None,
            "204",
            errors="403 404",
            params=(CIRCLE, SEQ),
        ),
        "delete": operation(
            "Members' votes may promote it again (owner/admin)",
            "circles",
            None,
            "204",
            errors="403 404",
            params=(CIRCLE, SEQ),
        ),
    },
    f"{V1}/openapi.json": {
        "get": {
            "summary": "This document",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {"description": "OpenAPI 3.1", **json_content({"type": "object"})},
                "429": {"$ref": "#/components/responses/E429"},
            },
        }
    },
    "/healthz": {
        "get": {
            "summary": "200 when the database answers, 503 otherwise",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {"description": "the database answers", **json_content(HEALTH)},
                "503": {"description": "the database does not answer", **json_content(HEALTH)},
            },
        }
    },
    "/metrics": {
        "get": {
            "summary": "Prometheus metrics",
            "description": "With QUANZI_METRICS_TOKEN set, only to `Authorization: Bearer "
            "<that token>` (not a user's); without it, only to requests from loopback. "
            "A server of several workers (`--workers N`) answers from any of them with "
            "every worker's series, each with a `worker` label.",
            "tags": ["meta"],
            "security": [{"metrics": []}, {}],
            "responses": {
                "200": {
                    "description": "text exposition format",
                    "content": {"text/plain": {"schema": STR}},
                },
                "401": {
                    "description": "unauthenticated: QUANZI_METRICS_TOKEN is set and was not sent",
                    **json_content(ref("Error")),
                },
                "403": {
                    "description": "forbidden: no QUANZI_METRICS_TOKEN, and not from loopback",
                    **json_content(ref("Error")),
                },
            },
        }
    },
    "/ws": {
        "get": {
            "summary": "WebSocket upgrade: live chat and pushes (PROTOCOL.md)",
            "description": "An HTTP GET with `Upgrade: websocket`. Subprotocols `quanzi.v1.json` "
            "(the default when none is offered) and `quanzi.v1.msgpack`. The first frame is "
            "`hello` with a token from the HTTP API, so the upgrade itself needs no header.",
            "tags": ["meta"],
            "security": [],
            "parameters": [
                {
                    "name": "Upgrade",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "enum": ["websocket"]},
                },
                {
                    "name": "Origin",
                    "in": "header",
                    "required": False,
                    "description": "sent by browsers: the page's origin (absent: not checked)",
                    "schema": {"type": "string"},
                },
                {
                    "name": "Sec-WebSocket-Protocol",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "enum": ["quanzi.v1.json", "quanzi.v1.msgpack"]},
                },
            ],
            "responses": {
                "101": {"description": "switching protocols"},
                "426": {
                    "description": "a plain GET without `Upgrade: websocket`",
                    **json_content(ref("Error")),
                },
                "429": {"$ref": "#/components/responses/E429"},
                "403": {
                    "description": "only unknown subprotocols were offered, or the `Origin` "
                    "is neither the server's own nor in QUANZI_ALLOWED_ORIGINS"
                },
                "503": {"description": "the server is restarting: try again"},
            },
        }
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Quanzi HTTP API",
        "version": "1",
        "description": "Circles with live group chat and durable highlights. "
        "Ids are opaque strings; times are ms since the Unix epoch. Request bodies are "
        "JSON objects sent as `Content-Type: application/json` (anything else: 415 with "
        "the code `bad_request`); where a body is optional it may be left out, and no "
        "field takes `null` (leave it out instead: `null` is a 400). A method a path does "
        "not serve is a 405 with an `Allow` header and the code `not_found` (the contract "
        "has no code of its own for it).",
    },
    "tags": [
        {"name": "accounts"},
        {"name": "circles"},
        {"name": "posts"},
        {"name": "groups"},
        {"name": "reactions"},
        {"name": "polls"},
        {"name": "moderation"},
        {"name": "media"},
        {"name": "moderation"},
        {"name": "payments"},
        {"name": "challenges"},
        {"name": "events"},
        {"name": "points"},
        {"name": "contests"},
        {"name": "homework"},
        {"name": "lessons"},
        {"name": "notifications"},
        {"name": "webhooks"},
        {"name": "bots"},
        {"name": "meta"},
    ],
    "security": [{"bearer": []}],
    "paths": PATHS
    | POST_PATHS
    | GROUP_PATHS
    | REACTION_PATHS
    | POLL_PATHS
    | UPLOAD_PATHS
    | SANCTION_PATHS
    | JOINING_PATHS
    | FOLLOW_PATHS
    | REPORT_PATHS
    | PAYMENT_PATHS
    | LEAVING_PATHS
    | CIRCLE_EXPORT_PATHS
    | CHALLENGE_PATHS
    | CHECKIN_DAY_PATHS
    | GATHERING_PATHS
    | POINT_PATHS
    | HOOK_PATHS
    | CONTEST_PATHS
    | HOMEWORK_PATHS
    | LESSON_PATHS
    | COHORT_PATHS
    | SEARCH_PATHS
    | PUSH_PATHS
    | MAIL_PATHS
    | NOTIFICATION_PATHS,
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "metrics": {
                "type": "http",
                "scheme": "bearer",
                "description": "the operator's QUANZI_METRICS_TOKEN, for /metrics only",
            },
            "media_key": {
                "type": "apiKey",
                "in": "query",
                "name": "key",
                "description": "a media key (GET /media/key), for attachment downloads only",
            },
        },
        "schemas": SCHEMAS
        | REACTION_SCHEMAS
        | POLL_SCHEMAS
        | UPLOAD_SCHEMAS
        | SANCTION_SCHEMAS
        | JOINING_SCHEMAS
        | FOLLOW_SCHEMAS
        | REPORT_SCHEMAS
        | PAYMENT_SCHEMAS
        | CHALLENGE_SCHEMAS
        | GATHERING_SCHEMAS
        | POINT_SCHEMAS
        | HOOK_SCHEMAS
        | CONTEST_SCHEMAS
        | HOMEWORK_SCHEMAS
        | LESSON_SCHEMAS
        | SEARCH_SCHEMAS
        | PUSH_SCHEMAS
        | MAIL_SCHEMAS
        | NOTIFICATION_SCHEMAS
        | {
            f"{name}_body": schema
            for name, schema in (
                BODIES
                | POLL_BODIES
                | SANCTION_BODIES
                | JOINING_BODIES
                | REPORT_BODIES
                | PAYMENT_BODIES
                | LEAVING_BODIES
                | CHALLENGE_BODIES
                | CHECKIN_DAY_BODIES
                | GATHERING_BODIES
                | POINT_BODIES
                | HOOK_BODIES
                | CONTEST_BODIES
                | HOMEWORK_BODIES
                | LESSON_BODIES
                | COHORT_BODIES
                | PUSH_BODIES
                | MAIL_BODIES
                | NOTIFICATION_BODIES
            ).items()
        },
        "responses": {
            f"E{status}": {"description": text, **json_content(ref("Error"))}
            | ({"headers": RETRY_AFTER} if status == "429" else {})
            for status, text in (_ERROR_TEXT | {"500": "internal"}).items()
        },
    },
}


async def serve(request: Request) -> Response:
    return ok(DOCUMENT)


routes = [Route("/openapi.json", serve, methods=["GET"])]
