"""The OpenAPI 3.1 document of the HTTP API, written by hand to match HTTP-API.md.

A test walks the app's routing table and checks that every served route is
here and that nothing here is unserved.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.circles import DIRECTORY_DEFAULT, DIRECTORY_MAX
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
    obj,
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
}


def _json(schema: Schema) -> Schema:
    return {"content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    tag: str,
    answer: Schema | None,
    status: str = "200",
    body: str | None = None,
    errors: str = "",
    params: tuple[Schema, ...] = (),
    public: bool = False,
    optional_body: bool = False,
) -> Schema:
    """One operation; ``errors`` lists its statuses besides 400, 401 and 500."""
    op: Schema = {"summary": summary, "tags": [tag]}
    if params:
        op["parameters"] = list(params)
    if body:
        op["requestBody"] = {"required": not optional_body, **_json(_ref_body(body))}
    ok_response = {"description": "success"} | (_json(answer) if answer else {})
    statuses = ["400"] + ([] if public else ["401"]) + errors.split()
    if body:
        statuses.append("413")
    op["responses"] = {status: ok_response} | {
        s: {"$ref": f"#/components/responses/E{s}"} for s in sorted(set(statuses))
    }
    op["responses"]["500"] = {"$ref": "#/components/responses/E500"}
    if public:
        op["security"] = []
    return op


def _ref_body(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}_body"}


def _query(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _path(name: str, schema: Schema = STR) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _list(key: str, item: str, **extra: Schema) -> Schema:
    return obj([key, *extra], **{key: {"type": "array", "items": ref(item)}}, **extra)


CIRCLE = _path("id")
MEMBER = _path("user_id")
SEQ = _path("seq", {**INT, "minimum": 1})
V1 = "/api/v1"

PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/auth/signup": {
        "post": _op(
            "Create an account", "accounts", ref("Auth"), "201", "signup", "409", public=True
        )
    },
    f"{V1}/auth/login": {
        "post": _op("Log in", "accounts", ref("Auth"), body="login", errors="401", public=True)
    },
    f"{V1}/auth/logout": {
        "post": _op(
            "Revoke this token everywhere, open WebSockets included", "accounts", None, "204"
        )
    },
    f"{V1}/me": {
        "get": _op("The caller", "accounts", ref("User")),
        "patch": _op("Rename the caller", "accounts", ref("User"), body="patch_me"),
    },
    f"{V1}/me/circles": {
        "get": _op("The caller's circles", "accounts", _list("circles", "MyCircle")),
    },
    f"{V1}/circles": {
        "post": _op(
            "Create a circle; the caller owns it", "circles", ref("Circle"), "201", "create_circle"
        ),
        "get": _op(
            "The public directory",
            "circles",
            _list("circles", "Circle", next=nullable(STR)),
            params=(
                _query("q", STR, "search in names and descriptions"),
                _query("kind", KIND, "only circles of this kind"),
                _query("cursor", STR, "the `next` of the previous page"),
                _query(
                    "limit",
                    {**INT, "minimum": 1, "maximum": DIRECTORY_MAX, "default": DIRECTORY_DEFAULT},
                    "page size",
                ),
            ),
        ),
    },
    f"{V1}/circles/{{id}}": {
        "get": _op(
            "A circle (a private one only to members)",
            "circles",
            ref("Circle"),
            errors="403 404",
            params=(CIRCLE,),
        ),
        "patch": _op(
            "Change a circle (owner/admin)",
            "circles",
            ref("Circle"),
            body="patch_circle",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/join": {
        "post": _op(
            "Join; a private circle needs a valid access code",
            "circles",
            ref("Member"),
            body="join",
            optional_body=True,
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/leave": {
        "post": _op(
            "Leave (the last owner cannot)",
            "circles",
            None,
            "204",
            errors="404 409",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/members": {
        "get": _op(
            "Members with their display names",
            "circles",
            _list("members", "Member"),
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/members/{{user_id}}": {
        "patch": _op(
            "Role (owner/admin) or nickname (oneself or admin)",
            "circles",
            ref("Member"),
            body="patch_member",
            errors="403 404",
            params=(CIRCLE, MEMBER),
        ),
        "delete": _op(
            "Remove a member (owner/admin)",
            "circles",
            None,
            "204",
            errors="403 404",
            params=(CIRCLE, MEMBER),
        ),
    },
    f"{V1}/circles/{{id}}/codes": {
        "post": _op(
            "Create access codes (owner/admin)",
            "circles",
            _list("codes", "Code"),
            "201",
            "create_codes",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/messages": {
        "get": _op(
            "Chat history, newest last (members only)",
            "circles",
            _list("messages", "Message", more=BOOL),
            errors="403 404",
            params=(
                CIRCLE,
                _query("before", {**INT, "minimum": 1}, "only messages with a smaller seq"),
                _query(
                    "limit",
                    {**INT, "minimum": 1, "maximum": _HISTORY_MAX, "default": _HISTORY_DEFAULT},
                    "page size",
                ),
            ),
        ),
    },
    f"{V1}/circles/{{id}}/messages/{{seq}}/veto": {
        "put": _op(
            "Members' votes will not promote this message (owner/admin)",
            "circles",
            None,
            "204",
            errors="403 404",
            params=(CIRCLE, SEQ),
        ),
        "delete": _op(
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
            "responses": {"200": {"description": "OpenAPI 3.1", **_json({"type": "object"})}},
        }
    },
    "/healthz": {
        "get": {
            "summary": "200 when the database answers, 503 otherwise",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {"description": "the database answers", **_json(HEALTH)},
                "503": {"description": "the database does not answer", **_json(HEALTH)},
            },
        }
    },
    "/metrics": {
        "get": {
            "summary": "Prometheus metrics",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {
                    "description": "text exposition format",
                    "content": {"text/plain": {"schema": STR}},
                }
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
                    "name": "Sec-WebSocket-Protocol",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "enum": ["quanzi.v1.json", "quanzi.v1.msgpack"]},
                },
            ],
            "responses": {
                "101": {"description": "switching protocols"},
                "403": {"description": "only unknown subprotocols were offered"},
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
        "Ids are opaque strings; times are ms since the Unix epoch.",
    },
    "tags": [{"name": "accounts"}, {"name": "circles"}, {"name": "meta"}],
    "security": [{"bearer": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": SCHEMAS | {f"{name}_body": schema for name, schema in BODIES.items()},
        "responses": {
            f"E{status}": {"description": text, **_json(ref("Error"))}
            for status, text in (_ERROR_TEXT | {"500": "internal"}).items()
        },
    },
}


async def serve(request: Request) -> Response:
    return ok(DOCUMENT)


routes = [Route("/openapi.json", serve, methods=["GET"])]
